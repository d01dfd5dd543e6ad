/**
 * Skew of a scanned page from the projection profile of its ink: rows of text and table rules are
 * sharpest (the profile's sum of squares is largest) when projected along their own slope.
 */
import { inkWords, nextInk } from './raster.js';

/** Most ink pixels looked at: a sample is enough for the profile and keeps this cheap. */
const MAX_SAMPLES = 60_000;

/**
 * The slope angle (radians, y down: positive goes down to the right) of the page's lines of ink,
 * searched within ±`maxDegrees`; `rotate(img, angle)` straightens the page. 0 for a blank page.
 */
export function estimateSkew(ink: Uint8Array, width: number, height: number, maxDegrees = 2): number {
  const words = inkWords(ink);
  const end = width * height;
  let count = 0;
  for (let i = nextInk(ink, words, 0, end); i < end; i = nextInk(ink, words, i + 1, end)) count++;
  if (count < 100) return 0;
  const step = Math.max(1, Math.ceil(count / MAX_SAMPLES));
  const xs = new Float64Array(Math.ceil(count / step) + 1), ys = new Float64Array(xs.length);
  let n = 0, seen = 0;
  const cx = width / 2;
  for (let i = nextInk(ink, words, 0, end); i < end; i = nextInk(ink, words, i + 1, end)) {
    if (seen++ % step !== 0) continue;
    const y = Math.floor(i / width);
    xs[n] = i - y * width - cx; ys[n] = y; n++;
  }
  const margin = Math.ceil(width * Math.tan((maxDegrees * Math.PI) / 180)) + 2;
  const bins = new Float64Array(height + 2 * margin);
  const sharpness = (angle: number): number => {
    bins.fill(0);
    const t = Math.tan(angle);
    for (let i = 0; i < n; i++) bins[(ys[i]! - xs[i]! * t + margin + 0.5) | 0]!++;
    let s = 0;
    for (let i = 0; i < bins.length; i++) s += bins[i]! * bins[i]!;
    return s;
  };
  // Angles a pixel's rounding cannot tell apart score alike: the middle of the best ones is taken.
  const search = (from: number, to: number, stepDeg: number): number => {
    const scored: { d: number; score: number }[] = [];
    for (let d = from; d <= to + 1e-9; d += stepDeg) scored.push({ d, score: sharpness((d * Math.PI) / 180) });
    const top = Math.max(...scored.map((s) => s.score));
    const best = scored.filter((s) => s.score >= top * (1 - 1e-9));
    return best[Math.floor((best.length - 1) / 2)]!.d;
  };
  const coarse = search(-maxDegrees, maxDegrees, 0.15);
  const fine = search(coarse - 0.15, coarse + 0.15, 0.02);
  return (fine * Math.PI) / 180;
}

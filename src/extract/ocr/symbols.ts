/**
 * Glyphs the Chinese model cannot read, recognised from the image instead.
 *  - Comparison signs before a target figure (≥95%, ≤1): Tesseract's chi_sim reads ≥ as 二, 人,
 *    全, 2 or >. A chevron (two strokes meeting at a point on the right for >, on the left for <),
 *    with a flat bar under it for ≥ and ≤, is told apart from digits by where its ink lies.
 *  - Check boxes before options (☑优 □良): read as 回 and 口.
 */
import { connectedComponents, type Component } from './layout.js';
import type { GreyImage, PixelBox } from './raster.js';

export type Comparator = '≥' | '≤' | '>' | '<';

/** The pixels of the component holding (sx, sy): an 8-connected flood fill. */
function componentMask(ink: Uint8Array, width: number, height: number, sx: number, sy: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  const stack = [sy * width + sx];
  mask[sy * width + sx] = 1;
  while (stack.length) {
    const i = stack.pop()!;
    const x = i % width, y = (i - x) / width;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const nx = x + dx, ny = y + dy;
      if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
      const j = ny * width + nx;
      if (ink[j] && !mask[j]) { mask[j] = 1; stack.push(j); }
    }
  }
  return mask;
}

/** Mean, least and most x (0..1 of the component's width) of its ink in rows [from, to) of its box. */
function inkSpan(mask: Uint8Array, width: number, c: Component, from: number, to: number): { mean: number; min: number; max: number } {
  let sum = 0, n = 0, min = Infinity, max = -Infinity;
  const w = c.x1 - c.x0;
  for (let y = c.y0 + from; y < c.y0 + to; y++) {
    for (let x = c.x0; x < c.x1; x++) {
      if (!mask[y * width + x]) continue;
      const rel = (x - c.x0 + 0.5) / w;
      sum += rel; n++;
      if (rel < min) min = rel;
      if (rel > max) max = rel;
    }
  }
  return { mean: n ? sum / n : NaN, min, max };
}

/** '>' or '<' when the component is a chevron: arms' ends at one side, the point at the other. */
function chevron(mask: Uint8Array, width: number, c: Component): '>' | '<' | null {
  const h = c.y1 - c.y0;
  if (h < 5 || c.x1 - c.x0 < 4) return null;
  const q = Math.max(1, Math.round(h / 5));
  const top = inkSpan(mask, width, c, 0, q);
  const bottom = inkSpan(mask, width, c, h - q, h);
  const middle = inkSpan(mask, width, c, Math.floor((h - q) / 2), Math.floor((h - q) / 2) + q);
  if ([top.mean, bottom.mean, middle.mean].some(Number.isNaN)) return null;
  // Nothing spans the width at the top, the middle or the bottom (a 2 or a 7 does).
  if ([top, bottom, middle].some((r) => r.max - r.min > 0.6)) return null;
  if (top.mean < 0.4 && bottom.mean < 0.4 && middle.mean > 0.6) return '>';
  if (top.mean > 0.6 && bottom.mean > 0.6 && middle.mean < 0.4) return '<';
  return null;
}

/**
 * The comparison sign the snippet in `box` starts with, judged on its ink (pixels darker than
 * `threshold`), or null when its first glyph is something else.
 */
export function leadingComparator(image: GreyImage, threshold: number, box: PixelBox, charHeight: number): Comparator | null {
  const x0 = Math.max(0, box.x0), y0 = Math.max(0, box.y0);
  const w = Math.min(image.width, box.x1) - x0, h = Math.min(image.height, box.y1) - y0;
  if (w < 4 || h < 4) return null;
  const ink = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) ink[y * w + x] = image.data[(y0 + y) * image.width + x0 + x]! < threshold ? 1 : 0;
  const parts = connectedComponents(ink, w, h).filter((c) => c.pixels >= 3).sort((a, b) => a.x0 - b.x0);
  const first = parts[0];
  if (!first) return null;
  // The first glyph: the leftmost part and whatever lies under or over it.
  const glyph = parts.filter((c) => Math.min(c.x1, first.x1) - Math.max(c.x0, first.x0) >= 0.5 * Math.min(c.x1 - c.x0, first.x1 - first.x0));
  if (glyph.length > 2) return null;
  const [head, foot] = [...glyph].sort((a, b) => a.y0 - b.y0);
  if (!head || head.y1 - head.y0 > 0.9 * charHeight || head.x1 - head.x0 > 0.9 * charHeight) return null;
  // Seed the fill on one of the head's pixels in its top row.
  let sx = head.x0;
  while (sx < head.x1 && !ink[head.y0 * w + sx]) sx++;
  const sign = chevron(componentMask(ink, w, h, sx, head.y0), w, head);
  if (!sign) return null;
  if (!foot) return sign;
  // ≥ and ≤: a bar (flat, or slanting with the lower arm) under the chevron, about as wide.
  const headH = head.y1 - head.y0;
  if (foot.y0 < head.y0 + 0.4 * headH || foot.y1 < head.y1 || foot.x1 - foot.x0 < 0.6 * (head.x1 - head.x0)) return null;
  return sign === '>' ? '≥' : '≤';
}

/** The reading with the misread sign in front of its figure replaced by `sign`. */
export function withComparator(reading: string, sign: Comparator): string {
  const t = reading.trim();
  // Read as a digit (2700 for ≥700) or as one or two other characters (全40%, >>10%).
  const rest = /^\d/u.test(t) ? t.slice(1) : t.replace(/^[^\d]{1,2}(?=\d)/u, '');
  return sign + rest;
}

const OPTION_WORDS = '(?=\\s*(?:优秀|优|良好|良|中|合格|不合格|差|一级|二级|三级|是|否))';
const CHECKED = new RegExp(`回${OPTION_WORDS}`, 'gu');
const UNCHECKED = new RegExp(`[口囗]${OPTION_WORDS}`, 'gu');

/** Check boxes before options, read as 回 (ticked) and 口 (empty), put back as ☑ and □. */
export function restoreCheckBoxes(reading: string): string {
  return reading.replace(CHECKED, '☑').replace(UNCHECKED, '□');
}

/**
 * Ruling lines of a scanned table, found on the straightened page's ink: long thin runs of ink,
 * horizontal and vertical. Glyph strokes are short; a short rule counts only where both its ends
 * meet rules of the other direction (a header cell's border), which strokes never do.
 */
import { inkWords, nextInk, type GreyImage, type PixelBox } from './raster.js';

export interface PixelRule extends PixelBox {
  orientation: 'h' | 'v';
}

export interface RuleOptions {
  /** Pixels per PDF point of the image. */
  scale: number;
  /** A rule this long (points) counts on its own. Default 30. */
  minLength?: number;
  /** A rule this long (points) counts when both its ends meet rules across. Default 10. */
  minJoinedLength?: number;
  /** Thickest ink (points) still read as a rule. Default 2.5. */
  maxThickness?: number;
  /** Breaks (points) bridged inside one rule (scan noise); the gap between two glyphs is wider. Default 0.75. */
  maxGap?: number;
}

interface Run { start: number; end: number; line: number }

/** Keeps the run of ink from `start` to `lastInk` (inclusive) on `line` when it is at least `minLength` long. */
function keepLong(runs: Run[], start: number, lastInk: number, line: number, minLength: number): void {
  if (lastInk + 1 - start >= minLength) runs.push({ start, end: lastInk + 1, line });
}

/** Runs of ink along each row of a binary image, gaps up to `maxGap` bridged, at least `minLength` long. */
function longRuns(ink: Uint8Array, width: number, height: number, minLength: number, maxGap: number): Run[][] {
  const perLine: Run[][] = [];
  const words = inkWords(ink);
  for (let y = 0; y < height; y++) {
    const runs: Run[] = [];
    const row = y * width;
    let start = -1, lastInk = -1;
    for (let x = nextInk(ink, words, row, row + width) - row; x < width; x = nextInk(ink, words, row + x + 1, row + width) - row) {
      if (start < 0) start = x;
      else if (x - lastInk - 1 > maxGap) {
        keepLong(runs, start, lastInk, y, minLength);
        start = x;
      }
      lastInk = x;
    }
    if (start >= 0) keepLong(runs, start, lastInk, y, minLength);
    perLine.push(runs);
  }
  return perLine;
}

/**
 * Runs of ink down each column, as longRuns finds along rows, read row by row: each column keeps its open
 * run, closed when the next ink below lies past the gap. No transposed copy of the page (4 MB a page at
 * 200 dpi, written a column at a time).
 */
function longColumnRuns(ink: Uint8Array, width: number, height: number, minLength: number, maxGap: number): Run[][] {
  const perColumn: Run[][] = Array.from({ length: width }, () => []);
  const start = new Int32Array(width).fill(-1), lastInk = new Int32Array(width).fill(-1);
  const words = inkWords(ink);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = nextInk(ink, words, row, row + width) - row; x < width; x = nextInk(ink, words, row + x + 1, row + width) - row) {
      if (start[x]! < 0) start[x] = y;
      else if (y - lastInk[x]! - 1 > maxGap) {
        keepLong(perColumn[x]!, start[x]!, lastInk[x]!, x, minLength);
        start[x] = y;
      }
      lastInk[x] = y;
    }
  }
  for (let x = 0; x < width; x++) if (start[x]! >= 0) keepLong(perColumn[x]!, start[x]!, lastInk[x]!, x, minLength);
  return perColumn;
}

interface Band { start: number; end: number; first: number; last: number }

/** Runs on neighbouring lines that overlap along their length are one rule (its thickness across). */
function groupRuns(perLine: Run[][]): Band[] {
  const done: Band[] = [];
  let open: Band[] = [];
  for (let j = 0; j < perLine.length; j++) {
    const next: Band[] = [];
    for (const r of perLine[j]!) {
      const len = r.end - r.start;
      const joined = open.filter((b) => Math.min(b.end, r.end) - Math.max(b.start, r.start) >= 0.5 * Math.min(len, b.end - b.start));
      if (joined.length) {
        const b = joined[0]!;
        for (const o of joined.slice(1)) {
          b.start = Math.min(b.start, o.start); b.end = Math.max(b.end, o.end); b.first = Math.min(b.first, o.first);
          open = open.filter((x) => x !== o);
        }
        b.start = Math.min(b.start, r.start); b.end = Math.max(b.end, r.end); b.last = j;
        if (!next.includes(b)) next.push(b);
      } else next.push({ start: r.start, end: r.end, first: j, last: j });
    }
    for (const b of open) if (!next.includes(b)) done.push(b);
    open = next;
  }
  return [...done, ...open];
}

/** Horizontal and vertical rules of a binary ink image (1 = ink), in pixels. */
export function detectRules(ink: Uint8Array, width: number, height: number, options: RuleOptions): PixelRule[] {
  const s = options.scale;
  const minLength = Math.round((options.minLength ?? 30) * s);
  const minJoined = Math.round((options.minJoinedLength ?? 10) * s);
  const maxThickness = Math.max(3, Math.round((options.maxThickness ?? 2.5) * s));
  const maxGap = Math.max(1, Math.round((options.maxGap ?? 0.75) * s));
  const toRules = (bands: Band[], orientation: 'h' | 'v'): PixelRule[] => bands
    .filter((b) => b.last - b.first + 1 <= maxThickness)
    .map((b) => orientation === 'h'
      ? { orientation, x0: b.start, x1: b.end, y0: b.first, y1: b.last + 1 }
      : { orientation, x0: b.first, x1: b.last + 1, y0: b.start, y1: b.end });
  const hAll = toRules(groupRuns(longRuns(ink, width, height, minJoined, maxGap)), 'h');
  const vAll = toRules(groupRuns(longColumnRuns(ink, width, height, minJoined, maxGap)), 'v');
  const long = (r: PixelRule) => (r.orientation === 'h' ? r.x1 - r.x0 : r.y1 - r.y0) >= minLength;
  const hLong = hAll.filter(long), vLong = vAll.filter(long);
  const tol = maxThickness + maxGap;
  // An end of a horizontal rule meets a vertical one when it lies on it (or within tolerance).
  const meetsV = (x: number, y: number, vs: PixelRule[]) => vs.some((v) => x >= v.x0 - tol && x <= v.x1 + tol && y >= v.y0 - tol && y <= v.y1 + tol);
  const h = hAll.filter((r) => long(r) || (meetsV(r.x0, (r.y0 + r.y1) / 2, vLong) && meetsV(r.x1 - 1, (r.y0 + r.y1) / 2, vLong)));
  const v = vAll.filter((r) => long(r) || (meetsV((r.x0 + r.x1) / 2, r.y0, h) && meetsV((r.x0 + r.x1) / 2, r.y1 - 1, h)));
  return [...h, ...v];
}

/**
 * Whitens the rules (and `margin` pixels around them) so that only text is left to read: in a copy, or
 * with `inPlace` in `img` itself (an image nothing else reads).
 */
export function eraseRules(img: GreyImage, rules: readonly PixelRule[], margin: number, inPlace = false): GreyImage {
  const data = inPlace ? img.data : new Uint8Array(img.data);
  for (const r of rules) {
    const x0 = Math.max(0, r.x0 - margin), x1 = Math.min(img.width, r.x1 + margin);
    const y0 = Math.max(0, r.y0 - margin), y1 = Math.min(img.height, r.y1 + margin);
    for (let y = y0; y < y1; y++) data.fill(255, y * img.width + x0, y * img.width + x1);
  }
  return { width: img.width, height: img.height, data };
}

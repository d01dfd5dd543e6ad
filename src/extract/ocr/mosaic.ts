/**
 * Many small crops read in one OCR call. Tesseract's cost is mostly per text line, not per pixel,
 * so the snippets are packed side by side into lines (wide white gaps between them, so that each
 * stays a word of its own) and the lines stacked with white space around: the engine's line finder
 * sees exactly our lines and no grid line, and the per-call and per-line costs are shared.
 * Words come back to their snippet by position.
 */
import type { OcrWord } from './engine.js';
import type { GreyImage, PixelBox } from './raster.js';

export interface Placement {
  /** Index of the snippet in the list given to buildMosaics. */
  index: number;
  /** Where the snippet's top-left pixel lies in the mosaic. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** The mosaic line it is on. */
  row: number;
}

export interface Mosaic {
  image: GreyImage;
  placements: Placement[];
  /** Top and bottom (pixels) of each mosaic line. */
  rows: { y0: number; y1: number }[];
}

export interface MosaicOptions {
  /** White pixels around the mosaic. */
  pad: number;
  /** White pixels between two lines. */
  lineGap: number;
  /** White pixels between two snippets on one line. */
  wordGap: number;
  /** Widest line (pixels) before another starts; a wider snippet gets a line of its own. Default 2400. */
  maxWidth?: number;
  /** Tallest mosaic (pixels): a page's snippets are split over several. Default 12000. */
  maxHeight?: number;
  /** Enlargement of every snippet (bilinear). Default 1. */
  zoom?: number;
}

interface Packed { index: number; box: PixelBox; w: number; h: number }

/**
 * Packs the snippets' pixels (and only those) from `img` into mosaics. Snippets keep their order
 * along a line; lines are bottom-aligned so that digits and characters share a baseline.
 */
export function buildMosaics(img: GreyImage, boxes: readonly PixelBox[], options: MosaicOptions): Mosaic[] {
  const zoom = options.zoom ?? 1;
  const maxWidth = options.maxWidth ?? 2400;
  const maxHeight = options.maxHeight ?? 12000;
  const items: Packed[] = boxes.map((box, index) => ({ index, box, w: Math.round((box.x1 - box.x0) * zoom), h: Math.round((box.y1 - box.y0) * zoom) }));
  // Lines of similar heights read best: pack by height, shortest first.
  const order = [...items].sort((a, b) => a.h - b.h || a.index - b.index);
  const lines: Packed[][] = [];
  let width = 0;
  for (const it of order) {
    const line = lines[lines.length - 1];
    const lineH = line ? Math.max(...line.map((l) => l.h)) : 0;
    if (line && width + options.wordGap + it.w <= maxWidth && it.h <= 1.25 * lineH + 2) {
      line.push(it);
      width += options.wordGap + it.w;
    } else {
      lines.push([it]);
      width = it.w;
    }
  }
  const mosaics: Mosaic[] = [];
  let current: Packed[][] = [];
  let height = options.pad;
  for (const line of lines) {
    const h = Math.max(...line.map((l) => l.h));
    if (current.length && height + h + options.lineGap > maxHeight) { mosaics.push(render(img, current, options, zoom)); current = []; height = options.pad; }
    current.push(line);
    height += h + options.lineGap;
  }
  if (current.length) mosaics.push(render(img, current, options, zoom));
  return mosaics;
}

function render(img: GreyImage, lines: Packed[][], options: MosaicOptions, zoom: number): Mosaic {
  const lineWidth = (line: Packed[]) => line.reduce((s, l) => s + l.w, 0) + options.wordGap * (line.length - 1);
  const width = Math.max(...lines.map(lineWidth)) + 2 * options.pad;
  const height = options.pad + lines.reduce((s, line) => s + Math.max(...line.map((l) => l.h)) + options.lineGap, 0);
  const data = new Uint8Array(width * height).fill(255);
  const placements: Placement[] = [];
  const rows: { y0: number; y1: number }[] = [];
  let y = options.pad;
  lines.forEach((line, row) => {
    const h = Math.max(...line.map((l) => l.h));
    let x = options.pad;
    for (const it of line) {
      const top = y + h - it.h;
      copyScaled(img, it.box, zoom, data, width, x, top, it.w, it.h);
      placements.push({ index: it.index, x, y: top, width: it.w, height: it.h, row });
      x += it.w + options.wordGap;
    }
    rows.push({ y0: y, y1: y + h });
    y += h + options.lineGap;
  });
  return { image: { width, height, data }, placements, rows };
}

/** Copies `box` of `img` into `out` at (ox, oy), enlarged by `zoom` (bilinear) when not 1. */
function copyScaled(img: GreyImage, box: PixelBox, zoom: number, out: Uint8Array, outWidth: number, ox: number, oy: number, w: number, h: number): void {
  for (let dy = 0; dy < h; dy++) {
    const row = (oy + dy) * outWidth + ox;
    if (zoom === 1) {
      const sy = box.y0 + dy;
      out.set(img.data.subarray(sy * img.width + box.x0, sy * img.width + box.x0 + w), row);
      continue;
    }
    const fy = box.y0 + (dy + 0.5) / zoom - 0.5;
    const y0 = Math.max(box.y0, Math.min(box.y1 - 1, Math.floor(fy))), y1 = Math.min(box.y1 - 1, y0 + 1), wy = Math.max(0, Math.min(1, fy - y0));
    for (let dx = 0; dx < w; dx++) {
      const fx = box.x0 + (dx + 0.5) / zoom - 0.5;
      const x0 = Math.max(box.x0, Math.min(box.x1 - 1, Math.floor(fx))), x1 = Math.min(box.x1 - 1, x0 + 1), wx = Math.max(0, Math.min(1, fx - x0));
      const a = img.data[y0 * img.width + x0]!, b = img.data[y0 * img.width + x1]!;
      const c = img.data[y1 * img.width + x0]!, d = img.data[y1 * img.width + x1]!;
      const top = a + (b - a) * wx, bottom = c + (d - c) * wx;
      out[row + dx] = top + (bottom - top) * wy + 0.5;
    }
  }
}

/**
 * The words read on each placement: a word belongs to the placement of its mosaic line that it
 * overlaps most. Words in reading order.
 */
export function wordsByPlacement(words: readonly OcrWord[], mosaic: Mosaic): Map<number, OcrWord[]> {
  const out = new Map<number, OcrWord[]>();
  for (const w of words) {
    const mid = (w.y0 + w.y1) / 2;
    let best: Placement | undefined, bestOverlap = 0;
    for (const p of mosaic.placements) {
      const r = mosaic.rows[p.row]!;
      if (mid < r.y0 - 4 || mid > r.y1 + 4) continue;
      const overlap = Math.min(w.x1, p.x + p.width) - Math.max(w.x0, p.x);
      if (overlap > bestOverlap) { bestOverlap = overlap; best = p; }
    }
    if (!best) continue;
    const list = out.get(best.index);
    if (list) list.push(w);
    else out.set(best.index, [w]);
  }
  for (const list of out.values()) list.sort((a, b) => a.x0 - b.x0);
  return out;
}

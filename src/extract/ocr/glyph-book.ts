/**
 * Figures read without the OCR model. A document prints its figures in one font at one size, so
 * once Tesseract has read some of them surely, the digits it read are samples of how each digit
 * looks; a figure whose every glyph is clearly nearest one digit's samples (and far from every
 * other digit's) is read from them, separators placed where the image shows them. Anything in doubt
 * (a glyph unlike all samples, two glyphs run together, a minus sign, a class not seen yet) is left
 * to Tesseract. Tables are mostly figures, so this spares most of the model's work on them.
 */
import { inkParts } from './layout.js';
import { figureLayout, isWellFormedAmount } from './numbers.js';
import type { GreyImage, PixelBox } from './raster.js';

const W = 12, H = 18;
/** Samples kept per character. */
const SAMPLES = 32;
/** Largest correlation distance (1 - r) to the nearest sample. */
const MAX_DISTANCE = 0.15;
/** The next character's samples must be at least this much farther. */
const MARGIN = 2.5;

interface Sample { cells: Float32Array; width: number; height: number }

/**
 * A glyph's ink sampled (bilinear) on a W×H grid over its box and a pixel around it, centred and
 * scaled to unit length: comparing two is a correlation, blind to contrast and to sub-pixel blur.
 */
function cellsOf(image: GreyImage, box: PixelBox): Float32Array {
  const out = new Float32Array(W * H);
  const w = box.x1 - box.x0 + 1, h = box.y1 - box.y0 + 1;
  const ink = (x: number, y: number) => {
    const cx = Math.max(0, Math.min(image.width - 1, x)), cy = Math.max(0, Math.min(image.height - 1, y));
    return 1 - image.data[cy * image.width + cx]! / 255;
  };
  let mean = 0;
  for (let j = 0; j < H; j++) {
    const fy = box.y0 - 0.5 + ((j + 0.5) * h) / H;
    const y0 = Math.floor(fy), ay = fy - y0;
    for (let i = 0; i < W; i++) {
      const fx = box.x0 - 0.5 + ((i + 0.5) * w) / W;
      const x0 = Math.floor(fx), ax = fx - x0;
      const v = ink(x0, y0) * (1 - ax) * (1 - ay) + ink(x0 + 1, y0) * ax * (1 - ay) + ink(x0, y0 + 1) * (1 - ax) * ay + ink(x0 + 1, y0 + 1) * ax * ay;
      out[j * W + i] = v;
      mean += v;
    }
  }
  mean /= out.length;
  let norm = 0;
  for (let i = 0; i < out.length; i++) { out[i]! -= mean; norm += out[i]! * out[i]!; }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}

/** 1 - correlation of two glyphs' cells. */
function distance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return 1 - s;
}

interface Figure {
  glyphs: PixelBox[];
  separators: { after: number; kind: '.' | ',' }[];
  /** Parts that are neither glyphs nor separators (a minus sign, a bracket). */
  others: number;
}

/** The glyphs (page coordinates) and separators of the figure in `box`. */
function figureOf(image: GreyImage, threshold: number, box: PixelBox, charHeight: number): Figure | null {
  const w = box.x1 - box.x0, h = box.y1 - box.y0;
  if (w < 2 || h < 2) return null;
  const parts = inkParts(image, threshold, box);
  const layout = figureLayout(parts, charHeight);
  if (!layout) return null;
  // The same grouping figureLayout makes, kept as boxes.
  const isSpeck = (p: PixelBox) => Math.max(p.x1 - p.x0, p.y1 - p.y0) < 0.3 * charHeight;
  const merged: PixelBox[] = [];
  let others = 0;
  for (const p of parts.filter((q) => !isSpeck(q)).sort((a, b) => a.x0 - b.x0)) {
    const last = merged[merged.length - 1];
    if (last && Math.min(last.x1, p.x1) - Math.max(last.x0, p.x0) > 0.5 * Math.min(last.x1 - last.x0, p.x1 - p.x0)) {
      last.x0 = Math.min(last.x0, p.x0); last.x1 = Math.max(last.x1, p.x1); last.y0 = Math.min(last.y0, p.y0); last.y1 = Math.max(last.y1, p.y1);
    } else merged.push({ x0: p.x0, x1: p.x1, y0: p.y0, y1: p.y1 });
  }
  const glyphs = merged.filter((g) => g.y1 - g.y0 >= 0.4 * charHeight);
  others += merged.length - glyphs.length;
  const specks = parts.filter(isSpeck).length;
  others += Math.max(0, specks - layout.separators.length);
  return {
    glyphs: glyphs.map((g) => ({ x0: g.x0 + box.x0, x1: g.x1 + box.x0, y0: g.y0 + box.y0, y1: g.y1 + box.y0 })),
    separators: layout.separators,
    others,
  };
}

/**
 * The samples, by the page they were learnt on. A page is read with the samples of earlier pages
 * only (and of its own, once learnt), taken in page order: the readings do not depend on which page
 * of a document happened to finish first.
 */
export class GlyphBook {
  private readonly pages = new Map<number, Map<string, Sample[]>>();
  private view: { key: string; samples: Map<string, Sample[]> } | undefined;

  /** Learns the glyphs of a figure Tesseract read surely on `page`: one sample per character, if they line up. */
  learn(page: number, image: GreyImage, threshold: number, box: PixelBox, charHeight: number, reading: string): void {
    if (!isWellFormedAmount(reading)) return;
    const chars = [...reading.replace(/[^\d%]/gu, '')];
    // Lone digits (line numbers) are where the model slips most: they teach nothing.
    if (chars.length < 3) return;
    const figure = figureOf(image, threshold, box, charHeight);
    if (!figure || figure.others > 0 || figure.glyphs.length !== chars.length) return;
    if (figure.separators.map((s) => s.kind).join('') !== reading.replace(/[^.,]/gu, '')) return;
    const book = this.pages.get(page) ?? new Map<string, Sample[]>();
    this.pages.set(page, book);
    figure.glyphs.forEach((g, k) => {
      const list = book.get(chars[k]!) ?? [];
      if (list.length >= SAMPLES) return;
      list.push({ cells: cellsOf(image, g), width: g.x1 - g.x0, height: g.y1 - g.y0 });
      book.set(chars[k]!, list);
    });
    this.view = undefined;
  }

  /** The first SAMPLES samples of each character from `pages`, in page order. */
  private samplesOf(pages: readonly number[]): Map<string, Sample[]> {
    const key = pages.join(',');
    if (this.view?.key === key) return this.view.samples;
    const merged = new Map<string, Sample[]>();
    for (const p of [...pages].sort((a, b) => a - b)) {
      for (const [ch, list] of this.pages.get(p) ?? []) {
        const into = merged.get(ch) ?? [];
        into.push(...list.slice(0, SAMPLES - into.length));
        merged.set(ch, into);
      }
    }
    this.view = { key, samples: merged };
    return merged;
  }

  /** Reads the figure in `box` from the samples learnt on `pages`, or null when any glyph is in doubt. */
  read(image: GreyImage, threshold: number, box: PixelBox, charHeight: number, pages: readonly number[]): { text: string; confidence: number } | null {
    const samples = this.samplesOf(pages);
    if (samples.size < 2) return null;
    const figure = figureOf(image, threshold, box, charHeight);
    if (!figure || figure.others > 0 || figure.glyphs.length === 0) return null;
    let text = '';
    let worst = 0;
    for (let k = 0; k < figure.glyphs.length; k++) {
      const g = figure.glyphs[k]!;
      const cells = cellsOf(image, g);
      const w = g.x1 - g.x0, h = g.y1 - g.y0;
      let best = '', bestD = Infinity, secondD = Infinity;
      for (const [ch, list] of samples) {
        let d = Infinity;
        for (const s of list) if (Math.abs(s.width - w) <= 2 && Math.abs(s.height - h) <= 2) d = Math.min(d, distance(cells, s.cells));
        if (d < bestD) { secondD = bestD; bestD = d; best = ch; } else if (d < secondD) secondD = d;
      }
      if (!best || bestD > MAX_DISTANCE || secondD < MARGIN * bestD) return null;
      worst = Math.max(worst, bestD);
      text += best;
      const sep = figure.separators.find((s) => s.after === k + 1);
      if (sep) text += sep.kind;
    }
    if (!isWellFormedAmount(text)) return null;
    return { text, confidence: Math.round((1 - worst) * 100) / 100 };
  }

  /** Pages with samples, in order. */
  learntPages(): number[] {
    return [...this.pages.keys()].sort((a, b) => a - b);
  }
}

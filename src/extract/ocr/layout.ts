/**
 * Text snippets of a scanned page: the ink left after the rules are erased, grouped into pieces of
 * one line each (what one table cell, one title or one line of prose printed). Connected components
 * of ink are joined along a line while the gap stays under a character's width and no rule lies
 * between; the parts of one glyph stacked above each other (二, 六, ：) are joined too; specks that
 * belong to no text are dropped.
 */
import { inkWords, nextInk, type GreyImage, type PixelBox } from './raster.js';
import type { PixelRule } from './rules.js';

export interface Component extends PixelBox {
  pixels: number;
}

/** 8-connected components of a binary image (1 = ink), labelled run by run (ink is sparse on a page). */
export function connectedComponents(ink: Uint8Array, width: number, height: number): Component[] {
  const parent: number[] = [];
  const find = (a: number): number => {
    while (parent[a] !== a) { parent[a] = parent[parent[a]!]!; a = parent[a]!; }
    return a;
  };
  // Runs of every row: start, end (exclusive), row, label.
  const runStart: number[] = [], runEnd: number[] = [], runRow: number[] = [], runLabel: number[] = [];
  const words = inkWords(ink);
  let prevFrom = 0, prevTo = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const from = runStart.length;
    let x = 0;
    // The row above's runs lie left to right: those ending before this run starts touch no later run either.
    let above = prevFrom;
    while (x < width) {
      x = nextInk(ink, words, row + x, row + width) - row;
      if (x >= width) break;
      const start = x;
      while (x < width && ink[row + x]) x++;
      let label = -1;
      while (above < prevTo && runEnd[above]! < start) above++;
      // Runs of the row above that touch this one, diagonals included.
      for (let k = above; k < prevTo && runStart[k]! <= x; k++) {
        const other = find(runLabel[k]!);
        if (label < 0) label = other;
        else if (other !== label) { const lo = Math.min(label, other); parent[label] = lo; parent[other] = lo; label = lo; }
      }
      if (label < 0) { label = parent.length; parent.push(label); }
      runStart.push(start); runEnd.push(x); runRow.push(y); runLabel.push(label);
    }
    prevFrom = from;
    prevTo = runStart.length;
  }
  const byRoot = new Map<number, Component>();
  for (let k = 0; k < runStart.length; k++) {
    const root = find(runLabel[k]!);
    const x0 = runStart[k]!, x1 = runEnd[k]!, y = runRow[k]!;
    const c = byRoot.get(root);
    if (c) {
      if (x0 < c.x0) c.x0 = x0;
      if (x1 > c.x1) c.x1 = x1;
      if (y < c.y0) c.y0 = y;
      if (y + 1 > c.y1) c.y1 = y + 1;
      c.pixels += x1 - x0;
    } else byRoot.set(root, { x0, x1, y0: y, y1: y + 1, pixels: x1 - x0 });
  }
  return [...byRoot.values()];
}

/**
 * The ink components (pixels darker than `threshold`) of `box` of `image`, in the box's coordinates;
 * components under `minPixels` are dust. `box` must lie within the image.
 */
export function inkParts(image: GreyImage, threshold: number, box: PixelBox, minPixels = 2): Component[] {
  const w = box.x1 - box.x0, h = box.y1 - box.y0;
  const ink = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = (box.y0 + y) * image.width + box.x0;
    for (let x = 0; x < w; x++) ink[y * w + x] = image.data[row + x]! < threshold ? 1 : 0;
  }
  return connectedComponents(ink, w, h).filter((c) => c.pixels >= minPixels);
}

/** The typical height (pixels) of a character on the page; `fallback` when there is no text. */
export function typicalCharHeight(components: readonly Component[], scale: number, fallback = 10 * scale): number {
  const hs = components.map((c) => c.y1 - c.y0).filter((h) => h >= 4 * scale && h <= 30 * scale).sort((a, b) => a - b);
  if (hs.length < 5) return fallback;
  // CJK glyphs are the tallest common objects of a line; digits are about 0.75 of them.
  return hs[Math.floor(hs.length * 0.8)]!;
}

export interface Snippet extends PixelBox {
  /** Ink components in the snippet. */
  parts: number;
  /** Specks in the lower half of the snippet: the decimal points and commas an amount should read. */
  dots: number;
}

export interface SnippetOptions {
  /** Pixels per PDF point. */
  scale: number;
  /** Gap (in character heights) still bridged between two pieces of one snippet. Default 1.1. */
  maxGap?: number;
}

/** Groups ink components into one-line snippets; `rules` are barriers no snippet crosses. */
export function findSnippets(components: readonly Component[], rules: readonly PixelRule[], options: SnippetOptions): Snippet[] {
  const charH = typicalCharHeight(components, options.scale);
  const gap = (options.maxGap ?? 1.1) * charH;
  const smallSize = 0.3 * charH;
  const isSmall = (c: Component) => Math.max(c.x1 - c.x0, c.y1 - c.y0) < smallSize;
  // Blots (a stamp, a photo) and stray long strokes are not text to read.
  const big = components.filter((c) => !isSmall(c) && c.y1 - c.y0 <= 4 * charH);
  const small = components.filter(isSmall);
  const vRules = rules.filter((r) => r.orientation === 'v');
  const hRules = rules.filter((r) => r.orientation === 'h');
  const ruleBetweenX = (a: PixelBox, b: PixelBox) => {
    const left = Math.min(a.x1, b.x1), right = Math.max(a.x0, b.x0);
    const y0 = Math.max(a.y0, b.y0), y1 = Math.min(a.y1, b.y1);
    const mid = y1 > y0 ? (y0 + y1) / 2 : (a.y0 + a.y1 + b.y0 + b.y1) / 4;
    return vRules.some((r) => r.x1 > left && r.x0 < right && r.y0 <= mid && r.y1 >= mid);
  };
  const ruleBetweenY = (a: PixelBox, b: PixelBox) => {
    const upper = Math.min(a.y1, b.y1), lower = Math.max(a.y0, b.y0);
    const mid = (Math.max(a.x0, b.x0) + Math.min(a.x1, b.x1)) / 2;
    return hRules.some((r) => r.y1 > upper && r.y0 < lower && r.x0 <= mid && r.x1 >= mid);
  };

  const parent = big.map((_, i) => i);
  const find = (a: number): number => {
    while (parent[a] !== a) { parent[a] = parent[parent[a]!]!; a = parent[a]!; }
    return a;
  };
  const order = big.map((_, i) => i).sort((a, b) => big[a]!.x0 - big[b]!.x0);
  for (let oi = 0; oi < order.length; oi++) {
    const a = big[order[oi]!]!;
    const ha = a.y1 - a.y0;
    for (let oj = oi + 1; oj < order.length; oj++) {
      const b = big[order[oj]!]!;
      if (b.x0 > a.x1 + gap) break;
      const hb = b.y1 - b.y0;
      const vOverlap = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
      const hOverlap = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
      let join = false;
      if (vOverlap >= 0.3 * Math.min(ha, hb) && b.x0 - a.x1 <= gap) {
        // Side by side on one line: the smaller must sit within the taller's band, not merely graze it.
        const small = ha < hb ? a : b, tall = ha < hb ? b : a;
        const mid = (small.y0 + small.y1) / 2;
        join = mid >= tall.y0 - 0.15 * charH && mid <= tall.y1 + 0.15 * charH && !ruleBetweenX(a, b);
      } else if (hOverlap >= 0.5 * Math.min(a.x1 - a.x0, b.x1 - b.x0) && vOverlap > -0.35 * charH && Math.min(ha, hb) < 0.45 * charH
        && Math.max(a.y1, b.y1) - Math.min(a.y0, b.y0) <= 1.15 * charH) {
        // Stacked parts of one glyph: a flat stroke or a dot above or below its neighbour, together no taller
        // than a character (一 above the next line's character of a wrapped header is not one glyph).
        join = !ruleBetweenY(a, b);
      }
      if (join) {
        const ra = find(order[oi]!), rb = find(order[oj]!);
        if (ra !== rb) parent[rb] = ra;
      }
    }
  }
  const groups = new Map<number, Snippet>();
  big.forEach((c, i) => {
    const root = find(i);
    const g = groups.get(root);
    if (g) { g.x0 = Math.min(g.x0, c.x0); g.x1 = Math.max(g.x1, c.x1); g.y0 = Math.min(g.y0, c.y0); g.y1 = Math.max(g.y1, c.y1); g.parts++; }
    else groups.set(root, { x0: c.x0, x1: c.x1, y0: c.y0, y1: c.y1, parts: 1, dots: 0 });
  });
  const snippets = [...groups.values()];
  // Dots and commas join the snippet whose line they sit on (the nearest band, judged on the lines as
  // they were before any speck joined them); the rest is scan noise.
  const bands = snippets.map((s) => ({ ...s }));
  const attach: { home: number; c: Component }[] = [];
  for (const c of small) {
    const cx = (c.x0 + c.x1) / 2, cy = (c.y0 + c.y1) / 2;
    let home = -1, best = Infinity;
    bands.forEach((s, k) => {
      if (cx < s.x0 - 0.35 * charH || cx > s.x1 + 0.35 * charH || cy < s.y0 - 0.1 * charH || cy > s.y1 + 0.25 * charH || ruleBetweenX(s, c)) return;
      const off = Math.max(0, s.y0 - cy, cy - s.y1) * 4 + Math.max(0, s.x0 - cx, cx - s.x1);
      if (off < best) { best = off; home = k; }
    });
    if (home >= 0) attach.push({ home, c });
  }
  for (const { home: k, c } of attach) {
    const home = snippets[k]!, band = bands[k]!;
    if ((c.y0 + c.y1) / 2 > band.y0 + 0.55 * (band.y1 - band.y0)) home.dots++;
    home.x0 = Math.min(home.x0, c.x0); home.x1 = Math.max(home.x1, c.x1);
    home.y0 = Math.min(home.y0, c.y0); home.y1 = Math.max(home.y1, c.y1);
    home.parts++;
  }
  // A lone flat stroke the size of a speck is noise too (a dash cell is wide enough to stay).
  const kept = snippets.filter((s) => s.x1 - s.x0 >= 0.25 * charH || s.y1 - s.y0 >= 0.5 * charH);
  const lines = joinAlongLines(kept, gap, ruleBetweenX);
  return joinStacked(lines, charH, ruleBetweenY).sort((a, b) => a.y0 - b.y0 || a.x0 - b.x0);
}

/**
 * A flat snippet just above or below another one and within its width is part of its glyphs (the
 * dot and bar of 六 that a faint scan broke off): it joins that snippet.
 */
function joinStacked(snippets: Snippet[], charH: number, ruleBetween: (a: PixelBox, b: PixelBox) => boolean): Snippet[] {
  const flat = (s: Snippet) => s.y1 - s.y0 < 0.5 * charH;
  const out = snippets.filter((s) => !flat(s));
  for (const s of snippets.filter(flat)) {
    const home = out.find((o) => {
      const hOverlap = Math.min(o.x1, s.x1) - Math.max(o.x0, s.x0);
      const vGap = Math.max(o.y0 - s.y1, s.y0 - o.y1);
      const joinedHeight = Math.max(o.y1, s.y1) - Math.min(o.y0, s.y0);
      return hOverlap >= 0.6 * (s.x1 - s.x0) && vGap <= 0.3 * charH && joinedHeight <= 1.2 * charH && !ruleBetween(o, s);
    });
    if (!home) { out.push(s); continue; }
    home.x0 = Math.min(home.x0, s.x0); home.x1 = Math.max(home.x1, s.x1);
    home.y0 = Math.min(home.y0, s.y0); home.y1 = Math.max(home.y1, s.y1);
    home.parts += s.parts; home.dots += s.dots;
  }
  return out;
}

/** Snippets of one line whose gap is small once punctuation (、：) is counted are one snippet. */
function joinAlongLines(snippets: Snippet[], gap: number, ruleBetween: (a: PixelBox, b: PixelBox) => boolean): Snippet[] {
  const sorted = [...snippets].sort((a, b) => a.x0 - b.x0);
  const out: Snippet[] = [];
  for (const s of sorted) {
    const h = s.y1 - s.y0;
    const left = out.find((o) => {
      const overlap = Math.min(o.y1, s.y1) - Math.max(o.y0, s.y0);
      return overlap >= 0.5 * Math.min(h, o.y1 - o.y0) && s.x0 - o.x1 <= gap && s.x0 >= o.x0 && !ruleBetween(o, s);
    });
    if (!left) { out.push({ ...s }); continue; }
    left.x1 = Math.max(left.x1, s.x1); left.y0 = Math.min(left.y0, s.y0); left.y1 = Math.max(left.y1, s.y1); left.parts += s.parts; left.dots += s.dots;
  }
  return out;
}

/**
 * Splits snippets holding several lines of text (the lines of a paragraph in one cell, drawn
 * together by a glyph that reaches between them) at the blank rows between the lines. A snippet
 * split no further is returned as it was. `ink` is the binary image the components came from.
 */
export function splitLines(snippets: readonly Snippet[], ink: Uint8Array, width: number, charH: number): Snippet[] {
  const out: Snippet[] = [];
  for (const s of snippets) {
    if (s.y1 - s.y0 < 1.5 * charH) { out.push(s); continue; }
    const rows: number[] = [];
    for (let y = s.y0; y < s.y1; y++) {
      let n = 0;
      for (let x = s.x0; x < s.x1; x++) n += ink[y * width + x]!;
      rows.push(n);
    }
    // Bands of rows with ink; a band too thin to be a line of text stays with its neighbour.
    const bands: { y0: number; y1: number }[] = [];
    for (let i = 0; i < rows.length;) {
      if (rows[i]! <= 1) { i++; continue; }
      const start = i;
      while (i < rows.length && rows[i]! > 1) i++;
      bands.push({ y0: s.y0 + start, y1: s.y0 + i });
    }
    const lines: { y0: number; y1: number }[] = [];
    for (const b of bands) {
      const last = lines[lines.length - 1];
      if (last && (b.y1 - b.y0 < 0.5 * charH || last.y1 - last.y0 < 0.5 * charH)) last.y1 = b.y1;
      else lines.push({ ...b });
    }
    if (lines.length < 2) { out.push(s); continue; }
    for (const l of lines) {
      let x0 = s.x1, x1 = s.x0;
      for (let y = l.y0; y < l.y1; y++) for (let x = s.x0; x < s.x1; x++) if (ink[y * width + x]) { if (x < x0) x0 = x; if (x + 1 > x1) x1 = x + 1; }
      if (x1 > x0) out.push({ x0, x1, y0: l.y0, y1: l.y1, parts: 1, dots: 0 });
    }
  }
  return out;
}

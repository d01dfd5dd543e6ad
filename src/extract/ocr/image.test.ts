/** The image work of the OCR path on synthetic pages: skew, rules, erasure, snippets, mosaics. */
import { describe, expect, it } from 'vitest';
import { connectedComponents, findSnippets, splitLines } from './layout.js';
import { buildMosaics, wordsByPlacement } from './mosaic.js';
import { binarize, crop, encodePgm, greyFromRgba, inkWords, nextInk, otsuThreshold, rotate, rotatePoint, scaleImage, type GreyImage } from './raster.js';
import { detectRules, eraseRules, type PixelRule } from './rules.js';
import { estimateSkew } from './skew.js';

function blankImage(width: number, height: number): GreyImage {
  return { width, height, data: new Uint8Array(width * height).fill(255) };
}

/** Fills [x0, x1) × [y0, y1) with `value` (0 = black). */
function fillRect(img: GreyImage, x0: number, y0: number, x1: number, y1: number, value = 0): void {
  for (let y = Math.max(0, y0); y < Math.min(img.height, y1); y++) img.data.fill(value, y * img.width + Math.max(0, x0), y * img.width + Math.min(img.width, x1));
}

/** A ruled grid: rules `thickness` pixels thick at `xs` (vertical) and `ys` (horizontal). */
function drawGrid(img: GreyImage, xs: readonly number[], ys: readonly number[], thickness = 2): void {
  for (const y of ys) fillRect(img, xs[0]!, y, xs[xs.length - 1]! + thickness, y + thickness);
  for (const x of xs) fillRect(img, x, ys[0]!, x + thickness, ys[ys.length - 1]! + thickness);
}

/** A row of glyph-like outlines (`w`×`h`, `gap` apart) from (x, y), standing in for a word; returns its ink box. */
function drawWord(img: GreyImage, x: number, y: number, glyphs: number, w = 16, h = 20, gap = 3) {
  for (let i = 0; i < glyphs; i++) {
    const gx = x + i * (w + gap);
    fillRect(img, gx, y, gx + w, y + 2);
    fillRect(img, gx, y + h - 2, gx + w, y + h);
    fillRect(img, gx, y, gx + 2, y + h);
    fillRect(img, gx + w - 2, y, gx + w, y + h);
    fillRect(img, gx, y + h / 2 - 1, gx + w, y + h / 2 + 1);
  }
  return { x0: x, x1: x + glyphs * (w + gap) - gap, y0: y, y1: y + h };
}

const SCALE = 200 / 72;

/** A page with a 3×4 ruled table, a word in some cells and a title above. */
function tablePage() {
  const img = blankImage(900, 700);
  const xs = [100, 400, 600, 800], ys = [200, 260, 320, 380, 440];
  drawGrid(img, xs, ys);
  const words = [
    drawWord(img, 110, 220, 6), drawWord(img, 520, 220, 3), drawWord(img, 700, 220, 4),
    drawWord(img, 110, 340, 4), drawWord(img, 540, 340, 2),
  ];
  const title = drawWord(img, 300, 100, 8, 30, 36, 4);
  return { img, xs, ys, words, title };
}

describe('raster helpers', () => {
  it("finds Otsu's threshold from four histograms as from one, aligned or not", () => {
    /** The textbook: one histogram, the level maximising the between-class variance. */
    const reference = (data: Uint8Array) => {
      const hist = new Array<number>(256).fill(0);
      for (const v of data) hist[v]!++;
      let best = 0, threshold = 128;
      for (let t = 1; t <= 256; t++) {
        let wb = 0, sb = 0, wf = 0, sf = 0;
        for (let v = 0; v < 256; v++) if (v < t) { wb += hist[v]!; sb += v * hist[v]!; } else { wf += hist[v]!; sf += v * hist[v]!; }
        if (!wb || !wf) continue;
        const between = wb * wf * (sb / wb - sf / wf) ** 2;
        if (between > best * (1 + 1e-12)) { best = between; threshold = t; }
      }
      return threshold;
    };
    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    // Paper around 245, ink around 40, a few mid greys: 4001 bytes, so that some fall outside whole words.
    const bytes = Uint8Array.from({ length: 4001 }, () => {
      const r = random();
      return r < 0.1 ? 30 + Math.floor(random() * 25) : r < 0.15 ? Math.floor(random() * 256) : 238 + Math.floor(random() * 17);
    });
    for (const offset of [0, 1, 2]) {
      const data = bytes.subarray(offset, offset + 3993);
      expect(otsuThreshold(data), `offset ${offset}`).toBe(reference(data));
    }
  });

  it('binarizes four pixels at a time exactly as pixel by pixel, at every threshold, aligned or not', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const bytes = Uint8Array.from({ length: 37 * 11 + 3 }, () => Math.floor(random() * 256));
    for (const offset of [0, 1, 3]) {
      const img = { width: 37, height: 11, data: bytes.subarray(offset, offset + 37 * 11) };
      for (const threshold of [0, 1, 127, 128, 200.5, 250, 255, 256]) {
        const plain = Array.from(img.data, (v) => (v < threshold ? 1 : 0));
        expect(Array.from(binarize(img, threshold)), `offset ${offset}, threshold ${threshold}`).toEqual(plain);
      }
    }
  });

  it('thresholds between ink and paper, crops with padding, scales and encodes PGM', () => {
    const img = blankImage(40, 20);
    fillRect(img, 5, 5, 15, 15, 30);
    const t = otsuThreshold(img.data);
    expect(t).toBeGreaterThan(30);
    expect(t).toBeLessThanOrEqual(255);
    expect(binarize(img, t).reduce((a, b) => a + b, 0)).toBe(100);
    const c = crop(img, { x0: 5, y0: 5, x1: 15, y1: 15 }, 2);
    expect([c.width, c.height, c.data[0], c.data[2 * 14 + 2]]).toEqual([14, 14, 255, 30]);
    expect(scaleImage(img, 2)).toMatchObject({ width: 80, height: 40 });
    const pgm = encodePgm(img);
    expect(new TextDecoder().decode(pgm.subarray(0, 13))).toBe('P5\n40 20\n255\n');
    expect(pgm.length).toBe(13 + 800);
  });

  it('rotates pixels to where rotatePoint says they go', () => {
    const img = blankImage(200, 100);
    fillRect(img, 20, 20, 24, 24);
    const angle = 0.05;
    const turned = rotate(img, angle);
    const [x, y] = rotatePoint(22, 22, 200, 100, angle);
    expect(turned.data[Math.round(y) * 200 + Math.round(x)]).toBeLessThan(60);
    expect(turned.data[22 * 200 + 22]).toBeGreaterThan(200);
  });
});

/** A deterministic pseudo-random source (a linear congruential generator), for noisy test pages. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** A page of paper with speckle and a few dark blots: mostly white, some noise, some print. */
function noisyPage(width: number, height: number, seed: number): GreyImage {
  const random = lcg(seed);
  const img = blankImage(width, height);
  for (let i = 0; i < img.data.length; i++) if (random() < 0.08) img.data[i] = 200 + Math.floor(random() * 56);
  for (let k = 0; k < 12; k++) {
    const x = Math.floor(random() * width), y = Math.floor(random() * height);
    fillRect(img, x, y, x + 3 + Math.floor(random() * 20), y + 2 + Math.floor(random() * 6), Math.floor(random() * 80));
  }
  return img;
}

describe('scans over ink four pixels at a time', () => {
  it('finds every ink pixel a plain scan finds, on aligned and unaligned images, within any bounds', () => {
    const random = lcg(7);
    const bytes = new Uint8Array(4001);
    for (let i = 0; i < bytes.length; i++) bytes[i] = random() < 0.03 ? 1 : 0;
    bytes.fill(1, 100, 109); // a run crossing word boundaries
    for (const ink of [bytes.subarray(0, 4000), bytes.subarray(1)]) {
      const words = inkWords(ink);
      expect(words === null).toBe(ink.byteOffset % 4 !== 0);
      for (const [from, to] of [[0, ink.length], [3, 2999], [101, 105], [4000, 4000]] as const) {
        const expected: number[] = [];
        for (let i = from; i < to; i++) if (ink[i]) expected.push(i);
        const found: number[] = [];
        for (let i = nextInk(ink, words, from, to); i < to; i = nextInk(ink, words, i + 1, to)) found.push(i);
        expect(found).toEqual(expected);
      }
    }
  });

  it('gives the same components, rules and skew on an image whose bytes are not word-aligned', () => {
    const { img } = tablePage();
    const ink = binarize(rotate(img, 0.01), 128);
    const unaligned = new Uint8Array(ink.length + 1).subarray(1);
    unaligned.set(ink);
    expect(inkWords(unaligned)).toBeNull();
    expect(connectedComponents(unaligned, img.width, img.height)).toEqual(connectedComponents(ink, img.width, img.height));
    expect(detectRules(unaligned, img.width, img.height, { scale: SCALE })).toEqual(detectRules(ink, img.width, img.height, { scale: SCALE }));
    expect(estimateSkew(unaligned, img.width, img.height)).toBe(estimateSkew(ink, img.width, img.height));
  });
});

describe('grey pixels', () => {
  it('rotates blank paper and noisy print exactly as bilinear interpolation does everywhere', () => {
    const img = noisyPage(300, 200, 3);
    const angle = -0.013;
    const { width: w, height: h, data } = img;
    const cos = Math.cos(angle), sin = Math.sin(angle), cx = (w - 1) / 2, cy = (h - 1) / 2;
    const expected = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      let sx = cx - cx * cos - (y - cy) * sin, sy = cy - cx * sin + (y - cy) * cos;
      for (let x = 0; x < w; x++, sx += cos, sy += sin) {
        const x0 = Math.floor(sx), y0 = Math.floor(sy);
        if (x0 < 0 || y0 < 0 || x0 + 1 >= w || y0 + 1 >= h) { expected[y * w + x] = 255; continue; }
        const fx = sx - x0, fy = sy - y0, i = y0 * w + x0;
        const top = data[i]! + (data[i + 1]! - data[i]!) * fx, bottom = data[i + w]! + (data[i + w + 1]! - data[i + w]!) * fx;
        expected[y * w + x] = top + (bottom - top) * fy + 0.5;
      }
    }
    expect(Buffer.from(rotate(img, angle).data).equals(Buffer.from(expected))).toBe(true);
  });

  it('turns RGBA into ITU-R 601 luma, grey pixels and coloured ones alike', () => {
    const random = lcg(11);
    const rgba = new Uint8ClampedArray(4 * 500);
    for (let j = 0; j < 500; j++) {
      const v = Math.floor(random() * 256);
      const grey = j % 3 !== 0;
      rgba.set([v, grey ? v : Math.floor(random() * 256), grey ? v : Math.floor(random() * 256), 255], 4 * j);
    }
    const luma = Array.from({ length: 500 }, (_, j) => Math.trunc((rgba[4 * j]! * 299 + rgba[4 * j + 1]! * 587 + rgba[4 * j + 2]! * 114) / 1000));
    expect(Array.from(greyFromRgba(rgba))).toEqual(luma);
    expect(Array.from(greyFromRgba(new Uint8ClampedArray([0, ...rgba.subarray(0, 40)]).subarray(1)))).toEqual(luma.slice(0, 10));
  });
});

describe('estimateSkew', () => {
  it('finds the slope of ruled lines and of text lines', () => {
    const { img } = tablePage();
    for (const degrees of [0.6, -0.35, 0]) {
      const turned = rotate(img, (-degrees * Math.PI) / 180);
      const found = (estimateSkew(binarize(turned, 128), turned.width, turned.height) * 180) / Math.PI;
      expect(found).toBeCloseTo(degrees, 1);
    }
  });

  it('is 0 on a blank page', () => {
    const img = blankImage(100, 100);
    expect(estimateSkew(binarize(img, 128), 100, 100)).toBe(0);
  });
});

describe('detectRules and eraseRules', () => {
  it('finds the rules of a table, not the strokes of glyphs, and erases them', () => {
    const { img, xs, ys } = tablePage();
    const rules = detectRules(binarize(img, 128), img.width, img.height, { scale: SCALE });
    const h = rules.filter((r) => r.orientation === 'h').map((r) => r.y0).sort((a, b) => a - b);
    const v = rules.filter((r) => r.orientation === 'v').map((r) => r.x0).sort((a, b) => a - b);
    expect(h).toEqual(ys);
    expect(v).toEqual(xs);
    // The title's strokes (36 px tall, 30 px wide) are glyphs, not rules.
    expect(rules.every((r) => r.y0 >= 195)).toBe(true);
    const clean = eraseRules(img, rules, 1);
    expect(clean.data[260 * 900 + 300]).toBe(255);
    expect(clean.data[220 * 900 + 110]).toBe(0);
  });

  it('finds the same rules down the columns as along the rows of the transposed page', () => {
    const { img } = tablePage();
    // Broken and doubled strokes too: gaps the rules bridge and gaps they do not.
    fillRect(img, 700, 100, 702, 180);
    fillRect(img, 700, 182, 702, 300);
    fillRect(img, 760, 100, 763, 160);
    fillRect(img, 760, 175, 763, 300);
    const ink = binarize(img, 128);
    const turned = new Uint8Array(ink.length);
    for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) turned[x * img.height + y] = ink[y * img.width + x]!;
    const key = (r: PixelRule) => `${r.x0},${r.y0},${r.x1},${r.y1}`;
    const rules = detectRules(ink, img.width, img.height, { scale: SCALE });
    const rulesTurned = detectRules(turned, img.height, img.width, { scale: SCALE });
    const swap = (r: PixelRule): PixelRule => ({ orientation: r.orientation === 'h' ? 'v' : 'h', x0: r.y0, y0: r.x0, x1: r.y1, y1: r.x1 });
    const v = rules.filter((r) => r.orientation === 'v').map(key).sort();
    expect(v.length).toBeGreaterThan(5);
    expect(v).toEqual(rulesTurned.filter((r) => r.orientation === 'h').map(swap).map(key).sort());
    expect(rules.filter((r) => r.orientation === 'h').map(key).sort()).toEqual(rulesTurned.filter((r) => r.orientation === 'v').map(swap).map(key).sort());
  });

  it('erases in a copy, or in place when asked; binarizes into a given page of ink', () => {
    const { img } = tablePage();
    const ink = binarize(img, 128);
    const rules = detectRules(ink, img.width, img.height, { scale: SCALE });
    const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
    const before = Uint8Array.from(img.data);
    const copy = eraseRules(img, rules, 1);
    expect(same(img.data, before)).toBe(true);
    expect(same(copy.data, before)).toBe(false);
    const own = { ...img, data: Uint8Array.from(img.data) };
    const erased = eraseRules(own, rules, 1, true);
    expect(erased.data).toBe(own.data);
    expect(same(erased.data, copy.data)).toBe(true);
    const reused = binarize(copy, 128, ink);
    expect(reused).toBe(ink);
    expect(same(reused, binarize(copy, 128))).toBe(true);
    expect(() => binarize(copy, 128, new Uint8Array(10))).toThrow(/10 bytes/);
  });

  it('keeps a short rule only where both its ends meet rules across', () => {
    const img = blankImage(600, 400);
    drawGrid(img, [50, 550], [50, 350]);
    // A header cell border 40 px long between the two long verticals' neighbours: joined at both ends.
    fillRect(img, 300, 50, 302, 90);
    fillRect(img, 50, 90, 552, 92);
    // A free-standing stroke of the same length: a glyph.
    fillRect(img, 200, 200, 202, 240);
    const rules = detectRules(binarize(img, 128), 600, 400, { scale: SCALE });
    const v = rules.filter((r) => r.orientation === 'v').map((r) => r.x0).sort((a, b) => a - b);
    expect(v).toEqual([50, 300, 550]);
  });
});

describe('findSnippets', () => {
  it('cuts one snippet per cell and line, split at rules, specks dropped, stacked parts joined', () => {
    const { img, words, title } = tablePage();
    // Two words in one row with a rule between them close by: never one snippet.
    drawWord(img, 370, 280, 1);
    drawWord(img, 410, 280, 2);
    // A dot above a glyph (六): part of it. A speck in an empty cell: noise.
    fillRect(img, 118, 335, 122, 338);
    fillRect(img, 300, 400, 302, 402);
    const ink = binarize(img, 128);
    const rules = detectRules(ink, img.width, img.height, { scale: SCALE });
    const clean = eraseRules(img, rules, 1);
    const snippets = findSnippets(connectedComponents(binarize(clean, 128), img.width, img.height), rules, { scale: SCALE });
    const boxes = snippets.map(({ x0, y0, x1, y1 }) => ({ x0, y0, x1, y1 }));
    for (const w of [...words.filter((w) => w.y0 !== 340), title]) expect(boxes).toContainEqual(w);
    expect(boxes).toContainEqual({ ...words[3]!, y0: 335 });
    expect(boxes.filter((b) => b.y0 === 280).map((b) => b.x0).sort((a, b) => a - b)).toEqual([370, 410]);
    expect(boxes.some((b) => b.x0 === 300 && b.y0 === 400)).toBe(false);
    expect(snippets).toHaveLength(words.length + 3);
  });
});

describe('splitLines', () => {
  it('cuts a snippet holding two lines at the blank rows between them, and leaves one line whole', () => {
    const img = blankImage(200, 100);
    const a = drawWord(img, 10, 10, 5), b = drawWord(img, 10, 34, 3);
    const title = drawWord(img, 10, 60, 4, 30, 36);
    const ink = binarize(img, 128);
    const joined = { x0: 10, y0: 10, x1: a.x1, y1: b.y1, parts: 8, dots: 0 };
    const lines = splitLines([joined, { ...title, y1: 96, parts: 4, dots: 0 }], ink, 200, 20);
    expect(lines.map(({ x0, y0, x1, y1 }) => ({ x0, y0, x1, y1 }))).toEqual([a, b, { ...title, y1: 96 }]);
  });
});

describe('mosaics', () => {
  it('stacks snippets one a line and sends each word back to its snippet', () => {
    const img = blankImage(300, 100);
    const a = drawWord(img, 10, 10, 3), b = drawWord(img, 150, 50, 5, 16, 30);
    const [m] = buildMosaics(img, [a, b], { pad: 8, lineGap: 12, wordGap: 0, maxWidth: 0 });
    expect(m!.placements).toHaveLength(2);
    const pa = m!.placements.find((p) => p.index === 0)!, pb = m!.placements.find((p) => p.index === 1)!;
    expect(pa.row).not.toBe(pb.row);
    // The snippet's pixels are copied where its placement says.
    expect(m!.image.data[pa.y * m!.image.width + pa.x]).toBe(0);
    expect(m!.image.data[pb.y * m!.image.width + pb.x]).toBe(0);
    const word = (p: typeof pa, text: string) => ({ text, confidence: 0.9, x0: p.x, y0: p.y, x1: p.x + p.width, y1: p.y + p.height, line: p.row });
    const by = wordsByPlacement([word(pb, 'b'), word(pa, 'a')], m!);
    expect(by.get(0)!.map((w) => w.text)).toEqual(['a']);
    expect(by.get(1)!.map((w) => w.text)).toEqual(['b']);
  });

  it('splits over several mosaics when too tall, and enlarges when asked', () => {
    const img = blankImage(100, 400);
    const boxes = [0, 1, 2, 3].map((i) => drawWord(img, 5, 10 + i * 90, 2, 16, 60));
    const mosaics = buildMosaics(img, boxes, { pad: 5, lineGap: 10, wordGap: 0, maxWidth: 0, maxHeight: 160 });
    expect(mosaics.length).toBeGreaterThan(1);
    expect(mosaics.flatMap((m) => m.placements.map((p) => p.index)).sort()).toEqual([0, 1, 2, 3]);
    const [big] = buildMosaics(img, [boxes[0]!], { pad: 0, lineGap: 0, wordGap: 0, zoom: 2 });
    expect(big!.image.width).toBe(2 * (boxes[0]!.x1 - boxes[0]!.x0));
  });
});

/**
 * Grey-scale image helpers for the OCR path: thresholding, rotation, crops and scaling.
 * Images are 8-bit, row-major, 0 = black, 255 = white (the pdf.js adapter's Raster without its scale).
 */

export interface GreyImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A pixel box, end-exclusive: x0 <= x < x1, y0 <= y < y1. */
export interface PixelBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Otsu's threshold over the grey histogram: pixels darker than it are ink. */
export function otsuThreshold(data: Uint8Array): number {
  // Four histograms, one per byte of a word: paper repeats a few grey levels, and one histogram would
  // have each count wait for the increment before it.
  const counts = new Uint32Array(1024);
  let i = 0;
  if (data.byteOffset % 4 === 0) {
    const words = new Uint32Array(data.buffer, data.byteOffset, data.length >> 2);
    for (let k = 0; k < words.length; k++) {
      const w = words[k]!;
      counts[w & 0xff]!++;
      counts[256 + ((w >>> 8) & 0xff)]!++;
      counts[512 + ((w >>> 16) & 0xff)]!++;
      counts[768 + (w >>> 24)]!++;
    }
    i = words.length * 4;
  }
  for (; i < data.length; i++) counts[data[i]!]!++;
  const hist = Float64Array.from({ length: 256 }, (_, v) => counts[v]! + counts[256 + v]! + counts[512 + v]! + counts[768 + v]!);
  const total = data.length;
  let sumAll = 0;
  for (let v = 0; v < 256; v++) sumAll += v * hist[v]!;
  let weightBack = 0, sumBack = 0, best = 0, threshold = 128;
  for (let v = 0; v < 256; v++) {
    weightBack += hist[v]!;
    if (weightBack === 0) continue;
    const weightFore = total - weightBack;
    if (weightFore === 0) break;
    sumBack += v * hist[v]!;
    const meanBack = sumBack / weightBack, meanFore = (sumAll - sumBack) / weightFore;
    const between = weightBack * weightFore * (meanBack - meanFore) ** 2;
    if (between > best) { best = between; threshold = v + 1; }
  }
  return threshold;
}

/**
 * ITU-R 601 luma of opaque RGBA pixels. A pixel is read as one 32-bit word: most of a page is grey (white
 * paper, black print, a grey scan), whose luma is its red, green and blue alike, without the arithmetic.
 */
export function greyFromRgba(rgba: Uint8Array | Uint8ClampedArray): Uint8Array {
  const data = new Uint8Array(rgba.length >> 2);
  const pixels = rgba.byteOffset % 4 === 0 ? new Uint32Array(rgba.buffer, rgba.byteOffset, data.length) : null;
  for (let i = 0, j = 0; j < data.length; i += 4, j++) {
    const p = pixels ? pixels[j]! : 0;
    if (pixels && ((p ^ (p >>> 8)) & 0xffff) === 0) data[j] = p & 0xff;
    else data[j] = (rgba[i]! * 299 + rgba[i + 1]! * 587 + rgba[i + 2]! * 114) / 1000;
  }
  return data;
}

/**
 * The four-pixel words of a 0/1 image, when its bytes lie aligned for them: ink covers a few percent of
 * a page, so scans over it skip blank paper four pixels at a time.
 */
export function inkWords(ink: Uint8Array): Uint32Array | null {
  return ink.byteOffset % 4 === 0 ? new Uint32Array(ink.buffer, ink.byteOffset, ink.length >> 2) : null;
}

/** Index of the first ink pixel in [from, to) of a 0/1 image, or `to`; `words` from inkWords. */
export function nextInk(ink: Uint8Array, words: Uint32Array | null, from: number, to: number): number {
  let i = from;
  while (i < to) {
    if (ink[i]) return i;
    i++;
    if (words && (i & 3) === 0) while (i + 4 <= to && words[i >> 2] === 0) i += 4;
  }
  return to;
}

/** 1 where the pixel is ink (darker than `threshold`), else 0; written into `out` when given (a page's worth of pixels, reused). */
export function binarize(img: GreyImage, threshold = otsuThreshold(img.data), out: Uint8Array = new Uint8Array(img.width * img.height)): Uint8Array {
  if (out.length !== img.width * img.height) throw new Error(`binarize: ${out.length} bytes for ${img.width}×${img.height} pixels`);
  const data = img.data;
  let i = 0;
  // Four pixels a word where the bytes lie aligned: for a whole threshold, (v - threshold) >>> 31 is 1
  // exactly when v < threshold.
  if (data.byteOffset % 4 === 0 && out.byteOffset % 4 === 0 && Number.isInteger(threshold)) {
    const words = new Uint32Array(data.buffer, data.byteOffset, out.length >> 2);
    const inks = new Uint32Array(out.buffer, out.byteOffset, words.length);
    for (let k = 0; k < words.length; k++) {
      const w = words[k]!;
      inks[k] = (((w & 0xff) - threshold) >>> 31) | ((((w >>> 8) & 0xff) - threshold) >>> 31 << 8)
        | ((((w >>> 16) & 0xff) - threshold) >>> 31 << 16) | (((w >>> 24) - threshold) >>> 31 << 24);
    }
    i = words.length * 4;
  }
  for (; i < out.length; i++) out[i] = data[i]! < threshold ? 1 : 0;
  return out;
}

/**
 * Rotates about the centre so that a line sloping by `radians` (y down: positive goes down to the
 * right) becomes horizontal; same size, bilinear, white outside. Meant for small skew angles.
 */
export function rotate(img: GreyImage, radians: number): GreyImage {
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(w * h);
  const cos = Math.cos(radians), sin = Math.sin(radians);
  const cx = (w - 1) / 2, cy = (h - 1) / 2;
  for (let y = 0; y < h; y++) {
    // Source of destination (x, y): the inverse rotation, stepped along the row.
    const dy = y - cy;
    let sx = cx - cx * cos - dy * sin;
    let sy = cy - cx * sin + dy * cos;
    const row = y * w;
    for (let x = 0; x < w; x++, sx += cos, sy += sin) {
      // Truncation is the floor where the source point is not left of or above the image.
      if (sx < 0 || sy < 0) { out[row + x] = 255; continue; }
      const x0 = sx | 0, y0 = sy | 0;
      if (x0 + 1 >= w || y0 + 1 >= h) { out[row + x] = 255; continue; }
      const i = y0 * w + x0;
      const a = data[i]!, b = data[i + 1]!;
      // Most of a page is blank: four equal pixels interpolate to their own value.
      if (a === b) {
        const c = data[i + w]!;
        if (a === c && c === data[i + w + 1]!) { out[row + x] = a; continue; }
      }
      const c = data[i + w]!, d = data[i + w + 1]!;
      const fx = sx - x0, fy = sy - y0;
      const top = a + (b - a) * fx;
      const bottom = c + (d - c) * fx;
      out[row + x] = top + (bottom - top) * fy + 0.5;
    }
  }
  return { width: w, height: h, data: out };
}

/** Where a point of the source lands after `rotate(img, radians)`. */
export function rotatePoint(x: number, y: number, width: number, height: number, radians: number): [number, number] {
  const cx = (width - 1) / 2, cy = (height - 1) / 2;
  const cos = Math.cos(radians), sin = Math.sin(radians);
  const dx = x - cx, dy = y - cy;
  return [cx + dx * cos + dy * sin, cy - dx * sin + dy * cos];
}

/** The pixels inside `box`, surrounded by `pad` white pixels. */
export function crop(img: GreyImage, box: PixelBox, pad = 0): GreyImage {
  const x0 = Math.max(0, box.x0), y0 = Math.max(0, box.y0);
  const x1 = Math.min(img.width, box.x1), y1 = Math.min(img.height, box.y1);
  const w = Math.max(0, x1 - x0) + 2 * pad, h = Math.max(0, y1 - y0) + 2 * pad;
  const out = new Uint8Array(w * h).fill(255);
  for (let y = y0; y < y1; y++) out.set(img.data.subarray(y * img.width + x0, y * img.width + x1), (y - y0 + pad) * w + pad);
  return { width: w, height: h, data: out };
}

/** Bilinear resize by `factor` (> 0). */
export function scaleImage(img: GreyImage, factor: number): GreyImage {
  const w = Math.max(1, Math.round(img.width * factor)), h = Math.max(1, Math.round(img.height * factor));
  const out = new Uint8Array(w * h);
  const { width: sw, height: sh, data } = img;
  for (let y = 0; y < h; y++) {
    const sy = Math.min(sh - 1, Math.max(0, (y + 0.5) / factor - 0.5));
    const y0 = Math.floor(sy), y1 = Math.min(sh - 1, y0 + 1), fy = sy - y0;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(sw - 1, Math.max(0, (x + 0.5) / factor - 0.5));
      const x0 = Math.floor(sx), x1 = Math.min(sw - 1, x0 + 1), fx = sx - x0;
      const top = data[y0 * sw + x0]! + (data[y0 * sw + x1]! - data[y0 * sw + x0]!) * fx;
      const bottom = data[y1 * sw + x0]! + (data[y1 * sw + x1]! - data[y1 * sw + x0]!) * fx;
      out[y * w + x] = top + (bottom - top) * fy + 0.5;
    }
  }
  return { width: w, height: h, data: out };
}

/** Portable graymap (binary PGM): the one image format Leptonica reads with no codec. */
export function encodePgm(img: GreyImage): Uint8Array {
  const header = new TextEncoder().encode(`P5\n${img.width} ${img.height}\n255\n`);
  const out = new Uint8Array(header.length + img.data.length);
  out.set(header, 0);
  out.set(img.data.subarray(0, img.width * img.height), header.length);
  return out;
}

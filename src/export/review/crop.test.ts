import { describe, expect, it } from 'vitest';
import { cropAround, parseBbox, type PageRaster } from './crop.js';

/** A white page of `w`×`h` points at `scale` px/pt with a black box over the given points. */
function page(w: number, h: number, scale: number, ink: { x0: number; top: number; x1: number; bottom: number }): PageRaster {
  const width = Math.ceil(w * scale), height = Math.ceil(h * scale);
  const data = new Uint8Array(width * height).fill(255);
  for (let y = Math.round(ink.top * scale); y < Math.round(ink.bottom * scale); y++) {
    for (let x = Math.round(ink.x0 * scale); x < Math.round(ink.x1 * scale); x++) data[y * width + x] = 0;
  }
  return { width, height, scale, data };
}

const dark = (img: { width: number; data: Uint8Array }, x0: number, y0: number, x1: number, y1: number) => {
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (img.data[y * img.width + x]! < 128) n++;
  return n;
};

describe('parseBbox', () => {
  it('reads x0 y0 x1 y1 and refuses empty or disordered boxes', () => {
    expect(parseBbox('319.7 148.4 354.6 157.8')).toEqual({ x0: 319.7, top: 148.4, x1: 354.6, bottom: 157.8 });
    expect(parseBbox('')).toBeUndefined();
    expect(parseBbox('1 2 3')).toBeUndefined();
    expect(parseBbox('10 2 3 4')).toBeUndefined();
    expect(parseBbox('a b c d')).toBeUndefined();
  });
});

describe('cropAround', () => {
  const box = { x0: 100, top: 50, x1: 140, bottom: 60 };
  const raster = page(300, 200, 2, box);

  it('cuts the box plus margin in raster pixels (point × scale) and marks where the box lies', () => {
    const cut = cropAround(raster, box, { x: 10, y: 5 })!;
    expect(cut.image.width).toBe((40 + 20) * 2);
    expect(cut.image.height).toBe((10 + 10) * 2);
    // the ink is exactly under the mark
    const m = cut.mark;
    const [mx0, my0] = [Math.round(m.left * cut.image.width), Math.round(m.top * cut.image.height)];
    const [mx1, my1] = [Math.round((m.left + m.width) * cut.image.width), Math.round((m.top + m.height) * cut.image.height)];
    expect([mx0, my0, mx1, my1]).toEqual([20, 10, 100, 30]);
    expect(dark(cut.image, mx0, my0, mx1, my1)).toBe(80 * 20);
    expect(dark(cut.image, 0, 0, cut.image.width, cut.image.height)).toBe(80 * 20);
  });

  it('clips at the page edge, keeping the mark on the box', () => {
    const corner = { x0: 0, top: 0, x1: 20, bottom: 8 };
    const cut = cropAround(page(300, 200, 2, corner), corner, { x: 10, y: 5 })!;
    expect([cut.image.width, cut.image.height]).toEqual([60, 26]);
    expect(cut.mark.left).toBe(0);
    expect(cut.mark.top).toBe(0);
    expect(dark(cut.image, 0, 0, 40, 16)).toBe(40 * 16);
  });

  it('gives nothing for a box off the page', () => {
    expect(cropAround(raster, { x0: 400, top: 300, x1: 420, bottom: 310 }, { x: 5, y: 5 })).toBeUndefined();
  });
});

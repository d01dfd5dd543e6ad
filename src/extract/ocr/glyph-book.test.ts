/** Figures read from the document's own digit samples, on synthetic seven-segment digits. */
import { describe, expect, it } from 'vitest';
import { GlyphBook } from './glyph-book.js';
import type { GreyImage, PixelBox } from './raster.js';

const SEGMENTS: Record<string, string> = { 0: 'abcdef', 1: 'bc', 2: 'abged', 3: 'abgcd', 4: 'fgbc', 5: 'afgcd', 6: 'afgcde', 7: 'abc', 8: 'abcdefg', 9: 'abcdfg' };
const CHAR = 24;

function fill(img: GreyImage, x0: number, y0: number, x1: number, y1: number): void {
  for (let y = y0; y < y1; y++) img.data.fill(0, y * img.width + x0, y * img.width + x1);
}

/** Draws a figure (digits, '.', ',') at (x, y) with 12×20 digits; returns its box. */
function drawFigure(img: GreyImage, x: number, y: number, text: string): PixelBox {
  const start = x;
  for (const ch of text) {
    if (ch === '.' || ch === ',') {
      fill(img, x + 2, y + 17, x + 5, y + 20);
      if (ch === ',') fill(img, x + 3, y + 20, x + 5, y + 24);
      x += 8;
      continue;
    }
    const s = SEGMENTS[ch]!;
    if (s.includes('a')) fill(img, x, y, x + 12, y + 2);
    if (s.includes('g')) fill(img, x, y + 9, x + 12, y + 11);
    if (s.includes('d')) fill(img, x, y + 18, x + 12, y + 20);
    if (s.includes('f')) fill(img, x, y, x + 2, y + 11);
    if (s.includes('b')) fill(img, x + 10, y, x + 12, y + 11);
    if (s.includes('e')) fill(img, x, y + 9, x + 2, y + 20);
    if (s.includes('c')) fill(img, x + 10, y + 9, x + 12, y + 20);
    x += 14;
  }
  return { x0: start, y0: y, x1: x - 2, y1: y + (/,/u.test(text) ? 24 : 20) };
}

describe('GlyphBook', () => {
  const img: GreyImage = { width: 600, height: 200, data: new Uint8Array(600 * 200).fill(255) };
  const book = new GlyphBook();
  const learnt = drawFigure(img, 10, 10, '1,234.56');
  const more = drawFigure(img, 200, 10, '7,890.00');

  it('reads nothing before it has samples', () => {
    expect(book.read(img, 128, learnt, CHAR, [1])).toBeNull();
  });

  it('reads a figure from samples of its digits, separators where the image shows them', () => {
    book.learn(1, img, 128, learnt, CHAR, '1,234.56');
    book.learn(2, img, 128, more, CHAR, '7,890.00');
    const figure = drawFigure(img, 400, 80, '9,051.37');
    expect(book.read(img, 128, figure, CHAR, [1, 2])).toEqual({ text: '9,051.37', confidence: expect.any(Number) });
    expect(book.read(img, 128, drawFigure(img, 10, 120, '0.00'), CHAR, [1, 2])!.text).toBe('0.00');
    // Samples of pages not listed are not used: page 1 alone has no 9.
    expect(book.read(img, 128, figure, CHAR, [1])).toBeNull();
  });

  it('leaves to the model what it cannot tell surely: a minus sign, a glyph like no sample, a wrong reading to learn from', () => {
    const minus = drawFigure(img, 100, 150, '5.00');
    fill(img, 90, 159, 97, 161);
    expect(book.read(img, 128, { ...minus, x0: 90 }, CHAR, [1, 2])).toBeNull();
    // A box: no digit's shape.
    fill(img, 300, 150, 312, 152); fill(img, 300, 168, 312, 170); fill(img, 300, 150, 302, 170); fill(img, 310, 150, 312, 170); fill(img, 304, 158, 308, 162);
    expect(book.read(img, 128, { x0: 300, y0: 150, x1: 312, y1: 170 }, CHAR, [1, 2])).toBeNull();
    // A reading whose digits do not line up with the glyphs teaches nothing.
    const fresh = new GlyphBook();
    fresh.learn(1, img, 128, learnt, CHAR, '1,234.5');
    expect(fresh.learntPages()).toEqual([]);
  });
});

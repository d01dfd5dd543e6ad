/** Signs read from the image: comparison signs before figures, check boxes before options. */
import { describe, expect, it } from 'vitest';
import type { GreyImage } from './raster.js';
import { leadingComparator, restoreCheckBoxes, withComparator } from './symbols.js';

const CHAR = 24;

/** A white image with thick straight strokes drawn between the given points. */
function draw(width: number, height: number, strokes: [number, number, number, number][]): GreyImage {
  const data = new Uint8Array(width * height).fill(255);
  for (const [x0, y0, x1, y1] of strokes) {
    const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0)) * 2;
    for (let i = 0; i <= steps; i++) {
      const x = Math.round(x0 + ((x1 - x0) * i) / steps), y = Math.round(y0 + ((y1 - y0) * i) / steps);
      for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 3; dx++) if (x + dx < width && y + dy < height) data[(y + dy) * width + x + dx] = 0;
    }
  }
  return { width, height, data };
}

/** A digit-like block after the sign, so the snippet reads sign + figure. */
const figure: [number, number, number, number][] = [[26, 1, 26, 20], [34, 1, 34, 20], [26, 1, 34, 1], [26, 20, 34, 20]];
const box = { x0: 0, y0: 0, x1: 40, y1: 22 };

describe('leadingComparator', () => {
  it('tells ≥ ≤ > < from the chevron and the bar under it', () => {
    const greater: [number, number, number, number][] = [[0, 1, 16, 7], [16, 7, 0, 13]];
    const less: [number, number, number, number][] = [[16, 1, 0, 7], [0, 7, 16, 13]];
    expect(leadingComparator(draw(40, 22, [...greater, [0, 19, 16, 19], ...figure]), 128, box, CHAR)).toBe('≥');
    // The bar may slant with the lower arm (⩾).
    expect(leadingComparator(draw(40, 22, [...greater, [16, 13, 0, 19], ...figure]), 128, box, CHAR)).toBe('≥');
    expect(leadingComparator(draw(40, 22, [...less, [0, 19, 16, 19], ...figure]), 128, box, CHAR)).toBe('≤');
    expect(leadingComparator(draw(40, 22, [...greater, ...figure]), 128, box, CHAR)).toBe('>');
    expect(leadingComparator(draw(40, 22, [...less, ...figure]), 128, box, CHAR)).toBe('<');
  });

  it('finds none before a digit or a character', () => {
    // A 2: arc across the top, diagonal, bar across the bottom.
    const two: [number, number, number, number][] = [[1, 2, 14, 2], [14, 2, 14, 8], [14, 8, 1, 18], [1, 18, 15, 18]];
    expect(leadingComparator(draw(40, 22, [...two, ...figure]), 128, box, CHAR)).toBeNull();
    // 二: two flat strokes.
    expect(leadingComparator(draw(40, 22, [[1, 4, 15, 4], [0, 17, 16, 17], ...figure]), 128, box, CHAR)).toBeNull();
    expect(leadingComparator(draw(40, 22, []), 128, box, CHAR)).toBeNull();
  });
});

describe('readings', () => {
  it('puts the sign in place of what the model read for it', () => {
    expect(withComparator('2700', '≥')).toBe('≥700');
    expect(withComparator('全40%', '≥')).toBe('≥40%');
    expect(withComparator('>>10%', '≥')).toBe('≥10%');
    expect(withComparator('<1', '≤')).toBe('≤1');
  });

  it('restores check boxes before options only', () => {
    expect(restoreCheckBoxes('回优 90分≤得分≤100分; 口良')).toBe('☑优 90分≤得分≤100分; □良');
    expect(restoreCheckBoxes('一级口二级回三级')).toBe('一级□二级☑三级');
    expect(restoreCheckBoxes('人口普查回访')).toBe('人口普查回访');
  });
});

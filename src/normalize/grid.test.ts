import { describe, expect, it } from 'vitest';
import type { Line } from '../model/line.js';
import { buildGrids } from './grid.js';

/** A line of tokens at the given x positions (unruled: the stream builder reads it by alignment). */
function line(top: number, cells: [number, string][]): Line {
  const tokens = cells.map(([x, text]) => ({ text, x0: x, x1: x + text.length * 9, top, bottom: top + 9, page: 1, method: 'text' as const, confidence: 1, repairs: [] }));
  return { page: 1, top, bottom: top + 9, tokens, text: cells.map(([, t]) => t).join('') };
}

describe('buildGrids: rows of a summary table', () => {
  it('a closing line printed without amounts (上年结转资金) is a row of its own, not the tail of the row above', () => {
    // r18 (Jiangsu 2019 公开表一), bottom lines: no gap between 当年收入小计 and 上年结转资金.
    const lines = [
      line(80, [[60, '收入'], [330, '支出']]),
      line(95, [[60, '项目名称'], [200, '金额'], [330, '项目名称'], [470, '金额']]),
      line(110, [[60, '一、财政拨款'], [190, '18,330.37'], [330, '一、基本支出'], [460, '9,312.90']]),
      line(125, [[60, '当年收入小计'], [190, '18,330.37'], [330, '当年支出小计'], [460, '18,330.37']]),
      line(136, [[60, '上年结转资金'], [330, '结转下年资金']]),
      line(147, [[60, '收入合计'], [190, '18,330.37'], [330, '支出合计'], [460, '18,330.37']]),
    ];
    const [grid] = buildGrids(lines, new Map());
    const labels = grid!.rows.map((r) => r.cells.filter((c) => c && !/\d/u.test(c.text)).map((c) => c!.text).join('|'));
    expect(labels).toEqual(['一、财政拨款|一、基本支出', '当年收入小计|当年支出小计', '上年结转资金|结转下年资金', '收入合计|支出合计']);
  });
});

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

describe('buildGrids: cells of several lines, centred on their row (Word)', () => {
  // Geometry of a 部门预算项目支出表 page (Qingyuan 2024): 9 pt lines 10 pt apart inside a cell, rows set
  // about 5 pt apart; the values are beside the middle line of the name, the goal starts above the name.
  const header = [line(60, [[48, '项目名称'], [190, '总计'], [260, '财政拨款'], [580, '绩效目标']])];
  const rowOf = (grid: ReturnType<typeof buildGrids>[number]) => grid.rows.map((r) => r.cells.map((c) => c?.text ?? '·').join(' ¦ '));

  it('a wrapped name and a goal that starts above it belong to the row of their values', () => {
    const lines = [
      ...header,
      line(80, [[48, '合计'], [190, '527.00'], [260, '527.00']]),
      line(97, [[580, '为数字政府改革建设打好基础']]),
      line(102, [[48, '政务服务工作经费'], [190, '27.00'], [260, '27.00']]),
      line(107, [[580, '推动全市数字政府改革建设']]),
      line(121, [[580, '12345热线平台实现人工服务']]),
      line(131, [[580, '提供电话、网络等渠道受理']]),
      line(135, [[48, '清远市12345政府服务']]),
      line(140, [[580, '保障热线人工接通率']]),
      line(145, [[48, '热线外包服务'], [190, '500.00'], [260, '500.00']]),
      line(150, [[580, '市民满意率不低于95%']]),
      line(155, [[48, '项目']]),
      line(160, [[580, '打造政务服务总客服。']]),
    ];
    const [grid] = buildGrids(lines, new Map());
    expect(rowOf(grid!)).toEqual([
      '合计 ¦ 527.00 ¦ 527.00 ¦ ·',
      '政务服务工作经费 ¦ 27.00 ¦ 27.00 ¦ 为数字政府改革建设打好基础推动全市数字政府改革建设',
      '清远市12345政府服务热线外包服务项目 ¦ 500.00 ¦ 500.00 ¦ 12345热线平台实现人工服务提供电话、网络等渠道受理保障热线人工接通率市民满意率不低于95%打造政务服务总客服。',
    ]);
  });

  it('rows set as close as the lines of a cell are left to the neighbour rules: a name wrapped below its values', () => {
    const lines = [
      ...header,
      line(80, [[48, '合计'], [190, '39.00'], [260, '39.00']]),
      line(90, [[48, '其他政府办公厅（室）及相关机构事务支'], [190, '12.00'], [260, '12.00']]),
      line(100, [[48, '出']]),
      line(110, [[48, '一般行政管理事务'], [190, '27.00'], [260, '27.00']]),
    ];
    const [grid] = buildGrids(lines, new Map());
    expect(rowOf(grid!)).toEqual([
      '合计 ¦ 39.00 ¦ 39.00',
      '其他政府办公厅（室）及相关机构事务支出 ¦ 12.00 ¦ 12.00',
      '一般行政管理事务 ¦ 27.00 ¦ 27.00',
    ]);
  });
});

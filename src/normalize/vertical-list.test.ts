import { describe, expect, it } from 'vitest';
import { TABLE_KINDS } from '../catalogue/table-kinds.js';
import type { Line } from '../model/line.js';
import type { Segment } from '../model/page.js';
import { readVerticalList } from './vertical-list.js';

const BU02 = TABLE_KINDS.find((k) => k.id === 'bu02_income')!;

function line(top: number, cells: [number, string][]): Line {
  const tokens = cells.map(([x, text]) => ({ text, x0: x, x1: x + text.length * 9, top, bottom: top + 9, page: 2, method: 'text' as const, confidence: 1, repairs: [] }));
  return { page: 2, top, bottom: top + 9, tokens, text: cells.map(([, t]) => t).join('') };
}

// r18 (Jiangsu 2019 公开表二 收入预算总表): categories in merged cells, centred over their rows.
const LINES = [
  line(195, [[241, '项目名称'], [603, '金额']]),
  line(232, [[241, '收入总计'], [654, '18,330.37']]),
  line(269, [[237, '小计'], [654, '18,330.37']]),
  line(306, [[71, '一般公共预算资金'], [237, '公共财政拨款(补助)资金'], [654, '18,330.37']]),
  line(342, [[237, '专项收入']]),
  line(379, [[96, '政府性基金'], [237, '小计']]),
  line(416, [[237, '小计'], [654, '120.00']]),
  line(453, [[71, '财政专户管理资金'], [237, '专户管理教育收费'], [654, '120.00']]),
  line(489, [[237, '其他非税收入']]),
];
// Rules across the whole table between groups; between the rows of a group only right of the category column.
const hRule = (top: number, x0: number): Segment => ({ orientation: 'h', x0, x1: 760, top, bottom: top });
const SEGMENTS = [hRule(214, 40), hRule(250, 40), hRule(287, 230), hRule(324, 230), hRule(360, 40), hRule(397, 40), hRule(434, 230), hRule(471, 230), hRule(508, 40)];

describe('readVerticalList', () => {
  it('maps the list into row total: 收入总计, each category\'s 小计 by the merged cell it lies in, items with a column of their own', () => {
    const cells = readVerticalList(BU02, LINES, new Map([[2, SEGMENTS]]))!;
    expect(cells.map((c) => [c.row_key, c.column_key, c.value])).toEqual([
      ['total', 'total', '18330.37'],
      ['total', 'general_budget', '18330.37'],
      ['total', 'special_account', '120.00'],
      ['total', 'edu_fee', '120.00'],
    ]);
  });

  it('is null for a table printed as a grid (several amounts a row)', () => {
    const grid = [line(100, [[60, '项目'], [300, '合计'], [400, '一般公共预算']]), line(120, [[60, '某局'], [300, '100.00'], [400, '100.00']])];
    expect(readVerticalList(BU02, grid, new Map())).toBeNull();
  });
});

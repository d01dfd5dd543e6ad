import { describe, expect, it } from 'vitest';
import { TABLE_KINDS } from '../catalogue/table-kinds.js';
import type { GridCell, GridColumn, GridRow } from '../model/grid.js';
import { mapTable } from './map-table.js';

const FA06 = TABLE_KINDS.find((k) => k.id === 'fa06_basic_expenditure_detail')!;

const cell = (text: string): GridCell => ({ text, raw: text, page: 12, bbox: [0, 0, 1, 1], method: 'text', confidence: 1, repairs: [] });

// fa06 in three side-by-side blocks (人员经费 | 公用经费 | 公用经费 continued), as the central template prints it.
const columns: GridColumn[] = [0, 1, 2].flatMap((block) => [
  { x0: block * 180, x1: block * 180 + 30, path: ['科目代码'], role: 'code' as const, block },
  { x0: block * 180 + 30, x1: block * 180 + 120, path: ['科目名称'], role: 'label' as const, block },
  { x0: block * 180 + 120, x1: block * 180 + 170, path: ['决算数'], role: 'value' as const, block },
]);
const row = (...texts: string[]): GridRow => ({ cells: texts.map((t) => (t ? cell(t) : null)), indent: null });

describe('mapTable: side-by-side blocks', () => {
  it('a block total in a cell merged to the right takes the amount printed under the last block', () => {
    // r39 p.12: 人员经费合计 7,967.72 | 公用经费合计 (merged over block 2's value and block 3) 2,266.65
    const rows = [
      row('301', '工资福利支出', '6,982.75', '302', '商品和服务支出', '2,239.41', '310', '资本性支出', '27.24'),
      row('', '人员经费合计', '7,967.72', '', '公用经费合计', '', '', '', '2,266.65'),
    ];
    const got = Object.fromEntries(mapTable(FA06, columns, rows).map((c) => [c.row_key, c.value]));
    expect(got).toEqual({ '301': '6982.75', personnel_total: '7967.72', '302': '2239.41', public_total: '2266.65', '310': '27.24' });
  });

  it('an amount under a block of its own row label stays there', () => {
    const rows = [row('', '人员经费合计', '7,967.72', '', '公用经费合计', '2,266.65', '399', '其他支出', '1.00')];
    const got = Object.fromEntries(mapTable(FA06, columns, rows).map((c) => [c.row_key, c.value]));
    expect(got).toEqual({ personnel_total: '7967.72', public_total: '2266.65', '399': '1.00' });
  });
});

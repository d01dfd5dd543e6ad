/**
 * End to end: a two-sided 收支总表 (bu01_summary) printed the Shenzhen way, with its table number, title,
 * unit line and header atop every page. Page 2 holds expenditure classes alone (the income side is
 * blank there), page 3 the totals. The three pages are one table, and the rows of page 2 stay on the
 * expenditure side: their columns are those of the whole table, not of page 2's right half alone.
 * Shenzhen's wording of the carry-over, 上年结余、结转, is the appendix's carryover_begin.
 */
import { describe, expect, it } from 'vitest';
import { cellMap, extractDoc, factAt } from '../support/extract.js';
import type { DocSpec, TableSpec } from '../support/make-pdf.js';

const KIND = 'bu01_summary';
const I = ['', '']; // income side not printed

const ROWS: string[][] = [
  // page 1: both sides
  ['一、财政拨款', '1,500.00', '一、一般公共服务支出', '900.00'],
  ['1.一般公共预算拨款', '1,500.00', '二、教育支出', '100.00'],
  ['2.政府性基金预算拨款', '0.00', '三、社会保障和就业支出', '200.00'],
  // page 2: expenditure classes alone
  [...I, '四、卫生健康支出', '80.00'],
  [...I, '五、农林水支出', '120.00'],
  [...I, '六、住房保障支出', '100.00'],
  // page 3: totals; Shenzhen words the carry-over 上年结余、结转
  ['本年收入合计', '1,500.00', '本年支出合计', '1,500.00'],
  ['上年结余、结转', '100.00', '结转下年', '100.00'],
  ['收入总计', '1,600.00', '支出总计', '1,600.00'],
];

function doc(ruled: boolean): DocSpec {
  const table: TableSpec = {
    tableNo: '表1',
    title: '收支总表',
    entityLine: '部门名称：某市某局',
    unitLine: '单位：万元',
    header: [[{ text: '收入', colspan: 2 }, { text: '支出', colspan: 2 }], [{ text: '项目' }, { text: '2026年预算数' }, { text: '项目' }, { text: '2026年预算数' }]],
    rows: ROWS,
    colWidths: [170, 90, 190, 90],
    ruled,
    maxRowsPerPage: 3,
    repeatHeader: true,
    repeatTitle: true,
  };
  return {
    info: { Title: '某市某局2026年部门预算' },
    blocks: [
      { kind: 'text', lines: [{ text: '某市某局2026年部门预算', size: 22, align: 'center', y: 200 }] },
      { kind: 'pageBreak' },
      { kind: 'table', table },
    ],
  };
}

for (const ruled of [false, true]) {
  describe(`bu01 with its title repeated atop every page, ${ruled ? 'ruled' : 'unruled'}`, { timeout: 30_000 }, () => {
    it('is one table over the three pages, page 2 on the expenditure side', async () => {
      const result = await extractDoc(doc(ruled), 'memory://repeated-title.pdf');
      expect(result.tables.map((t) => [t.table_kind, t.pages])).toEqual([[KIND, [2, 3, 4]]]);
      const got = cellMap(result.facts, KIND);
      expect(got).toEqual({
        'income:fiscal_appropriation|amount': '1500.00',
        'income:general_budget|amount': '1500.00',
        'income:gov_fund|amount': '0.00',
        'expenditure:201|amount': '900.00',
        'expenditure:205|amount': '100.00',
        'expenditure:208|amount': '200.00',
        'expenditure:210|amount': '80.00',
        'expenditure:213|amount': '120.00',
        'expenditure:221|amount': '100.00',
        'income:income_total|amount': '1500.00',
        'expenditure:expenditure_total|amount': '1500.00',
        'income:carryover_begin|amount': '100.00',
        'expenditure:carry_forward|amount': '100.00',
        'income:grand_total|amount': '1600.00',
        'expenditure:grand_total|amount': '1600.00',
      });
      expect(factAt(result.facts, KIND, 'expenditure:210', 'amount')).toMatchObject({ row_label: '四、卫生健康支出', page: 3 });
    });
  });
}

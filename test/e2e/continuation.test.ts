/**
 * End to end: a two-sided 财政拨款收入支出决算总表 (fa04_fiscal_summary) continued over two pages.
 * Income side 项目 | 行次 | 金额 (column `amount`), expenditure side 项目 | 行次 | 合计 | 一般公共预算
 * | 政府性基金预算 | 国有资本经营预算 (columns `total`, `general_budget`, `gov_fund`, `state_capital`).
 * Page 2 holds the totals, the 年初财政拨款结转和结余 line with its fund sub-lines, and 总计: the sides,
 * the sub-line parent and the grand totals carry over the page break.
 */
import { describe, expect, it } from 'vitest';
import type { DocumentResult } from '../../src/model/document.js';
import { cellMap, extractDoc, factAt } from '../support/extract.js';
import type { Block, DocSpec, HeaderCell, TableSpec } from '../support/make-pdf.js';

const KIND = 'fa04_fiscal_summary';

const HEADER: HeaderCell[][] = [
  [{ text: '收入', colspan: 3 }, { text: '支出', colspan: 6 }],
  [
    { text: '项目' }, { text: '行次' }, { text: '金额' },
    { text: '项目' }, { text: '行次' }, { text: '合计' }, { text: '一般公共预算财政拨款' }, { text: '政府性基金预算财政拨款' }, { text: '国有资本经营预算财政拨款' },
  ],
];

const E = ['', '', '', '']; // expenditure amounts not printed
const I = ['', '', '']; // income side not printed

/** Page 1: the income lines and the valued expenditure classes. */
const PAGE_1: string[][] = [
  ['一、一般公共预算财政拨款', '1', '1,500.00', '一、一般公共服务支出', '31', '1,200.00', '1,150.00', '50.00', '0.00'],
  ['二、政府性基金预算财政拨款', '2', '100.00', '六、科学技术支出', '32', '300.00', '300.00', '0.00', '0.00'],
  ['三、国有资本经营预算财政拨款', '3', '0.00', '八、社会保障和就业支出', '33', '100.00', '100.00', '0.00', '0.00'],
  [...I, '十二、城乡社区支出', '34', '50.00', '0.00', '50.00', '0.00'],
];

/** Expenditure classes the department had no spending in: label and 行次, blank amounts. */
const BLANK_CLASSES_1: string[][] = [
  [...I, '十三、农林水支出', '35', ...E],
  [...I, '十四、交通运输支出', '36', ...E],
  [...I, '十五、资源勘探工业信息等支出', '37', ...E],
  [...I, '十六、商业服务业等支出', '38', ...E],
  [...I, '十七、金融支出', '39', ...E],
];
const BLANK_CLASSES_2: string[][] = [
  [...I, '十九、住房保障支出', '40', ...E],
  [...I, '二十、粮油物资储备支出', '41', ...E],
  [...I, '二十一、灾害防治及应急管理支出', '42', ...E],
];
/** Rows on page 1 (make-pdf breaks every this many rows). */
const PAGE_1_ROWS = PAGE_1.length + BLANK_CLASSES_1.length;

/** Page 2: totals, carry-over lines and 总计. */
const PAGE_2: string[][] = [
  ['本年收入合计', '4', '1,600.00', '本年支出合计', '50', '1,650.00', '1,550.00', '100.00', '0.00'],
  ['年初财政拨款结转和结余', '5', '150.00', '年末财政拨款结转和结余', '51', '100.00', '70.00', '30.00', '0.00'],
  ['一般公共预算财政拨款', '6', '120.00', '', '52', ...E],
  ['政府性基金预算财政拨款', '7', '30.00', '', '53', ...E],
  ['国有资本经营预算财政拨款', '8', '0.00', '', '54', ...E],
  ['总计', '9', '1,750.00', '总计', '55', '1,750.00', '1,620.00', '130.00', '0.00'],
];

/** row_key|column_key → value of every printed amount. */
const EXPECTED: Record<string, string> = {
  'income:general_budget|amount': '1500.00',
  'income:gov_fund|amount': '100.00',
  'income:state_capital|amount': '0.00',
  'income:income_total|amount': '1600.00',
  'income:carryover_begin|amount': '150.00',
  'income:carryover_begin.general_budget|amount': '120.00',
  'income:carryover_begin.gov_fund|amount': '30.00',
  'income:carryover_begin.state_capital|amount': '0.00',
  'income:grand_total|amount': '1750.00',
  ...Object.fromEntries(([
    ['201', ['1200.00', '1150.00', '50.00', '0.00']],
    ['206', ['300.00', '300.00', '0.00', '0.00']],
    ['208', ['100.00', '100.00', '0.00', '0.00']],
    ['212', ['50.00', '0.00', '50.00', '0.00']],
    ['expenditure_total', ['1650.00', '1550.00', '100.00', '0.00']],
    ['carryover_end', ['100.00', '70.00', '30.00', '0.00']],
    ['grand_total', ['1750.00', '1620.00', '130.00', '0.00']],
  ] as const).flatMap(([item, values]) => ['total', 'general_budget', 'gov_fund', 'state_capital'].map((col, i) => [`expenditure:${item}|${col}`, values[i]!]))),
};

function table(rows: string[][], page1Rows: number, repeatHeader: boolean, ruled: boolean): TableSpec {
  return {
    tableNo: '表4',
    title: '财政拨款收入支出决算总表',
    entityLine: '部门：某市某局',
    unitLine: '单位：万元',
    header: HEADER,
    rows,
    colWidths: [140, 30, 66, 130, 30, 66, 82, 82, 82],
    ruled,
    maxRowsPerPage: page1Rows,
    repeatHeader,
    note: '注：本表反映部门本年度一般公共预算财政拨款、政府性基金预算财政拨款和国有资本经营预算财政拨款的总收支和年末结转结余情况。',
  };
}

function doc(t: TableSpec): DocSpec {
  const blocks: Block[] = [
    { kind: 'text', lines: [{ text: '2024年度某市某局部门决算', size: 22, align: 'center', y: 200 }] },
    { kind: 'pageBreak', landscape: true },
    { kind: 'table', table: t },
  ];
  return { info: { Title: '2024年度某市某局部门决算' }, blocks };
}

function expectOneTable(result: DocumentResult): void {
  expect(result.meta?.docKind).toBe('final_account');
  expect(result.tables.map((t) => [t.table_kind, t.pages])).toEqual([[KIND, [2, 3]]]);
}

for (const ruled of [true, false]) {
  describe(`fa04_fiscal_summary over two pages, ${ruled ? 'ruled' : 'unruled'}`, { timeout: 30_000 }, () => {
    it('page 2 repeats the header and holds the totals, the carry-over with its sub-lines and 总计', async () => {
      const rows = [...PAGE_1, ...BLANK_CLASSES_1, ...PAGE_2];
      const result = await extractDoc(doc(table(rows, PAGE_1_ROWS, true, ruled)), 'memory://fa04.pdf');
      expectOneTable(result);
      const got = cellMap(result.facts, KIND);
      expect(got['income:income_total|amount']).toBe('1600.00');
      expect(got['income:carryover_begin|amount']).toBe('150.00');
      expect(got['income:carryover_begin.general_budget|amount']).toBe('120.00');
      expect(got['income:grand_total|amount']).toBe('1750.00');
      expect(got['expenditure:grand_total|total']).toBe('1750.00');
      expect(got['expenditure:grand_total|general_budget']).toBe('1620.00');
      expect(got).toEqual(EXPECTED);
      expect(factAt(result.facts, KIND, 'income:carryover_begin.gov_fund', 'amount')).toMatchObject({ row_label: '政府性基金预算财政拨款', line_no: '7', page: 3 });
      expect(factAt(result.facts, KIND, 'income:gov_fund', 'amount')).toMatchObject({ row_label: '二、政府性基金预算财政拨款', line_no: '2', page: 2 });
      expect(factAt(result.facts, KIND, 'expenditure:grand_total', 'state_capital')).toMatchObject({ column_label: expect.stringContaining('国有资本经营预算财政拨款'), line_no: '55', page: 3 });
    });

    it('page 2 opens, without a header, on expenditure classes with blank amounts before the valued rows', async () => {
      const rows = [...PAGE_1, ...BLANK_CLASSES_1, ...BLANK_CLASSES_2, ...PAGE_2];
      const result = await extractDoc(doc(table(rows, PAGE_1_ROWS, false, ruled)), 'memory://fa04-blank.pdf');
      expectOneTable(result);
      const got = cellMap(result.facts, KIND);
      expect(got['income:income_total|amount']).toBe('1600.00');
      expect(got['income:carryover_begin.general_budget|amount']).toBe('120.00');
      expect(got['income:grand_total|amount']).toBe('1750.00');
      expect(got['expenditure:expenditure_total|total']).toBe('1650.00');
      expect(got['expenditure:grand_total|total']).toBe('1750.00');
      // blank cells give no facts: exactly the printed amounts
      expect(got).toEqual(EXPECTED);
      expect(factAt(result.facts, KIND, 'expenditure:carryover_end', 'gov_fund')).toMatchObject({ value: '30.00', line_no: '51', page: 3 });
    });

    it('page 2 opens, without a header, on the carry-over sub-lines: they stay under 年初财政拨款结转和结余', async () => {
      // page 1 ends with 本年收入合计 and 年初财政拨款结转和结余
      const rows = [...PAGE_1, ...BLANK_CLASSES_1, ...PAGE_2];
      const result = await extractDoc(doc(table(rows, PAGE_1_ROWS + 2, false, ruled)), 'memory://fa04-sublines.pdf');
      expectOneTable(result);
      expect(cellMap(result.facts, KIND)).toEqual(EXPECTED);
      expect(factAt(result.facts, KIND, 'income:carryover_begin', 'amount').page).toBe(2);
      expect(factAt(result.facts, KIND, 'income:carryover_begin.general_budget', 'amount')).toMatchObject({ value: '120.00', page: 3 });
    });

    it('an overflow page holding only the 总计 line, no header', async () => {
      const rows = [...PAGE_1, ...BLANK_CLASSES_1, ...PAGE_2];
      const result = await extractDoc(doc(table(rows, rows.length - 1, false, ruled)), 'memory://fa04-overflow.pdf');
      expectOneTable(result);
      expect(cellMap(result.facts, KIND)).toEqual(EXPECTED);
      expect(factAt(result.facts, KIND, 'income:grand_total', 'amount')).toMatchObject({ value: '1750.00', page: 3 });
      expect(factAt(result.facts, KIND, 'expenditure:grand_total', 'gov_fund')).toMatchObject({ value: '130.00', page: 3 });
    });
  });
}

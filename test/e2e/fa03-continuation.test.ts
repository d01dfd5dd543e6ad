/**
 * End to end: a 支出决算表 (fa03_expenditure) continued over two pages, with and without its header
 * repeated on the continuation page (REAL-DOCUMENTS.md: "A table continued on the next page with
 * or without its header"). Every row must come out exactly once. Figures from seed 001, 表3.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DocumentResult } from '../../src/model/document.js';
import type { Fact } from '../../src/model/fact.js';
import { processDocument } from '../../src/pipeline/process-document.js';
import { makePdf, type Block, type DocSpec, type HeaderCell, type TableSpec } from '../support/make-pdf.js';

const COLUMN_KEYS = ['total', 'basic', 'project', 'remit_to_superior', 'operating', 'subsidy_to_affiliates'] as const;

const HEADER: HeaderCell[][] = [
  [
    { text: '项目', colspan: 2 },
    { text: '本年支出合计', rowspan: 2 },
    { text: '基本支出', rowspan: 2 },
    { text: '项目支出', rowspan: 2 },
    { text: '上缴上级支出', rowspan: 2 },
    { text: '经营支出', rowspan: 2 },
    { text: '对附属单位补助支出', rowspan: 2 },
  ],
  [{ text: '功能分类科目编码' }, { text: '科目名称' }],
];

const ROWS: string[][] = [
  ['', '合计', '49,664.69', '10,470.82', '39,193.86', '0.00', '0.00', '0.00'],
  ['201', '一般公共服务支出', '34,970.13', '7,070.80', '27,899.33', '0.00', '0.00', '0.00'],
  ['20103', '政府办公厅（室）及相关机构事务', '34,950.13', '7,070.80', '27,879.33', '0.00', '0.00', '0.00'],
  ['2010301', '行政运行', '3,268.06', '3,268.06', '0.00', '0.00', '0.00', '0.00'],
  ['2010302', '一般行政管理事务', '2,036.95', '0.00', '2,036.95', '0.00', '0.00', '0.00'],
  ['2010350', '事业运行', '3,802.74', '3,802.74', '0.00', '0.00', '0.00', '0.00'],
  ['2010399', '其他政府办公厅（室）及相关机构事务支出', '25,842.38', '0.00', '25,842.38', '0.00', '0.00', '0.00'],
  ['20138', '市场监督管理事务', '20.00', '0.00', '20.00', '0.00', '0.00', '0.00'],
  // ---- page 2 (maxRowsPerPage: 8)
  ['2013810', '质量基础', '20.00', '0.00', '20.00', '0.00', '0.00', '0.00'],
  ['206', '科学技术支出', '11,294.54', '0.00', '11,294.54', '0.00', '0.00', '0.00'],
  ['20605', '科技条件与服务', '11,294.54', '0.00', '11,294.54', '0.00', '0.00', '0.00'],
  ['2060503', '科技条件专项', '11,294.54', '0.00', '11,294.54', '0.00', '0.00', '0.00'],
  ['208', '社会保障和就业支出', '1,146.11', '1,146.11', '0.00', '0.00', '0.00', '0.00'],
  ['210', '卫生健康支出', '3.45', '3.45', '0.00', '0.00', '0.00', '0.00'],
  ['221', '住房保障支出', '2,250.46', '2,250.46', '0.00', '0.00', '0.00', '0.00'],
  ['2210201', '住房公积金', '607.67', '607.67', '0.00', '0.00', '0.00', '0.00'],
];
const PAGE_1_ROWS = 8;

const COL_WIDTHS = [80, 170, 75, 75, 75, 75, 75, 80];

function expenditureTable(ruled: boolean, repeatHeader: boolean, rows = ROWS): TableSpec {
  return {
    tableNo: '表3',
    title: '支出决算表',
    entityLine: '部门：广州市政务服务数据管理局',
    unitLine: '单位：万元',
    header: HEADER,
    rows,
    colWidths: COL_WIDTHS,
    ruled,
    maxRowsPerPage: PAGE_1_ROWS,
    repeatHeader,
    note: '注：本表反映部门本年度各项支出情况。',
  };
}

async function extract(spec: DocSpec): Promise<DocumentResult> {
  const pdf = await makePdf(spec);
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  return processDocument({ source: 'memory://fa03.pdf', sha256, bytes: pdf.length }, new Uint8Array(pdf));
}

/** `row_key|column_key` → value; fails on a duplicate key. */
function cells(facts: readonly Fact[], kind: string): Record<string, string> {
  const out: Record<string, string> = {};
  const dups: string[] = [];
  for (const f of facts.filter((x) => x.table_kind === kind)) {
    const k = `${f.row_key}|${f.column_key}`;
    if (k in out) dups.push(k);
    out[k] = f.value;
  }
  expect(dups, 'facts printed more than once').toEqual([]);
  return out;
}

function expectedCells(rows = ROWS): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [code, , ...amounts] of rows) {
    amounts.forEach((a, i) => { out[`${code || 'total'}|${COLUMN_KEYS[i]}`] = a!.replace(/,/g, ''); });
  }
  return out;
}

const pageOf = (facts: readonly Fact[], row: string) => [...new Set(facts.filter((f) => f.row_key === row).map((f) => f.page))];

const variants = [
  { name: 'ruled, header repeated', ruled: true, repeatHeader: true },
  { name: 'ruled, header not repeated', ruled: true, repeatHeader: false },
  { name: 'unruled, header repeated', ruled: false, repeatHeader: true },
  { name: 'unruled, header not repeated', ruled: false, repeatHeader: false },
];

describe('fa03_expenditure continued over two pages', { timeout: 30_000 }, () => {
  for (const v of variants) {
    it(`${v.name}: one table over pages 1-2, every row once`, async () => {
      const result = await extract({ landscape: true, blocks: [{ kind: 'table', table: expenditureTable(v.ruled, v.repeatHeader) }] });
      expect(result.pages).toBe(2);
      expect(result.tables.map((t) => [t.table_kind, t.pages])).toEqual([['fa03_expenditure', [1, 2]]]);
      expect(cells(result.facts, 'fa03_expenditure')).toEqual(expectedCells());
      // rows keep the page they were printed on
      expect(pageOf(result.facts, '20138')).toEqual([1]);
      expect(pageOf(result.facts, '2013810')).toEqual([2]);
      expect(pageOf(result.facts, '2210201')).toEqual([2]);
      // columns on the continuation page are labelled by the header of page 1
      const f = result.facts.find((x) => x.row_key === '208' && x.column_key === 'basic');
      expect(f).toMatchObject({ column_label: '基本支出', value: '1146.11', row_label: '社会保障和就业支出', page: 2 });
    });
  }

  // Seed 001 (and most Guangdong final accounts) reprint the title, the 单位 line, the header and
  // even the 合计 row on every page of a long table.
  // Regression, fixed: each page becomes its own fa03_expenditure table with table_instance '',
  // and normalize/index.ts dedupeKeys only dedupes within one table, so the reprinted 合计 row's
  // facts (total|total, total|basic, …) appear twice in facts.csv under the same key.
  it('title, unit line, header and 合计 printed again on the second page: still one set of facts', async () => {
    const page1 = ROWS.slice(0, PAGE_1_ROWS);
    const page2 = [ROWS[0]!, ...ROWS.slice(PAGE_1_ROWS)];
    const blocks: Block[] = [
      { kind: 'table', table: { ...expenditureTable(true, true, page1), maxRowsPerPage: undefined, note: undefined } },
      { kind: 'pageBreak' },
      { kind: 'table', table: { ...expenditureTable(true, true, page2), maxRowsPerPage: undefined, tableNo: undefined } },
    ];
    const result = await extract({ landscape: true, blocks });
    expect(cells(result.facts, 'fa03_expenditure')).toEqual(expectedCells());
  });
});

/**
 * End to end: a generated 收入决算表 (fa02_income) through processDocument, ruled and unruled.
 * Figures are those of seed 001 (广州市政务服务数据管理局 2022 部门决算, 表2).
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DocumentResult } from '../../src/model/document.js';
import type { Fact } from '../../src/model/fact.js';
import { processDocument } from '../../src/pipeline/process-document.js';
import { makePdf, type DocSpec, type HeaderCell, type TableSpec } from '../support/make-pdf.js';

const COLUMN_KEYS = ['total', 'fiscal_appropriation', 'superior_subsidy', 'business_income', 'operating_income', 'affiliated_remittance', 'other_income'] as const;

const HEADER: HeaderCell[][] = [
  [
    { text: '项目', colspan: 2 },
    { text: '本年收入合计', rowspan: 2 },
    { text: '财政拨款收入', rowspan: 2 },
    { text: '上级补助收入', rowspan: 2 },
    { text: '事业收入', rowspan: 2 },
    { text: '经营收入', rowspan: 2 },
    // 6 characters fit the 58pt column: printed as 附属单位上缴 / 收入, as in seed 001
    { text: '附属单位上缴收入', rowspan: 2 },
    { text: '其他收入', rowspan: 2 },
  ],
  [{ text: '功能分类科目编码' }, { text: '科目名称' }],
];

/** code, label, then the seven amounts. */
const ROWS: string[][] = [
  ['', '合计', '49,664.69', '49,644.69', '0.00', '0.00', '0.00', '0.00', '20.00'],
  ['201', '一般公共服务支出', '34,970.13', '34,950.13', '0.00', '0.00', '0.00', '0.00', '20.00'],
  ['20103', '政府办公厅（室）及相关机构事务', '34,950.13', '34,950.13', '0.00', '0.00', '0.00', '0.00', '0.00'],
  ['2010301', '行政运行', '3,268.06', '3,268.06', '0.00', '0.00', '0.00', '0.00', '0.00'],
  ['2010302', '一般行政管理事务', '2,036.95', '2,036.95', '0.00', '0.00', '0.00', '0.00', '0.00'],
  ['2010350', '事业运行', '3,802.74', '3,802.74', '0.00', '0.00', '0.00', '0.00', '0.00'],
  // wraps onto two lines in its cell
  ['2010399', '其他政府办公厅（室）及相关机构事务支出', '25,842.38', '25,842.38', '0.00', '0.00', '0.00', '0.00', '0.00'],
  ['20138', '市场监督管理事务', '20.00', '0.00', '0.00', '0.00', '0.00', '0.00', '20.00'],
  ['2013810', '质量基础', '20.00', '0.00', '0.00', '0.00', '0.00', '0.00', '20.00'],
  ['206', '科学技术支出', '11,294.54', '11,294.54', '0.00', '0.00', '0.00', '0.00', '0.00'],
  ['20605', '科技条件与服务', '11,294.54', '11,294.54', '0.00', '0.00', '0.00', '0.00', '0.00'],
  ['2060503', '科技条件专项', '11,294.54', '11,294.54', '0.00', '0.00', '0.00', '0.00', '0.00'],
  ['208', '社会保障和就业支出', '1,146.11', '1,146.11', '0.00', '0.00', '0.00', '0.00', '0.00'],
  ['20805', '行政事业单位养老支出', '1,146.11', '1,146.11', '0.00', '0.00', '0.00', '0.00', '0.00'],
  ['2080505', '机关事业单位基本养老保险缴费支出', '682.19', '682.19', '0.00', '0.00', '0.00', '0.00', '0.00'],
];

const COL_WIDTHS = [80, 150, 66, 66, 66, 66, 66, 58, 66];

function incomeTable(ruled: boolean, extra: Partial<TableSpec> = {}): TableSpec {
  return {
    tableNo: '表2',
    title: '收入决算表',
    entityLine: '单位：广州市政务服务数据管理局',
    unitLine: '单位：万元',
    header: HEADER,
    rows: ROWS,
    colWidths: COL_WIDTHS,
    ruled,
    note: '注：本表反映部门本年度取得的各项收入情况。',
    ...extra,
  };
}

const docOf = (table: TableSpec): DocSpec => ({ landscape: true, blocks: [{ kind: 'table', table }] });

async function extract(spec: DocSpec): Promise<DocumentResult> {
  const pdf = await makePdf(spec);
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  return processDocument({ source: 'memory://fa02.pdf', sha256, bytes: pdf.length }, new Uint8Array(pdf));
}

/** `row_key|column_key` → value of every fact of one table kind. */
function cells(facts: readonly Fact[], kind: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of facts.filter((x) => x.table_kind === kind)) {
    const k = `${f.row_key}|${f.column_key}`;
    expect(out[k], `duplicate fact ${k}`).toBeUndefined();
    out[k] = f.value;
  }
  return out;
}

function expectedCells(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [code, , ...amounts] of ROWS) {
    amounts.forEach((a, i) => { out[`${code || 'total'}|${COLUMN_KEYS[i]}`] = a!.replace(/,/g, ''); });
  }
  return out;
}

function find(facts: readonly Fact[], row: string, col: string): Fact {
  const f = facts.find((x) => x.table_kind === 'fa02_income' && x.row_key === row && x.column_key === col);
  if (!f) throw new Error(`no fact fa02_income ${row}/${col}; have ${facts.map((x) => `${x.row_key}/${x.column_key}`).join(' ')}`);
  return f;
}

for (const ruled of [true, false]) {
  describe(`fa02_income, ${ruled ? 'ruled (lattice)' : 'unruled (whitespace-aligned)'}`, { timeout: 30_000 }, () => {
    let result: DocumentResult;
    beforeAll(async () => { result = await extract(docOf(incomeTable(ruled))); });

    it('finds one 收入决算表 with the unit line entity', () => {
      expect(result.status).toBe('ok');
      expect(result.tables.map((t) => [t.table_kind, t.title, t.entity, t.pages])).toEqual([
        ['fa02_income', '收入决算表', '广州市政务服务数据管理局', [1]],
      ]);
    });

    it('reads every printed cell, keyed by code and canonical column, and nothing else', () => {
      expect(cells(result.facts, 'fa02_income')).toEqual(expectedCells());
    });

    it('2010301 行政运行 / fiscal_appropriation', () => {
      const f = find(result.facts, '2010301', 'fiscal_appropriation');
      expect(f).toMatchObject({
        row_label: '行政运行',
        column_label: '财政拨款收入',
        value: '3268.06',
        value_cny: '32680600',
        unit: '万元',
        page: 1,
        method: 'text',
        confidence: 1,
        line_no: '',
        table_instance: '',
        entity: '广州市政务服务数据管理局',
        doc_kind: 'final_account',
        source: 'memory://fa02.pdf',
      });
      expect(f.source_sha256).toMatch(/^[0-9a-f]{64}$/);
      const [x0, y0, x1, y1] = f.bbox.split(' ').map(Number) as [number, number, number, number];
      expect(x0).toBeLessThan(x1);
      expect(y0).toBeLessThan(y1);
      // inside a landscape A4 page
      expect(x1).toBeLessThanOrEqual(841.89);
      expect(y1).toBeLessThanOrEqual(595.28);
    });

    it('the total row is keyed total, and totals agree with the printed figures', () => {
      expect(find(result.facts, 'total', 'total')).toMatchObject({ row_label: '合计', value: '49664.69', value_cny: '496646900' });
      expect(find(result.facts, 'total', 'other_income').value).toBe('20.00');
      expect(find(result.facts, '2013810', 'other_income').value).toBe('20.00');
    });

    it('joins the header wrapped onto two lines (附属单位上缴 / 收入)', () => {
      expect(find(result.facts, '201', 'affiliated_remittance')).toMatchObject({ column_label: '附属单位上缴收入', value: '0.00' });
    });

    it('joins a label wrapped onto two lines inside its cell', () => {
      expect(find(result.facts, '2010399', 'total')).toMatchObject({ row_label: '其他政府办公厅（室）及相关机构事务支出', value: '25842.38' });
    });

    it('prints zero as 0.00 and converts it to 0 yuan', () => {
      expect(find(result.facts, '206', 'business_income')).toMatchObject({ value: '0.00', value_cny: '0' });
    });
  });
}

describe('fa02_income with a 栏次 row under the header (national template, seed 001)', { timeout: 30_000 }, () => {
  const withLineRow = (ruled: boolean): TableSpec => incomeTable(ruled, {
    header: [...HEADER, [{ text: '栏次', colspan: 2 }, ...['1', '2', '3', '4', '5', '6', '7'].map((text) => ({ text }))]],
  });

  for (const ruled of [true, false]) {
    it(`${ruled ? 'ruled' : 'unruled'}: the 栏次 numbers are neither a row nor a header`, async () => {
      const result = await extract(docOf(withLineRow(ruled)));
      expect(cells(result.facts, 'fa02_income')).toEqual(expectedCells());
      expect(find(result.facts, '2010301', 'fiscal_appropriation').column_label).toBe('财政拨款收入');
    });
  }
});

describe('fa02_income with text-layer artifacts (REAL-DOCUMENTS.md)', { timeout: 30_000 }, () => {
  const small = (rows: string[][], ruled = true): TableSpec => incomeTable(ruled, { rows });

  it('spaced numbers and labels broken mid-word, as in the seed 001 text layer', async () => {
    const result = await extract(docOf(small([
      ['', '合计', '49, 664. 69', '49, 644. 69', '0.00', '0.00', '0.00', '0.00', '20. 00'],
      ['201', '一般公共服务支出', '34, 970. 13', '34, 950. 13', '0.00', '0.00', '0.00', '0.00', '20. 00'],
      ['208', '社会保障和就业支 出', '1, 146. 11', '1, 146. 11', '0.00', '0.00', '0.00', '0.00', '0. 00'],
      ['2080503', '离退休人员管理机 构', '0. 25', '0. 25', '0.00', '0.00', '0.00', '0.00', '0. 00'],
    ])));
    expect(find(result.facts, 'total', 'fiscal_appropriation')).toMatchObject({ value: '49644.69', value_cny: '496446900' });
    expect(find(result.facts, 'total', 'fiscal_appropriation').repairs.split(';')).toContain('despace_number');
    expect(find(result.facts, '201', 'other_income')).toMatchObject({ value: '20.00' });
    expect(find(result.facts, '208', 'total')).toMatchObject({ row_label: '社会保障和就业支出', value: '1146.11' });
    expect(find(result.facts, '2080503', 'fiscal_appropriation')).toMatchObject({ row_label: '离退休人员管理机构', value: '0.25', value_cny: '2500' });
    expect(Object.keys(cells(result.facts, 'fa02_income'))).toHaveLength(4 * 7);
  });

  it('zero printed as a dash, and a negative amount', async () => {
    const result = await extract(docOf(small([
      ['', '合计', '1,552.50', '1,597.60', '—', '-', '0.00', '', '-45.10'],
      ['201', '一般公共服务支出', '1,552.50', '1,597.60', '—', '-', '0.00', '', '-45.10'],
    ])));
    expect(find(result.facts, '201', 'superior_subsidy')).toMatchObject({ value: '0', value_cny: '0' });
    expect(find(result.facts, '201', 'superior_subsidy').repairs.split(';')).toContain('dash_as_zero');
    expect(find(result.facts, '201', 'business_income').value).toBe('0');
    expect(find(result.facts, '201', 'other_income')).toMatchObject({ value: '-45.10', value_cny: '-451000' });
    // a blank cell produces no row
    expect(result.facts.some((f) => f.row_key === '201' && f.column_key === 'affiliated_remittance')).toBe(false);
    expect(Object.keys(cells(result.facts, 'fa02_income'))).toHaveLength(2 * 6);
  });

  it('full-width digits in amount cells (`２０．００`)', async () => {
    const result = await extract(docOf(small([
      ['', '合计', '49,664.69', '49,644.69', '0.00', '0.00', '0.00', '0.00', '２０．００'],
      ['201', '一般公共服务支出', '34,970.13', '34,950.13', '0.00', '0.00', '0.00', '0.00', '２０．００'],
      ['208', '社会保障和就业支出', '1,146.11', '1,146.11', '0.00', '0.00', '0.00', '0.00', '0.00'],
    ])));
    const f = find(result.facts, '201', 'other_income');
    expect(f).toMatchObject({ value: '20.00', value_cny: '200000' });
    expect(f.repairs.split(';')).toContain('fullwidth_to_ascii');
    expect(cells(result.facts, 'fa02_income')['208|other_income']).toBe('0.00');
  });

  // Regression, fixed: In a ruled table, values of one column that do not overlap horizontally
  // (here make-pdf left-aligns the text-like '20. 00' and right-aligns '0.00'; seed 001's 其他收入
  // column mixes '20. 00' and '0.00' the same way) form two value clusters between the same two
  // vertical rules. Both get the header 其他收入 → other_income, and map-table's blockValueColumns
  // keeps only the first, so the cells of the second cluster (208, 2080503) are silently dropped.
  it('ruled: spaced values left-aligned above right-aligned ones in one column are all read', async () => {
    const result = await extract(docOf(small([
      ['', '合计', '49,664.69', '49,644.69', '0.00', '0.00', '0.00', '0.00', '20. 00'],
      ['201', '一般公共服务支出', '34,970.13', '34,950.13', '0.00', '0.00', '0.00', '0.00', '20. 00'],
      ['208', '社会保障和就业支出', '1,146.11', '1,146.11', '0.00', '0.00', '0.00', '0.00', '0.00'],
      ['2080503', '离退休人员管理机构', '0.25', '0.25', '0.00', '0.00', '0.00', '0.00', '0.00'],
    ])));
    const got = cells(result.facts, 'fa02_income');
    expect(got['201|other_income']).toBe('20.00');
    expect(got['208|other_income']).toBe('0.00');
    expect(got['2080503|other_income']).toBe('0.00');
  });
});

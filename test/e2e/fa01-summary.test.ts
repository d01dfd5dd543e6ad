/**
 * End to end: a two-sided 收入支出决算总表 (fa01_summary): 收入 side 项目/行次/决算数 | 支出 side
 * 项目/行次/决算数. Rows keyed income:<item> / expenditure:<item> (OUTPUT.md appendix), the
 * printed 行次 in line_no. Figures from seed 001, 表1.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DocumentResult } from '../../src/model/document.js';
import type { Fact } from '../../src/model/fact.js';
import { processDocument } from '../../src/pipeline/process-document.js';
import { makePdf, type DocSpec, type HeaderCell, type TableSpec } from '../support/make-pdf.js';

const HEADER: HeaderCell[][] = [
  [{ text: '收入', colspan: 3 }, { text: '支出', colspan: 3 }],
  [{ text: '项目' }, { text: '行次' }, { text: '决算数' }, { text: '项目' }, { text: '行次' }, { text: '决算数' }],
];
const LINE_ROW: HeaderCell[] = [{ text: '栏次' }, { text: '' }, { text: '1' }, { text: '栏次' }, { text: '' }, { text: '2' }];

const ROWS: string[][] = [
  ['一、一般公共预算财政拨款收入', '1', '49,644.69', '一、一般公共服务支出', '31', '34,970.13'],
  ['二、政府性基金预算财政拨款收入', '2', '0.00', '二、外交支出', '32', '0.00'],
  ['三、国有资本经营预算财政拨款收入', '3', '0.00', '三、国防支出', '33', '0.00'],
  ['四、上级补助收入', '4', '0.00', '四、公共安全支出', '34', '0.00'],
  ['五、事业收入', '5', '0.00', '五、教育支出', '35', '0.00'],
  ['六、经营收入', '6', '0.00', '六、科学技术支出', '36', '11,294.54'],
  ['七、附属单位上缴收入', '7', '0.00', '七、文化旅游体育与传媒支出', '37', '0.00'],
  ['八、其他收入', '8', '20.00', '八、社会保障和就业支出', '38', '1,146.11'],
  // income side empty: only the 行次 printed
  ['', '9', '', '九、卫生健康支出', '39', '3.45'],
  ['', '10', '', '十九、住房保障支出', '49', '2,250.46'],
  ['', '11', '', '二十二、灾害防治及应急管理支出', '52', '0.00'],
  ['本年收入合计', '27', '49,664.69', '本年支出合计', '57', '49,664.69'],
  ['使用非财政拨款结余', '28', '0.00', '结余分配', '58', '0.00'],
  ['年初结转和结余', '29', '0.00', '年末结转和结余', '59', '0.00'],
  ['总计', '30', '49,664.69', '总计', '60', '49,664.69'],
];

/** row_key → [line_no, value] for every printed amount. */
const EXPECTED: Record<string, [string, string]> = {
  'income:general_budget': ['1', '49644.69'],
  'income:gov_fund': ['2', '0.00'],
  'income:state_capital': ['3', '0.00'],
  'income:superior_subsidy': ['4', '0.00'],
  'income:business_income': ['5', '0.00'],
  'income:operating_income': ['6', '0.00'],
  'income:affiliated_remittance': ['7', '0.00'],
  'income:other_income': ['8', '20.00'],
  'income:income_total': ['27', '49664.69'],
  'income:non_fiscal_balance_used': ['28', '0.00'],
  'income:carryover_begin': ['29', '0.00'],
  'income:grand_total': ['30', '49664.69'],
  'expenditure:201': ['31', '34970.13'],
  'expenditure:202': ['32', '0.00'],
  'expenditure:203': ['33', '0.00'],
  'expenditure:204': ['34', '0.00'],
  'expenditure:205': ['35', '0.00'],
  'expenditure:206': ['36', '11294.54'],
  'expenditure:207': ['37', '0.00'],
  'expenditure:208': ['38', '1146.11'],
  'expenditure:210': ['39', '3.45'],
  'expenditure:221': ['49', '2250.46'],
  'expenditure:224': ['52', '0.00'],
  'expenditure:expenditure_total': ['57', '49664.69'],
  'expenditure:surplus_distribution': ['58', '0.00'],
  'expenditure:carryover_end': ['59', '0.00'],
  'expenditure:grand_total': ['60', '49664.69'],
};

function summaryTable(ruled: boolean, header = HEADER): TableSpec {
  return {
    tableNo: '表1',
    title: '收入支出决算总表',
    entityLine: '部门：广州市政务服务数据管理局',
    unitLine: '单位：万元',
    header,
    rows: ROWS,
    colWidths: [150, 30, 65, 150, 30, 65],
    ruled,
    note: '注：本表反映部门本年度的总收支和年末结转结余情况。',
  };
}

async function extract(spec: DocSpec): Promise<DocumentResult> {
  const pdf = await makePdf(spec);
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  return processDocument({ source: 'memory://fa01.pdf', sha256, bytes: pdf.length }, new Uint8Array(pdf));
}

function summary(facts: readonly Fact[]): Record<string, [string, string]> {
  const out: Record<string, [string, string]> = {};
  const dups: string[] = [];
  for (const f of facts.filter((x) => x.table_kind === 'fa01_summary')) {
    expect(f.column_key).toBe('amount');
    if (f.row_key in out) dups.push(f.row_key);
    out[f.row_key] = [f.line_no, f.value];
  }
  expect(dups, 'rows read twice').toEqual([]);
  return out;
}

const fact = (facts: readonly Fact[], row: string) => facts.find((f) => f.table_kind === 'fa01_summary' && f.row_key === row);

for (const ruled of [true, false]) {
  describe(`fa01_summary, ${ruled ? 'ruled' : 'unruled'}`, { timeout: 30_000 }, () => {
    it('reads both sides: canonical items, class codes, totals, line numbers', async () => {
      const result = await extract({ blocks: [{ kind: 'table', table: summaryTable(ruled) }] });
      expect(result.tables.map((t) => t.table_kind)).toEqual(['fa01_summary']);
      expect(summary(result.facts)).toEqual(EXPECTED);
      expect(fact(result.facts, 'income:general_budget')).toMatchObject({ row_label: '一、一般公共预算财政拨款收入', column_label: expect.stringContaining('决算数'), value_cny: '496446900', unit: '万元' });
      expect(fact(result.facts, 'expenditure:201')).toMatchObject({ row_label: '一、一般公共服务支出', value: '34970.13' });
      expect(fact(result.facts, 'income:grand_total')?.row_label).toBe('总计');
      expect(fact(result.facts, 'expenditure:expenditure_total')?.row_label).toBe('本年支出合计');
    });

    it('with the 栏次 row of the national template under the header', async () => {
      const result = await extract({ blocks: [{ kind: 'table', table: summaryTable(ruled, [...HEADER, LINE_ROW]) }] });
      expect(summary(result.facts)).toEqual(EXPECTED);
    });
  });
}

describe('fa01_summary, a lone 收入合计 closing its side', { timeout: 30_000 }, () => {
  it('is the grand_total of that side; a line the appendix does not know is income:label:<label>', async () => {
    const table: TableSpec = {
      ...summaryTable(true),
      rows: [
        ['一、一般公共预算财政拨款收入', '1', '1,597.60', '一、一般公共服务支出', '31', '645.88'],
        ['二、专项收入', '2', '0.00', '二、科学技术支出', '32', '951.72'],
        ['收入合计', '3', '1,597.60', '支出合计', '33', '1,597.60'],
      ],
    };
    const result = await extract({ blocks: [{ kind: 'table', table }] });
    expect(summary(result.facts)).toEqual({
      'income:general_budget': ['1', '1597.60'],
      'income:label:专项收入': ['2', '0.00'],
      'income:grand_total': ['3', '1597.60'],
      'expenditure:201': ['31', '645.88'],
      'expenditure:206': ['32', '951.72'],
      'expenditure:grand_total': ['33', '1597.60'],
    });
  });
});

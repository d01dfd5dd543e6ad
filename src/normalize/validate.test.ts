import { describe, expect, it } from 'vitest';
import type { Fact } from '../model/fact.js';
import { checkCompleteness, validateFacts } from './validate.js';

const SHA = 'a'.repeat(64);

function fact(table_kind: string, row_key: string, column_key: string, value: string, unit = '万元'): Fact {
  return {
    source_sha256: SHA, source: 'x.pdf', entity: '某局', fiscal_year: '2024', doc_kind: 'final_account', table_kind, table_instance: '',
    row_key, row_label: '', column_key, column_label: '', value, value_cny: '', line_no: '', unit, page: 1, bbox: '', method: 'text', confidence: 1, repairs: '',
  };
}

/** fa03 rows as printed in a seed (支出决算表): total, class 201, its 款 and 项. */
function fa03(rows: [string, string, string, string][]): Fact[] {
  return rows.flatMap(([row, total, basic, project]) => [
    fact('fa03_expenditure', row, 'total', total), fact('fa03_expenditure', row, 'basic', basic), fact('fa03_expenditure', row, 'project', project),
  ]);
}

const CONSISTENT: [string, string, string, string][] = [
  ['total', '1597.60', '835.89', '761.71'],
  ['201', '645.88', '601.75', '44.13'],
  ['20103', '645.88', '601.75', '44.13'],
  ['2010301', '601.75', '601.75', '0.00'],
  ['2010306', '44.13', '0.00', '44.13'],
  ['206', '951.72', '234.14', '717.58'],
];

describe('validateFacts', () => {
  it('passes every identity of a consistent table', () => {
    const rows = validateFacts(fa03(CONSISTENT));
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.filter((r) => !r.pass)).toEqual([]);
    expect(rows.map((r) => r.rule)).toContain('fa03.total_column@2010301');
    expect(rows.map((r) => r.rule)).toContain('fa03_expenditure.code_hierarchy@20103/total');
    expect(rows.map((r) => r.rule)).toContain('fa03_expenditure.total_of_classes@basic');
  });

  it('reports an injected digit error in the rule that sees it, with expected, found and difference', () => {
    const broken = CONSISTENT.map((r) => (r[0] === '2010301' ? (['2010301', '601.75', '607.75', '0.00'] as typeof r) : r));
    const failed = validateFacts(fa03(broken)).filter((r) => !r.pass);
    expect(failed.map((r) => r.rule).sort()).toEqual(['fa03.total_column@2010301', 'fa03_expenditure.code_hierarchy@20103/basic']);
    const row = failed.find((r) => r.rule === 'fa03.total_column@2010301')!;
    expect(row).toMatchObject({ expected: '607.75', found: '601.75', difference: '-6', table_kind: 'fa03_expenditure' });
  });

  it('allows 0.01 of rounding per summed term, not more', () => {
    const rounding = CONSISTENT.map((r) => (r[0] === 'total' ? (['total', '1597.61', '835.89', '761.71'] as typeof r) : r));
    expect(validateFacts(fa03(rounding)).filter((r) => !r.pass)).toEqual([]);
    const off = CONSISTENT.map((r) => (r[0] === 'total' ? (['total', '1597.64', '835.89', '761.71'] as typeof r) : r));
    expect(validateFacts(fa03(off)).filter((r) => !r.pass).map((r) => r.rule).sort()).toEqual(['fa03.total_column@total', 'fa03_expenditure.total_of_classes@total']);
  });

  it('checks identities across tables of one document and skips those whose cells are absent', () => {
    const facts = [
      fact('fa01_summary', 'expenditure:expenditure_total', 'amount', '1597.60'),
      fact('fa01_summary', 'income:grand_total', 'amount', '1597.60'),
      fact('fa01_summary', 'expenditure:grand_total', 'amount', '1597.50'),
      ...fa03(CONSISTENT),
    ];
    const rows = validateFacts(facts);
    expect(rows.find((r) => r.rule === 'fa01_fa03.expenditure_total')).toMatchObject({ pass: true });
    expect(rows.find((r) => r.rule === 'fa01.balance')).toMatchObject({ pass: false, expected: '1597.5', found: '1597.6', difference: '0.1' });
    expect(rows.some((r) => r.rule === 'fa01_fa02.income_total')).toBe(false);
  });

  it('ignores text and percentage cells, and amounts that are not a plain decimal', () => {
    expect(validateFacts([fact('fa03_expenditure', 'total', 'total', '优', ''), fact('fa03_expenditure', '201', 'total', '100', '%')])).toEqual([]);
    // A blank amount is unread, not zero: the balance is not checked.
    expect(validateFacts([fact('fa01_summary', 'income:grand_total', 'amount', ''), fact('fa01_summary', 'expenditure:grand_total', 'amount', '0.00')])).toEqual([]);
  });

  it('lists the cells each identity compared, target first, leaving out absent terms', () => {
    const cell = (table_kind: string, row_key: string, column_key: string) => ({ table_kind, table_instance: '', row_key, column_key });
    const fa03cell = (row: string, column: string) => cell('fa03_expenditure', row, column);
    const facts = [
      fact('fa01_summary', 'expenditure:expenditure_total', 'amount', '1597.60'),
      ...fa03(CONSISTENT).filter((f) => !(f.row_key === '2010306' && f.column_key === 'basic')),
    ];
    const byRule = new Map(validateFacts(facts).map((r) => [r.rule, r.cells]));
    expect(byRule.get('fa03.total_column@2010306')).toEqual([fa03cell('2010306', 'total'), fa03cell('2010306', 'project')]);
    expect(byRule.get('fa03_expenditure.code_hierarchy@20103/total')).toEqual([fa03cell('20103', 'total'), fa03cell('2010301', 'total'), fa03cell('2010306', 'total')]);
    expect(byRule.get('fa03_expenditure.code_hierarchy@20103/basic')).toEqual([fa03cell('20103', 'basic'), fa03cell('2010301', 'basic')]);
    expect(byRule.get('fa03_expenditure.total_of_classes@project')).toEqual([fa03cell('total', 'project'), fa03cell('201', 'project'), fa03cell('206', 'project')]);
    expect(byRule.get('fa01_fa03.expenditure_total')).toEqual([cell('fa01_summary', 'expenditure:expenditure_total', 'amount'), fa03cell('total', 'total')]);
    const instance = validateFacts(fa03(CONSISTENT).map((f) => ({ ...f, table_instance: '某项目' })));
    expect(instance.every((r) => r.cells!.every((c) => c.table_instance === '某项目'))).toBe(true);
  });
});

describe('checkCompleteness', () => {
  it('lists the nine final-account tables, failing the missing ones', () => {
    const found = ['fa01_summary', 'fa02_income', 'fa04_fiscal_summary', 'fa05_general_budget_expenditure', 'fa06_basic_expenditure_detail', 'fa07_gov_fund', 'fa08_state_capital', 'fa09_three_public'];
    const rows = checkCompleteness({ source: 'x.pdf', sha256: SHA, bytes: 1 }, 'final_account', found);
    expect(rows).toHaveLength(9);
    expect(rows.filter((r) => !r.pass)).toEqual([expect.objectContaining({ table_kind: 'fa03_expenditure', found: 'missing' })]);
    expect(checkCompleteness({ source: 'x.pdf', sha256: SHA, bytes: 1 }, 'budget', [])).toEqual([]);
  });
});

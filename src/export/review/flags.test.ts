import { describe, expect, it } from 'vitest';
import type { Identity } from '../../catalogue/identities.js';
import type { DocumentResult } from '../../model/document.js';
import type { Fact } from '../../model/fact.js';
import type { ValidationRow } from '../../model/validation.js';
import { validateFacts } from '../../normalize/validate.js';
import { flagDocument, identityCells } from './flags.js';

const SHA = 'a'.repeat(64);

function fact(table_kind: string, row_key: string, column_key: string, value: string, extra: Partial<Fact> = {}): Fact {
  return {
    source_sha256: SHA, source: 'in/x.pdf', entity: '某局', fiscal_year: '2024', doc_kind: 'final_account', table_kind, table_instance: '',
    row_key, row_label: row_key, column_key, column_label: column_key, value, value_cny: '', line_no: '', unit: '万元', page: 1,
    bbox: '10 10 40 20', method: 'text', confidence: 1, repairs: '', ...extra,
  };
}

function failing(rule: string, table_kind: string): ValidationRow {
  return { source_sha256: SHA, source: 'in/x.pdf', table_kind, table_instance: '', rule, expected: '1', found: '2', difference: '1', pass: false };
}

function result(facts: Fact[], validation: ValidationRow[]): DocumentResult {
  return {
    source: { source: 'in/x.pdf', sha256: SHA, bytes: 1 }, status: 'ok', pages: 1, pagesNeedingOcr: [], tables: [], facts, validation, findings: [], timingsMs: {},
  };
}

// fa03: 201 = 20101 + 20102 in every column, total = Σ classes, total column = basic + project
const FA03 = [
  fact('fa03_expenditure', 'total', 'total', '10'), fact('fa03_expenditure', 'total', 'basic', '4'), fact('fa03_expenditure', 'total', 'project', '6'),
  fact('fa03_expenditure', '201', 'total', '10'), fact('fa03_expenditure', '201', 'basic', '4'), fact('fa03_expenditure', '201', 'project', '7'),
  fact('fa03_expenditure', '20101', 'total', '3'), fact('fa03_expenditure', '20101', 'basic', '4'),
  fact('fa03_expenditure', '20102', 'total', '7'), fact('fa03_expenditure', '2010101', 'total', '3'),
];
const keys = (cells: { row_key: string; column_key: string; table_kind: string }[]) => cells.map((c) => `${c.table_kind}:${c.row_key}/${c.column_key}`);

describe('identityCells: the cells of a failing rule read back from its id', () => {
  it('column_sum @row: the target column, then the term columns the row has', () => {
    const got = identityCells(failing('fa03.total_column@201', 'fa03_expenditure'), FA03);
    expect(got.cellsFrom).toBe('rule');
    expect(keys(got.cells)).toEqual(['fa03_expenditure:201/total', 'fa03_expenditure:201/basic', 'fa03_expenditure:201/project']);
  });

  it('code_hierarchy @code/column: the parent, then its direct children in that column', () => {
    const got = identityCells(failing('fa03_expenditure.code_hierarchy@201/total', 'fa03_expenditure'), FA03);
    expect(keys(got.cells)).toEqual(['fa03_expenditure:201/total', 'fa03_expenditure:20101/total', 'fa03_expenditure:20102/total']);
  });

  it('total_of_classes @column: total, then the class rows', () => {
    const got = identityCells(failing('fa03_expenditure.total_of_classes@basic', 'fa03_expenditure'), FA03);
    expect(keys(got.cells)).toEqual(['fa03_expenditure:total/basic', 'fa03_expenditure:201/basic']);
  });

  it('cells identities: the catalogue references', () => {
    const got = identityCells(failing('fa01_fa03.expenditure_total', 'fa01_summary'), FA03);
    expect(keys(got.cells)).toEqual(['fa01_summary:expenditure:expenditure_total/amount', 'fa03_expenditure:total/total']);
  });

  it('an identity unknown to this build: the row after @', () => {
    const got = identityCells(failing('fa03.some_future_rule@20101', 'fa03_expenditure'), FA03, [] as Identity[]);
    expect(keys(got.cells)).toEqual(['fa03_expenditure:20101/total', 'fa03_expenditure:20101/basic']);
  });

  it('prefers the cells the validator listed', () => {
    const row = { ...failing('fa03.total_column@201', 'fa03_expenditure'), cells: [{ table_kind: 'fa03_expenditure', table_instance: '', row_key: '201', column_key: 'project' }] };
    expect(identityCells(row, FA03)).toEqual({ cells: row.cells, cellsFrom: 'validator' });
  });

  it('reads back, for every failing rule of the validator, the cells the validator listed', () => {
    const rows = validateFacts(FA03).filter((v) => !v.pass);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) {
      const fromRule = identityCells({ ...row, cells: undefined }, FA03).cells;
      expect(fromRule.length).toBeGreaterThan(0);
      // whatever the validator lists (when it lists), the rule id names the same target
      if (row.cells?.length) expect(keys(fromRule.slice(0, 1))).toEqual(keys(row.cells.slice(0, 1)));
    }
  });
});

describe('flagDocument', () => {
  it('flags failing identities (target and terms), unsure or repaired OCR, and identity repairs; leaves the rest', () => {
    const facts = [
      ...FA03,
      fact('fa02_income', 'total', 'total', '5', { method: 'ocr', confidence: 0.95 }),
      fact('fa02_income', '201', 'total', '5', { method: 'ocr', confidence: 0.5 }),
      fact('fa02_income', '206', 'total', '5', { method: 'ocr', confidence: 0.99, repairs: 'despace_number' }),
      fact('fa02_income', '208', 'total', '5', { repairs: 'despace_number;identity_fix' }),
      fact('fa02_income', '210', 'total', '5', { repairs: 'derived_from_identity', bbox: '' }),
    ];
    const flags = flagDocument(result(facts, [failing('fa03.total_column@201', 'fa03_expenditure'), failing('completeness', 'fa09_three_public')]));
    expect(flags.failing.map((f) => [f.row.rule, f.cellsFrom])).toEqual([['fa03.total_column@201', 'rule'], ['completeness', 'none']]);
    const seen = flags.cells.map((c) => `${c.fact.table_kind}:${c.fact.row_key}/${c.fact.column_key} ${[...c.reasons].join('+')}`);
    // most telling first: failing totals, values from identities, summed terms, OCR
    expect(seen).toEqual([
      'fa03_expenditure:201/total identity_target',
      'fa02_income:208/total identity_repair',
      'fa02_income:210/total identity_repair',
      'fa03_expenditure:201/basic identity_term',
      'fa03_expenditure:201/project identity_term',
      'fa02_income:201/total ocr',
      'fa02_income:206/total ocr',
    ]);
    expect(flags.cells[0]!.identities).toEqual([0]);
  });
});

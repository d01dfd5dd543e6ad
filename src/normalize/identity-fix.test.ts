import { describe, expect, it, vi } from 'vitest';
import type { Fact } from '../model/fact.js';
import { fixByIdentities } from './identity-fix.js';
import { validateFacts } from './validate.js';

const SHA = 'b'.repeat(64);

function fact(table_kind: string, row_key: string, column_key: string, value: string, method: Fact['method'] = 'ocr'): Fact {
  return {
    source_sha256: SHA, source: 'scan.pdf', entity: '某局', fiscal_year: '2024', doc_kind: 'final_account', table_kind, table_instance: '',
    row_key, row_label: '', column_key, column_label: '', value, value_cny: '', line_no: '', unit: '万元', page: 3, bbox: '10.0 20.0 60.0 30.0',
    method, confidence: 0.9, repairs: 'despace_number',
  };
}

/** 支出决算表 as printed: total = 201 + 206, 201 = 20101 + 20102, 206 = 20601 + 20602, total = basic + project in every row. */
const FA03: [string, string, string, string][] = [
  ['total', '1597.60', '835.89', '761.71'],
  ['201', '645.88', '601.75', '44.13'],
  ['20101', '601.75', '601.75', '0.00'],
  ['20102', '44.13', '0.00', '44.13'],
  ['206', '951.72', '234.14', '717.58'],
  ['20601', '234.14', '234.14', '0.00'],
  ['20602', '717.58', '0.00', '717.58'],
];
const COLUMNS = ['total', 'basic', 'project'] as const;

/** The fa03 table read by OCR, with some cells read otherwise (`row/column` → value). */
function fa03(misread: Record<string, string> = {}, method: (cell: string) => Fact['method'] = () => 'ocr'): Fact[] {
  return FA03.flatMap(([row, ...values]) => COLUMNS.map((column, i) => {
    const cell = `${row}/${column}`;
    return fact('fa03_expenditure', row, column, misread[cell] ?? values[i]!, method(cell));
  }));
}

/** Candidate readings by `row/column`. */
const candidates = (byCell: Record<string, string[]>) => (f: Fact) => byCell[`${f.row_key}/${f.column_key}`];
const at = (facts: Fact[], cell: string) => facts.find((f) => `${f.row_key}/${f.column_key}` === cell)!;
const failures = (facts: Fact[]) => validateFacts(facts).filter((r) => !r.pass).map((r) => r.rule).sort();

describe('fixByIdentities', () => {
  it('replaces a misread amount by the one reading that makes its identities hold', () => {
    const facts = fa03({ 'total/total': '1297.60', '20602/project': '7.58' });
    expect(failures(facts).length).toBeGreaterThan(0);
    const { facts: fixed, fixes, findings } = fixByIdentities(facts, candidates({
      'total/total': ['1,297.50', '1,597.60', '1797.60'],
      '20602/project': ['71.58', '717.58'],
      '201/basic': ['661.75'],
    }));
    expect(findings).toEqual([]);
    expect(at(fixed, 'total/total')).toMatchObject({ value: '1597.60', value_cny: '15976000', repairs: 'despace_number;identity_fix', confidence: 0.72, method: 'ocr' });
    expect(at(fixed, '20602/project')).toMatchObject({ value: '717.58', value_cny: '7175800', repairs: 'despace_number;identity_fix' });
    expect(at(fixed, '201/basic')).toEqual(at(facts, '201/basic'));
    expect(failures(fixed)).toEqual([]);
    expect(fixes).toEqual([
      { cell: { table_kind: 'fa03_expenditure', table_instance: '', row_key: 'total', column_key: 'total' }, page: 3, bbox: '10.0 20.0 60.0 30.0', from: '1297.60', to: '1597.60', repair: 'identity_fix', rules: ['fa03_expenditure.total_of_classes@total', 'fa03.total_column@total'] },
      { cell: { table_kind: 'fa03_expenditure', table_instance: '', row_key: '20602', column_key: 'project' }, page: 3, bbox: '10.0 20.0 60.0 30.0', from: '7.58', to: '717.58', repair: 'identity_fix', rules: ['fa03_expenditure.code_hierarchy@206/project', 'fa03.total_column@20602'] },
    ]);
    // The input is not modified.
    expect(at(facts, 'total/total').value).toBe('1297.60');
  });

  it('fixes two confusions of one row together when neither alone repairs the identities', () => {
    const facts = fa03({ '20101/total': '607.75', '20101/basic': '661.75' });
    const { facts: fixed, fixes } = fixByIdentities(facts, candidates({
      // 661.75 would balance the row alone, but breaks 201 = 20101 + 20102 in the total column.
      '20101/total': ['661.75', '601.75'],
      '20101/basic': ['601.75', '607.75'],
    }));
    expect(fixes.map((f) => [f.cell.row_key, f.cell.column_key, f.to, f.rules])).toEqual([
      ['20101', 'total', '601.75', ['fa03_expenditure.code_hierarchy@201/total', 'fa03.total_column@20101']],
      ['20101', 'basic', '601.75', ['fa03_expenditure.code_hierarchy@201/basic', 'fa03.total_column@20101']],
    ]);
    expect(failures(fixed)).toEqual([]);
  });

  it('rejects a reading that repairs one identity but breaks another', () => {
    // 20601/basic is misread and OCR offers no right reading; changing 20601/total to 294.14 would balance the row
    // but break 206 = 20601 + 20602 in the total column.
    const facts = fa03({ '20601/basic': '294.14' });
    const wrongOnly = fixByIdentities(facts, candidates({ '20601/basic': ['284.14'], '20601/total': ['294.14'] }));
    expect(wrongOnly.facts).toEqual(facts);
    expect(wrongOnly.fixes).toEqual([]);
    expect(wrongOnly.findings).toEqual([]);
    const withRight = fixByIdentities(facts, candidates({ '20601/basic': ['284.14', '234.14'], '20601/total': ['294.14'] }));
    expect(withRight.fixes.map((f) => [f.cell.row_key, f.cell.column_key, f.to])).toEqual([['20601', 'basic', '234.14']]);
  });

  it('rejects a reading that repairs the failing identity but breaks identities that passed', () => {
    // fa01's 本年支出合计 is misread and has no other reading; fa03 total/total = 1297.60 would repair
    // fa01_fa03.expenditure_total but break the fa03 total row and column, which pass as read.
    const facts = [fact('fa01_summary', 'expenditure:expenditure_total', 'amount', '1297.60'), ...fa03()];
    const { facts: fixed, fixes, findings } = fixByIdentities(facts, candidates({ 'total/total': ['1297.60'] }));
    expect(failures(facts)).toEqual(['fa01_fa03.expenditure_total']);
    expect([fixed, fixes, findings]).toEqual([facts, [], []]);
  });

  it('changes nothing and says so when several readings repair the identities equally well', () => {
    const balance = [
      fact('fa01_summary', 'income:grand_total', 'amount', '1297.60'),
      fact('fa01_summary', 'expenditure:grand_total', 'amount', '1597.60'),
    ];
    const { facts: fixed, fixes, findings } = fixByIdentities(balance, candidates({
      'income:grand_total/amount': ['1597.60'],
      'expenditure:grand_total/amount': ['1297.60'],
    }));
    expect(fixed).toEqual(balance);
    expect(fixes).toEqual([]);
    expect(findings).toEqual([expect.objectContaining({ code: 'identity_fix_ambiguous', severity: 'warning', page: 3 })]);
    expect(findings[0]!.message).toContain('fa01.balance');
    expect(findings[0]!.message).toContain('income:grand_total/amount = 1597.60');
    expect(findings[0]!.message).toContain('expenditure:grand_total/amount = 1297.60');
  });

  it('prefers, among readings of the same cell, the exact fit, then the best-ranked', () => {
    const balance = [
      fact('fa01_summary', 'income:grand_total', 'amount', '1297.60'),
      fact('fa01_summary', 'expenditure:grand_total', 'amount', '1597.60', 'text'),
    ];
    const fix = (readings: string[]) => fixByIdentities(balance, candidates({ 'income:grand_total/amount': readings })).fixes.map((f) => f.to);
    expect(fix(['1597.61', '1597.60'])).toEqual(['1597.60']);
    expect(fix(['1597.59', '1597.61'])).toEqual(['1597.59']);
    expect(fix(['1597.61', '1597.59'])).toEqual(['1597.61']);
  });

  it('derives from a single identity only when its other cells are confirmed by another identity or the text layer', () => {
    // fa01's two 总计 check only each other: an OCR reading of one cannot confirm a value for the other.
    const balance = (method: Fact['method']) => [
      fact('fa01_summary', 'income:grand_total', 'amount', '1597.60', method),
      fact('fa01_summary', 'expenditure:grand_total', 'amount', ''),
    ];
    expect(fixByIdentities(balance('ocr'), () => undefined).fixes).toEqual([]);
    expect(fixByIdentities(balance('text'), () => undefined).fixes.map((f) => [f.to, f.repair])).toEqual([['1597.60', 'derived_from_identity']]);
    // A reading of the unreadable cell that fits needs no confirmation: the reading is evidence of its own.
    const reading = fixByIdentities(balance('ocr'), candidates({ 'expenditure:grand_total/amount': ['1,597.6O', '1,597.60'] }));
    expect(reading.fixes.map((f) => [f.to, f.repair])).toEqual([['1597.60', 'identity_fix']]);
  });

  it('never changes a number read from the text layer, even when a reading would repair the identity', () => {
    const facts = fa03({ 'total/total': '1297.60' }, (cell) => (cell === 'total/total' ? 'text' : 'ocr'));
    const lookup = vi.fn(candidates({ 'total/total': ['1597.60'] }));
    const { facts: fixed, fixes } = fixByIdentities(facts, lookup);
    expect(fixed).toEqual(facts);
    expect(fixes).toEqual([]);
    expect(lookup.mock.calls.every(([f]) => f.method === 'ocr')).toBe(true);
    expect(failures(fixed)).toEqual(['fa03.total_column@total', 'fa03_expenditure.total_of_classes@total']);
  });

  it('derives a cell OCR could not read from the identities that determine it', () => {
    const blank = fa03().map((f) => (f.row_key === '20602' && f.column_key === 'project' ? { ...f, value: '', unit: '', confidence: 0.5 } : f));
    const { facts: fixed, fixes } = fixByIdentities(blank, () => undefined);
    expect(at(fixed, '20602/project')).toMatchObject({ value: '717.58', unit: '万元', value_cny: '7175800', repairs: 'despace_number;derived_from_identity', confidence: 0.3 });
    expect(fixes).toEqual([expect.objectContaining({ from: '', to: '717.58', repair: 'derived_from_identity', rules: ['fa03_expenditure.code_hierarchy@206/project', 'fa03.total_column@20602'] })]);
    expect(failures(fixed)).toEqual([]);
  });

  it('derives an unreadable cell in the unit of its table', () => {
    const inYuan = [
      { ...fact('fa01_summary', 'income:grand_total', 'amount', '15976000.50', 'text'), unit: '元' },
      { ...fact('fa01_summary', 'expenditure:grand_total', 'amount', '1597 6000.5?'), unit: '' },
    ];
    const { facts: fixed } = fixByIdentities(inYuan, () => undefined);
    expect(fixed[1]).toMatchObject({ value: '15976000.50', unit: '元', value_cny: '15976000.5', repairs: 'despace_number;derived_from_identity' });
  });

  it('takes the digits of a reading with doubled separators when they satisfy the identities', () => {
    const garbled = fa03({ '20602/project': '7.17.58' });
    const { facts: fixed, fixes } = fixByIdentities(garbled, () => undefined);
    expect(at(fixed, '20602/project')).toMatchObject({ value: '717.58', repairs: 'despace_number;identity_fix', confidence: 0.72 });
    expect(fixes[0]).toMatchObject({ from: '7.17.58', repair: 'identity_fix' });
    const dropped = fixByIdentities(fa03({ '20101/basic': '60175' }), () => undefined);
    expect(dropped.fixes.map((f) => f.to)).toEqual(['601.75']);
  });

  it('derives nothing an identity does not determine, nor from cells whose own identities fail', () => {
    const bothUnreadable = [
      fact('fa01_summary', 'income:grand_total', 'amount', '?'),
      fact('fa01_summary', 'expenditure:grand_total', 'amount', ''),
    ];
    expect(fixByIdentities(bothUnreadable, () => undefined).fixes).toEqual([]);
    // Two unreadable cells of the project column: 206 = 20601 + 20602 determines neither; each follows from its row.
    const unreadable = (misread: Record<string, string>) => fa03(misread).map((f) => {
      const value = ({ '20601/project': '', '20602/project': 'x' } as Record<string, string>)[`${f.row_key}/${f.column_key}`];
      return value === undefined ? f : { ...f, value };
    });
    const rows = fixByIdentities(unreadable({}), () => undefined);
    expect(rows.fixes.map((f) => [f.cell.row_key, f.to, f.rules])).toEqual([['20601', '0.00', ['fa03.total_column@20601']], ['20602', '717.58', ['fa03.total_column@20602']]]);
    expect(failures(rows.facts)).toEqual([]);
    // With 20602/total misread, 206 = 20601 + 20602 fails in the total column: one of its cells is wrong, so
    // neither row total is trusted to determine anything.
    const facts = unreadable({ '20602/total': '787.58' });
    const { facts: fixed, fixes } = fixByIdentities(facts, () => undefined);
    expect([fixed, fixes]).toEqual([facts, []]);
  });

  it('leaves a group as read, with a finding, when it has more doubtful cells or combinations than allowed', () => {
    const facts = fa03({ '20101/total': '607.75', '20101/basic': '661.75' });
    const lookup = candidates({ '20101/total': ['661.75', '601.75'], '20101/basic': ['601.75', '607.75'], '20101/project': ['6.00'] });
    const fewCells = fixByIdentities(facts, lookup, { maxSuspects: 2 });
    expect(fewCells.facts).toEqual(facts);
    expect(fewCells.findings).toEqual([expect.objectContaining({ code: 'identity_fix_bound', page: 3 })]);
    expect(fewCells.findings[0]!.message).toContain('3 doubtful OCR cells');
    const fewCombinations = fixByIdentities(facts, lookup, { maxCombinations: 6 });
    expect(fewCombinations.facts).toEqual(facts);
    expect(fewCombinations.findings.map((f) => f.code)).toEqual(['identity_fix_bound']);
    // Within the bounds the same table is repaired.
    expect(failures(fixByIdentities(facts, lookup).facts)).toEqual([]);
  });

  it('is deterministic and leaves a consistent or text-only document alone', () => {
    const facts = fa03({ '20101/total': '607.75', '20101/basic': '661.75', 'total/total': '1297.60' });
    const lookup = candidates({ '20101/total': ['661.75', '601.75'], '20101/basic': ['601.75'], 'total/total': ['1597.60'] });
    expect(fixByIdentities(facts, lookup)).toEqual(fixByIdentities(facts, lookup));
    expect(fixByIdentities(fa03(), lookup)).toEqual({ facts: fa03(), fixes: [], findings: [] });
    const text = fa03({}, () => 'text');
    expect(fixByIdentities(text, () => ['1.00'])).toEqual({ facts: text, fixes: [], findings: [] });
  });
});

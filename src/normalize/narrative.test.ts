import { describe, expect, it } from 'vitest';
import type { Fact } from '../model/fact.js';
import type { Line } from '../model/line.js';
import type { Source } from '../model/document.js';
import { checkStatedFigures, readStatedFigures } from './narrative.js';
import type { Region } from './regions.js';

const line = (page: number, text: string): Line => ({ page, top: 0, bottom: 10, tokens: [], text });
const source: Source = { source: 'a.pdf', sha256: 'ab', bytes: 1 };
const fact = (column: string, value: string): Fact => ({
  source_sha256: 'ab', source: 'a.pdf', entity: 'e', fiscal_year: '2024', doc_kind: 'final_account', table_kind: 'fa09_three_public', table_instance: '',
  row_key: 'total', row_label: '', column_key: column, column_label: '', value, value_cny: '', line_no: '', unit: '万元', page: 9, bbox: '', method: 'text', confidence: 1, repairs: '',
});

// Sentences as real disclosures print them (seeds), wrapped over lines and spaced by the layout.
const NARRATIVE = [
  line(7, '（九）“三公”经费财政拨款支出决算为 14.05 万元,完成全年预算 14.39 万元的'),
  line(7, '97.6%,比上年决算数减少 21.89 万元,下降 60.9%。'),
  line(8, '“三公”经费财政拨款支出决算中,因公出国(境)费0万元,占0%;公务用车购置及运行维护费支出13.16万元,'),
  line(8, '占93.7%;公务接待费支出0.89 万元,占6.3%。'),
];

describe('the 情况说明 text against fa09', () => {
  it('reads the figures the text states, across wrapped lines, with their page', () => {
    const stated = readStatedFigures([NARRATIVE.slice(0, 2), NARRATIVE.slice(2)], [], 'final_account');
    expect(stated.map((s) => [s.claim.cell.column, s.value, s.page])).toEqual([
      ['actual_total', '14.05', 7], ['budget_total', '14.39', 7], ['actual_abroad', '0', 8], ['actual_vehicle_total', '13.16', 8], ['actual_reception', '0.89', 8],
    ]);
  });

  it('reads the other phrasings: 年初预算为 … 支出决算为 …, 其中 items with 决算为; 支出预算为 …, 年度支出决算为', () => {
    const shanghai = [line(5, '“三公”经费财政拨款支出年初预算为 3.20 万元，支出决算为 2.75 万元，完成预算的85.9%，其中：因公出国（境）费决算为0.00万元，'),
      line(5, '完成预算的0%；公务用车购置及运行维护费支出决算为2.10万元，完成预算的80%；公务接待费支出决算为0.65万元。')];
    expect(readStatedFigures([shanghai], [], 'final_account').map((s) => [s.claim.cell.column, s.value])).toEqual([
      ['actual_total', '2.75'], ['budget_total', '3.20'], ['actual_abroad', '0.00'], ['actual_vehicle_total', '2.10'], ['actual_reception', '0.65'],
    ]);
    const national = [line(3, '某局2024年度“三公”经费财政拨款支出预算为 80.00 万元，2024年度支出决算为 51.30 万元，完成预算的64.1%。')];
    expect(readStatedFigures([national], [], 'final_account').map((s) => [s.claim.cell.column, s.value])).toEqual([['actual_total', '51.30'], ['budget_total', '80.00']]);
  });

  it('ignores table lines and documents of another kind', () => {
    const region = { lines: NARRATIVE.slice(0, 2) } as unknown as Region;
    expect(readStatedFigures([NARRATIVE.slice(0, 2)], [region], 'final_account')).toEqual([]);
    expect(readStatedFigures([NARRATIVE], [], 'budget')).toEqual([]);
  });

  it('passes figures that agree (fewer printed decimals allowed) and fails those that do not', () => {
    const stated = readStatedFigures([NARRATIVE], [], 'final_account');
    const rows = checkStatedFigures(source, stated, [fact('actual_total', '14.05'), fact('budget_total', '14.40'), fact('actual_abroad', '0.00'), fact('actual_reception', '0.98')]);
    expect(rows.map((r) => [r.rule, r.pass])).toEqual([
      ['fa09.narrative.actual_total', true], ['fa09.narrative.budget_total', true], ['fa09.narrative.actual_abroad', true], ['fa09.narrative.actual_reception', false],
    ]);
    expect(rows[3]).toMatchObject({ expected: '0.89', found: '0.98', difference: '0.09', cells: [{ table_kind: 'fa09_three_public', row_key: 'total', column_key: 'actual_reception' }] });
  });
});

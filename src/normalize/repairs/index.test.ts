import { describe, expect, it } from 'vitest';
import { AMOUNT_REPAIRS, applyRepairs, STRUCTURAL_REPAIRS, TEXT_REPAIRS } from './index.js';

const SNAKE = /^[a-z]+(?:_[a-z]+)*$/u;

describe('repair registry', () => {
  it('has unique snake_case codes with descriptions', () => {
    const all = [...TEXT_REPAIRS, ...AMOUNT_REPAIRS];
    const codes = [...all.map((r) => r.code), ...Object.keys(STRUCTURAL_REPAIRS)];
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(SNAKE);
    for (const r of all) expect(r.description.trim()).not.toBe('');
    for (const d of Object.values(STRUCTURAL_REPAIRS)) expect(d.trim()).not.toBe('');
  });

  it('applies the text repairs in registry order', () => {
    expect(TEXT_REPAIRS.map((r) => r.code)).toEqual(['fullwidth_to_ascii', 'despace_number', 'despace_label']);
    expect(AMOUNT_REPAIRS.map((r) => r.code)).toEqual(['dash_as_zero']);
  });
});

describe('applyRepairs', () => {
  it.each([
    ['49, 644. 69', '49,644.69', ['despace_number']],
    ['20. 00', '20.00', ['despace_number']],
    ['2 0 2 5', '2025', ['despace_number']],
    ['社会保障和就业支 出', '社会保障和就业支出', ['despace_label']],
    ['２０２５', '2025', ['fullwidth_to_ascii']],
    // chains: full-width first, then the spaced number it leaves behind
    ['４９，\u3000６４４．６９', '49,644.69', ['fullwidth_to_ascii', 'despace_number']],
    ['２ ０ ２ ５', '2025', ['fullwidth_to_ascii', 'despace_number']],
  ])('%j → %j with %j', (before, text, codes) => {
    expect(applyRepairs(before)).toEqual({ text, codes });
  });

  it.each([
    '49,644.69',
    '0.00 0.00',
    '一、一般公共服务支出',
    '二十二、灾害防治及应急管理支出 52',
    '—',
  ])('leaves %j unchanged with no codes', (text) => {
    expect(applyRepairs(text)).toEqual({ text, codes: [] });
  });

  it('never joins two amounts into one', () => {
    expect(applyRepairs('0.00 0.00').text).toBe('0.00 0.00');
    expect(applyRepairs('82,096,797.42 82,096,797.42').text).toBe('82,096,797.42 82,096,797.42');
  });

  it('reads a lone dash as zero only with the amount repairs', () => {
    expect(applyRepairs('—', AMOUNT_REPAIRS)).toEqual({ text: '0', codes: ['dash_as_zero'] });
    expect(applyRepairs('--', AMOUNT_REPAIRS)).toEqual({ text: '--', codes: [] });
  });

  it('with no repairs returns the text as is', () => {
    expect(applyRepairs('49, 644. 69', [])).toEqual({ text: '49, 644. 69', codes: [] });
  });
});

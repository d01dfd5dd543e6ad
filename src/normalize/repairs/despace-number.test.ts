import { describe, expect, it } from 'vitest';
import { despaceNumber } from './despace-number.js';

// Strings copied from the text layers of the seed documents (../shared/seeds/001_*.txt) and the
// OCR-style artifacts of the dev PDFs (seed000/seed001 *.spaced.artifacts.json, kind number_space).

describe('despace_number', () => {
  it('has a stable code and a description', () => {
    expect(despaceNumber.code).toBe('despace_number');
    expect(despaceNumber.description.length).toBeGreaterThan(0);
  });

  it.each([
    // seed 001 收入支出决算总表, 一般公共预算财政拨款收入
    ['49, 644. 69', '49,644.69'],
    // seed 001 收入决算表, 其他收入
    ['20. 00', '20.00'],
    ['1, 597. 60', '1,597.60'],
    ['1,597. 60', '1,597.60'],
    ['1, 597.60', '1,597.60'],
    ['645. 88', '645.88'],
    ['0. 00', '0.00'],
    ['0. 25', '0.25'],
    ['11, 294.54', '11,294.54'],
    ['34,950. 13', '34,950.13'],
    ['3, 802. 74', '3,802.74'],
    ['49, 664. 69', '49,664.69'],
    // letter-spaced digits (REAL-DOCUMENTS.md: `2 0 2 5 年度`)
    ['2 0 2 5', '2025'],
    // surrounding whitespace goes with the repair
    [' 8. 53 ', '8.53'],
    // a negative amount and a percentage
    ['-45. 10', '-45.10'],
    ['99. 43%', '99.43%'],
  ])('%j → %j', (before, after) => {
    expect(despaceNumber.apply(before)).toBe(after);
  });

  it.each([
    // already clean: nothing to do
    '49,644.69',
    '0.00',
    '2025',
    '2010301',
    // two complete amounts side by side are two cells, never one number
    '0.00 0.00',
    '82,096,797.42 82,096,797.42',
    '1,867,397.54 66,410,000.00',
    '3. 45 3. 45',
    '20.00 20. 00',
    // labels are not numbers
    '一、一般公共服务支出',
    '社会保障和就业支 出',
    '二十二、灾害防治及应急管理支出 52',
    '2 0 2 5 年度',
    '第 3 页',
    '[2080505] 机关事业单位基 本养老保险缴费支出',
    'GB/T 39786—2021',
    '- 1 -',
    // an enumeration, not one number with stray spaces
    '1, 2, 3',
    '',
  ])('leaves %j alone', (text) => {
    expect(despaceNumber.apply(text)).toBeNull();
  });

  it('does not change a label even when it holds spaced digits', () => {
    const label = '截至 2023年 12 月 31 日';
    expect(despaceNumber.apply(label)).toBeNull();
  });
});

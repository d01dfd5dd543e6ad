import { describe, expect, it } from 'vitest';
import { shiftDecimal } from './decimal.js';

// value_cny = value × 10^4 for 万元 (OUTPUT.md), exactly, without binary floating point.

describe('shiftDecimal', () => {
  it.each([
    // 万元 → 元, amounts from the seeds
    ['49644.69', 4, '496446900'],
    ['1597.60', 4, '15976000'],
    ['20.00', 4, '200000'],
    ['0.25', 4, '2500'],
    ['0.01', 4, '100'],
    ['3.45', 4, '34500'],
    // Beijing prints 万元 with up to six decimals
    ['44156.640120', 4, '441566401.2'],
    ['12.717412', 4, '127174.12'],
    ['0.000001', 4, '0.01'],
    // negatives keep their sign
    ['-3.5', 4, '-35000'],
    ['-45.10', 4, '-451000'],
    // zero is written once, never negative
    ['0.00', 4, '0'],
    ['0', 4, '0'],
    ['-0.00', 4, '0'],
    // 元 tables: no shift, trailing zeros after the point dropped
    ['96282213.44', 0, '96282213.44'],
    ['1234.50', 0, '1234.5'],
    ['20.00', 0, '20'],
    ['007', 0, '7'],
    // shifts the other way
    ['1234.56', -2, '12.3456'],
    ['5', -3, '0.005'],
    ['-0.001', 2, '-0.1'],
    ['1', 8, '100000000'],
  ])('shiftDecimal(%j, %i) = %j', (value, power, expected) => {
    expect(shiftDecimal(value, power)).toBe(expected);
  });

  it('is exact where floating point is not', () => {
    // 0.07 * 10000 = 700.0000000000001 in binary floating point
    expect(shiftDecimal('0.07', 4)).toBe('700');
    expect(shiftDecimal('1.005', 2)).toBe('100.5');
    expect(shiftDecimal('9007199254740993.1', 1)).toBe('90071992547409931');
  });

  it.each(['49,644.69', '+5', '.5', '5.', '', 'abc', '1e5', '49, 644. 69'])('rejects %j', (bad) => {
    expect(() => shiftDecimal(bad, 4)).toThrow(/not a decimal/);
  });
});

import { describe, expect, it } from 'vitest';
import { dashAsZero } from './dash-as-zero.js';

// REAL-DOCUMENTS.md: zero printed as blank, `0.00`, `-` or `—`; `--` in self-evaluation tables
// means "not applicable" and must not become a zero.

describe('dash_as_zero', () => {
  it('has a stable code and a description', () => {
    expect(dashAsZero.code).toBe('dash_as_zero');
    expect(dashAsZero.description.length).toBeGreaterThan(0);
  });

  it.each(['-', '—', '–', '－', '―', ' - ', '\u3000—\u3000'])('%j → 0', (dash) => {
    expect(dashAsZero.apply(dash)).toBe('0');
  });

  it.each(['--', '——', '—— ', '-45.10', '-0', '0.00', '0', '', '- 1 -', '2024-08-30', '不适用'])('leaves %j alone', (text) => {
    expect(dashAsZero.apply(text)).toBeNull();
  });
});

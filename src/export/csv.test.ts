import { parseString, writeToString } from 'fast-csv';
import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.js';

const tricky = ['', '0', '1,597.60', '社会保障和就业支出', 'say "数"', 'a|b', 'line\nbreak', 'cr\rhere', 'crlf\r\n', 'nul\0dropped', ' spaced ', '"', ',', '2024-12-31', 'label:一、一般公共服务支出', -12.5, 0, 3];

describe('toCsv', () => {
  it('writes the bytes fast-csv wrote, for awkward fields of every kind', async () => {
    const header = ['sha256', 'row_key', 'value'];
    const rows = tricky.flatMap((a, i) => tricky.map((b, j) => [`doc${i}`, a, b] as (string | number)[])).concat([[]]);
    const ours = await toCsv(header, rows);
    const reference = await writeToString([header, ...rows.map((r) => r.map(String))], { headers: false, includeEndRowDelimiter: true });
    expect(ours).toBe(reference);
  });

  it('reads back as the values written (NUL aside)', async () => {
    const rows = tricky.map((v, i) => [String(i), v]);
    const text = await toCsv(['n', 'v'], rows);
    const read: string[][] = [];
    await new Promise<void>((resolve, reject) => {
      parseString(text, { headers: false }).on('data', (r: string[]) => read.push(r)).on('error', reject).on('end', () => resolve());
    });
    expect(read).toEqual([['n', 'v'], ...rows.map(([n, v]) => [n, String(v).replaceAll('\0', '')])]);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCsv } from '../csv.js';
import { CsvSyntaxError, readCsvRecords } from './csv-reader.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'fh-csv-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function read(text: string, chunkSize?: number): Promise<string[][]> {
  const file = path.join(dir, `t${Math.random().toString(36).slice(2)}.csv`);
  await writeFile(file, text);
  const out: string[][] = [];
  for await (const r of readCsvRecords(file, chunkSize ? { chunkSize } : {})) out.push(r);
  return out;
}

describe('readCsvRecords', () => {
  const rows = [['label', 'value', 'note'], ['一、一般公共服务支出', '1,234.50', 'he said "ok"'], ['多行\n文本', '', ''], ['', '', 'last']];

  it('reads back what the project writer writes, whatever the chunk boundaries', async () => {
    const text = await toCsv(rows[0]!, rows.slice(1));
    expect(await read(text)).toEqual(rows);
    for (const chunkSize of [1, 2, 3, 7]) expect(await read(text, chunkSize)).toEqual(rows);
  });

  it('takes CRLF line ends, a BOM, a last line without a newline, and keeps blank lines as one empty field', async () => {
    expect(await read('\uFEFFa,b\r\n1,2\r\n\r\n3,')).toEqual([['a', 'b'], ['1', '2'], [''], ['3', '']]);
    expect(await read('a,b\r\n"x\r\ny",2\r\n', 1)).toEqual([['a', 'b'], ['x\r\ny', '2']]);
  });

  it('rejects what RFC 4180 does not allow, naming the record', async () => {
    await expect(read('a,b\n1,"open\n')).rejects.toThrow(/record 2: a quoted field is not closed/u);
    await expect(read('a,b\n1,x"y\n')).rejects.toThrow(CsvSyntaxError);
    await expect(read('a,b\n"1"x,2\n')).rejects.toThrow(/text after a closing quote/u);
  });
});

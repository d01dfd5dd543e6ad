/** Sources lists in CSV, JSON and NDJSON, read from real files; every kind of bad entry. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from './local.js';
import { parseCsv, readSources, SourcesError, type SourceSpec } from './sources.js';

let tmp: string;
let listDir: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'fiscal-harvest-sources-'));
  listDir = path.join(tmp, 'lists');
  await mkdir(listDir);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function list(name: string, text: string): Promise<string> {
  const file = path.join(listDir, name);
  await writeFile(file, text);
  return file;
}

async function sourcesError(file: string): Promise<SourcesError> {
  const err = await readSources(file).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(SourcesError);
  return err as SourcesError;
}

const lines = (err: SourcesError) => err.problems.map((p) => p.line);

describe('CSV', () => {
  it('reads urls, paths and hints; resolves paths against the list folder', async () => {
    const file = await list('ok.csv', [
      '\uFEFFurl,path,entity,fiscal_year,doc_kind,id',
      'https://example.gov.cn/2023/bmjs.pdf,,临江市卫生健康局,2023,final_account,lj-2023',
      ',../pdfs/budget.pdf,"临江市财政局, 本级",2024,budget,',
      '',
      ',/abs/eval.pdf,,,,7',
    ].join('\r\n'));
    const specs = await readSources(file);
    expect(specs).toEqual<SourceSpec[]>([
      { origin: { file, line: 2 }, id: 'lj-2023', key: 'lj-2023', entity: '临江市卫生健康局', fiscalYear: '2023', docKind: 'final_account', kind: 'url', url: 'https://example.gov.cn/2023/bmjs.pdf' },
      { origin: { file, line: 3 }, key: path.join(tmp, 'pdfs', 'budget.pdf'), entity: '临江市财政局, 本级', fiscalYear: '2024', docKind: 'budget', kind: 'path', path: path.join(tmp, 'pdfs', 'budget.pdf') },
      { origin: { file, line: 5 }, id: '7', key: '7', kind: 'path', path: '/abs/eval.pdf' },
    ]);
  });

  it('counts lines through quoted newlines, and accepts a header in any case', async () => {
    const file = await list('multiline.csv', 'URL , Entity\n"https://a.example/x.pdf","line one\nline two"\nhttps://a.example/y.pdf,b\n');
    const specs = await readSources(file);
    expect(specs.map((s) => [s.origin.line, s.entity])).toEqual([[2, 'line one\nline two'], [4, 'b']]);
  });

  it('names every bad line and its problem', async () => {
    const file = await list('bad.csv', [
      'url,path,fiscal_year,doc_kind,id',
      'https://a.example/1.pdf,,2023,final_account,a',
      'https://a.example/2.pdf,x.pdf,,,', // both
      ',,2023,,', // neither
      'https://a.example/3.pdf,,23,,', // year
      'https://a.example/4.pdf,,,budjet,', // doc kind
      'file:///etc/passwd,,,,', // scheme
      'http://,,,,', // not a URL
      'https://a.example/5.pdf,,,,a', // duplicate id
      'https://a.example/1.pdf,,,,', // duplicate url
      'https://a.example/6.pdf,,2023', // field count
    ].join('\n'));
    const err = await sourcesError(file);
    expect(lines(err)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const byLine = new Map(err.problems.map((p) => [p.line, p.message]));
    expect(byLine.get(3)).toBe('give either a url or a path, not both');
    expect(byLine.get(4)).toBe('give a url or a path');
    expect(byLine.get(5)).toBe('fiscal_year: must be a four-digit year such as 2023');
    expect(byLine.get(6)).toBe('doc_kind: must be one of final_account, budget, performance_eval, other');
    expect(byLine.get(7)).toBe('url: only http and https URLs can be fetched, not file: (use the path column for local files)');
    expect(byLine.get(8)).toBe('url: not a valid URL: "http://"');
    expect(byLine.get(9)).toBe('duplicate id "a" (first on line 2)');
    expect(byLine.get(10)).toBe('duplicate source "https://a.example/1.pdf" (first on line 2)');
    expect(byLine.get(11)).toBe('3 fields, the header has 5');
    expect(err.message).toMatch(new RegExp(`^sources list ${file.replace(/[.\\/]/gu, '\\$&')}: 9 bad lines:\n  line 3: give either a url or a path, not both\n`, 'u'));
    expect(err).toBeInstanceOf(InputError); // the CLI maps it to exit code 2
  });

  it('rejects an unknown, repeated or missing column in the header', async () => {
    const unknown = await sourcesError(await list('unknown.csv', 'urll,entity\nhttps://a.example/x.pdf,b\n'));
    expect(unknown.problems).toEqual([{ line: 1, message: 'unknown column "urll" (known: url, path, entity, fiscal_year, doc_kind, id); the header row needs a url or a path column' }]);
    const repeated = await sourcesError(await list('repeated.csv', 'url,url\na,b\n'));
    expect(repeated.problems[0]!.message).toBe('column "url" given twice');
  });

  it('reports an unclosed quote and text after a closing quote', async () => {
    const unclosed = await sourcesError(await list('unclosed.csv', 'url,entity\nhttps://a.example/x.pdf,"open\nstill open\n'));
    expect(unclosed.problems).toEqual([{ line: 2, message: 'a quoted field is never closed' }]);
    const after = await sourcesError(await list('after.csv', 'url,entity\nhttps://a.example/x.pdf,"a"b\n'));
    expect(after.problems[0]).toEqual({ line: 2, message: 'text after a closing quote (a quote inside a quoted field is written "")' });
  });

  it('lists at most 20 bad lines and counts the rest', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => `https://a.example/${i}.pdf,1999x`);
    const err = await sourcesError(await list('many.csv', ['url,fiscal_year', ...rows].join('\n')));
    expect(err.problems).toHaveLength(25);
    expect(err.message.split('\n')).toHaveLength(1 + 20 + 1);
    expect(err.message).toMatch(/25 bad lines:/u);
    expect(err.message.endsWith('  … and 5 more')).toBe(true);
  });

  it('rejects a list with no sources', async () => {
    const err = await sourcesError(await list('empty.csv', 'url,entity\n\n'));
    expect(err.problems).toEqual([{ message: 'lists no sources' }]);
  });
});

describe('JSON', () => {
  it('reads an array of objects; numbers and nulls are accepted where they make sense', async () => {
    const file = await list('ok.json', JSON.stringify([
      { url: 'https://a.example/x.pdf', fiscal_year: 2023, id: 12, entity: null },
      { path: 'local/y.pdf', doc_kind: 'performance_eval' },
    ]));
    expect(await readSources(file)).toEqual<SourceSpec[]>([
      { origin: { file, index: 0 }, id: '12', key: '12', fiscalYear: '2023', kind: 'url', url: 'https://a.example/x.pdf' },
      { origin: { file, index: 1 }, key: path.join(listDir, 'local', 'y.pdf'), docKind: 'performance_eval', kind: 'path', path: path.join(listDir, 'local', 'y.pdf') },
    ]);
  });

  it('names bad items by array index', async () => {
    const err = await sourcesError(await list('bad.json', JSON.stringify([
      { url: 'https://a.example/x.pdf', id: 'a' },
      { url: 'https://a.example/y.pdf', note: 'x' },
      'https://a.example/z.pdf',
      { path: 'p.pdf', id: 'a' },
    ])));
    expect(err.problems).toEqual([
      { index: 1, message: 'unknown field "note" (known: url, path, entity, fiscal_year, doc_kind, id)' },
      { index: 2, message: 'must be an object with a url or a path' },
      { index: 3, message: 'duplicate id "a" (first on item 0)' },
    ]);
    expect(err.message).toContain('3 bad items:\n  item 1: unknown field "note"');
  });

  it('rejects invalid JSON and a top level that is not an array', async () => {
    expect((await sourcesError(await list('broken.json', '[{"url": '))).problems[0]!.message).toMatch(/^not valid JSON \(/u);
    expect((await sourcesError(await list('object.json', '{"url": "https://a.example/x.pdf"}'))).problems).toEqual([{ message: 'a JSON sources list must be an array of objects' }]);
  });
});

describe('NDJSON', () => {
  it('reads one object per line, skipping blank lines', async () => {
    const file = await list('ok.ndjson', '{"url":"https://a.example/x.pdf"}\n\n{"path":"y.pdf","entity":"某局"}\n');
    const specs = await readSources(file);
    expect(specs.map((s) => [s.origin.line, s.kind, s.entity])).toEqual([[1, 'url', undefined], [3, 'path', '某局']]);
  });

  it('names bad lines by line number, bad JSON included', async () => {
    const err = await sourcesError(await list('bad.jsonl', '{"url":"https://a.example/x.pdf"}\n{"url": oops}\n{"path":"a.pdf","doc_kind":"annual"}\n'));
    expect(lines(err)).toEqual([2, 3]);
    expect(err.problems[0]!.message).toMatch(/^not valid JSON/u);
    expect(err.problems[1]!.message).toBe('doc_kind: must be one of final_account, budget, performance_eval, other');
  });
});

describe('format sniffing and reading', () => {
  it('takes the format from the content when the extension says nothing', async () => {
    const csv = await readSources(await list('list-a.txt', 'url\nhttps://a.example/x.pdf\n'));
    const json = await readSources(await list('list-b.txt', '  [{"url":"https://a.example/x.pdf"}]'));
    const ndjson = await readSources(await list('list-c', '{"url":"https://a.example/x.pdf"}\n'));
    expect([csv[0]!.origin.line, json[0]!.origin.index, ndjson[0]!.origin.line]).toEqual([2, 0, 1]);
  });

  it('names a file that cannot be read', async () => {
    const missing = path.join(tmp, 'missing.csv');
    const err = await sourcesError(missing);
    expect(err.message).toBe(`sources list ${missing}: unusable:\n  cannot read the file (ENOENT)`);
  });
});

describe('parseCsv', () => {
  it('handles escaped quotes, empty fields and a last line without newline', () => {
    expect(parseCsv('a,"b ""c""",\n,,x').records).toEqual([
      { line: 1, fields: ['a', 'b "c"', ''] },
      { line: 2, fields: ['', '', 'x'] },
    ]);
  });
});

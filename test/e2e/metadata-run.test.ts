/**
 * A run's output folder against its own metadata.json: the JSON-LD expands offline (bundled contexts),
 * the CSVs conform to their CSVW schemas, every fact row links to its PDF page, and `validate --strict`
 * agrees. Then a tampered facts.csv is caught.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { checkOutputFolder, expandMetadata } from '../../src/export/csvw/index.js';
import { readCsvRecords } from '../../src/export/csvw/csv-reader.js';
import { incomeTable, withCover } from '../support/fixtures.js';
import { makePdf } from '../support/make-pdf.js';

let tmp: string;
let out: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'fh-metadata-'));
  await writeFile(path.join(tmp, 'income.pdf'), await makePdf(withCover(['2024年度某市某局部门决算'], incomeTable())));
  out = path.join(tmp, 'out');
  expect(await main(['run', path.join(tmp, 'income.pdf'), '--out', out, '--log-level', 'silent', '--concurrency', '1'])).toBe(0);
}, 60_000);

afterAll(async () => { if (tmp) await rm(tmp, { recursive: true, force: true }); });

describe('metadata.json of a run', () => {
  it('expands offline and the files conform to it', async () => {
    const doc = JSON.parse(await readFile(path.join(out, 'metadata.json'), 'utf8'));
    const expanded = await expandMetadata(doc, { base: pathToFileURL(path.join(out, 'metadata.json')).href });
    const json = JSON.stringify(expanded);
    expect(json).toContain('http://www.w3.org/ns/prov#Activity');
    expect(json).toContain('http://www.w3.org/ns/dcat#Distribution');
    expect(await checkOutputFolder(out)).toEqual([]);
  });

  it('links every fact row to its PDF page, and the link opens the PDF the fact came from', async () => {
    const rows: string[][] = [];
    for await (const r of readCsvRecords(path.join(out, 'facts.csv'))) rows.push(r);
    const [header, ...body] = rows;
    const source = header!.indexOf('source'), page = header!.indexOf('page');
    expect(body.length).toBeGreaterThan(0);
    for (const r of body) {
      const link = new URL(`${r[source]}#page=${r[page]}`, pathToFileURL(path.join(out, 'metadata.json')));
      expect(link.protocol).toBe('file:');
      expect(decodeURIComponent(link.pathname)).toBe(path.join(tmp, 'income.pdf'));
      expect(Number(link.hash.replace('#page=', ''))).toBeGreaterThanOrEqual(1);
    }
  });

  it('a facts.csv edited after the run no longer matches its checksum and schema', async () => {
    expect(await checkOutputFolder(out)).toEqual([]);
    const facts = path.join(out, 'facts.csv');
    const text = await readFile(facts, 'utf8');
    // A page that is not an integer, as a hand edit might leave it.
    await writeFile(facts, text.replace(/,(\d+),(\d+(?:\.\d+)? \d)/u, ',x$1,$2'));
    const problems = await checkOutputFolder(out);
    expect(problems.map((p) => p.code)).toEqual(expect.arrayContaining(['checksum']));
    expect(problems.some((p) => /page/u.test(`${p.column ?? ''} ${p.message}`))).toBe(true);
    await writeFile(facts, text);
    expect(await checkOutputFolder(out)).toEqual([]);
  });

  it('`validate` rewrites validation.csv as the run did, keeps the text\'s stated figures, and keeps metadata.json in step', async () => {
    const validation = path.join(out, 'validation.csv');
    const metadata = path.join(out, 'metadata.json');
    const [before, metaBefore] = await Promise.all([readFile(validation, 'utf8'), readFile(metadata, 'utf8')]);
    expect(await main(['validate', out])).toBe(0);
    expect(await readFile(validation, 'utf8')).toBe(before);
    expect(await readFile(metadata, 'utf8')).toBe(metaBefore);

    // A stated-figure row (the run compared the 情况说明 text with fa09; the text is not in the outputs).
    const sha = before.split('\n')[1]!.split(',')[0]!;
    const stated = `${sha},${path.join(tmp, 'income.pdf')},fa09_three_public,,fa09.narrative.actual_total,6.78,6.78,0,pass`;
    await writeFile(validation, `${before.trimEnd()}\n${stated}\n`);
    expect(await main(['validate', out])).toBe(0);
    const after = await readFile(validation, 'utf8');
    expect(after).toContain(stated);
    // validation.csv changed: metadata.json now describes the new bytes, and the folder conforms.
    expect(await readFile(metadata, 'utf8')).not.toBe(metaBefore);
    expect(await checkOutputFolder(out)).toEqual([]);
  });
});


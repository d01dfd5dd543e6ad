import { cp, mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseString } from 'fast-csv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentResult, Source } from '../../model/document.js';
import type { Fact } from '../../model/fact.js';
import { checkCompleteness, validateFacts } from '../../normalize/validate.js';
import { toCsv } from '../csv.js';
import { documentsCsv } from '../documents-csv.js';
import { factsCsv, sortFacts } from '../facts-csv.js';
import { reportJson } from '../index.js';
import { describeOutputFile, metadataJson, type OutputFile } from '../metadata.js';
import { validationCsv } from '../validation-csv.js';
import { wideTables } from '../wide-tables.js';
import { checkConformance, type ConformanceProblem } from './conformance.js';
import { checkOutputFolder } from './index.js';

const RUN = { software: 'fiscal-harvest', version: '0.1.0', startedAt: '2025-03-01T08:00:00.000Z', endedAt: '2025-03-01T08:01:30.000Z' };

const URL_SOURCE: Source = { source: 'https://www.example.gov.cn/公开/2024年 部门决算.pdf', sha256: '1'.repeat(64), bytes: 52_000, retrievedAt: '2025-03-01T07:59:00.000Z' };
const PATH_SOURCE: Source = { source: 'corpus/gz/2024-bu.pdf', sha256: '2'.repeat(64), bytes: 81_000, retrievedAt: '2025-03-01T08:00:01.000Z' };
const BROKEN_SOURCE: Source = { source: 'corpus/not-a-pdf.pdf', sha256: '3'.repeat(64), bytes: 900 };

function fact(src: Source, table_kind: string, row_key: string, column_key: string, value: string, extra: Partial<Fact> = {}): Fact {
  const amount = /^-?\d+(\.\d+)?$/u.test(value);
  return {
    source_sha256: src.sha256, source: src.source, entity: '广州市荔湾区政务服务数据管理局（本级）', fiscal_year: '2024', doc_kind: 'final_account',
    table_kind, table_instance: '', row_key, row_label: row_key === 'total' ? '合计' : '一般公共服务支出', column_key, column_label: column_key, value,
    value_cny: amount ? String(Math.round(Number(value) * 10000)) : '', line_no: '', unit: amount ? '万元' : '', page: 3,
    bbox: '56.0 120.5 130.2 132.0', method: 'text', confidence: 1, repairs: '', ...extra,
  };
}

function result(source: Source, facts: Fact[], extra: Partial<DocumentResult> = {}): DocumentResult {
  return {
    source, status: 'ok', pages: 12, pagesNeedingOcr: [], meta: { entity: facts[0]?.entity ?? '', fiscalYear: '2024', docKind: 'final_account' },
    tables: [], facts, validation: [...validateFacts(facts), ...checkCompleteness(source, 'final_account', [...new Set(facts.map((f) => f.table_kind))])],
    findings: [], timingsMs: {}, ...extra,
  };
}

/** Three documents: a final account from a URL, a budget from a path (with OCR pages and a form), a failed non-PDF. */
function sampleResults(): DocumentResult[] {
  const fa03 = (src: Source) => [
    fact(src, 'fa03_expenditure', 'total', 'total', '1597.60'), fact(src, 'fa03_expenditure', 'total', 'basic', '835.89'),
    fact(src, 'fa03_expenditure', 'total', 'project', '761.71'), fact(src, 'fa03_expenditure', '201', 'total', '645.88'),
    fact(src, 'fa03_expenditure', '201', 'basic', '601.75'), fact(src, 'fa03_expenditure', '201', 'project', '44.13', { page: 4, repairs: 'despace_number;join_wrapped_label' }),
    fact(src, 'fa03_expenditure', '206', 'total', '951.72', { method: 'ocr', confidence: 0.87 }),
  ];
  const budget = [
    fact(PATH_SOURCE, 'bu01_summary', 'income:general_budget', 'amount', '1200.5', { doc_kind: 'budget', line_no: '1' }),
    fact(PATH_SOURCE, 'pe01_project_self_eval', 'indicator:完成率', 'target', '≥95%', { doc_kind: 'budget', table_instance: '政务服务平台运维' }),
    fact(PATH_SOURCE, 'pe01_project_self_eval', 'indicator:完成率', 'weight', '10', { doc_kind: 'budget', table_instance: '政务服务平台运维', unit: '' }),
  ];
  return [
    result(URL_SOURCE, fa03(URL_SOURCE)),
    result(PATH_SOURCE, budget, { meta: { entity: '某区财政局', fiscalYear: '2024', docKind: 'budget' }, pages: 20, pagesNeedingOcr: [7, 8, 9], pagesOcr: [7, 8] }),
    { source: BROKEN_SOURCE, status: 'failed', error: 'not a PDF (an HTML page saved as .pdf)', pages: 0, pagesNeedingOcr: [], tables: [], facts: [], validation: [], findings: [], timingsMs: {} },
  ];
}

/** Writes an output folder with the project's own CSV writers, and metadata.json describing it. */
async function writeOutputFolder(dir: string, results: readonly DocumentResult[]): Promise<OutputFile[]> {
  const files: OutputFile[] = [];
  const write = async (rel: string, text: string) => {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
    files.push(describeOutputFile(rel, text));
  };
  const facts = sortFacts(results.flatMap((r) => r.facts));
  await write('facts.csv', await factsCsv(facts));
  for (const [kind, csv] of await wideTables(facts)) await write(`tables/${kind}.csv`, csv);
  await write('validation.csv', await validationCsv(results.flatMap((r) => r.validation)));
  await write('documents.csv', await documentsCsv(results));
  await write('report.json', reportJson(results, RUN));
  await writeFile(path.join(dir, 'metadata.json'), metadataJson({ run: RUN, results, files }));
  return files;
}

async function readRows(text: string): Promise<string[][]> {
  const rows: string[][] = [];
  await new Promise<void>((resolve, reject) => {
    parseString(text, { headers: false }).on('error', reject).on('data', (r: string[]) => rows.push(r)).on('end', () => resolve());
  });
  return rows;
}

/** Rewrites one CSV of a copy of the good folder: `edit` changes the rows (header first) in place. */
async function corrupt(rel: string, edit: (rows: string[][]) => void): Promise<string> {
  const dir = await mkdtemp(path.join(root, 'bad-'));
  await cp(good, dir, { recursive: true });
  const file = path.join(dir, rel);
  const rows = await readRows(await readFile(file, 'utf8'));
  edit(rows);
  await writeFile(file, await toCsv(rows[0]!, rows.slice(1)));
  return dir;
}

const codes = (problems: ConformanceProblem[]) => [...new Set(problems.map((p) => p.code))].sort();
const col = (rows: string[][], name: string) => rows[0]!.indexOf(name);

let root: string;
let good: string;
let files: OutputFile[];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'fh-csvw-'));
  good = path.join(root, 'good');
  files = await writeOutputFolder(good, sampleResults());
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

describe('checkOutputFolder on a folder written by the export functions', () => {
  it('reports no problem, and checks every CSV written', async () => {
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(['facts.csv', 'documents.csv', 'validation.csv', 'tables/fa03_expenditure.csv', 'tables/pe01_project_self_eval.csv']));
    expect(await checkOutputFolder(good)).toEqual([]);
  });

  it('reports a metadata.json that is not there, or not JSON-LD the safe expansion accepts', async () => {
    const dir = await mkdtemp(path.join(root, 'meta-'));
    await cp(good, dir, { recursive: true });
    await unlink(path.join(dir, 'metadata.json'));
    expect(codes(await checkOutputFolder(dir))).toEqual(['metadata']);

    const doc = JSON.parse(await readFile(path.join(good, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(path.join(dir, 'metadata.json'), JSON.stringify({ ...doc, notATerm: 'dropped silently without safe mode' }));
    const problems = await checkOutputFolder(dir);
    expect(codes(problems)).toEqual(['jsonld']);
    expect(problems[0]!.message).toMatch(/invalid property/u);
  });
});

describe('checkConformance finds each kind of problem in a corrupted copy', () => {
  const metadataOf = async (dir: string) => JSON.parse(await readFile(path.join(dir, 'metadata.json'), 'utf8')) as unknown;

  it('a value that is not a decimal', async () => {
    const dir = await corrupt('facts.csv', (rows) => { rows[2]![col(rows, 'value_cny')] = '6,458,800'; });
    const problems = await checkConformance(dir, await metadataOf(dir));
    expect(codes(problems)).toEqual(['checksum', 'datatype']);
    expect(problems.find((p) => p.code === 'datatype')).toMatchObject({ file: 'facts.csv', line: 3, column: 'value_cny' });
  });

  it('an empty required cell, and a confidence out of range', async () => {
    const dir = await corrupt('facts.csv', (rows) => { rows[1]![col(rows, 'row_key')] = ''; rows[4]![col(rows, 'confidence')] = '1.5'; });
    const problems = await checkConformance(dir, await metadataOf(dir));
    expect(problems.filter((p) => p.code === 'required')).toEqual([expect.objectContaining({ line: 2, column: 'row_key' })]);
    expect(problems.filter((p) => p.code === 'datatype')).toEqual([expect.objectContaining({ line: 5, column: 'confidence', message: expect.stringMatching(/maximum 1/u) })]);
  });

  it('a duplicate primary key', async () => {
    const dir = await corrupt('facts.csv', (rows) => { rows.push([...rows[3]!]); });
    const problems = await checkConformance(dir, await metadataOf(dir));
    expect(codes(problems)).toEqual(['checksum', 'primary_key']);
    expect(problems.find((p) => p.code === 'primary_key')!.message).toMatch(/first on line 4/u);
  });

  it('a foreign key with no document row', async () => {
    const dir = await corrupt('validation.csv', (rows) => { rows[1]![col(rows, 'source_sha256')] = 'f'.repeat(64); });
    const problems = await checkConformance(dir, await metadataOf(dir));
    expect(codes(problems)).toEqual(['checksum', 'foreign_key']);
    expect(problems.find((p) => p.code === 'foreign_key')).toMatchObject({ file: 'validation.csv', line: 2 });
  });

  it('a fact without a page: no link to the PDF page', async () => {
    const dir = await corrupt('facts.csv', (rows) => { rows[2]![col(rows, 'page')] = ''; rows[3]![col(rows, 'page')] = '0'; });
    const problems = await checkConformance(dir, await metadataOf(dir));
    expect(problems.filter((p) => p.code === 'link').map((p) => p.line)).toEqual([3, 4]);
    expect(problems.filter((p) => p.code === 'required').map((p) => p.line)).toEqual([3]);
    expect(problems.filter((p) => p.code === 'datatype').map((p) => [p.line, p.column])).toEqual([[4, 'page']]);
  });

  it('a header that differs from the declared columns', async () => {
    const dir = await corrupt('documents.csv', (rows) => { rows.forEach((r) => r.splice(2, 1)); });
    const problems = await checkConformance(dir, await metadataOf(dir));
    expect(codes(problems)).toEqual(['checksum', 'header']);
  });

  it('a file that is not CSV: an unterminated quote', async () => {
    const dir = await mkdtemp(path.join(root, 'syntax-'));
    await cp(good, dir, { recursive: true });
    const file = path.join(dir, 'validation.csv');
    await writeFile(file, `${await readFile(file, 'utf8')}"${'1'.repeat(64)},unterminated\n`);
    const problems = await checkConformance(dir, JSON.parse(await readFile(path.join(dir, 'metadata.json'), 'utf8')));
    expect(codes(problems)).toEqual(['checksum', 'csv_syntax']);
    expect(problems.find((p) => p.code === 'csv_syntax')).toMatchObject({ file: 'validation.csv', line: (await readFile(file, 'utf8')).split('\n').length - 1 });
  });

  it('a bad boolean and a wrong row length in a wide table', async () => {
    const dir = await corrupt('validation.csv', (rows) => { rows[1]![col(rows, 'pass')] = 'yes'; });
    expect((await checkConformance(dir, await metadataOf(dir))).find((p) => p.code === 'datatype')).toMatchObject({ column: 'pass', line: 2 });
    const wide = await corrupt('tables/fa03_expenditure.csv', (rows) => { rows[1]!.push('extra'); });
    expect(codes(await checkConformance(wide, await metadataOf(wide)))).toEqual(['checksum', 'row_length']);
  });

  it('a described file that is missing, and a CSV nobody described', async () => {
    const dir = await mkdtemp(path.join(root, 'files-'));
    await cp(good, dir, { recursive: true });
    await unlink(path.join(dir, 'tables', 'bu01_summary.csv'));
    await writeFile(path.join(dir, 'tables', 'zz_unknown.csv'), 'a,b\n1,2\n');
    const problems = await checkConformance(dir, await metadataOf(dir));
    expect(problems.map((p) => [p.code, p.file])).toEqual(expect.arrayContaining([
      ['missing_file', 'tables/bu01_summary.csv'], ['undescribed_file', 'tables/zz_unknown.csv'],
    ]));
    expect(codes(problems)).toEqual(['missing_file', 'undescribed_file']);
  });

  it('caps a problem repeated on every row, with a summary of the rest', async () => {
    const dir = await corrupt('facts.csv', (rows) => {
      const template = rows[1]!;
      for (let i = 0; i < 30; i++) rows.push(template.map((v, j) => (j === col(rows, 'row_key') ? `x${i}` : j === col(rows, 'method') ? 'scan' : v)));
    });
    const datatype = (await checkConformance(dir, await metadataOf(dir))).filter((p) => p.code === 'datatype');
    expect(datatype).toHaveLength(21);
    expect(datatype.at(-1)!.message).toBe('10 more datatype problems not listed');
  });
});

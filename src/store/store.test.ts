/**
 * One suite, run on SQLite and on PostgreSQL. PostgreSQL runs when FH_TEST_POSTGRES_URL is set (and must then be
 * reachable) or when a server answers at DEFAULT_POSTGRES_URL; otherwise its cases are skipped, with the reason
 * printed. Each PostgreSQL case works in a schema of its own, dropped afterwards.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import ts from 'typescript';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { DocumentResult } from '../model/document.js';
import type { Fact } from '../model/fact.js';
import type { ValidationRow } from '../model/validation.js';
import { openStore, type Store } from './index.js';

/** The database the CI script creates (see the store section of .ci/run). */
const DEFAULT_POSTGRES_URL = 'postgres://fiscal_harvest:fiscal_harvest@127.0.0.1:5432/fiscal_harvest';
const postgresUrl = process.env.FH_TEST_POSTGRES_URL || DEFAULT_POSTGRES_URL;
const postgresSkip = process.env.FH_TEST_POSTGRES_URL ? undefined : await unreachable(postgresUrl);
if (postgresSkip) console.warn(`[store] PostgreSQL cases skipped: ${postgresSkip} (set FH_TEST_POSTGRES_URL to run them)`);

async function unreachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return undefined;
  } catch (err) {
    return `no PostgreSQL at ${url.replace(/:[^:@/]*@/u, ':***@')} (${(err as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A sha256-like id from a hex seed. */
const sha = (seed: string) => seed.repeat(64).slice(0, 64);

/** A document result shaped like the pipeline's: Chinese labels, empty strings, bbox strings, decimal strings. */
function documentResult(sha256: string, options: { facts?: number; validations?: number; variant?: string } = {}): DocumentResult {
  const source = `https://czj.example.gov.cn/yjs/2024/${sha256.slice(0, 8)}-部门决算.pdf`;
  const variant = options.variant ?? 'a';
  const labels = ['一般公共服务支出', '教育支出', '社会保障和就业支出', '  合计  ', ''];
  const facts: Fact[] = Array.from({ length: options.facts ?? 40 }, (_, i) => ({
    source_sha256: sha256,
    source,
    entity: '北京市财政局（本级）',
    fiscal_year: '2024',
    doc_kind: 'final_account',
    table_kind: i % 3 === 0 ? 'fa01' : 'fa03',
    table_instance: i % 7 === 0 ? '2' : '',
    row_key: i % 5 === 4 ? '' : `2010${String(i).padStart(3, '0')}`,
    row_label: labels[i % labels.length]!,
    column_key: i % 2 ? 'total' : 'basic',
    column_label: i % 2 ? '合计' : '基本支出',
    value: i % 4 === 0 ? '0.00' : i % 4 === 1 ? '49644.69' : i % 4 === 2 ? `${variant === 'a' ? '' : '-'}${i}.10` : '',
    value_cny: i % 4 === 0 ? '0.00' : i % 4 === 1 ? '496446900.00' : i % 4 === 2 ? `${i}1000.00` : '',
    line_no: i % 6 === 0 ? '' : String(i),
    unit: i % 2 ? '万元' : '元',
    page: 1 + (i % 17),
    bbox: `${(56.7 + i).toFixed(2)} 120.10 ${(140 + i / 3).toFixed(2)} 132.50`,
    method: i % 9 === 0 ? 'ocr' : 'text',
    confidence: i % 9 === 0 ? 0.8731234567 + i / 1e6 : 1,
    repairs: i % 8 === 0 ? 'despace_number;split_spanning_run' : '',
  }));
  const validation: ValidationRow[] = Array.from({ length: options.validations ?? 6 }, (_, i) => {
    const row: ValidationRow = {
      source_sha256: sha256,
      source,
      table_kind: 'fa03',
      table_instance: '',
      rule: `fa03.total_column@20103${i}`,
      expected: i % 2 ? '49644.69' : '0.00',
      found: i % 2 ? '49644.70' : '0.00',
      difference: i % 2 ? '0.01' : '0.00',
      pass: i % 2 === 0,
    };
    if (i % 3 === 0) row.cells = [{ table_kind: 'fa03', table_instance: '', row_key: `20103${i}`, column_key: 'total' }, { table_kind: 'fa03', table_instance: '', row_key: '', column_key: 'basic' }];
    return row;
  });
  return {
    source: { source, sha256, bytes: 123456, retrievedAt: '2025-03-01T08:00:00.000Z' },
    status: 'ok',
    pages: 17,
    pagesNeedingOcr: [3, 9],
    pagesOcr: [3],
    meta: { entity: '北京市财政局（本级）', fiscalYear: '2024', docKind: 'final_account' },
    tables: [{ table_kind: 'fa03', table_instance: '', title: '一般公共预算财政拨款支出决算表', entity: '北京市财政局', pages: [4, 5], cells: 120 }],
    facts,
    validation,
    findings: [
      { code: 'ocr_low_confidence', severity: 'warning', message: '第3页：识别置信度低', page: 3 },
      { code: 'unit_missing', severity: 'info', message: '' },
    ],
    timingsMs: { extract: 812.5, normalize: 40, total: 901 },
  };
}

function failedResult(sha256: string): DocumentResult {
  return { source: { source: '/data/坏文件.pdf', sha256, bytes: 9 }, status: 'failed', error: 'not a PDF: an HTML page', pages: 0, pagesNeedingOcr: [], tables: [], facts: [], validation: [], findings: [], timingsMs: {} };
}

interface Place {
  /** What openStore is given (a child process too). */
  location: string;
  schema?: string;
}

interface Opened extends Place {
  store: Store;
  /** Another store on the same data. */
  reopen(): Promise<Store>;
}

interface Backend {
  name: string;
  skip?: string;
  /** A store location nothing has opened yet, removed after the test. */
  place(): Place;
  open(): Promise<Opened>;
}

const toClose: Store[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const store of toClose.splice(0)) await store.close();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const tracked = (store: Store) => (toClose.push(store), store);

async function openPlace(backend: Backend): Promise<Opened> {
  const place = backend.place();
  const open = async () => tracked(await openStore(place.location, place.schema ? { schema: place.schema } : {}));
  return { ...place, store: await open(), reopen: open };
}

const sqlite: Backend = {
  name: 'SQLite',
  place() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fh-store-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    return { location: path.join(dir, 'nested', 'out', 'state.db') }; // parent folders are created
  },
  open() {
    return openPlace(this);
  },
};

const postgres: Backend = {
  name: 'PostgreSQL',
  ...(postgresSkip ? { skip: postgresSkip } : {}),
  place() {
    const schema = `fh_test_${randomBytes(6).toString('hex')}`;
    cleanups.push(async () => {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    });
    return { location: postgresUrl, schema };
  },
  open() {
    return openPlace(this);
  },
};

for (const backend of [sqlite, postgres]) {
  describe.skipIf(backend.skip !== undefined)(`store on ${backend.name}`, () => {
    it('gives back a saved result exactly: values, types, order and optional fields', async () => {
      const { store } = await backend.open();
      const original = documentResult(sha('a1'));
      await store.saveResult(structuredClone(original), 'v1');
      const [loaded] = await store.loadResults([original.source.sha256]);
      expect(loaded).toStrictEqual(original);
      expect(JSON.stringify(loaded)).toBe(JSON.stringify(original)); // same key order too
      expect(loaded!.facts.map((f) => f.value)).toContain('0.00');
      expect(typeof loaded!.facts[0]!.page).toBe('number');
      expect(loaded!.validation.map((v) => v.pass)).toEqual([true, false, true, false, true, false]);

      // A fact whose source differs from the document's keeps its own (the common case is stored as NULL).
      const mixed = documentResult(sha('a2'));
      mixed.facts[1] = { ...mixed.facts[1]!, source: 'other.pdf', source_sha256: sha('ff') };
      await store.saveResult(mixed, 'v1');
      const failed = failedResult(sha('a3'));
      await store.saveResult(failed, 'v1');
      expect(await store.loadResults([sha('a3'), sha('00'), sha('a2'), sha('a3')])).toStrictEqual([failed, mixed]);
      expect(await store.documentStatus(sha('a3'))).toMatchObject({ status: 'failed', error: 'not a PDF: an HTML page', pages: 0, facts: 0, pipelineVersion: 'v1' });
    });

    it('replaces a document wholesale', async () => {
      const { store } = await backend.open();
      const id = sha('b1');
      await store.saveResult(documentResult(id, { facts: 300, validations: 9 }), 'v1');
      const replacement = documentResult(id, { facts: 12, validations: 2, variant: 'b' });
      replacement.findings = [];
      delete replacement.meta;
      await store.saveResult(replacement, 'v2');
      expect(await store.loadResults([id])).toStrictEqual([replacement]);
      expect(await store.documentStatus(id)).toMatchObject({ pipelineVersion: 'v2', facts: 12, validations: 2 });
    });

    it('knows which documents are processed, by pipeline version', async () => {
      const { store } = await backend.open();
      const id = sha('c1');
      expect(await store.isProcessed(id, 'v1')).toBe(false);
      await store.saveResult(documentResult(id), 'v1');
      expect(await store.isProcessed(id, 'v1')).toBe(true);
      expect(await store.isProcessed(id, 'v2')).toBe(false);
      await store.saveResult(failedResult(sha('c2')), 'v1');
      expect(await store.isProcessed(sha('c2'), 'v1')).toBe(true);
      await store.saveResult(documentResult(id), 'v2');
      expect(await store.isProcessed(id, 'v1')).toBe(false);
      expect(await store.isProcessed(id, 'v2')).toBe(true);
    });

    it('records runs', async () => {
      const { store } = await backend.open();
      const first = await store.startRun({ software: 'fiscal-harvest', version: '0.1.0', args: { inputs: ['corpus'], out: 'out' }, startedAt: '2025-03-01T08:00:00.000Z' });
      const second = await store.startRun({ software: 'fiscal-harvest', version: '0.1.0' });
      expect(second).toBeGreaterThan(first);
      expect(await store.getRun(first)).toStrictEqual({ id: first, startedAt: '2025-03-01T08:00:00.000Z', software: 'fiscal-harvest', version: '0.1.0', args: { inputs: ['corpus'], out: 'out' }, status: 'running' });
      await store.finishRun(first, { documents: 3, failed: 1, cells: 4210 }, { status: 'failed', endedAt: '2025-03-01T08:05:00.000Z' });
      expect(await store.getRun(first)).toMatchObject({ endedAt: '2025-03-01T08:05:00.000Z', status: 'failed', summary: { documents: 3, failed: 1, cells: 4210 } });
      await store.finishRun(second, { documents: 0 });
      expect(await store.getRun(second)).toMatchObject({ status: 'ok', summary: { documents: 0 } });
      expect(await store.getRun(second)).not.toHaveProperty('args');
      await expect(store.finishRun(second + 100, {})).rejects.toThrow(/no run/u);
      expect(await store.getRun(second + 100)).toBeUndefined();
    });

    it('keeps sources and their latest fetch', async () => {
      const { store } = await backend.open();
      const run = await store.startRun({ software: 'fiscal-harvest', version: '0.1.0' });
      const url = 'https://czj.example.gov.cn/a.pdf';
      expect(await store.upsertSource({ key: url, idHint: 'bj-czj-2024', entityHint: '北京市财政局', runId: run })).toBe(url);
      await store.upsertSource({ key: url, fiscalYearHint: '2024' });
      expect(await store.getSource(url)).toMatchObject({ key: url, idHint: 'bj-czj-2024', entityHint: '北京市财政局', fiscalYearHint: '2024', firstSeenRun: run });
      expect(await store.latestFetch(url)).toBeUndefined();

      await store.recordFetch(run, url, { status: 'fetched', attempts: 1, sha256: sha('d1'), bytes: 1000, etag: '"e1"', lastModified: 'Sat, 01 Mar 2025 08:00:00 GMT', httpStatus: 200, finalUrl: url, retrievedAt: '2025-03-01T08:00:00.000Z' });
      await store.recordFetch(run, url, { status: 'failed', attempts: 3, error: { code: 'http_5xx', message: 'HTTP 503 after 3 attempts', transient: true, httpStatus: 503 } });
      expect(await store.latestFetch(url)).toMatchObject({ status: 'failed', attempts: 3, httpStatus: 503, errorCode: 'http_5xx', errorTransient: true, runId: run });
      expect((await store.latestFetch(url))!.sha256).toBeUndefined();
      expect(await store.latestFetch(url, { succeeded: true })).toMatchObject({ status: 'fetched', sha256: sha('d1'), etag: '"e1"', bytes: 1000 });
      expect(await store.documentsForSources([url])).toEqual(new Map([[url, sha('d1')]]));

      // A 304 without validators carries the previous ones forward.
      await store.recordFetch(run, url, { status: 'not_modified', attempts: 1, httpStatus: 304, retrievedAt: '2025-03-02T08:00:00.000Z' });
      expect(await store.latestFetch(url)).toMatchObject({ status: 'not_modified', sha256: sha('d1'), etag: '"e1"', lastModified: 'Sat, 01 Mar 2025 08:00:00 GMT', retrievedAt: '2025-03-02T08:00:00.000Z' });

      await store.recordFetch(run, url, { status: 'fetched', attempts: 2, sha256: sha('d2'), bytes: 2000, etag: '"e2"' });
      expect(await store.latestFetch(url)).toMatchObject({ status: 'fetched', sha256: sha('d2'), etag: '"e2"', attempts: 2 });
      expect((await store.latestFetch(url))!.lastModified).toBeUndefined();

      // Paths are keyed absolute; a fetch of an unknown source creates it.
      const relative = path.join('corpus', '北京', 'b.pdf');
      await store.recordFetch(run, relative, { status: 'fetched', attempts: 1, sha256: sha('d3'), bytes: 3 });
      expect(await store.getSource(path.resolve(relative))).toMatchObject({ firstSeenRun: run });
      expect(await store.documentsForSources([url, relative, 'https://never.example/x.pdf'])).toEqual(new Map([[url, sha('d2')], [relative, sha('d3')]]));

      // More keys than one IN list holds.
      const many = Array.from({ length: 220 }, (_, i) => `https://many.example/${i}.pdf`);
      for (const [i, key] of many.entries()) await store.recordFetch(run, key, { status: 'fetched', attempts: 1, sha256: sha((i % 256).toString(16).padStart(2, '0')), bytes: i });
      const found = await store.documentsForSources(many);
      expect(found.size).toBe(220);
      expect(found.get(many[219]!)).toBe(sha((219 % 256).toString(16).padStart(2, '0')));
    });

    it('records stage results', async () => {
      const { store } = await backend.open();
      const id = sha('e1');
      await store.recordStage(id, 'extract', 'pending');
      await store.recordStage(id, 'extract', 'running', { worker: 'host-a:101' });
      await store.recordStage(id, 'extract', 'failed', { error: 'worker died' });
      await store.recordStage(id, 'extract', 'running', { worker: 'host-b:202' });
      await store.recordStage(id, 'extract', 'done', { detail: { pages: 17 } });
      await store.recordStage(id, 'ocr', 'done', { worker: 'host-b:202', attempts: 4 });
      const stages = await store.stageResults(id);
      expect(stages.map(({ updatedAt, ...rest }) => (expect(updatedAt).toMatch(/^\d{4}-/u), rest))).toStrictEqual([
        { sha256: id, stage: 'extract', status: 'done', attempts: 2, worker: 'host-b:202', detail: { pages: 17 } },
        { sha256: id, stage: 'ocr', status: 'done', attempts: 4, worker: 'host-b:202' },
      ]);
    });

    it('saves documents concurrently, from one store and from two', async () => {
      const { store, reopen } = await backend.open();
      const other = await reopen();
      const results = ['f1', 'f2', 'f3', 'f4'].map((seed, i) => documentResult(sha(seed), { facts: 1500 + i }));
      await Promise.all([store.saveResult(results[0]!, 'v1'), store.saveResult(results[1]!, 'v1'), other.saveResult(results[2]!, 'v1'), other.saveResult(results[3]!, 'v1')]);
      expect(await store.loadResults(results.map((r) => r.source.sha256))).toStrictEqual(results);
      // The same document saved twice at once: one save wins whole.
      const twiceA = documentResult(sha('f5'), { facts: 1200, variant: 'a' });
      const twiceB = documentResult(sha('f5'), { facts: 1100, variant: 'b' });
      await Promise.all([store.saveResult(twiceA, 'v1'), other.saveResult(twiceB, 'v1')]);
      const [loaded] = await other.loadResults([sha('f5')]);
      expect([twiceA, twiceB]).toContainEqual(loaded);
    });

    it('leaves the previous result whole when a save fails midway', async () => {
      const { store } = await backend.open();
      const id = sha('91');
      const original = documentResult(id, { facts: 2500 });
      await store.saveResult(original, 'v1');
      const broken = documentResult(id, { facts: 3000, variant: 'b' });
      // Past the first batch of inserts: the document row and 1000+ facts are written when it fails.
      (broken.facts[2500] as unknown as Record<string, unknown>).page = 'not a page';
      await expect(store.saveResult(broken, 'v2')).rejects.toThrow(/integer/iu);
      expect(await store.loadResults([id])).toStrictEqual([original]);
      expect(await store.isProcessed(id, 'v1')).toBe(true);
      expect(await store.isProcessed(id, 'v2')).toBe(false);

      const missingField = documentResult(sha('92'), { facts: 1800 });
      delete (missingField.facts[1700] as Partial<Fact>).entity;
      await expect(store.saveResult(missingField, 'v1')).rejects.toThrow(/null/iu);
      expect(await store.loadResults([sha('92')])).toEqual([]);
      expect(await store.documentStatus(sha('92'))).toBeUndefined();
      // The store is still usable after the failures.
      await store.saveResult(documentResult(sha('92')), 'v1');
      expect(await store.isProcessed(sha('92'), 'v1')).toBe(true);
    });

    it('is opened by several processes at once, migrating once', { timeout: 60_000 }, async () => {
      const place = backend.place();
      const results = ['71', '72', '73', '74'].map((seed) => documentResult(sha(seed), { facts: 200 }));
      const dir = childDir();
      await Promise.all(results.map((result, i) => {
        const file = path.join(dir, `result-${i}.json`);
        writeFileSync(file, JSON.stringify(result));
        return runChild(['save', place.location, place.schema ?? '', file]);
      }));
      const store = tracked(await openStore(place.location, place.schema ? { schema: place.schema } : {}));
      expect(await store.loadResults(results.map((r) => r.source.sha256))).toStrictEqual(results);
    });

    it('keeps the old or the new result when a process is killed while saving', { timeout: 60_000 }, async () => {
      const { location, schema, reopen } = await backend.open();
      const id = sha('81');
      const versions = [documentResult(id, { facts: 5000, variant: 'a' }), documentResult(id, { facts: 4000, variant: 'b' })];
      const dir = childDir();
      const files = versions.map((v, i) => {
        const file = path.join(dir, `version-${i}.json`);
        writeFileSync(file, JSON.stringify(v));
        return file;
      });
      // The child saves the two versions in turn until killed; it is killed after a few saves, mid-transaction or not.
      await runChild(['alternate', location, schema ?? '', ...files], { killAfterLines: 3 });
      const store = await reopen();
      const [loaded] = await store.loadResults([id]);
      expect(versions).toContainEqual(loaded);
    });

    if (backend === postgres) {
      it('takes the schema from the URL and keeps the password out of its location', async () => {
        const place = backend.place();
        const url = new URL(place.location);
        url.searchParams.set('schema', place.schema!);
        const store = tracked(await openStore(url.toString()));
        expect(store.location).toContain(`schema=${place.schema}`);
        if (url.password) expect(store.location).toContain(':***@');
        await store.saveResult(failedResult(sha('51')), 'v1');
        const client = new pg.Client({ connectionString: postgresUrl });
        await client.connect();
        const { rows } = await client.query(`select sha256 from "${place.schema}".documents`);
        await client.end();
        expect(rows).toEqual([{ sha256: sha('51') }]);
      });

      it('loads the same objects as SQLite', async () => {
        const { store } = await backend.open();
        const embedded = (await sqlite.open()).store;
        const results = [documentResult(sha('61'), { facts: 700 }), failedResult(sha('62')), documentResult(sha('63'), { validations: 0, variant: 'b' })];
        for (const result of results) {
          await store.saveResult(result, 'v1');
          await embedded.saveResult(result, 'v1');
        }
        const fromPostgres = await store.loadResults(results.map((r) => r.source.sha256));
        const fromSqlite = await embedded.loadResults(results.map((r) => r.source.sha256));
        expect(fromPostgres).toStrictEqual(fromSqlite);
        expect(JSON.stringify(fromPostgres)).toBe(JSON.stringify(fromSqlite));
        expect(fromPostgres).toStrictEqual(results);
      });
    }
  });
}

// ---- child processes: the store compiled to JavaScript (Node runs no TypeScript), run on its own

const here = path.dirname(fileURLToPath(import.meta.url));
let compiled: string | undefined;
afterAll(() => compiled && rmSync(compiled, { recursive: true, force: true }));

/** src/store and src/model transpiled into a temporary folder that resolves packages from this project. */
function compiledStore(): string {
  if (compiled) return compiled;
  const root = mkdtempSync(path.join(os.tmpdir(), 'fh-store-js-'));
  for (const folder of ['store', 'model']) {
    const from = path.join(here, '..', folder);
    mkdirSync(path.join(root, 'src', folder), { recursive: true });
    for (const name of readdirSync(from).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
      const { outputText } = ts.transpileModule(readFileSync(path.join(from, name), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
      writeFileSync(path.join(root, 'src', folder, name.replace(/\.ts$/u, '.js')), outputText);
    }
  }
  writeFileSync(path.join(root, 'package.json'), '{"type":"module"}');
  symlinkSync(path.join(here, '..', '..', 'node_modules'), path.join(root, 'node_modules'));
  writeFileSync(path.join(root, 'child.mjs'), CHILD);
  compiled = root;
  return root;
}

const CHILD = `
import { readFileSync } from 'node:fs';
import { openStore } from './src/store/index.js';
const [mode, location, schema, ...files] = process.argv.slice(2);
const store = await openStore(location, schema ? { schema } : {});
const results = files.map((f) => JSON.parse(readFileSync(f, 'utf8')));
if (mode === 'save') {
  for (const r of results) await store.saveResult(r, 'v1');
} else {
  for (let i = 0; ; i++) {
    await store.saveResult(results[i % results.length], 'v1');
    process.stdout.write('saved ' + i + '\\n');
  }
}
await store.close();
`;

function childDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fh-store-child-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the child to its end (must exit 0), or with `killAfterLines` SIGKILLs it once it printed that many lines. */
function runChild(args: string[], options: { killAfterLines?: number } = {}): Promise<void> {
  const child = spawn(process.execPath, [path.join(compiledStore(), 'child.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let lines = 0;
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    lines += d.toString().split('\n').length - 1;
    // A little later than the line, so the kill lands at varying points of the next save.
    if (options.killAfterLines !== undefined && lines >= options.killAfterLines) setTimeout(() => child.kill('SIGKILL'), Math.random() * 40);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (options.killAfterLines !== undefined ? signal === 'SIGKILL' : code === 0) resolve();
      else reject(new Error(`child ${args[0]} ended with ${signal ?? code}: ${stderr}`));
    });
  });
}

/**
 * The distributed mode through the built CLI (dist/): stage workers as child processes on Redis (BullMQ)
 * and PostgreSQL, a coordinator (`run --redis`) that waits and writes the outputs. Every case compares
 * facts.csv with an embedded run over the same sources, byte for byte:
 *  - two workers share the work;
 *  - a worker killed with SIGKILL in the middle of a document: its job is taken back by the other worker
 *    (BullMQ's stalled-job check, with a 3 s lock), no row is lost or written twice;
 *  - SIGTERM: the worker finishes its document, takes no new one and exits 0; a detached run is joined
 *    by a second coordinator.
 * Sources: PDFs served over HTTP on 127.0.0.1 (one listed twice, and one URL that answers 404: a failed
 * fetch, so every run exits 1) and local paths. Each case has its own
 * PostgreSQL schema, queue prefix and cache directory, all removed afterwards.
 *
 * Needs Redis and PostgreSQL: FH_TEST_REDIS_URL and FH_TEST_POSTGRES_URL (then they must answer), else the
 * local defaults when they answer; otherwise the cases are skipped with the reason printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type StageRecord } from '../../src/store/index.js';
import { incomeTable, withCover } from '../support/fixtures.js';
import { makePdf } from '../support/make-pdf.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'bin/fiscal-harvest.js');
const REDIS_URL = process.env.FH_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const POSTGRES_URL = process.env.FH_TEST_POSTGRES_URL || 'postgres://fiscal_harvest:fiscal_harvest@127.0.0.1:5432/fiscal_harvest';
const URL_DOCUMENTS = 3;
const PATH_DOCUMENTS = 2;
const DOCUMENTS = URL_DOCUMENTS + PATH_DOCUMENTS;

const skip = await unavailable();
if (skip) console.warn(`[distributed] skipped: ${skip} (set FH_TEST_REDIS_URL and FH_TEST_POSTGRES_URL to run it)`);

/** Why the services cannot be used; an error when they were named by the environment and do not answer. */
async function unavailable(): Promise<string | undefined> {
  const problems: string[] = [];
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  redis.on('error', () => undefined);
  try { await redis.connect(); await redis.ping(); } catch (err) { problems.push(`no Redis at ${REDIS_URL} (${(err as Error).message})`); } finally { redis.disconnect(); }
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try { await client.connect(); } catch (err) { problems.push(`no PostgreSQL at ${POSTGRES_URL.replace(/:[^:@/]*@/u, ':***@')} (${(err as Error).message})`); } finally { await client.end().catch(() => undefined); }
  if (problems.length && (process.env.FH_TEST_REDIS_URL || process.env.FH_TEST_POSTGRES_URL)) throw new Error(`the test services named by the environment do not answer: ${problems.join('; ')}`);
  return problems.length ? problems.join('; ') : undefined;
}

/**
 * One disclosure per index with its own numbers, 13 pages (a continued table), so processing one takes
 * long enough (about a second) to be caught in the middle.
 */
async function disclosure(i: number): Promise<Uint8Array> {
  const rows: string[][] = [];
  let total = 0;
  for (let r = 0; r < 330; r++) {
    const v = 10 + i + r;
    total += v;
    rows.push([String(2010101 + r), `支出项目${r}`, v.toFixed(2), v.toFixed(2), '0.00']);
  }
  rows.unshift(['', '合计', total.toFixed(2), total.toFixed(2), '0.00']);
  return makePdf(withCover([`2024年度某市第${i}局部门决算`], incomeTable({ entityLine: `单位：某市第${i}局`, rows, maxRowsPerPage: 30, repeatHeader: true })));
}

/** Serves /doc-N.pdf with an ETag and answers If-None-Match with 304. */
async function serve(pdfs: Uint8Array[]): Promise<{ url: string; close(): Promise<void> }> {
  const etags = pdfs.map((b) => `"${createHash('sha256').update(b).digest('hex').slice(0, 16)}"`);
  const server = http.createServer((req, res) => {
    const i = Number(/^\/doc-(\d+)\.pdf(?:\?.*)?$/u.exec(req.url ?? '')?.[1] ?? -1);
    const body = pdfs[i];
    if (!body) { res.writeHead(404).end(); return; }
    if (req.headers['if-none-match'] === etags[i]) { res.writeHead(304, { ETag: etags[i] }).end(); return; }
    res.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Length': body.length, ETag: etags[i] }).end(Buffer.from(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

interface Exit { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** The CLI as a child process, to completion. */
function cli(args: string[], whileRunning?: (child: ChildProcess) => void): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    whileRunning?.(child);
    let stdout = '', stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** One test's own store schema, queue prefix and cache, so cases never see each other's jobs or rows. */
interface Deployment { db: string; schema: string; prefix: string; cache: string; out: string }

interface WorkerProcess { name: string; child: ChildProcess; exited: Promise<Exit>; stderr(): string }

const workers: WorkerProcess[] = [];

/** A `fiscal-harvest worker`, resolved once it says it is ready. Locks of 3 s so a dead worker's job comes back fast. */
async function startWorker(d: Deployment, name: string): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [CLI, 'worker', '--redis', REDIS_URL, '--db', d.db, '--cache', d.cache, '--queue-prefix', d.prefix, '--name', name,
    '--concurrency', '1', '--ocr-workers', '1', '--host-delay', '0', '--host-concurrency', '4', '--lock-duration', '3000', '--stalled-interval', '1000', '--log-level', 'warn'],
  { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  const exited = new Promise<Exit>((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
  const worker = { name, child, exited, stderr: () => stderr };
  workers.push(worker);
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); if (stderr.includes(`worker ${name} ready`)) resolve(); });
    void exited.then((e) => reject(new Error(`worker ${name} exited before it was ready (${e.status ?? e.signal}): ${stderr}`)));
  });
  return worker;
}

let tmp: string;
let server: { url: string; close(): Promise<void> };
let sourcesFile: string;
let pathInputs: string[];
let shas: string[];
let expectedFacts: string;
const deployments: Deployment[] = [];

async function deployment(label: string): Promise<Deployment> {
  const id = `${label}_${randomBytes(4).toString('hex')}`;
  const schema = `fh_test_dist_${id}`;
  const dir = path.join(tmp, id);
  await mkdir(dir, { recursive: true });
  const d = { db: `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`, schema, prefix: `fh-test-dist-${id}`, cache: path.join(dir, 'cache'), out: path.join(dir, 'out') };
  deployments.push(d);
  return d;
}

/** The coordinator's arguments: the URL sources (one PDF listed twice, one missing) and the local files. */
const runArgs = (d: Deployment, ...extra: string[]) => ['run', ...pathInputs, '--sources', sourcesFile, '--redis', REDIS_URL, '--db', d.db, '--cache', d.cache, '--queue-prefix', d.prefix, '--out', d.out, '--log-level', 'warn', ...extra];

async function stageOf(d: Deployment, sha256: string): Promise<StageRecord | undefined> {
  const store = await openStore(d.db);
  try { return (await store.stageResults(sha256)).find((s) => s.stage === 'process'); } finally { await store.close(); }
}

/** Polls until some document's process stage is running on the named worker; returns its sha256. */
async function documentRunningOn(d: Deployment, worker: string, timeoutMs = 60_000): Promise<string> {
  const store = await openStore(d.db);
  try {
    for (const until = Date.now() + timeoutMs; Date.now() < until;) {
      for (const sha of shas) {
        const stage = (await store.stageResults(sha)).find((s) => s.stage === 'process');
        if (stage?.status === 'running' && stage.worker === worker) return sha;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await store.close();
  }
  throw new Error(`no document started on ${worker} within ${timeoutMs} ms`);
}

interface QueueReport { stage: string; counts: Record<string, number>; workers: string[]; failed: { reason?: string }[] }
async function status(d: Deployment): Promise<Record<string, QueueReport>> {
  const r = await cli(['status', '--redis', REDIS_URL, '--db', d.db, '--queue-prefix', d.prefix, '--json']);
  expect(r.status, r.stderr).toBe(0);
  return Object.fromEntries((JSON.parse(r.stdout) as { queues: QueueReport[] }).queues.map((q) => [q.stage, q]));
}

function expectSameFacts(facts: string): void {
  expect(facts).toBe(expectedFacts);
  const rows = facts.trim().split('\n').slice(1);
  expect(new Set(rows).size).toBe(rows.length); // no row twice
}

describe.skipIf(skip !== undefined)('distributed mode: workers on Redis queues and a shared PostgreSQL store', () => {
  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it first)');
    tmp = await mkdtemp(path.join(os.tmpdir(), 'fh-distributed-'));
    const pdfs = await Promise.all(Array.from({ length: DOCUMENTS }, (_, i) => disclosure(i)));
    shas = pdfs.map((b) => createHash('sha256').update(b).digest('hex'));
    server = await serve(pdfs.slice(0, URL_DOCUMENTS));
    sourcesFile = path.join(tmp, 'sources.csv');
    const urls = pdfs.slice(0, URL_DOCUMENTS).map((_, i) => `${server.url}/doc-${i}.pdf`);
    await writeFile(sourcesFile, ['url', ...urls, `${urls[0]}?copy=1`, `${server.url}/missing.pdf`].join('\n') + '\n');
    await mkdir(path.join(tmp, 'local'));
    pathInputs = await Promise.all(pdfs.slice(URL_DOCUMENTS).map(async (b, i) => {
      const file = path.join(tmp, 'local', `local-${i}.pdf`);
      await writeFile(file, b);
      return file;
    }));
    // The reference: the embedded run (SQLite, one process) over the same sources.
    const reference = path.join(tmp, 'embedded');
    const embedded = await cli(['run', ...pathInputs, '--sources', sourcesFile, '--out', reference, '--concurrency', '1', '--host-delay', '0', '--log-level', 'warn']);
    expect(embedded.status, embedded.stderr).toBe(1); // the 404
    expectedFacts = await readFile(path.join(reference, 'facts.csv'), 'utf8');
    expect(expectedFacts.trim().split('\n').length).toBeGreaterThan(DOCUMENTS * 100);
  }, 120_000);

  afterEach(async () => {
    for (const w of workers.splice(0)) if (w.child.exitCode === null && w.child.signalCode === null) { w.child.kill('SIGKILL'); await w.exited; }
  });

  afterAll(async () => {
    await server?.close();
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      for (const d of deployments) {
        const keys = await redis.keys(`${d.prefix}:*`);
        if (keys.length) await redis.del(...keys);
        await client.query(`drop schema if exists "${d.schema}" cascade`);
      }
    } finally {
      redis.disconnect();
      await client.end();
    }
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }, 60_000);

  it('two workers: facts.csv is byte-identical to the embedded run; status shows the work; SIGTERM stops idle workers with 0', async () => {
    const d = await deployment('two');
    const [a, b] = [await startWorker(d, 'worker-a'), await startWorker(d, 'worker-b')];
    const run = await cli(runArgs(d));
    expect(run.status, run.stderr).toBe(1);
    // 7 sources: 3 URLs, the first one again under another URL, a 404, 2 paths; 5 documents processed once each.
    expect(run.stderr).toMatch(new RegExp(`${DOCUMENTS + 2} source\\(s\\): ${URL_DOCUMENTS + 1} downloaded, 0 unchanged, 1 fetch failed; ${DOCUMENTS} processed`, 'u'));
    expect(run.stderr).toMatch(/failed: http:\/\/127\.0\.0\.1:\d+\/missing\.pdf: HTTP 404/u);
    expectSameFacts(await readFile(path.join(d.out, 'facts.csv'), 'utf8'));
    expect(await readFile(path.join(d.out, 'documents.csv'), 'utf8')).toMatch(/doc-0\.pdf\?copy=1,.*,duplicate,same PDF as/u);

    const queues = await status(d);
    expect(queues.fetch!.counts).toMatchObject({ completed: DOCUMENTS + 2, failed: 0, waiting: 0, active: 0 }); // a 404 is a fetch outcome, not a failed job
    expect(queues.process!.counts).toMatchObject({ completed: DOCUMENTS, failed: 0, waiting: 0, active: 0 });
    expect(queues.process!.workers).toEqual(['worker-a', 'worker-b']);
    // Every document processed by one of the two, once.
    for (const sha of shas) expect(await stageOf(d, sha)).toMatchObject({ status: 'done', attempts: 1, worker: expect.stringMatching(/^worker-[ab]$/u) });

    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    for (const w of [a, b]) {
      const exit = await w.exited;
      expect(exit.status, w.stderr()).toBe(0);
      expect(exit.stderr).toContain(`worker ${w.name} stopped`);
    }
  }, 120_000);

  it('a worker killed with SIGKILL mid-document: the other worker takes its job back; no row lost or doubled', async () => {
    const d = await deployment('kill');
    const victim = await startWorker(d, 'victim');
    const survivor = await startWorker(d, 'survivor');
    const running = cli(runArgs(d));
    const sha = await documentRunningOn(d, 'victim');
    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    // Killed in the middle: the document's stage is still marked running by the dead worker.
    expect(await stageOf(d, sha)).toMatchObject({ status: 'running', worker: 'victim' });

    const run = await running;
    expect(run.status, run.stderr).toBe(1); // the 404 only
    expect(run.stderr).toMatch(new RegExp(`; ${DOCUMENTS} processed`, 'u'));
    expectSameFacts(await readFile(path.join(d.out, 'facts.csv'), 'utf8'));
    // Taken back after the lock expired and done by the survivor: a second attempt.
    expect(await stageOf(d, sha)).toMatchObject({ status: 'done', worker: 'survivor', attempts: 2 });
    const queues = await status(d);
    expect(queues.process!.counts).toMatchObject({ completed: DOCUMENTS, failed: 0, active: 0 });
    expect(queues.process!.workers).toEqual(['survivor']);
    expect(survivor.child.exitCode).toBe(null);
  }, 120_000);

  it('SIGTERM mid-document: the worker finishes it, takes no new job and exits 0; a detached run is joined and finished', async () => {
    const d = await deployment('term');
    const first = await startWorker(d, 'first');
    const detached = await cli(runArgs(d, '--detach'));
    expect(detached.status, detached.stderr).toBe(0);
    expect(detached.stderr).toMatch(/run \d+: 7 source\(s\) queued/u);
    expect(existsSync(path.join(d.out, 'facts.csv'))).toBe(false);

    const sha = await documentRunningOn(d, 'first');
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit.status, exit.stderr).toBe(0);
    expect(await stageOf(d, sha)).toMatchObject({ status: 'done', worker: 'first', attempts: 1 });
    const queues = await status(d);
    expect(queues.process!.counts.active).toBe(0);
    expect(queues.fetch!.counts.waiting! + queues.process!.counts.waiting!).toBeGreaterThan(0); // the rest was left in the queues

    await startWorker(d, 'second');
    const run = await cli(runArgs(d));
    expect(run.status, run.stderr).toBe(1); // the 404 only
    expect(Number(/(\d+) reused from the run state/u.exec(run.stderr)?.[1])).toBeGreaterThanOrEqual(1);
    expectSameFacts(await readFile(path.join(d.out, 'facts.csv'), 'utf8'));
    expect(await stageOf(d, sha)).toMatchObject({ status: 'done', worker: 'first', attempts: 1 }); // not done twice
  }, 120_000);

  it('the coordinator stopped by SIGINT: the run is recorded interrupted and its jobs stay queued for the workers; run again to wait and write', async () => {
    const d = await deployment('sigint');
    let coordinator!: ChildProcess;
    const waiting = cli(runArgs(d), (child) => (coordinator = child));
    // No worker yet: once its fetch jobs are queued, the coordinator can only wait.
    for (const until = Date.now() + 30_000; ((await status(d)).fetch?.counts.waiting ?? 0) < DOCUMENTS + 2;) {
      if (Date.now() > until) throw new Error('the fetch jobs were not queued');
      await new Promise((r) => setTimeout(r, 100));
    }
    coordinator.kill('SIGINT');
    const stopped = await waiting;
    expect(stopped.status, stopped.stderr).toBe(130);
    expect(stopped.stderr).toMatch(/run (\d+) interrupted: 0 document\(s\) processed and kept in the run state .*; outputs not written; the queued jobs go on on the workers; run again to go on/u);
    expect(existsSync(path.join(d.out, 'facts.csv'))).toBe(false);
    const runId = Number(/run (\d+) interrupted/u.exec(stopped.stderr)![1]);
    const store = await openStore(d.db);
    try { expect((await store.getRun(runId))?.status).toBe('interrupted'); } finally { await store.close(); }
    expect((await status(d)).fetch!.counts.waiting).toBe(DOCUMENTS + 2);

    // Run again, and start a worker once that run waits on the queued jobs: had the worker come first,
    // it could finish a document before the run looks, and the run would rightly count it as reused.
    let queuedAgain!: () => void;
    const waitsOnJobs = new Promise<void>((resolve) => (queuedAgain = resolve));
    const rerun = cli(runArgs(d, '--log-level', 'info'), (child) => {
      let said = '';
      child.stderr!.on('data', (c: Buffer) => { said += c.toString(); if (/fetch job\(s\) queued/u.test(said)) queuedAgain(); });
    });
    await Promise.race([waitsOnJobs, rerun.then((e) => { throw new Error(`the run ended before it queued its jobs: ${e.stderr}`); })]);
    await startWorker(d, 'late');
    const run = await rerun;
    expect(run.status, run.stderr).toBe(1); // the 404 only
    expect(run.stderr).toMatch(new RegExp(`; ${DOCUMENTS} processed`, 'u'));
    expectSameFacts(await readFile(path.join(d.out, 'facts.csv'), 'utf8'));
  }, 120_000);
});

/**
 * A harvest over a sources list of URLs served on 127.0.0.1, through the built CLI in a child process
 * (as cron runs it): the second run over unchanged sources downloads and processes nothing; a run killed
 * with SIGKILL part-way and started again writes the same facts.csv bytes as an uninterrupted run; a run
 * stopped by SIGINT finishes the documents under way, writes no outputs and is recorded as interrupted.
 * Needs dist/ (npm test builds it first: the `pretest` script).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incomeTable, withCover } from '../support/fixtures.js';
import { makePdf } from '../support/make-pdf.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'bin/fiscal-harvest.js');
const DOCUMENTS = 24;

/** Serves /doc-N.pdf with an ETag; answers If-None-Match with 304; counts what it sent. */
interface Server { url: string; full: number; notModified: number; close(): Promise<void> }

async function serve(pdfs: Uint8Array[], delayMs: number): Promise<Server> {
  const etags = pdfs.map((b) => `"${createHash('sha256').update(b).digest('hex').slice(0, 16)}"`);
  const state = { full: 0, notModified: 0 };
  const server = http.createServer((req, res) => {
    const m = /^\/doc-(\d+)\.pdf(?:\?.*)?$/u.exec(req.url ?? "");
    const i = m ? Number(m[1]) : -1;
    const body = pdfs[i];
    if (!body) { res.writeHead(404).end(); return; }
    setTimeout(() => {
      if (req.headers['if-none-match'] === etags[i]) { state.notModified++; res.writeHead(304, { ETag: etags[i] }).end(); return; }
      state.full++;
      res.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Length': body.length, ETag: etags[i] }).end(Buffer.from(body));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get full() { return state.full; },
    get notModified() { return state.notModified; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** One disclosure per index, each with its own numbers (so every facts row is distinct). */
async function disclosure(i: number): Promise<Uint8Array> {
  const a = (100 + i).toFixed(2), b = (50 + i).toFixed(2), total = (150 + 2 * i).toFixed(2);
  return makePdf(withCover([`2024年度某市第${i}局部门决算`], incomeTable({
    entityLine: `单位：某市第${i}局`,
    rows: [['', '合计', total, total, '0.00'], ['201', '一般公共服务支出', a, a, '0.00'], ['206', '科学技术支出', b, b, '0.00']],
  })));
}

/** The CLI as a child process (asynchronously: the server lives in this process's event loop). */
function run(args: string[], whileRunning?: (child: ChildProcess) => void): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
    whileRunning?.(child);
  });
}

/** Documents in the run state of `out` while the run writes it (0 before the store exists). */
function storedDocuments(out: string): number {
  try {
    const db = new Database(path.join(out, 'state.db'), { readonly: true, fileMustExist: true });
    try { return (db.prepare('SELECT count(*) AS n FROM documents').get() as { n: number }).n; } finally { db.close(); }
  } catch { return 0; }
}

/** Sends `signal` to the child once at least `documents` are stored. */
function signalOnceStored(child: ChildProcess, out: string, documents: number, signal: NodeJS.Signals): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (storedDocuments(out) >= documents) { clearInterval(timer); child.kill(signal); resolve(); }
    }, 10);
    child.on('exit', () => { clearInterval(timer); reject(new Error(`the run ended before it could be sent ${signal}`)); });
  });
}

let reference: Promise<string> | undefined;
/** facts.csv of an uninterrupted run over the sources. */
function referenceFacts(): Promise<string> {
  reference ??= (async () => {
    const out = path.join(tmp, 'reference');
    expect((await run(cliArgs(sources, out))).status).toBe(0);
    return readFile(path.join(out, 'facts.csv'), 'utf8');
  })();
  return reference;
}
const cliArgs = (sources: string, out: string) => ['--sources', sources, '--out', out, '--concurrency', '1', '--host-delay', '0', '--host-concurrency', '4', '--log-level', 'silent'];

let tmp: string;
let server: Server;
let sources: string;

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it first)');
  tmp = await mkdtemp(path.join(os.tmpdir(), 'fh-harvest-'));
  const pdfs = await Promise.all(Array.from({ length: DOCUMENTS }, (_, i) => disclosure(i)));
  server = await serve(pdfs, 20);
  // Two URLs of one PDF: fetched twice, processed once, its facts listed once.
  const lines = ['url,id', ...pdfs.map((_, i) => `${server.url}/doc-${i}.pdf,doc-${i}`), `${server.url}/doc-0.pdf?copy=1,doc-0-copy`];
  sources = path.join(tmp, 'sources.csv');
  await writeFile(sources, lines.join('\n') + '\n');
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('nightly harvest over URLs', () => {
  it('a second run over unchanged sources downloads nothing and re-processes nothing, and writes the same bytes', async () => {
    const out = path.join(tmp, 'twice');
    const first = await run(cliArgs(sources, out));
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/25 source\(s\): 25 downloaded, 0 unchanged, 0 fetch failed; 24 processed/u);
    const facts = await readFile(path.join(out, 'facts.csv'), 'utf8');
    const full = server.full;

    const second = await run(cliArgs(sources, out));
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/25 source\(s\): 0 downloaded, 25 unchanged, 0 fetch failed; 0 processed \(0 pages\), 24 reused/u);
    expect(server.full).toBe(full); // only 304s the second time
    expect(server.notModified).toBeGreaterThanOrEqual(25);
    expect(await readFile(path.join(out, 'facts.csv'), 'utf8')).toBe(facts);

    // The duplicate URL is a row of its own in documents.csv that points at the first.
    const documents = await readFile(path.join(out, 'documents.csv'), 'utf8');
    expect(documents).toMatch(/doc-0\.pdf\?copy=1,.*,duplicate,same PDF as http:\/\/127\.0\.0\.1:\d+\/doc-0\.pdf/u);
    // Every document's facts once: 24 documents × 9 cells (3 rows × 3 columns).
    const rows = facts.trim().split('\n').slice(1);
    expect(rows).toHaveLength(24 * 9);
    expect(new Set(rows).size).toBe(rows.length);
  }, 120_000);

  it('killed with SIGKILL part-way and run again: facts.csv equals an uninterrupted run, byte for byte', async () => {
    const expected = await referenceFacts();

    const out = path.join(tmp, 'killed');
    const child = spawn(process.execPath, [CLI, 'run', ...cliArgs(sources, out)], { cwd: ROOT, stdio: 'ignore' });
    // Kill once some documents are stored and others are not (the run state is read as the run writes it).
    await signalOnceStored(child, out, 3, 'SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(existsSync(path.join(out, 'facts.csv'))).toBe(false); // outputs come at the end only

    const again = await run(cliArgs(sources, out));
    expect(again.status, again.stderr).toBe(0);
    const reused = Number(/(\d+) reused from the run state/u.exec(again.stderr)?.[1]);
    expect(reused).toBeGreaterThan(0); // the first run's work was kept
    expect(reused).toBeLessThan(DOCUMENTS);
    expect(await readFile(path.join(out, 'facts.csv'), 'utf8')).toBe(expected);
  }, 120_000);

  it('stopped with SIGINT part-way: the documents under way are finished and kept, no outputs, the run is recorded interrupted; run again to go on', async () => {
    const expected = await referenceFacts();
    const out = path.join(tmp, 'interrupted');
    let signalled!: Promise<void>;
    const stopped = await run(cliArgs(sources, out), (child) => { signalled = signalOnceStored(child, out, 3, 'SIGINT'); });
    await signalled;
    expect(stopped.status, stopped.stderr).toBe(130);
    expect(stopped.stderr).toMatch(/SIGINT: finishing the documents under way/u);
    expect(stopped.stderr).toMatch(/run 1 interrupted: (\d+) document\(s\) processed and kept in the run state .*; outputs not written; run again to go on/u);
    expect(existsSync(path.join(out, 'facts.csv'))).toBe(false);
    const processed = Number(/(\d+) document\(s\) processed and kept/u.exec(stopped.stderr)![1]);
    const db = new Database(path.join(out, 'state.db'), { readonly: true });
    try {
      const runRow = db.prepare('SELECT status, summary FROM runs WHERE id = 1').get() as { status: string; summary: string };
      expect(runRow.status).toBe('interrupted');
      expect(JSON.parse(runRow.summary).counts.processed).toBe(processed);
      // Every document the run started was finished and stored: none left half done, none started after the signal.
      expect(storedDocuments(out)).toBe(processed);
      expect(processed).toBeGreaterThanOrEqual(3);
      expect(processed).toBeLessThan(DOCUMENTS);
    } finally {
      db.close();
    }

    const again = await run(cliArgs(sources, out));
    expect(again.status, again.stderr).toBe(0);
    expect(Number(/(\d+) reused from the run state/u.exec(again.stderr)?.[1])).toBe(processed);
    expect(await readFile(path.join(out, 'facts.csv'), 'utf8')).toBe(expected);
  }, 120_000);
});

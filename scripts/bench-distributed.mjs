#!/usr/bin/env node
// The distributed mode's speed beside the embedded run, through the built CLI: documents/min and pages/min
// of the embedded run (SQLite, one process, --concurrency 1 and 2) and of `run --redis` with 1 and 2
// `fiscal-harvest worker` processes (--concurrency 1 each; Redis + PostgreSQL on this machine), each over
// the same PDFs from scratch, then again with every source unchanged (a rerun: fetch jobs only). The
// per-document overhead of the queues is (1 worker − embedded --concurrency 1) / documents, and the
// per-source overhead of a rerun is (distributed rerun − embedded rerun) / sources. Workers are started
// before the clock starts (they are long-lived services). Checks facts.csv is the same in every mode.
// Writes out/bench-distributed.json.
//   Usage: node scripts/bench-distributed.mjs [--docs N]
//   Services: FH_BENCH_REDIS_URL / FH_BENCH_POSTGRES_URL, else FH_TEST_*, else the local defaults.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEV = path.resolve(ROOT, '../shared/eval/dev');
const CLI = path.join(ROOT, 'bin/fiscal-harvest.js');
const REDIS_URL = process.env.FH_BENCH_REDIS_URL || process.env.FH_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const POSTGRES_URL = process.env.FH_BENCH_POSTGRES_URL || process.env.FH_TEST_POSTGRES_URL || 'postgres://fiscal_harvest:fiscal_harvest@127.0.0.1:5432/fiscal_harvest';

const args = process.argv.slice(2);
let docs = Infinity;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--docs' && /^\d+$/.test(args[i + 1] ?? '')) docs = Number(args[++i]);
  else { console.error(`bench-distributed: unknown argument ${args[i]}\nusage: node scripts/bench-distributed.mjs [--docs N]`); process.exit(2); }
}
if (!fs.existsSync(path.join(ROOT, 'dist/cli.js'))) { console.error('bench-distributed: dist/cli.js missing: run `npm run build` first'); process.exit(1); }

const pdfsIn = (dir, re) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => path.join(dir, f)) : []);
// Text-layer PDFs (scans measure OCR: see bench-ocr.mjs); the shared dev set when present, else corpus/.
let files = pdfsIn(DEV, /\.(ruled|plain|spaced)\.pdf$/);
if (!files.length) files = pdfsIn(path.join(ROOT, 'corpus'), /\.pdf$/i);
files = files.slice(0, docs);
if (!files.length) { console.log('bench-distributed: no PDFs found (../shared/eval/dev, corpus/)'); process.exit(0); }

const unavailable = await services();
if (unavailable) { console.log(`bench-distributed: skipped: ${unavailable}`); process.exit(0); }

async function services() {
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  redis.on('error', () => undefined);
  try { await redis.connect(); await redis.ping(); } catch (err) { return `no Redis at ${REDIS_URL} (${err.message})`; } finally { redis.disconnect(); }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try { await client.connect(); } catch (err) { return `no PostgreSQL at ${POSTGRES_URL.replace(/:[^:@/]*@/u, ':***@')} (${err.message})`; } finally { await client.end().catch(() => undefined); }
  return undefined;
}

/** Runs the CLI to completion; wall seconds and stderr. */
function cli(argv) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [CLI, ...argv], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, wall: Number(process.hrtime.bigint() - t0) / 1e9 }));
  });
}

/** A worker process, resolved when ready; stop() sends SIGTERM and waits for the exit. */
function startWorker(d, name) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'worker', '--redis', REDIS_URL, '--db', d.db, '--cache', d.cache, '--queue-prefix', d.prefix, '--name', name, '--concurrency', '1', '--log-level', 'warn'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const exited = new Promise((r) => child.on('close', (code) => r(code)));
    child.stderr.on('data', (c) => { stderr += c; if (stderr.includes(`worker ${name} ready`)) resolve({ stop: () => { child.kill('SIGTERM'); return exited; } }); });
    exited.then((code) => reject(new Error(`worker ${name} exited ${code}: ${stderr}`)));
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-bench-dist-'));
const corpus = path.join(tmp, 'pdfs');
fs.mkdirSync(corpus);
for (const f of files) fs.copyFileSync(f, path.join(corpus, path.basename(f)));
const deployments = [];
const results = [];

function summaryOf(out, r) {
  if (r.code !== 0 && r.code !== 1) throw new Error(`the run exited ${r.code}: ${r.stderr}`);
  const { summary } = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
  return { docs: summary.documents, failed: summary.failed, pages: summary.pages };
}

try {
  let reference;
  for (const concurrency of [1, 2]) {
    const out = path.join(tmp, `embedded-${concurrency}`);
    const argv = ['run', corpus, '--out', out, '--concurrency', String(concurrency), '--log-level', 'warn'];
    console.log(`$ fiscal-harvest ${argv.join(' ')}`);
    const first = await cli(argv);
    const s = summaryOf(out, first);
    const rerun = await cli(argv);
    const facts = fs.readFileSync(path.join(out, 'facts.csv'), 'utf8');
    reference ??= facts;
    results.push({ mode: 'embedded', processes: 1, concurrency, ...s, wall_s: first.wall, rerun_s: rerun.wall, same_facts: facts === reference });
  }
  for (const workers of [1, 2]) {
    const id = `w${workers}_${randomBytes(4).toString('hex')}`;
    const d = { schema: `fh_bench_${id}`, prefix: `fh-bench-${id}`, cache: path.join(tmp, `cache-${id}`), out: path.join(tmp, `distributed-${workers}`) };
    d.db = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${d.schema}`;
    deployments.push(d);
    const running = [];
    for (let i = 0; i < workers; i++) running.push(await startWorker(d, `bench-${i + 1}`));
    const argv = ['run', corpus, '--redis', REDIS_URL, '--db', d.db, '--cache', d.cache, '--queue-prefix', d.prefix, '--out', d.out, '--log-level', 'warn'];
    console.log(`$ fiscal-harvest run <pdfs> --redis … --db … --cache …   (${workers} worker process${workers > 1 ? 'es' : ''}, --concurrency 1 each)`);
    try {
      const first = await cli(argv);
      const s = summaryOf(d.out, first);
      const jobs = await jobTimes(d);
      const rerun = await cli(argv);
      const facts = fs.readFileSync(path.join(d.out, 'facts.csv'), 'utf8');
      results.push({ mode: 'distributed', processes: workers, concurrency: 1, ...s, wall_s: first.wall, rerun_s: rerun.wall, same_facts: facts === reference, jobs });
    } finally {
      for (const w of running) await w.stop();
    }
  }
} finally {
  await cleanUp().catch((err) => console.error(`bench-distributed: clean-up: ${err.message}`));
  fs.rmSync(tmp, { recursive: true, force: true });
}

/**
 * From the process jobs' own times: how much longer a job ran than the document's processing (extract, OCR,
 * normalize as timed inside processDocument) — reading the PDF from the cache, moving it to the thread,
 * saving the result to PostgreSQL, the stage records — and, per worker, the idle gap between finishing
 * one job and starting the next one that was already waiting.
 */
async function jobTimes(d) {
  const { Queue } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('process', { connection, prefix: d.prefix });
  try {
    const jobs = await queue.getCompleted(0, -1);
    const report = JSON.parse(fs.readFileSync(path.join(d.out, 'report.json'), 'utf8'));
    const processing = new Map(report.documents.map((doc) => [doc.sha256, Object.values(doc.timings_ms ?? {}).reduce((a, b) => a + b, 0)]));
    const inJob = jobs.filter((j) => processing.has(j.id.slice('process-'.length))).map((j) => j.finishedOn - j.processedOn - processing.get(j.id.slice('process-'.length)));
    const gaps = [];
    const byWorker = new Map();
    for (const j of jobs) byWorker.set(j.processedBy, [...(byWorker.get(j.processedBy) ?? []), j]);
    for (const list of byWorker.values()) {
      list.sort((a, b) => a.processedOn - b.processedOn);
      for (let i = 1; i < list.length; i++) if (list[i].timestamp < list[i - 1].finishedOn) gaps.push(list[i].processedOn - list[i - 1].finishedOn);
    }
    const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);
    const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : undefined);
    return { in_job_overhead_ms_mean: mean(inJob), in_job_overhead_ms_median: median(inJob), gap_between_jobs_ms_mean: mean(gaps), jobs: jobs.length };
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

async function cleanUp() {
  if (!deployments.length) return;
  const { Redis } = await import('ioredis');
  const { default: pg } = await import('pg');
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
}

const f = (x, d = 1) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
for (const r of results) { r.docs_per_min = (r.docs / r.wall_s) * 60; r.pages_per_min = (r.pages / r.wall_s) * 60; }
const embedded1 = results.find((r) => r.mode === 'embedded' && r.concurrency === 1);
const distributed1 = results.find((r) => r.mode === 'distributed' && r.processes === 1);
const overhead = embedded1 && distributed1 ? {
  per_document_ms: ((distributed1.wall_s - embedded1.wall_s) / embedded1.docs) * 1000,
  per_unchanged_source_ms: ((distributed1.rerun_s - embedded1.rerun_s) / embedded1.docs) * 1000,
} : undefined;

console.log(`\nnode ${process.version}, ${os.availableParallelism()} cpus, ${files.length} PDFs (${path.relative(ROOT, path.dirname(files[0]))})`);
const head = ['mode', 'procs', 'conc', 'docs', 'pages', 'wall s', 'docs/min', 'pages/min', 'rerun s', 'same facts'];
console.log(head.map((h, i) => (i ? h.padStart(10) : h.padEnd(12))).join(''));
for (const r of results) {
  const v = [r.processes, r.concurrency, r.docs, r.pages, f(r.wall_s, 2), f(r.docs_per_min), f(r.pages_per_min), f(r.rerun_s, 2), r.same_facts ? 'yes' : 'NO'];
  console.log(r.mode.padEnd(12) + v.map((x) => String(x).padStart(10)).join(''));
}
if (overhead) console.log(`queue overhead, end to end: ${f(overhead.per_document_ms, 0)} ms per document (1 worker vs embedded --concurrency 1), ${f(overhead.per_unchanged_source_ms, 0)} ms per unchanged source (reruns)`);
for (const r of results.filter((x) => x.jobs)) {
  console.log(`process jobs, ${r.processes} worker(s): a job runs ${f(r.jobs.in_job_overhead_ms_median, 0)} ms (median; mean ${f(r.jobs.in_job_overhead_ms_mean, 0)}) longer than the document's processing; ${f(r.jobs.gap_between_jobs_ms_mean, 0)} ms from one job's end to the next one's start`);
}
console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (other work on the machine slows every mode)`);

const outFile = path.join(ROOT, 'out/bench-distributed.json');
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: os.availableParallelism(), pdfs: files.length, results, overhead }, null, 1) + '\n');
console.log(`wrote ${path.relative(ROOT, outFile)}`);
if (results.some((r) => !r.same_facts)) process.exitCode = 1;

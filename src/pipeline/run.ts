/**
 * Orchestrates an embedded run: sources → fetch stage → process stage (worker threads) → run state →
 * outputs. Fetching and processing overlap, each under its own limit, so slow downloads do not idle the
 * CPU. Every document's result is stored as it completes; the outputs are written from the store at the
 * end, so a run killed part-way and started again finishes the work and writes the same bytes.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { DirectoryBlobStore } from '../fetch/blob-store.js';
import { createFetcher, type FetchSettings } from '../fetch/http.js';
import { expandInputs } from '../fetch/local.js';
import { readSources } from '../fetch/sources.js';
import type { DocumentResult, Source } from '../model/document.js';
// The store's module (Kysely, SQLite: slow to load) is imported by run() itself: --help and validate do without.
import type { openStore } from '../store/open.js';
// So are the exports' (CSV, JSON-LD metadata): loaded while the documents are processed (exportModule).
import type { RunInfo } from '../export/index.js';
import { defaultStoreLocation, isPostgresLocation, sourceKey } from '../store/store.js';
import { VERSION } from '../version.js';
import type { DocumentTask, OcrCall } from './document-worker.js';
import type { OcrEngine } from '../extract/ocr/engine.js';
import type { OcrMode } from './process-document.js';
import { pipelineVersion } from './pipeline-version.js';
import { createProgress } from './progress.js';
import { bytesOf, fetchStage, processStage, type FetchStep, type ProcessOne, type SourceJob, type StageContext } from './stages.js';
import { WorkerCrashError, WorkerPool } from './worker-pool.js';
import type { z } from 'zod';

export interface RunSettings {
  /** PDF files and directories (walked for *.pdf). */
  inputs: string[];
  /** A sources list (CSV, JSON, NDJSON) of URLs and paths, harvested besides `inputs`. */
  sourcesFile?: string;
  outDir: string;
  /** Documents processed at once: the size of the worker pool, or of the in-process limit. */
  concurrency: number;
  logger: Logger;
  /** The run state: a SQLite file (default `<outDir>/state.db`) or a postgres:// URL. */
  state?: string;
  /** Downloaded PDFs by sha256 (default `<outDir>/cache`). */
  cacheDir?: string;
  /** Download and process everything again, ignoring the run state. */
  force?: boolean;
  /** Sources fetched at once over all hosts (each host has its own, smaller limit). */
  fetchConcurrency?: number;
  fetchSettings?: z.input<typeof FetchSettings>;
  /** Which pages are read by OCR: those without a usable text layer (auto), none, or all (force). */
  ocr?: OcrMode;
  /** OCR workers shared by all documents (default: the cores). */
  ocrWorkers?: number;
  /** Show a progress line (only ever on a terminal). */
  progress?: boolean;
  /**
   * Process every document on the main thread (p-limit over async processDocument). Also the path taken
   * when concurrency is 1 with OCR off, or when no compiled worker exists (running from the TypeScript
   * sources, as under vitest). With OCR on, even one document goes to a worker: its page image work
   * would otherwise hold up this thread, which hands the OCR workers their next jobs.
   */
  inProcess?: boolean;
  /**
   * Stops the run: no fetch or document starts after it fires; those under way finish and are stored (the
   * next run reuses them); no outputs are written, the run is recorded as interrupted and run() throws a
   * RunInterruptedError.
   */
  signal?: AbortSignal;
}

/** The run was stopped by its signal before the end: what it did is in the store, the outputs were not written. */
export class RunInterruptedError extends Error {
  override name = 'RunInterruptedError';
  constructor(readonly runId: number, readonly counts: RunCounts, readonly state: string, note?: string) {
    super(`run ${runId} interrupted: ${counts.processed} document(s) processed and kept in the run state (${state}); outputs not written${note ? `; ${note}` : ''}`);
  }
}

export interface RunCounts {
  sources: number;
  downloaded: number;
  notModified: number;
  fetchFailed: number;
  processed: number;
  /** Documents whose stored result was reused (same bytes, same pipeline version). */
  skipped: number;
  failed: number;
  pages: number;
}

export interface RunSummary {
  results: DocumentResult[];
  facts: number;
  failed: DocumentResult[];
  /** Sources whose fetch failed this run (also those reported with their last good version). */
  fetchFailures: { source: string; error: string }[];
  counts: RunCounts;
  runId: number;
  state: string;
}

let exportModuleLoading: Promise<typeof import('../export/index.js')> | undefined;
const exportModule = () => (exportModuleLoading ??= import('../export/index.js'));

export const defaultConcurrency = () => Math.max(1, Math.min(os.availableParallelism(), 4));

const WORKER_SCRIPT = new URL('./document-worker.js', import.meta.url);

/** The compiled worker beside this module; undefined when running from .ts sources or when it is missing. */
export function documentWorkerScript(): URL | undefined {
  if (!import.meta.url.endsWith('.js')) return undefined;
  return existsSync(WORKER_SCRIPT) ? WORKER_SCRIPT : undefined;
}

export async function run(settings: RunSettings): Promise<RunSummary> {
  const startedAt = new Date().toISOString();
  const jobs = await sourceJobs(settings);
  const ocrMode: OcrMode = settings.ocr ?? 'auto';
  const ocr = lazyOcrEngine(settings.ocrWorkers ?? os.availableParallelism());
  const script = settings.inProcess || (settings.concurrency <= 1 && ocrMode === 'off') ? undefined : documentWorkerScript();
  const serve = async (request: unknown) => {
    const call = request as OcrCall;
    if (call?.kind !== 'ocr') throw new Error('unknown request from a document worker');
    return ocr.engine.recognize(call.requests);
  };
  const pool = script && jobs.length ? new WorkerPool<DocumentTask, DocumentResult>(script, { size: Math.min(settings.concurrency, jobs.length), serve }) : undefined;
  const stateLocation = settings.state ?? defaultStoreLocation(settings.outDir);
  // Workers start with the first document to process, so that a nightly run over unchanged sources
  // starts none; when every source will be processed (no run state yet, or --force) they start now,
  // loading beside the store's opening.
  if (settings.force || (!isPostgresLocation(stateLocation) && !existsSync(stateLocation))) pool?.warm();
  let store: Awaited<ReturnType<typeof openStore>> | undefined;
  let runId: number;
  try {
    store = await (await import('../store/open.js')).openStore(stateLocation);
    runId = await store.startRun({ software: 'fiscal-harvest', version: VERSION, startedAt, args: { inputs: settings.inputs, sources: settings.sourcesFile ?? null, force: !!settings.force } });
  } catch (err) {
    await pool?.close();
    await store?.close().catch(() => undefined);
    throw err;
  }
  // Loaded now, beside the documents; a failure to load is reported where the export awaits it.
  exportModule().catch(() => undefined);
  const blobs = new DirectoryBlobStore(settings.cacheDir ?? path.join(settings.outDir, 'cache'));
  const fetcher = createFetcher({ store: blobs, logger: settings.logger, ...(settings.fetchSettings ? { settings: settings.fetchSettings } : {}) });
  const ctx: StageContext = { store, blobs, fetcher, pipelineVersion: pipelineVersion(), force: !!settings.force, runId, logger: settings.logger };
  const counts: RunCounts = { sources: jobs.length, downloaded: 0, notModified: 0, fetchFailed: 0, processed: 0, skipped: 0, failed: 0, pages: 0 };
  const progress = settings.progress ? createProgress() : { add() {}, done() {}, stop() {} };
  progress.add(jobs.length);

  const fetchLimit = pLimit(settings.fetchConcurrency ?? 8);
  // Also bounds how many documents' bytes wait in memory for a free worker. With workers, one more
  // document than there are workers waits ready in the pool's queue: a worker that finishes starts the
  // next at once instead of idling while this thread stores what it gave (~30 ms a document).
  const processLimit = pLimit(pool ? settings.concurrency + 1 : settings.concurrency);
  // One processing per sha256: the same PDF under two sources is processed once.
  const processing = new Map<string, Promise<void>>();
  const preloaded = new Map<string, Promise<DocumentResult | undefined>>();
  const steps: FetchStep[] = new Array(jobs.length);
  let outputs: { results: DocumentResult[]; facts: number };
  let poolClosed: Promise<void> | undefined;
  try {
    const processOne: ProcessOne = pool ? (source, bytes) => processInWorker(pool, { source, bytes, ocr: ocrMode }) : await processInThisThread(ocrMode, ocr.engine);
    // Largest local files first on workers (fewer long documents left running alone at the end).
    const order = pool ? await largestFirst(jobs) : jobs.map((_, i) => i);
    const stopped = () => settings.signal?.aborted ?? false;
    await Promise.all(order.map((i) => fetchLimit(async () => {
      if (stopped()) return;
      const step = await fetchStage(ctx, jobs[i]!);
      steps[i] = step;
      if (!step.ok) { counts.fetchFailed++; progress.done(0); return; }
      if (step.outcome.status === 'fetched' && step.job.spec.kind === 'url') counts.downloaded++;
      if (step.outcome.status === 'not_modified') counts.notModified++;
      let done = processing.get(step.sha256);
      if (!done) {
        done = processLimit(async () => {
          if (stopped()) return;
          const r = await processStage(ctx, step, processOne);
          if (r.processed) counts.processed++; else counts.skipped++;
          if (r.status === 'failed') counts.failed++;
          counts.pages += r.pages;
        });
        processing.set(step.sha256, done);
      }
      await done;
      // The outputs are written from the store: each stored result is read back now, while the workers
      // still run, rather than all of them after the last document.
      if (!stopped() && !preloaded.has(step.sha256)) preloaded.set(step.sha256, settle(ctx.store.loadResults([step.sha256]).then((r) => r[0])));
      // The bytes are in the cache or at their path now: do not hold every PDF in memory until the end.
      if (step.outcome.status === 'fetched') (step.outcome as { data?: Uint8Array }).data = undefined;
      progress.done(0);
    })));
    if (stopped()) throw new RunInterruptedError(runId, counts, stateLocation);
    // Every document is processed: the workers' exit (tearing down their heaps) overlaps the export.
    poolClosed = pool?.close();
    outputs = await exportFromStore(ctx, steps, settings.outDir, { software: 'fiscal-harvest', version: VERSION, startedAt, endedAt: new Date().toISOString() }, { preloaded });
  } catch (err) {
    const interrupted = err instanceof RunInterruptedError;
    await store.finishRun(runId, { ...(interrupted ? {} : { error: (err as Error).message }), counts }, { status: interrupted ? 'interrupted' : 'failed' }).catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  } finally {
    progress.stop();
    fetchLimit.clearQueue();
    processLimit.clearQueue();
    await (poolClosed ?? pool?.close()); // no worker outlives the run
    await fetcher.close();
    await ocr.close();
  }
  const failed = outputs.results.filter((r) => r.status === 'failed');
  await store.finishRun(runId, { counts, facts: outputs.facts, failed: failed.length }, { status: failed.length ? 'failed' : 'ok' });
  await store.close();
  const fetchFailures = steps.filter((s): s is Extract<FetchStep, { ok: false }> => !s.ok).map((s) => ({ source: s.job.display, error: s.outcome.error.message }));
  return { results: outputs.results, facts: outputs.facts, failed, fetchFailures, counts, runId, state: stateLocation };
}

/** Inputs and the sources list as jobs, in the order given (files of a directory sorted). */
export async function sourceJobs(settings: Pick<RunSettings, 'inputs' | 'sourcesFile'>): Promise<SourceJob[]> {
  const jobs: SourceJob[] = [];
  for (const file of await expandInputs(settings.inputs)) {
    const key = sourceKey(file);
    // Absolute, so the page links of the metadata (`<source>#page=N`) resolve wherever out/ is read.
    jobs.push({ spec: { kind: 'path', path: key, key, origin: { file } }, display: key });
  }
  if (settings.sourcesFile) {
    for (const spec of await readSources(settings.sourcesFile)) jobs.push({ spec, display: spec.kind === 'url' ? spec.url : spec.path });
  }
  // The same file named twice (as an input and in the list) is one source.
  const seen = new Set<string>();
  return jobs.filter((j) => { const k = j.spec.kind === 'url' ? j.spec.url : j.spec.path; if (seen.has(k)) return false; seen.add(k); return true; });
}

/**
 * The outputs of this run's sources, from the store: one result per source in the order given. A PDF
 * listed under several sources is reported under the first; the others say whose facts they are. A
 * source whose fetch failed this time keeps its last good result when there is one (with a finding),
 * so a flaky night does not drop data; else it is a failed document.
 */
export async function exportFromStore(ctx: Pick<StageContext, 'store' | 'blobs'>, steps: readonly FetchStep[], outDir: string, runInfo: RunInfo, options: { missingReason?: (step: FetchStep) => string | undefined; preloaded?: ReadonlyMap<string, Promise<DocumentResult | undefined>> } = {}): Promise<{ results: DocumentResult[]; facts: number }> {
  const shaOf = (s: FetchStep) => (s.ok ? s.sha256 : s.previousSha256);
  const wanted = [...new Set(steps.map(shaOf).filter((s): s is string => !!s))];
  const early = wanted.flatMap((sha) => options.preloaded?.get(sha) ?? []);
  const rest = await ctx.store.loadResults(wanted.filter((sha) => !options.preloaded?.has(sha)));
  const stored = new Map([...(await Promise.all(early)), ...rest].flatMap((r) => (r ? [[r.source.sha256, r] as const] : [])));
  const firstSource = new Map<string, string>();
  const results: DocumentResult[] = [];
  for (const step of steps) {
    const sha = shaOf(step);
    const result = sha ? stored.get(sha) : undefined;
    const source: Source = step.ok ? step.source : { source: step.job.display, sha256: sha ?? '', bytes: 0 };
    if (!result) {
      const error = options.missingReason?.(step) ?? (step.ok ? 'no stored result (the run was interrupted before this document was processed)' : step.outcome.error.message);
      results.push(failedResult(source, error));
      continue;
    }
    const owner = firstSource.get(result.source.sha256);
    if (owner !== undefined) {
      results.push({ ...failedResult(source, ''), status: 'duplicate', error: `same PDF as ${owner}: its facts are listed under that source`, meta: result.meta, pages: result.pages });
      continue;
    }
    firstSource.set(result.source.sha256, source.source);
    const fetchFinding = step.ok ? [] : [{ code: 'fetch_failed_kept_previous', severity: 'warning' as const, message: `fetch failed this run (${step.outcome.error.message}); the last good version is reported` }];
    results.push(asSource(result, step.ok ? source : { ...result.source, source: step.job.display }, fetchFinding));
  }
  const pathBySha = new Map(steps.filter((s) => s.ok && s.job.spec.kind === 'path').map((s) => [(s as Extract<FetchStep, { ok: true }>).sha256, s as Extract<FetchStep, { ok: true }>]));
  const loadPdf = async (sha: string) => {
    const step = pathBySha.get(sha);
    if (step) return bytesOf(ctx, step).catch(() => undefined);
    return ctx.blobs.get(sha);
  };
  const { writeOutputs } = await exportModule();
  const { facts } = await writeOutputs(outDir, results, runInfo, { loadPdf });
  return { results, facts };
}

/** A stored result reported under this run's name for its source (facts carry the source they came from). */
function asSource(result: DocumentResult, source: Source, findings: DocumentResult['findings']): DocumentResult {
  const name = source.source;
  return {
    ...result,
    source: { ...result.source, ...source, sha256: result.source.sha256 },
    facts: result.facts.map((f) => (f.source === name ? f : { ...f, source: name })),
    validation: result.validation.map((v) => (v.source === name ? v : { ...v, source: name })),
    findings: [...findings, ...result.findings],
  };
}

/** processDocument on the main thread (loaded only then: in workers pdf.js is loaded there alone). */
async function processInThisThread(ocr: OcrMode, engine: OcrEngine): Promise<ProcessOne> {
  const { processDocument } = await import('./process-document.js');
  return (source, bytes) => processDocument(source, bytes, { ocr, ...(ocr === 'off' ? {} : { ocrEngine: engine }) });
}

/**
 * The OCR engine shared by every document of the run, started on the first page that needs it (its
 * workers load about 20 MB of language data each: a text-only run never pays for it).
 */
export function lazyOcrEngine(workers: number): { engine: OcrEngine; close(): Promise<void> } {
  let started: Promise<OcrEngine> | undefined;
  const start = () => (started ??= import('../extract/ocr/tesseract-engine.js').then((m) => m.createTesseractEngine({ workers })));
  return {
    engine: { recognize: async (requests) => (await start()).recognize(requests), close: async () => undefined },
    close: async () => { if (started) await (await started).close(); },
  };
}

const failedResult = (source: Source, error: string): DocumentResult => ({ source, status: 'failed', error, pages: 0, pagesNeedingOcr: [], tables: [], facts: [], validation: [], findings: [], timingsMs: {} });

/** The same promise, marked handled: a run stopped before it is awaited leaves no unhandled rejection. */
function settle<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Job indices by local file size, largest first (stable; URLs and unreadable files count as empty). */
async function largestFirst(jobs: readonly SourceJob[]): Promise<number[]> {
  const sizes = await Promise.all(jobs.map((j) => (j.spec.kind === 'path' ? stat(j.spec.path).then((st) => st.size, () => 0) : 0)));
  return jobs.map((_, i) => i).sort((a, b) => sizes[b]! - sizes[a]! || a - b);
}

/**
 * One document on the pool. The bytes are moved to the worker (copied first if they share a buffer).
 * A worker that dies on the document (crash, out of memory) fails this document alone; an error that
 * processDocument throws is rethrown, as it would be in process.
 */
export async function processInWorker(pool: WorkerPool<DocumentTask, DocumentResult>, task: DocumentTask): Promise<DocumentResult> {
  const { source } = task;
  const own = task.bytes.slice(); // the caller's bytes stay usable (the review page crops from them)
  try {
    return await pool.run({ ...task, bytes: own }, [own.buffer as ArrayBuffer]);
  } catch (err) {
    if (!(err instanceof WorkerCrashError)) throw err;
    return failedResult(source, err.message);
  }
}

/** Orchestrates a run: inputs → documents (concurrently) → outputs. The only module that imports the stages. */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import os from 'node:os';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { writeOutputs } from '../export/index.js';
import { expandInputs, readLocal } from '../fetch/local.js';
import type { DocumentResult, Source } from '../model/document.js';
import type { DocumentTask } from './document-worker.js';
import { WorkerCrashError, WorkerPool } from './worker-pool.js';
import { VERSION } from '../version.js';

export interface RunSettings {
  inputs: string[];
  outDir: string;
  /** Documents processed at once: the size of the worker pool, or of the in-process limit. */
  concurrency: number;
  logger: Logger;
  /**
   * Process every document on the main thread (p-limit over async processDocument), as before worker
   * threads. Also the path taken when concurrency is 1 or no compiled worker exists (running from the
   * TypeScript sources, as under vitest).
   */
  inProcess?: boolean;
}

export interface RunSummary {
  results: DocumentResult[];
  facts: number;
  failed: DocumentResult[];
}

export const defaultConcurrency = () => Math.max(1, Math.min(os.availableParallelism(), 4));

const WORKER_SCRIPT = new URL('./document-worker.js', import.meta.url);

/** The compiled worker beside this module; undefined when running from .ts sources or when it is missing. */
export function documentWorkerScript(): URL | undefined {
  if (!import.meta.url.endsWith('.js')) return undefined;
  return existsSync(WORKER_SCRIPT) ? WORKER_SCRIPT : undefined;
}

type Process = (source: Source, bytes: Uint8Array) => Promise<DocumentResult>;

export async function run(settings: RunSettings): Promise<RunSummary> {
  const startedAt = new Date().toISOString();
  const files = await expandInputs(settings.inputs);
  const script = settings.inProcess || settings.concurrency <= 1 ? undefined : documentWorkerScript();
  const pool = script && files.length ? new WorkerPool<DocumentTask, DocumentResult>(script, { size: Math.min(settings.concurrency, files.length) }) : undefined;
  // The limit also bounds how many files are read into memory ahead of a free worker.
  const limit = pLimit(settings.concurrency);
  let results: DocumentResult[];
  try {
    // In workers, pdf.js is loaded there only; in process, here (same module, same behaviour as a static import).
    const processOne: Process = pool ? (source, bytes) => processInWorker(pool, source, bytes) : (await import('./process-document.js')).processDocument;
    // On workers the largest files start first (fewer long documents left running alone at the end);
    // in process the input order, as before. Either way results[i] is files[i]: the output is the same.
    const order = pool ? await largestFirst(files) : files.map((_, i) => i);
    results = new Array<DocumentResult>(files.length);
    await Promise.all(order.map((i) => limit(async () => {
      const file = files[i]!;
      const { source, bytes } = await readLocal(file);
      const result = await processOne(source, bytes);
      if (result.status === 'failed') settings.logger.error({ source: file, error: result.error }, `failed: ${file}: ${result.error}`);
      else settings.logger.info({ source: file, pages: result.pages, tables: result.tables.length, cells: result.facts.length }, 'document processed');
      results[i] = result;
    })));
  } finally {
    limit.clearQueue(); // after a failure (an unreadable file), start nothing more
    await pool?.close(); // no worker outlives the run
  }
  const { facts } = await writeOutputs(settings.outDir, results, { software: 'fiscal-harvest', version: VERSION, startedAt, endedAt: new Date().toISOString() });
  return { results, facts, failed: results.filter((r) => r.status === 'failed') };
}

/** Indices of files by size, largest first (stable; a file that cannot be stat'ed counts as empty). */
async function largestFirst(files: readonly string[]): Promise<number[]> {
  const sizes = await Promise.all(files.map((f) => stat(f).then((st) => st.size, () => 0)));
  return files.map((_, i) => i).sort((a, b) => sizes[b]! - sizes[a]! || a - b);
}

/**
 * One document on the pool. The bytes are moved to the worker (copied first if they share a buffer).
 * A worker that dies on the document (crash, out of memory) fails this document alone; an error that
 * processDocument throws is rethrown, as it would be in process.
 */
async function processInWorker(pool: WorkerPool<DocumentTask, DocumentResult>, source: Source, bytes: Uint8Array): Promise<DocumentResult> {
  const own = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  try {
    return await pool.run({ source, bytes: own }, [own.buffer as ArrayBuffer]);
  } catch (err) {
    if (!(err instanceof WorkerCrashError)) throw err;
    return { source, status: 'failed', error: err.message, pages: 0, pagesNeedingOcr: [], tables: [], facts: [], validation: [], findings: [], timingsMs: {} };
  }
}

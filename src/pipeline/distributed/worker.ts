/**
 * A stage worker of the distributed mode: takes jobs from the `fetch` and/or `process` queue and runs the
 * same stage functions as the embedded run (stages.ts) against a shared store (PostgreSQL) and a shared
 * cache directory. `process` is one job per document: extract + OCR + normalize, as in the embedded run.
 *
 * A fetch job stores the source's bytes in the shared cache (a URL's through the fetcher, a path's copied
 * there, so a process worker on another machine can read them) and queues the document's process job,
 * unless this pipeline version already processed it. Documents run on worker threads when the compiled
 * worker script is there, which keeps this thread free to renew the jobs' locks: a worker that stops
 * renewing them (killed, frozen) has its jobs taken back by the stalled-job check of the others.
 */
import os from 'node:os';
import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { DirectoryBlobStore } from '../../fetch/blob-store.js';
import { createFetcher, type FetchSettings } from '../../fetch/http.js';
import type { DocumentResult } from '../../model/document.js';
import { openStore } from '../../store/index.js';
import type { DocumentTask, OcrCall } from '../document-worker.js';
import { pipelineVersion } from '../pipeline-version.js';
import { documentWorkerScript, lazyOcrEngine, processInWorker } from '../run.js';
import { bytesOf, fetchStage, processStage, type ProcessOne, type StageContext } from '../stages.js';
import { WorkerPool } from '../worker-pool.js';
import {
  DEFAULT_PREFIX, FetchJobData, JOB_OPTIONS, ProcessJobData, addOnce, asSourceJob, checkRedis, jobOfRun, openQueues, portableStep, processJobId, processJobReport, redisConnection,
  type FetchJobResult, type OkStep, type ProcessJobData as ProcessJobDataT, type ProcessJobResult, type StageName,
} from './queues.js';

export interface WorkerSettings {
  redis: string;
  /** The shared store: a postgres:// URL (a SQLite file only works for workers on one machine). */
  db: string;
  /** The shared cache directory of PDFs by sha256 (the same path, or mount, on every machine). */
  cacheDir: string;
  prefix?: string;
  stages?: readonly StageName[];
  /** Documents processed at once (process jobs), each on a worker thread. */
  concurrency?: number;
  /** Sources fetched at once (fetch jobs). */
  fetchConcurrency?: number;
  /**
   * At most `max` fetch jobs started per `durationMs` over all workers of the queue (BullMQ's limiter is
   * global to the queue: give every worker the same). The per-host limits of `fetchSettings` hold within
   * this worker process only.
   */
  fetchRate?: { max: number; durationMs: number };
  ocrWorkers?: number;
  fetchSettings?: z.input<typeof FetchSettings>;
  logger: Logger;
  /** Shown in `status` and kept in the stage records; default `<host>:<pid>`. */
  name?: string;
  /** How long a job stays locked without renewal before another worker may take it back (default 30 s). */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose lock expired (default 30 s). */
  stalledIntervalMs?: number;
  /** Times a job may be taken back from a dead worker before it fails (default 2). */
  maxStalledCount?: number;
}

export interface RunningWorker {
  readonly name: string;
  /** Resolves when the worker has stopped (after close, or when it could not go on). */
  readonly closed: Promise<void>;
  /**
   * Stops taking jobs and finishes the running ones, then closes the connections. (To abandon running
   * jobs instead, exit the process: their locks expire and another worker takes them back. Closing the
   * document threads here would store the documents as failed.)
   */
  close(): Promise<void>;
}

export async function startWorker(settings: WorkerSettings): Promise<RunningWorker> {
  const stages = settings.stages?.length ? [...new Set(settings.stages)] : ['fetch', 'process'] as StageName[];
  const prefix = settings.prefix ?? DEFAULT_PREFIX;
  const name = settings.name ?? `${os.hostname()}:${process.pid}`;
  const logger = settings.logger.child({ worker: name });
  const concurrency = settings.concurrency ?? 1;
  await checkRedis(settings.redis);
  const store = await openStore(settings.db);
  const blobs = new DirectoryBlobStore(settings.cacheDir);
  const fetcher = createFetcher({ store: blobs, logger, ...(settings.fetchSettings ? { settings: settings.fetchSettings } : {}) });
  const queues = openQueues(settings.redis, prefix);
  const version = pipelineVersion();
  const ocr = lazyOcrEngine(settings.ocrWorkers ?? os.availableParallelism());
  const script = stages.includes('process') ? documentWorkerScript() : undefined;
  const pool = script ? new WorkerPool<DocumentTask, DocumentResult>(script, {
    size: concurrency,
    serve: async (request: unknown) => {
      const call = request as OcrCall;
      if (call?.kind !== 'ocr') throw new Error('unknown request from a document worker');
      return ocr.engine.recognize(call.requests);
    },
  }) : undefined;
  const inProcess = pool ? undefined : (await import('../process-document.js')).processDocument;

  const contextOf = (data: { runId: number; force: boolean }): StageContext => ({ store, blobs, fetcher, pipelineVersion: version, force: data.force, runId: data.runId, logger, worker: name });

  const runFetch = async (job: Job): Promise<FetchJobResult> => {
    const data = FetchJobData.parse(job.data);
    const ctx = contextOf(data);
    const step = await fetchStage(ctx, asSourceJob(data.job));
    if (!step.ok) return { step: portableStep(step) };
    // A path is only readable where it is: its bytes go to the shared cache for the process workers.
    if (step.job.spec.kind === 'path' && !(await blobs.has(step.sha256))) await blobs.put(await bytesOf(ctx, step));
    const portable = portableStep(step);
    if (!data.force && (await store.isProcessed(step.sha256, version))) {
      // A fetch job taken back from a dead worker may find the document done by this run's own process
      // job: the run waits on that job, so it counts as processed in this run, not reused from an earlier one.
      const ownJob = await jobOfRun(queues.process, processJobId(step.sha256), data.runId);
      return ownJob ? { step: portable, processJobId: ownJob } : { step: portable };
    }
    const processData: ProcessJobDataT = { runId: data.runId, force: data.force, ocr: data.ocr, step: portable };
    const queued = await addOnce(queues.process, processJobId(step.sha256), 'process', processData, JOB_OPTIONS);
    return { step: portable, processJobId: queued.id! };
  };

  const runProcess = async (job: Job): Promise<ProcessJobResult> => {
    const parsed = ProcessJobData.parse(job.data);
    const data = { ...parsed, step: parsed.step as unknown as OkStep };
    const ctx = contextOf(data);
    const processOne: ProcessOne = pool
      ? (source, bytes) => processInWorker(pool, { source, bytes, ocr: data.ocr })
      : (source, bytes) => inProcess!(source, bytes, { ocr: data.ocr, ...(data.ocr === 'off' ? {} : { ocrEngine: ocr.engine }) });
    const outcome = await processStage(ctx, data.step, processOne);
    // Only a job taken back can find its own earlier attempt's result: a first attempt needs no lookup.
    const retaken = outcome.status === 'skipped' && job.attemptsStarted > 1;
    return processJobReport(outcome, job.attemptsStarted, retaken ? await store.documentStatus(data.step.sha256) : undefined);
  };

  const common = {
    prefix,
    name,
    lockDuration: settings.lockDurationMs ?? 30_000,
    stalledInterval: settings.stalledIntervalMs ?? 30_000,
    maxStalledCount: settings.maxStalledCount ?? 2,
  };
  const connections: Redis[] = [];
  const connection = () => { const c = redisConnection(settings.redis); connections.push(c); return c as unknown as ConnectionOptions; };
  const workers: Worker[] = [];
  const limiter = settings.fetchRate ? { limiter: { max: settings.fetchRate.max, duration: settings.fetchRate.durationMs } } : {};
  if (stages.includes('fetch')) workers.push(new Worker('fetch', runFetch, { ...common, ...limiter, connection: connection(), concurrency: settings.fetchConcurrency ?? 8 }));
  if (stages.includes('process')) workers.push(new Worker('process', runProcess, { ...common, connection: connection(), concurrency }));
  for (const w of workers) {
    w.on('error', (err) => logger.warn({ err: err.message }, `queue ${w.name}: ${err.message}`));
    w.on('failed', (job, err) => logger.warn({ job: job?.id, attempt: job?.attemptsMade, err: err.message }, `job ${job?.id} failed: ${err.message}`));
    w.on('stalled', (jobId) => logger.warn({ job: jobId }, `job ${jobId} had stalled (its worker stopped renewing the lock): queued again`));
  }
  let closing: Promise<void> | undefined;
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const close = () => (closing ??= (async () => {
    try {
      await Promise.allSettled(workers.map((w) => w.close()));
      await pool?.close();
      await fetcher.close();
      await ocr.close();
      await queues.close();
      for (const c of connections) c.disconnect();
      await store.close();
    } finally {
      markClosed();
    }
  })());
  try {
    await Promise.all(workers.map((w) => w.waitUntilReady()));
  } catch (err) {
    await close(); // nothing left open to keep the process alive
    throw err;
  }
  logger.info({ stages, concurrency, prefix }, `worker ${name} ready: ${stages.join(', ')}`);
  return { name, closed, close };
}

/**
 * `fiscal-harvest run --redis … --db …`: a run whose stages are done by stage workers on any machine.
 * The coordinator records the run, queues one fetch job per source, waits for the fetch jobs and for the
 * process jobs they queued, then writes the outputs from the store exactly as the embedded run does
 * (exportFromStore), so they are the same whichever workers, and how many, made the rows.
 */
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { DirectoryBlobStore } from '../../fetch/blob-store.js';
import type { DocumentResult } from '../../model/document.js';
import { openStore } from '../../store/index.js';
import { VERSION } from '../../version.js';
import type { OcrMode } from '../process-document.js';
import { createProgress } from '../progress.js';
import { exportFromStore, RunInterruptedError, sourceJobs, type RunCounts, type RunSummary } from '../run.js';
import { storeKeyOf, type FetchStep, type SourceJob } from '../stages.js';
import { FinishedJobs, type Finished } from './finished-jobs.js';
import {
  DEFAULT_PREFIX, FetchJobResult, ProcessJobResult, addOnce, checkRedis, fetchJobId, openEvents, openQueues, redactedUrl, type FetchJobData,
} from './queues.js';

export interface DistributedRunSettings {
  inputs: string[];
  sourcesFile?: string;
  outDir: string;
  redis: string;
  /** The store the workers write to (a postgres:// URL; a SQLite file when all workers are on this machine). */
  db: string;
  /** The cache directory the workers share: the review page crops its pictures from the PDFs there. */
  cacheDir: string;
  prefix?: string;
  force?: boolean;
  ocr?: OcrMode;
  /** Queue the jobs and return without waiting (no outputs are written). */
  detach?: boolean;
  progress?: boolean;
  logger: Logger;
  /** Stops waiting: the run is recorded as interrupted (no outputs) and the queued jobs go on on the workers. */
  signal?: AbortSignal;
}

export type DistributedRunOutcome = ({ detached: false } & RunSummary) | { detached: true; runId: number; sources: number; state: string };

/** Jobs added to Redis at once while queueing a run (each add is a few round trips). */
const ENQUEUE_CONCURRENCY = 32;

export async function runDistributed(settings: DistributedRunSettings): Promise<DistributedRunOutcome> {
  const startedAt = new Date().toISOString();
  const prefix = settings.prefix ?? DEFAULT_PREFIX;
  const jobs = await sourceJobs(settings);
  await checkRedis(settings.redis);
  const store = await openStore(settings.db);
  const blobs = new DirectoryBlobStore(settings.cacheDir);
  const queues = openQueues(settings.redis, prefix);
  const force = !!settings.force;
  const ocr: OcrMode = settings.ocr ?? 'auto';
  let runId: number | undefined;
  let waiters: FinishedJobs[] = [];
  const events = [openEvents(settings.redis, 'fetch', prefix), openEvents(settings.redis, 'process', prefix)] as const;
  const progress = settings.progress && !settings.detach ? createProgress() : { add() {}, done() {}, stop() {} };
  try {
    runId = await store.startRun({
      software: 'fiscal-harvest', version: VERSION, startedAt,
      args: { inputs: settings.inputs, sources: settings.sourcesFile ?? null, force, distributed: { redis: redactedUrl(settings.redis), prefix, detach: !!settings.detach } },
    });
    const id = runId;
    const add = pLimit(ENQUEUE_CONCURRENCY);
    const fetchIds = await Promise.all(jobs.map((job) => add(async () => {
      const data: FetchJobData = { runId: id, force, ocr, job };
      return (await addOnce(queues.fetch, fetchJobId(storeKeyOf(job.spec)), 'fetch', data)).id!;
    })));
    settings.logger.info({ runId, sources: jobs.length, prefix }, `run ${runId}: ${jobs.length} fetch job(s) queued`);
    if (settings.detach) {
      await store.finishRun(runId, { detached: true, enqueued: jobs.length }, { status: 'ok' });
      return { detached: true, runId, sources: jobs.length, state: store.location };
    }

    const fetched = new FinishedJobs(queues.fetch, events[0]);
    const processed = new FinishedJobs(queues.process, events[1]);
    waiters = [fetched, processed];
    const counts: RunCounts = { sources: jobs.length, downloaded: 0, notModified: 0, fetchFailed: 0, processed: 0, skipped: 0, failed: 0, pages: 0 };
    progress.add(jobs.length);
    // One wait per document: two sources of one PDF share its process job and count it once.
    const processing = new Map<string, Promise<Finished>>();
    const processFailures = new Map<string, string>();
    const steps = await untilAborted(settings.signal, () => new RunInterruptedError(id, counts, store.location, 'the queued jobs go on on the workers'), Promise.all(jobs.map(async (job, i): Promise<FetchStep> => {
      const step = asStep(job, await fetched.wait(fetchIds[i]!));
      if (!step.ok) { counts.fetchFailed++; progress.done(0); return step; }
      if (step.outcome.status === 'fetched' && job.spec.kind === 'url') counts.downloaded++;
      if (step.outcome.status === 'not_modified') counts.notModified++;
      const processJobId = (step as FetchStep & { processJobId?: string }).processJobId;
      if (!processJobId) {
        if (!processing.has(step.sha256)) { processing.set(step.sha256, Promise.resolve({ ok: true, value: { processed: false, pages: 0, status: 'skipped' } })); counts.skipped++; }
        progress.done(0);
        return step;
      }
      let done = processing.get(step.sha256);
      if (!done) {
        done = processed.wait(processJobId).then((finished) => {
          if (!finished.ok) {
            counts.failed++;
            processFailures.set(step.sha256, `processing failed on the workers: ${finished.reason}`);
            settings.logger.error({ source: job.display, reason: finished.reason }, `process job failed: ${job.display}: ${finished.reason}`);
            return finished;
          }
          const r = ProcessJobResult.parse(finished.value);
          if (r.processed) counts.processed++; else counts.skipped++;
          if (r.status === 'failed') counts.failed++;
          counts.pages += r.pages;
          return finished;
        });
        processing.set(step.sha256, done);
      }
      const finished = await done;
      progress.done(finished.ok ? ProcessJobResult.parse(finished.value).pages : 0);
      return step;
    })));
    const outputs = await exportFromStore({ store, blobs }, steps.map(withoutJobId), settings.outDir, { software: 'fiscal-harvest', version: VERSION, startedAt, endedAt: new Date().toISOString() }, {
      missingReason: (step) => (step.ok ? processFailures.get(step.sha256) : undefined),
    });
    const failed = outputs.results.filter((r): r is DocumentResult => r.status === 'failed');
    await store.finishRun(runId, { counts, facts: outputs.facts, failed: failed.length }, { status: failed.length ? 'failed' : 'ok' });
    const fetchFailures = steps.filter((s): s is Extract<FetchStep, { ok: false }> => !s.ok).map((s) => ({ source: s.job.display, error: s.outcome.error.message }));
    return { detached: false, results: outputs.results, facts: outputs.facts, failed, fetchFailures, counts, runId, state: store.location };
  } catch (err) {
    const interrupted = err instanceof RunInterruptedError;
    if (runId !== undefined) await store.finishRun(runId, interrupted ? { counts: err.counts } : { error: (err as Error).message }, { status: interrupted ? 'interrupted' : 'failed' }).catch(() => undefined);
    throw err;
  } finally {
    progress.stop();
    for (const w of waiters) w.close();
    await Promise.allSettled(events.map((e) => e.close()));
    await queues.close();
    await store.close();
  }
}

/** The fetch job's outcome as the step of this run's source (a job shared with another run carries its own). */
function asStep(job: SourceJob, finished: Finished): FetchStep & { processJobId?: string } {
  if (!finished.ok) {
    return {
      job, storeKey: storeKeyOf(job.spec), ok: false,
      outcome: { status: 'failed', attempts: 0, error: { code: 'aborted', message: `the fetch job failed on the workers: ${finished.reason}`, transient: true } },
    };
  }
  const { step, processJobId } = FetchJobResult.parse(finished.value) as unknown as FetchJobResult;
  const own = step.ok ? { ...step, job, source: { ...step.source, source: job.display } } : { ...step, job };
  return processJobId ? { ...own, processJobId } : own;
}

const withoutJobId = (step: FetchStep & { processJobId?: string }): FetchStep => {
  const { processJobId: _id, ...rest } = step;
  return rest as FetchStep;
};

/** The work's result, or the error `stopped` makes as soon as the signal fires (the work is left to itself). */
function untilAborted<T>(signal: AbortSignal | undefined, stopped: () => Error, work: Promise<T>): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(stopped());
    if (signal.aborted) { onAbort(); return; }
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

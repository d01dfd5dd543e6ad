/**
 * The queues of the distributed mode (BullMQ on Redis): one per stage, `fetch` and `process`. What a job
 * carries and returns is plain JSON, checked with zod where it comes back out of Redis. PDF bytes never
 * go through Redis: they are in the shared content-addressed cache (DirectoryBlobStore), named by sha256.
 *
 * Job ids say what the job is about, so the same work is never queued twice at once: `fetch-<sha256 of
 * the source key>` (the document's hash is not known before the fetch) and `process-<document sha256>`.
 * Adding a job whose id is waiting or running joins it; a finished job of an earlier run is removed and
 * added again (see `addOnce`), so every run fetches its sources and checks its documents anew.
 */
import { createHash } from 'node:crypto';
import { Queue, QueueEvents, type ConnectionOptions, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { SourceSpec } from '../../fetch/sources.js';
import type { FetchStep, SourceJob } from '../stages.js';

export const STAGES = ['fetch', 'process'] as const;
export type StageName = (typeof STAGES)[number];

/** Redis key prefix of the queues when none is given: one deployment per prefix. */
export const DEFAULT_PREFIX = 'fiscal-harvest';

export const fetchJobId = (sourceKey: string) => `fetch-${createHash('sha256').update(sourceKey).digest('hex')}`;
export const processJobId = (sha256: string) => `process-${sha256}`;

const OcrModeSchema = z.enum(['auto', 'off', 'force']);

/** What a run asks of every job it causes. */
const RunPart = { runId: z.number().int().positive(), force: z.boolean(), ocr: OcrModeSchema };

// Sources and fetch steps are the pipeline's own types: checked here for their shape, hints passed through.
const SourceSpecSchema = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('url'), url: z.string().min(1), key: z.string().min(1) }),
  z.looseObject({ kind: z.literal('path'), path: z.string().min(1), key: z.string().min(1) }),
]);
const SourceJobSchema = z.object({ spec: SourceSpecSchema, display: z.string() });
const SHA256 = z.string().regex(/^[0-9a-f]{64}$/u);
const OkStepSchema = z.looseObject({
  job: SourceJobSchema,
  storeKey: z.string(),
  ok: z.literal(true),
  outcome: z.looseObject({ status: z.enum(['fetched', 'not_modified']), sha256: SHA256 }),
  sha256: SHA256,
  source: z.looseObject({ source: z.string(), sha256: SHA256, bytes: z.number() }),
});
const FailedStepSchema = z.looseObject({
  job: SourceJobSchema,
  storeKey: z.string(),
  ok: z.literal(false),
  outcome: z.looseObject({ status: z.literal('failed'), attempts: z.number(), error: z.looseObject({ code: z.string(), message: z.string() }) }),
});

export const FetchJobData = z.object({ ...RunPart, job: SourceJobSchema });
export type FetchJobData = Omit<z.infer<typeof FetchJobData>, 'job'> & { job: SourceJob };

export const ProcessJobData = z.object({ ...RunPart, step: OkStepSchema });
export type ProcessJobData = Omit<z.infer<typeof ProcessJobData>, 'step'> & { step: OkStep };

export type OkStep = Extract<FetchStep, { ok: true }>;

/** A fetch job's return value: where the source's bytes are, and the process job that reads them, if any. */
export const FetchJobResult = z.object({
  step: z.union([OkStepSchema, FailedStepSchema]),
  /** Absent when the fetch failed, or when this pipeline version already processed the document. */
  processJobId: z.string().optional(),
});
export type FetchJobResult = { step: FetchStep; processJobId?: string };

export const ProcessJobResult = z.object({
  processed: z.boolean(),
  pages: z.number().int().min(0),
  status: z.enum(['ok', 'failed', 'duplicate', 'skipped']),
});
export type ProcessJobResult = z.infer<typeof ProcessJobResult>;

/**
 * What a process job reports to the run. A job taken back from a worker that died or lost its lock after
 * storing the result finds it stored: that earlier attempt of this job processed it, in this run.
 */
export function processJobReport(
  outcome: ProcessJobResult,
  attemptsStarted: number,
  stored: { pages: number; status: ProcessJobResult['status'] } | undefined,
): ProcessJobResult {
  if (outcome.status !== 'skipped' || attemptsStarted <= 1 || !stored) return outcome;
  return { processed: true, pages: stored.pages, status: stored.status };
}

/** The step as it travels through Redis: without the downloaded bytes (they are in the shared cache). */
export function portableStep<S extends FetchStep>(step: S): S {
  if (!('data' in step.outcome)) return step;
  const { data: _bytes, ...outcome } = step.outcome as typeof step.outcome & { data?: Uint8Array };
  return { ...step, outcome } as S;
}

/** Sources in job data keep their parsed spec: the spec checked above is the pipeline's SourceSpec. */
export const asSourceJob = (job: z.infer<typeof SourceJobSchema>): SourceJob => ({ spec: job.spec as unknown as SourceSpec, display: job.display });

/**
 * Retries (with exponential backoff) are for errors around a document, not in it: a store or cache that
 * was briefly unreachable. A document that cannot be read is a stored `failed` result, not a failed job.
 * Finished jobs are kept for a day (at most 10,000) for `status`; failed ones for a week.
 */
export const JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};

/** A Redis connection as BullMQ wants it for workers (commands wait for a reconnection instead of failing). */
export function redisConnection(url: string): Redis {
  if (!/^rediss?:\/\//iu.test(url)) throw new Error(`not a Redis URL (redis://host:port[/db]): ${url}`);
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
  // Reported through the commands that fail; an idle connection dropping must not crash the process.
  redis.on('error', () => undefined);
  return redis;
}

/** Fails fast with a clear message when Redis is not there (BullMQ itself would retry forever). */
export async function checkRedis(url: string, timeoutMs = 5_000): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs });
  // The connection error says why (ECONNREFUSED, ENOTFOUND, NOAUTH…); the rejected command only that it closed.
  let cause: Error | undefined;
  probe.on('error', (err: Error) => (cause ??= err));
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    throw new Error(`cannot reach Redis at ${redactedUrl(url)}: ${(cause ?? (err as Error)).message}`, { cause: err });
  } finally {
    probe.disconnect();
  }
}

/** The URL without its password, for messages. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

export interface Queues {
  readonly prefix: string;
  readonly connection: Redis;
  fetch: Queue;
  process: Queue;
  close(): Promise<void>;
}

export function openQueues(redisUrl: string, prefix = DEFAULT_PREFIX): Queues {
  const connection = redisConnection(redisUrl);
  const options = { connection: connection as unknown as ConnectionOptions, prefix };
  const fetch = new Queue('fetch', options);
  const process = new Queue('process', options);
  fetch.on('error', () => undefined);
  process.on('error', () => undefined);
  return {
    prefix, connection, fetch, process,
    async close() {
      await Promise.allSettled([fetch.close(), process.close()]);
      connection.disconnect();
    },
  };
}

/** Events of one queue, on a connection of their own (they block on a stream read). */
export function openEvents(redisUrl: string, name: StageName, prefix = DEFAULT_PREFIX): QueueEvents {
  const events = new QueueEvents(name, { connection: redisConnection(redisUrl) as unknown as ConnectionOptions, prefix });
  events.on('error', () => undefined);
  return events;
}

/** The id of the job under `jobId` when it was queued for this run (in any state), else undefined. */
export async function jobOfRun(queue: Queue, jobId: string, runId: number): Promise<string | undefined> {
  const existing = await queue.getJob(jobId);
  return existing && (existing.data as { runId?: number }).runId === runId ? existing.id : undefined;
}

/**
 * Adds the job unless one with its id is waiting or running (then that one does the work for both). A job
 * finished for another run is removed first, so this run's job really runs; one finished for this run is
 * kept (two sources of one PDF share its process job).
 */
export async function addOnce(queue: Queue, jobId: string, name: string, data: { runId: number }, options: JobsOptions = JOB_OPTIONS): Promise<Job> {
  const existing = await queue.getJob(jobId);
  if (existing) {
    const state = await existing.getState();
    const finished = state === 'completed' || state === 'failed';
    if (!finished || (existing.data as { runId?: number }).runId === data.runId) return existing;
    // A worker may be finishing it right now (locked): then it is not removable, and it is as good as new.
    await existing.remove().catch(() => undefined);
  }
  return queue.add(name, data, { ...options, jobId });
}

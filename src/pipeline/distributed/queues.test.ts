/**
 * The queue mechanics on a real Redis, in process: a job id joins the job waiting under it, a finished job
 * of another run is queued anew, one of the same run is kept; waiting for jobs that finished before or
 * after they were awaited, or failed for good; the status report and its text. The whole distributed run
 * (workers as processes, kill -9, SIGTERM) is in test/e2e/distributed.test.ts.
 *
 * Needs Redis: FH_TEST_REDIS_URL (then it must answer), else redis://127.0.0.1:6379 when it answers;
 * otherwise skipped with the reason printed. Each case uses a queue prefix of its own, deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { FinishedJobs } from './finished-jobs.js';
import { addOnce, jobOfRun, openEvents, openQueues, processJobReport, redisConnection, type Queues } from './queues.js';
import { formatStatus, queueStatus } from './status.js';

const REDIS_URL = process.env.FH_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const skip = await unreachable();
if (skip) console.warn(`[queues] skipped: ${skip} (set FH_TEST_REDIS_URL to run them)`);

async function unreachable(): Promise<string | undefined> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (err) {
    if (process.env.FH_TEST_REDIS_URL) throw new Error(`FH_TEST_REDIS_URL=${REDIS_URL} does not answer: ${(err as Error).message}`);
    return `no Redis at ${REDIS_URL} (${(err as Error).message})`;
  } finally {
    redis.disconnect();
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function queuesForTest(): Queues {
  const prefix = `fh-test-queues-${randomBytes(4).toString('hex')}`;
  const queues = openQueues(REDIS_URL, prefix);
  cleanups.push(async () => {
    await queues.fetch.obliterate({ force: true });
    await queues.process.obliterate({ force: true });
    await queues.close();
  });
  return queues;
}

/** An in-process worker on the queue that answers each job with `handler`. */
function workOn(queues: Queues, name: 'fetch' | 'process', handler: (job: Job) => Promise<unknown>, workerName = 'test-worker'): Worker {
  const connection = redisConnection(REDIS_URL);
  const worker = new Worker(name, handler, { connection: connection as unknown as ConnectionOptions, prefix: queues.prefix, name: workerName });
  cleanups.push(async () => { await worker.close(); connection.disconnect(); });
  return worker;
}

const once = (worker: Worker, event: 'completed' | 'failed') => new Promise<void>((resolve) => worker.once(event, () => resolve()));

describe('processJobReport', () => {
  const skipped = { processed: false, pages: 0, status: 'skipped' } as const;
  it('a first attempt that found the result stored reports it reused', () => {
    expect(processJobReport(skipped, 1, { pages: 12, status: 'ok' })).toEqual(skipped);
  });
  it('a job taken back after an earlier attempt stored the result reports it processed, with its pages', () => {
    expect(processJobReport(skipped, 2, { pages: 12, status: 'ok' })).toEqual({ processed: true, pages: 12, status: 'ok' });
    expect(processJobReport(skipped, 3, { pages: 0, status: 'failed' })).toEqual({ processed: true, pages: 0, status: 'failed' });
  });
  it('a processed document is reported as it is, whatever the attempt', () => {
    const processed = { processed: true, pages: 7, status: 'ok' } as const;
    expect(processJobReport(processed, 2, { pages: 12, status: 'ok' })).toEqual(processed);
  });
});

describe.skipIf(skip !== undefined)('queues', () => {
  it('addOnce: joins a job that is waiting, keeps a finished job of the same run, queues anew one finished for another run', async () => {
    const queues = queuesForTest();
    const first = await addOnce(queues.process, 'process-abc', 'process', { runId: 1 });
    const joined = await addOnce(queues.process, 'process-abc', 'process', { runId: 2 });
    expect(joined.id).toBe(first.id);
    expect(joined.data).toEqual({ runId: 1 }); // the job already there, not a new one
    expect(await queues.process.getJobCounts('waiting')).toEqual({ waiting: 1 });

    const worker = workOn(queues, 'process', async (job) => ({ doneFor: job.data.runId }));
    await once(worker, 'completed');
    const kept = await addOnce(queues.process, 'process-abc', 'process', { runId: 1 });
    expect(await kept.getState()).toBe('completed');

    await worker.pause(); // so the new job stays visible as waiting
    const anew = await addOnce(queues.process, 'process-abc', 'process', { runId: 2 });
    expect(anew.data).toEqual({ runId: 2 });
    expect(await anew.getState()).toBe('waiting');
    expect(await queues.process.getJobCounts('waiting', 'completed')).toEqual({ waiting: 1, completed: 0 });
  });

  it('jobOfRun: the job under an id when it was queued for the run, in any state', async () => {
    const queues = queuesForTest();
    expect(await jobOfRun(queues.process, 'process-abc', 1)).toBeUndefined();
    const job = await addOnce(queues.process, 'process-abc', 'process', { runId: 1 });
    expect(await jobOfRun(queues.process, 'process-abc', 1)).toBe(job.id);
    expect(await jobOfRun(queues.process, 'process-abc', 2)).toBeUndefined();
    const worker = workOn(queues, 'process', async () => ({ processed: true }));
    await once(worker, 'completed');
    expect(await jobOfRun(queues.process, 'process-abc', 1)).toBe(job.id);
  });

  it('FinishedJobs: jobs finished before or after they are awaited, and jobs that failed for good', async () => {
    const queues = queuesForTest();
    const events = openEvents(REDIS_URL, 'fetch', queues.prefix);
    const finished = new FinishedJobs(queues.fetch, events, 200);
    cleanups.push(async () => { finished.close(); await events.close(); });

    const worker = workOn(queues, 'fetch', async (job) => {
      if (job.data.fail) throw new Error(`cannot do ${job.id}`);
      return { value: job.data.value };
    });
    const done = once(worker, 'completed');
    await queues.fetch.add('fetch', { value: 1 }, { jobId: 'early' });
    await done; // finished before anyone waits for it
    expect(await finished.wait('early')).toEqual({ ok: true, value: { value: 1 } });

    const later = finished.wait('later');
    await queues.fetch.add('fetch', { value: 2 }, { jobId: 'later' });
    expect(await later).toEqual({ ok: true, value: { value: 2 } });

    const failing = finished.wait('failing');
    await queues.fetch.add('fetch', { fail: true }, { jobId: 'failing', attempts: 2, backoff: { type: 'fixed', delay: 10 } });
    expect(await failing).toEqual({ ok: false, reason: 'cannot do failing' });
    expect((await queues.fetch.getJob('failing'))!.attemptsMade).toBe(2); // retried before it counted as failed
    expect(finished.pending).toBe(0);
  });

  it('status: depths, workers, failed jobs with their reasons, completed per minute', async () => {
    const queues = queuesForTest();
    const worker = workOn(queues, 'process', async (job) => {
      if (job.data.bad) throw new Error('the cache directory is not mounted');
      return { processed: true, pages: 1, status: 'ok' };
    }, 'host-a:1');
    const step = (n: number) => ({ sha256: String(n).repeat(64), source: { source: `https://example.org/${n}.pdf` } });
    let completed = once(worker, 'completed');
    for (let n = 1; n <= 3; n++) {
      await queues.process.add('process', { runId: 7, step: step(n) }, { jobId: `process-${n}` });
      await completed;
      completed = once(worker, 'completed');
    }
    const failed = once(worker, 'failed');
    await queues.process.add('process', { runId: 7, bad: true, step: step(4) }, { jobId: 'process-4' });
    await failed;
    await worker.pause();
    await queues.process.add('process', { runId: 8, step: step(5) }, { jobId: 'process-5' });

    const report = await queueStatus({ redis: REDIS_URL, prefix: queues.prefix });
    const process = report.queues.find((q) => q.stage === 'process')!;
    expect(process.counts).toEqual({ waiting: 1, active: 0, delayed: 0, failed: 1, completed: 3 });
    expect(process.completedPerMinute['1m']).toBe(3);
    expect(process.completedPerMinute['5m']).toBeCloseTo(3 / 5);
    expect(process.workers).toEqual(['host-a:1']);
    expect(process.failed).toEqual([expect.objectContaining({ id: 'process-4', runId: 7, reason: 'the cache directory is not mounted', worker: 'host-a:1' })]);
    expect(report.queues.find((q) => q.stage === 'fetch')!.counts).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 });

    const text = formatStatus(report);
    expect(text).toMatch(/^process\s+1\s+0\s+0\s+1\s+3\s+3\s+0\.6\s+0\.2$/mu);
    expect(text).toContain('workers: host-a:1 (process)');
    expect(text).toMatch(/process {2}https:\/\/example\.org\/4\.pdf \(sha256 444444444444\) {2}at .* after 1 attempt\(s\) {2}run 7: the cache directory is not mounted/u);
  });
});

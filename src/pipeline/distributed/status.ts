/**
 * `fiscal-harvest status`: what the stage queues are doing. Queue depths, the workers connected, the jobs
 * running (where, since when), the failed jobs with their reasons, and throughput: jobs completed per
 * minute over the last 1, 5 and 15 minutes, counted from the finish times of the completed jobs (kept a
 * day, see JOB_OPTIONS). With the store, the runs the queued and running jobs belong to.
 */
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { openStore, type RunRecord } from '../../store/index.js';
import { DEFAULT_PREFIX, STAGES, checkRedis, openQueues, redactedUrl, type StageName } from './queues.js';

export interface JobLine {
  id: string;
  /** The source (fetch) or document (process) the job is about. */
  about: string;
  runId?: number;
  worker?: string;
  attempts: number;
  /** ISO 8601: when the current attempt started (running jobs) or when the job failed (failed jobs). */
  at?: string;
  reason?: string;
}

export interface QueueStatus {
  stage: StageName;
  counts: { waiting: number; active: number; delayed: number; failed: number; completed: number };
  /** Jobs completed per minute, averaged over the last 1, 5 and 15 minutes. */
  completedPerMinute: { '1m': number; '5m': number; '15m': number };
  /** Names of the workers connected to this queue. */
  workers: string[];
  running: JobLine[];
  failed: JobLine[];
}

export interface StatusReport {
  redis: string;
  prefix: string;
  at: string;
  queues: QueueStatus[];
  /** The runs of the queued and running jobs (with a store). */
  runs?: RunRecord[];
}

export interface StatusOptions {
  redis: string;
  db?: string;
  prefix?: string;
  /** Failed jobs listed per queue, newest first (default 20). */
  failedLimit?: number;
  now?: () => number;
}

const RUNNING_LIMIT = 100;

export async function queueStatus(options: StatusOptions): Promise<StatusReport> {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  await checkRedis(options.redis);
  const queues = openQueues(options.redis, prefix);
  const now = (options.now ?? Date.now)();
  const runIds = new Set<number>();
  try {
    const report: StatusReport = { redis: redactedUrl(options.redis), prefix, at: new Date(now).toISOString(), queues: [] };
    for (const stage of STAGES) {
      const queue = queues[stage];
      const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed');
      const running = (await queue.getActive(0, RUNNING_LIMIT - 1)).map((job) => jobLine(stage, job, job.processedOn));
      const failed = (await queue.getFailed(0, (options.failedLimit ?? 20) - 1)).map((job) => ({ ...jobLine(stage, job, job.finishedOn), reason: job.failedReason }));
      for (const job of [...running, ...(await queue.getWaiting(0, 99)).map((j) => jobLine(stage, j))]) if (job.runId) runIds.add(job.runId);
      report.queues.push({
        stage,
        counts: { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, delayed: counts.delayed ?? 0, failed: counts.failed ?? 0, completed: counts.completed ?? 0 },
        completedPerMinute: await completedPerMinute(queues.connection, queue, now),
        workers: await workerNames(queue),
        running,
        failed,
      });
    }
    if (options.db) {
      const store = await openStore(options.db);
      try {
        const runs = await Promise.all([...runIds].sort((a, b) => a - b).map((id) => store.getRun(id)));
        report.runs = runs.filter((r): r is RunRecord => !!r);
      } finally {
        await store.close();
      }
    }
    return report;
  } finally {
    await queues.close();
  }
}

function jobLine(stage: StageName, job: Job, at?: number): JobLine {
  const data = job.data as { runId?: number; job?: { display?: string }; step?: { sha256?: string; source?: { source?: string } } };
  const about = stage === 'fetch' ? data.job?.display ?? '?' : `${data.step?.source?.source ?? '?'} (sha256 ${data.step?.sha256?.slice(0, 12) ?? '?'})`;
  return {
    id: job.id ?? '?', about, attempts: job.attemptsMade,
    ...(typeof data.runId === 'number' ? { runId: data.runId } : {}),
    ...(job.processedBy ? { worker: job.processedBy } : {}),
    ...(at ? { at: new Date(at).toISOString() } : {}),
  };
}

/** Completed jobs by finish time: the completed set is scored by it, so a count per window is exact. */
async function completedPerMinute(redis: Redis, queue: Queue, now: number): Promise<QueueStatus['completedPerMinute']> {
  const since = async (minutes: number) => (await redis.zcount(queue.keys.completed!, now - minutes * 60_000, '+inf')) / minutes;
  return { '1m': await since(1), '5m': await since(5), '15m': await since(15) };
}

/** Worker connections are named `<prefix>:<queue>:w:<worker name>` by BullMQ. */
async function workerNames(queue: Queue): Promise<string[]> {
  try {
    const clients = await queue.getWorkers();
    return [...new Set(clients.map((c) => (c.rawname ?? '').split(':w:')[1]).filter((n): n is string => !!n))].sort();
  } catch {
    return []; // CLIENT LIST may be refused (managed Redis): not worth failing the report
  }
}

export function formatStatus(report: StatusReport): string {
  const lines: string[] = [];
  lines.push(`queues at ${report.redis} (prefix ${report.prefix}), ${report.at}`);
  const header = ['stage', 'waiting', 'active', 'delayed', 'failed', 'completed', 'done/min 1m', '5m', '15m'];
  const rows = report.queues.map((q) => [q.stage, q.counts.waiting, q.counts.active, q.counts.delayed, q.counts.failed, q.counts.completed, q.completedPerMinute['1m'], q.completedPerMinute['5m'], q.completedPerMinute['15m']]
    .map((v) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : String(v))));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows]) lines.push(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
  const workers = new Map<string, StageName[]>();
  for (const q of report.queues) for (const w of q.workers) workers.set(w, [...(workers.get(w) ?? []), q.stage]);
  lines.push(`workers: ${workers.size ? [...workers].map(([w, s]) => `${w} (${s.join(', ')})`).join(', ') : 'none connected'}`);
  const running = report.queues.flatMap((q) => q.running.map((j) => ({ stage: q.stage, ...j })));
  if (running.length) {
    lines.push('running:');
    const t = Date.parse(report.at);
    for (const j of running) lines.push(`  ${j.stage}  ${j.about}  on ${j.worker ?? '?'}${j.at ? ` for ${((t - Date.parse(j.at)) / 1000).toFixed(1)} s` : ''}${j.runId ? `  run ${j.runId}` : ''}  attempt ${j.attempts + 1}`);
  }
  const failed = report.queues.flatMap((q) => q.failed.map((j) => ({ stage: q.stage, ...j })));
  if (failed.length) {
    lines.push('failed (newest first):');
    for (const j of failed) lines.push(`  ${j.stage}  ${j.about}  at ${j.at ?? '?'} after ${j.attempts} attempt(s)${j.runId ? `  run ${j.runId}` : ''}: ${j.reason ?? ''}`);
  }
  if (report.runs?.length) {
    lines.push('runs with jobs queued or running:');
    for (const r of report.runs) lines.push(`  run ${r.id}: ${r.status}, started ${r.startedAt}${r.endedAt ? `, ended ${r.endedAt}` : ''}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Waiting for many jobs of one queue to finish. Completion events (QueueEvents) answer at once; a poll of
 * the jobs still awaited catches what the events cannot: a job that finished before it was awaited, or an
 * event trimmed from the stream while the coordinator was busy. A job is finished when it is completed, or
 * failed for good (BullMQ only reports `failed` once the retries are used up).
 */
import type { Job, Queue, QueueEvents } from 'bullmq';

export type Finished = { ok: true; value: unknown } | { ok: false; reason: string };

interface Awaited {
  resolve(finished: Finished): void;
  /** Polls in a row that did not find the job (it is briefly absent while another run re-adds it). */
  missing: number;
}

export class FinishedJobs {
  private readonly awaited = new Map<string, Awaited[]>();
  private readonly timer: NodeJS.Timeout;
  private polling = false;

  /** `pollMs`: how often the jobs still awaited are looked at (a safety net: the events are the fast path). */
  constructor(private readonly queue: Queue, private readonly events: QueueEvents, pollMs = 10_000) {
    events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, { ok: true, value: returnvalue }));
    events.on('failed', ({ jobId, failedReason }) => this.settle(jobId, { ok: false, reason: failedReason }));
    this.timer = setInterval(() => void this.poll(), pollMs);
    this.timer.unref();
  }

  /** Resolves when the job is finished (never rejects). */
  async wait(jobId: string): Promise<Finished> {
    await this.events.waitUntilReady(); // listening before the first look, so no event falls in between
    const done = new Promise<Finished>((resolve) => {
      const list = this.awaited.get(jobId) ?? [];
      list.push({ resolve, missing: 0 });
      this.awaited.set(jobId, list);
    });
    void this.check(jobId);
    return done;
  }

  get pending(): number {
    return this.awaited.size;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private settle(jobId: string, finished: Finished): void {
    const list = this.awaited.get(jobId);
    if (!list) return;
    this.awaited.delete(jobId);
    for (const w of list) w.resolve(finished);
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const jobId of [...this.awaited.keys()]) await this.check(jobId);
    } finally {
      this.polling = false;
    }
  }

  private async check(jobId: string): Promise<void> {
    let job: Job | undefined;
    let state: string;
    try {
      job = await this.queue.getJob(jobId);
      state = job ? await job.getState() : 'unknown';
    } catch {
      return; // Redis unreachable for a moment: the next poll asks again
    }
    if (!job) {
      const list = this.awaited.get(jobId);
      if (list && ++list[0]!.missing >= 3) this.settle(jobId, { ok: false, reason: 'the job is no longer in the queue (removed before it finished)' });
      return;
    }
    if (state === 'completed') this.settle(jobId, { ok: true, value: job.returnvalue });
    else if (state === 'failed') this.settle(jobId, { ok: false, reason: job.failedReason || 'failed' });
    else this.awaited.get(jobId)?.forEach((w) => (w.missing = 0));
  }
}

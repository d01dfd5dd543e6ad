/**
 * A small pool of worker_threads running one task at a time each; tasks wait in a FIFO queue.
 *
 * Protocol (what a worker script implements, see serveTasks):
 *   parent → worker  { id: number, input: I }
 *   worker → parent  { id, ok: true, result: O }  |  { id, ok: false, error: { name, message, stack? } }
 * Messages are structured clones: plain data only; pass ArrayBuffers in `transfer` to move them.
 * A worker may also ask the parent for a service while it runs a task (one shared OCR engine for all
 * workers, say), when the pool was given `serve`:
 *   worker → parent  { call: number, request: R }
 *   parent → worker  { call, ok: true, result } | { call, ok: false, error }
 *
 * A worker that dies while running a task (uncaught exception, unhandled rejection, out of memory,
 * process.exit, failure to load) rejects that task alone with a WorkerCrashError; the worker is
 * dropped and a fresh one is started for the next task. An error the handler throws rejects the task
 * with a WorkerTaskError and the worker carries on. Idle workers are unref'd, so a forgotten pool
 * cannot keep the process alive; close() terminates them all.
 */
import { parentPort, Worker, type Transferable, type WorkerOptions } from 'node:worker_threads';

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export type TaskRequest<I> = { id: number; input: I };
export type TaskReply<O> = { id: number; ok: true; result: O } | { id: number; ok: false; error: SerializedError };

/** The worker running the task died (crash, OOM, exit) or was terminated: the task did not finish. */
export class WorkerCrashError extends Error {
  override name = 'WorkerCrashError';
}

/** The task's handler threw inside the worker: message and stack are the worker's. */
export class WorkerTaskError extends Error {
  override name = 'WorkerTaskError';
  constructor(readonly remote: SerializedError) {
    super(remote.message);
    if (remote.stack) this.stack = remote.stack;
  }
}

export interface WorkerPoolOptions {
  /** Most workers alive at once (started on demand). */
  size: number;
  /** Passed to every `new Worker` (resourceLimits, execArgv, workerData, ...). */
  workerOptions?: WorkerOptions;
  /** Answers workers' requests to the parent (see callParent); without it such calls are refused. */
  serve?: (request: unknown) => Promise<unknown>;
}

type CallRequest = { call: number; request: unknown };
type CallReply = { call: number; ok: true; result: unknown } | { call: number; ok: false; error: SerializedError };
const isCall = (msg: unknown): msg is CallRequest => typeof msg === 'object' && msg !== null && 'call' in msg && 'request' in msg;

interface Pending<I, O> {
  id: number;
  input: I;
  transfer: readonly Transferable[];
  resolve: (result: O) => void;
  reject: (err: Error) => void;
}

interface Slot<I, O> {
  worker: Worker;
  task?: Pending<I, O>;
  /** Why the worker is going away ('error' comes before 'exit'). */
  failure?: Error;
}

export class WorkerPool<I, O> {
  private readonly size: number;
  private readonly queue: Pending<I, O>[] = [];
  private readonly slots = new Set<Slot<I, O>>();
  private readonly exits = new Set<Promise<void>>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly script: string | URL, private readonly options: WorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError(`worker pool size must be a positive integer, got ${options.size}`);
    this.size = options.size;
  }

  /** Workers currently alive (idle or busy). */
  get workers(): number {
    return this.slots.size;
  }

  /** Runs one task on the next free worker; `transfer` lists buffers moved (not copied) to it. */
  run(input: I, transfer: readonly Transferable[] = []): Promise<O> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, input, transfer, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * Starts the workers now rather than with the first task, so that their start-up (loading their
   * modules) overlaps whatever the caller does before it has tasks. They wait idle, unref'd.
   */
  warm(): void {
    while (!this.closed && this.slots.size < this.size) {
      try {
        this.spawn();
      } catch {
        return; // the first task will try again and report why
      }
    }
  }

  /** Rejects queued and running tasks, terminates every worker and waits until all have exited. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(new Error('worker pool closed before the task started'));
    for (const slot of this.slots) {
      slot.failure ??= new WorkerCrashError('worker pool closed while the task was running');
      void slot.worker.terminate();
    }
    await Promise.all(this.exits);
  }

  private dispatch(): void {
    while (!this.closed && this.queue.length) {
      let slot: Slot<I, O> | undefined;
      for (const s of this.slots) if (!s.task && !s.failure) { slot = s; break; }
      if (!slot && this.slots.size < this.size) {
        try {
          slot = this.spawn();
        } catch (err) {
          // new Worker threw (bad path, bad options): this task cannot run; the next one tries again.
          this.queue.shift()!.reject(new WorkerCrashError(`worker thread could not start: ${describe(err)}`));
          continue;
        }
      }
      if (!slot) return;
      const task = this.queue.shift()!;
      try {
        slot.worker.postMessage({ id: task.id, input: task.input } satisfies TaskRequest<I>, task.transfer);
      } catch (err) {
        // Not cloneable / not transferable: the worker never saw it and stays idle.
        task.reject(err as Error);
        continue;
      }
      slot.task = task;
      slot.worker.ref();
    }
  }

  private spawn(): Slot<I, O> {
    const worker = new Worker(this.script, this.options.workerOptions);
    const slot: Slot<I, O> = { worker };
    this.slots.add(slot);
    worker.unref();
    let exited!: () => void;
    const exit = new Promise<void>((resolve) => (exited = resolve));
    this.exits.add(exit);

    worker.on('message', (msg: TaskReply<O> | CallRequest) => {
      if (isCall(msg)) { void this.answer(worker, msg); return; }
      const task = slot.task;
      if (!task || msg?.id !== task.id) return; // stray message: not a reply to the running task
      slot.task = undefined;
      worker.unref();
      if (msg.ok) task.resolve(msg.result);
      else task.reject(new WorkerTaskError(msg.error));
      this.dispatch();
    });
    worker.on('messageerror', (err) => {
      // The reply could not be deserialized: fail the task; the worker itself is fine.
      const task = slot.task;
      if (!task) return;
      slot.task = undefined;
      worker.unref();
      task.reject(new WorkerTaskError({ name: err.name, message: `the worker's reply could not be read: ${err.message}` }));
      this.dispatch();
    });
    worker.on('error', (err) => {
      slot.failure ??= new WorkerCrashError(`worker thread crashed: ${describe(err)}`);
    });
    worker.on('exit', (code) => {
      this.slots.delete(slot);
      this.exits.delete(exit);
      const task = slot.task;
      slot.task = undefined;
      if (task) task.reject(slot.failure ?? new WorkerCrashError(`worker thread exited with code ${code} while running the task`));
      exited();
      this.dispatch(); // a replacement starts if tasks are waiting
    });
    return slot;
  }

  private async answer(worker: Worker, { call, request }: CallRequest): Promise<void> {
    let reply: CallReply;
    try {
      if (!this.options.serve) throw new Error('this worker pool serves no requests');
      reply = { call, ok: true, result: await this.options.serve(request) };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      reply = { call, ok: false, error: { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) } };
    }
    try {
      worker.postMessage(reply);
    } catch {
      // The worker is gone (terminated while we answered): nobody is waiting.
    }
  }
}

let nextCall = 1;
const pendingCalls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

/** Worker side: asks the parent's `serve` for something and waits for the answer. */
export function callParent<T>(request: unknown, transfer: readonly Transferable[] = []): Promise<T> {
  const port = parentPort;
  if (!port) return Promise.reject(new Error('callParent must be called inside a worker thread'));
  const call = nextCall++;
  return new Promise<T>((resolve, reject) => {
    pendingCalls.set(call, { resolve: resolve as (v: unknown) => void, reject });
    port.postMessage({ call, request } satisfies CallRequest, transfer as Transferable[]);
  });
}

function settleCall(msg: CallReply): void {
  const pending = pendingCalls.get(msg.call);
  if (!pending) return;
  pendingCalls.delete(msg.call);
  if (msg.ok) pending.resolve(msg.result);
  else pending.reject(new WorkerTaskError(msg.error));
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: string }).code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return `out of memory (${err.message})`;
  return `${err.name}: ${err.message}`;
}

/** Worker side of the protocol: answers each task with handler(input), one reply per request. */
export function serveTasks<I, O>(handler: (input: I) => O | Promise<O>, transferOf: (result: O) => Transferable[] = () => []): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks must be called inside a worker thread');
  port.on('message', async (msg: TaskRequest<I> | CallReply) => {
    if ('call' in msg) { settleCall(msg); return; }
    const { id, input } = msg;
    let reply: TaskReply<O>;
    let transfer: Transferable[] = [];
    try {
      const result = await handler(input);
      reply = { id, ok: true, result };
      transfer = transferOf(result);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      reply = { id, ok: false, error: { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) } };
    }
    try {
      port.postMessage(reply, transfer);
    } catch (err) {
      // The result is not cloneable (a function, a class with private state, ...): say so.
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ id, ok: false, error: { name: e.name, message: `the result could not be sent back: ${e.message}` } } satisfies TaskReply<O>);
    }
  });
}

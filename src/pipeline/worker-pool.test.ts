/**
 * The worker pool with real worker threads: a tiny .mjs worker written to a temp folder speaks the
 * pool's protocol (the TypeScript document worker cannot run under vitest). Covers result order,
 * transfer of bytes, crash isolation (throw, unhandled rejection, process.exit, out of memory, load
 * failure), worker replacement and shutdown.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerCrashError, WorkerPool, WorkerTaskError } from './worker-pool.js';

type Task =
  | { op: 'echo'; value: number; delayMs?: number }
  | { op: 'sum'; bytes: Uint8Array }
  | { op: 'threadId' }
  | { op: 'span'; delayMs: number }
  | { op: 'ask'; question: number }
  | { op: 'throw' | 'crash' | 'reject' | 'exit' | 'oom' | 'hang' };

// Implements the protocol by hand, as any worker script may.
const WORKER = `
import { parentPort, threadId } from 'node:worker_threads';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const calls = new Map();
let nextCall = 1;
const ask = (request) => new Promise((resolve, reject) => {
  const call = nextCall++;
  calls.set(call, { resolve, reject });
  parentPort.postMessage({ call, request });
});
parentPort.on('message', async (msg) => {
  if ('call' in msg) { const c = calls.get(msg.call); calls.delete(msg.call); msg.ok ? c.resolve(msg.result) : c.reject(new Error(msg.error.message)); return; }
  const { id, input } = msg;
  try {
    let result;
    switch (input.op) {
      case 'echo': await sleep(input.delayMs ?? 0); result = input.value; break;
      case 'sum': result = input.bytes.reduce((a, b) => a + b, 0); break;
      case 'threadId': result = threadId; break;
      case 'ask': result = await ask({ question: input.question }).then((r) => 'answer ' + r, (e) => 'refused: ' + e.message); break;
      case 'span': { const start = Date.now(); await sleep(input.delayMs); result = { threadId, start, end: Date.now() }; break; }
      case 'throw': throw new TypeError('bad input');
      case 'crash': setTimeout(() => { throw new Error('boom in worker'); }); return;
      case 'reject': Promise.reject(new Error('nobody catches this')); return;
      case 'exit': process.exit(3);
      case 'oom': { const hog = []; for (;;) hog.push(new Array(1e5).fill({ x: hog.length })); }
      case 'hang': await new Promise(() => setInterval(() => {}, 1000)); return;
    }
    parentPort.postMessage({ id, ok: true, result });
  } catch (err) {
    parentPort.postMessage({ id, ok: false, error: { name: err.name, message: err.message, stack: err.stack } });
  }
});
`;

let dir: string;
let script: URL;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fh-pool-'));
  writeFileSync(path.join(dir, 'worker.mjs'), WORKER);
  script = pathToFileURL(path.join(dir, 'worker.mjs'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('WorkerPool', () => {
  it("answers workers' requests with its serve function, one service for all workers", async () => {
    const seen: unknown[] = [];
    const pool = new WorkerPool<Task, string>(script, { size: 2, serve: async (request) => { seen.push(request); const q = (request as { question: number }).question; if (q < 0) throw new Error('negative'); return q * 2; } });
    try {
      const answers = await Promise.all([1, 2, 3, -1].map((question) => pool.run({ op: 'ask', question })));
      expect(answers).toEqual(['answer 2', 'answer 4', 'answer 6', 'refused: negative']);
      expect(seen).toHaveLength(4);
    } finally {
      await pool.close();
    }
    const refusing = new WorkerPool<Task, string>(script, { size: 1 });
    try {
      expect(await refusing.run({ op: 'ask', question: 1 })).toBe('refused: this worker pool serves no requests');
    } finally {
      await refusing.close();
    }
  });

  it('returns each result to its own task, in input order under Promise.all whatever the completion order', async () => {
    const pool = new WorkerPool<Task, number>(script, { size: 3 });
    try {
      // Early tasks are the slowest: they complete last.
      const values = Array.from({ length: 12 }, (_, i) => i);
      const done: number[] = [];
      const results = await Promise.all(values.map((value) => pool.run({ op: 'echo', value, delayMs: (12 - value) * 5 }).then((r) => (done.push(r), r))));
      expect(results).toEqual(values);
      expect(done).not.toEqual(values); // they really did finish out of order
      expect(pool.workers).toBeLessThanOrEqual(3);
    } finally {
      await pool.close();
    }
  });

  it('runs tasks on several threads at once, never more than its size', async () => {
    const pool = new WorkerPool<Task, { threadId: number; start: number; end: number }>(script, { size: 2 });
    try {
      const spans = await Promise.all([0, 1, 2, 3, 4, 5].map(() => pool.run({ op: 'span', delayMs: 150 })));
      expect(new Set(spans.map((s) => s.threadId)).size).toBe(2);
      // Most tasks running at any instant (span starts, by the worker clocks of one process).
      const running = (t: number) => spans.filter((s) => s.start <= t && t < s.end).length;
      expect(Math.max(...spans.map((s) => running(s.start)))).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('warm() starts its workers before any task, and the tasks then run on those same threads', async () => {
    const pool = new WorkerPool<Task, number>(script, { size: 2 });
    try {
      expect(pool.workers).toBe(0);
      pool.warm();
      expect(pool.workers).toBe(2);
      pool.warm(); // no more than its size
      expect(pool.workers).toBe(2);
      const threads = new Set(await Promise.all(Array.from({ length: 6 }, () => pool.run({ op: 'threadId' }))));
      expect(threads.size).toBeLessThanOrEqual(2);
      expect(pool.workers).toBe(2);
    } finally {
      await pool.close();
    }
    expect(pool.workers).toBe(0);
    pool.warm(); // closed: starts nothing
    expect(pool.workers).toBe(0);
  });

  it('moves transferred bytes to the worker', async () => {
    const pool = new WorkerPool<Task, number>(script, { size: 1 });
    try {
      const bytes = new Uint8Array([1, 2, 3, 250]);
      expect(await pool.run({ op: 'sum', bytes }, [bytes.buffer])).toBe(256);
      expect(bytes.byteLength).toBe(0); // detached here: moved, not copied
    } finally {
      await pool.close();
    }
  });

  it('rejects a task whose handler throws with the worker\'s error, and the worker carries on', async () => {
    const pool = new WorkerPool<Task, number>(script, { size: 1 });
    try {
      const id = await pool.run({ op: 'threadId' });
      const err = await pool.run({ op: 'throw' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkerTaskError);
      expect((err as WorkerTaskError).message).toBe('bad input');
      expect((err as WorkerTaskError).remote.name).toBe('TypeError');
      expect(await pool.run({ op: 'threadId' })).toBe(id); // same worker
    } finally {
      await pool.close();
    }
  });

  it.each([
    ['an uncaught exception', 'crash', /worker thread crashed: Error: boom in worker/],
    ['an unhandled rejection', 'reject', /worker thread crashed: .*nobody catches this/],
    ['process.exit', 'exit', /worker thread exited with code 3/],
  ] as const)('fails only the task whose worker dies of %s; the others and later tasks run', async (_what, op, message) => {
    const pool = new WorkerPool<Task, number>(script, { size: 2 });
    try {
      const outcomes = await Promise.allSettled([
        pool.run({ op: 'echo', value: 1, delayMs: 50 }),
        pool.run({ op }),
        pool.run({ op: 'echo', value: 3, delayMs: 50 }),
        pool.run({ op: 'echo', value: 4 }),
        pool.run({ op: 'echo', value: 5 }),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
      expect(outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value)).toEqual([1, 3, 4, 5]);
      const reason = (outcomes[1] as PromiseRejectedResult).reason as Error;
      expect(reason).toBeInstanceOf(WorkerCrashError);
      expect(reason.message).toMatch(message);
      expect(pool.workers).toBeLessThanOrEqual(2);
      expect(await pool.run({ op: 'echo', value: 6 })).toBe(6); // still serving
    } finally {
      await pool.close();
    }
  });

  it('replaces a dead worker with a fresh thread', async () => {
    const pool = new WorkerPool<Task, number>(script, { size: 1 });
    try {
      const before = await pool.run({ op: 'threadId' });
      await expect(pool.run({ op: 'crash' })).rejects.toBeInstanceOf(WorkerCrashError);
      const after = await pool.run({ op: 'threadId' });
      expect(after).not.toBe(before);
      expect(pool.workers).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('fails only the task whose worker runs out of memory', async () => {
    const pool = new WorkerPool<Task, number>(script, { size: 1, workerOptions: { resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 } } });
    try {
      const [oom, after] = await Promise.allSettled([pool.run({ op: 'oom' }), pool.run({ op: 'echo', value: 7 })]);
      expect(oom.status).toBe('rejected');
      expect(((oom as PromiseRejectedResult).reason as Error).message).toMatch(/worker thread crashed: out of memory/);
      expect(after).toEqual({ status: 'fulfilled', value: 7 });
    } finally {
      await pool.close();
    }
  }, 30_000);

  it('fails each task with a clear error when the worker script cannot load, without looping', async () => {
    const pool = new WorkerPool<Task, number>(pathToFileURL(path.join(dir, 'missing.mjs')), { size: 2 });
    try {
      const outcomes = await Promise.allSettled([1, 2, 3].map((value) => pool.run({ op: 'echo', value })));
      for (const o of outcomes) {
        expect(o.status).toBe('rejected');
        expect(((o as PromiseRejectedResult).reason as Error).message).toMatch(/worker thread crashed: .*(missing\.mjs|Cannot find module)/);
      }
    } finally {
      await pool.close();
    }
  });

  it('close() rejects queued and running tasks, terminates every worker, and refuses new tasks', async () => {
    const pool = new WorkerPool<Task, number>(script, { size: 2 });
    await pool.run({ op: 'echo', value: 0 });
    const pending = [pool.run({ op: 'hang' }), pool.run({ op: 'hang' }), pool.run({ op: 'echo', value: 1 })].map((p) => p.catch((e: Error) => e));
    await new Promise((r) => setTimeout(r, 50));
    expect(pool.workers).toBe(2);
    await pool.close();
    expect(pool.workers).toBe(0);
    const [a, b, c] = await Promise.all(pending);
    expect(a).toBeInstanceOf(WorkerCrashError);
    expect(b).toBeInstanceOf(WorkerCrashError);
    expect((c as Error).message).toMatch(/closed before the task started/);
    await expect(pool.run({ op: 'echo', value: 2 })).rejects.toThrow(/closed/);
  });

  it('lets the process exit on its own: after close(), and even with idle (or warmed) workers never closed', () => {
    // A child node process that uses the pool and ends without process.exit: it must not hang.
    const poolJs = pathToFileURL(path.join(dir, 'pool-under-test.mjs'));
    const main = (closeIt: boolean) => `
      import { WorkerPool } from ${JSON.stringify(poolJs.href)};
      const pool = new WorkerPool(new URL(${JSON.stringify(script.href)}), { size: 2 });
      pool.warm();
      const r = await Promise.all([1, 2, 3].map((value) => pool.run({ op: 'echo', value })));
      ${closeIt ? 'await pool.close();' : ''}
      console.log(JSON.stringify(r));
    `;
    // The pool module as plain JS for the child process.
    writeFileSync(path.join(dir, 'pool-under-test.mjs'), transpiledPool());
    for (const closeIt of [true, false]) {
      writeFileSync(path.join(dir, 'main.mjs'), main(closeIt));
      const child = spawnSync(process.execPath, [path.join(dir, 'main.mjs')], { encoding: 'utf8', timeout: 10_000 });
      expect(child.error).toBeUndefined(); // no timeout: the process ended by itself
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      expect(child.stdout.trim()).toBe('[1,2,3]');
    }
  }, 30_000);
});

function transpiledPool(): string {
  // transpileModule only strips the types (typescript is a devDependency).
  const src = fileURLToPath(new URL('./worker-pool.ts', import.meta.url));
  return ts.transpileModule(readFileSync(src, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
}

/**
 * compileOnDocumentThreads: the decision, and its effect on a thread started afterwards. The effect
 * is read with V8's own test hooks (natives syntax, enabled here for the threads this test starts):
 * a function asked to be optimised concurrently is optimised before the call returns.
 */
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileOnDocumentThreads } from './compile-threads.js';

// Bits of %GetOptimizationStatus (V8's src/runtime/runtime-test.cc).
const OPTIMIZED = 1 << 4;
const OPTIMIZING_CONCURRENTLY = 1 << 10;

const PROBE = `
const { parentPort } = require('node:worker_threads');
function hot(n) {
  let sum = 0;
  for (let i = 0; i < n; i++) { const item = { at: i, parts: [sum, i * 31 % 7] }; sum += item.parts[1] + String(item.at).length; }
  return sum;
}
%PrepareFunctionForOptimization(hot);
hot(1); hot(2);
%OptimizeFunctionOnNextCall(hot, "concurrent");
hot(3);
parentPort.postMessage(%GetOptimizationStatus(hot));
`;

function statusOnNewThread(): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(PROBE, { eval: true });
    worker.once('message', (status: number) => { resolve(status); void worker.terminate(); });
    worker.once('error', reject);
  });
}

describe('compileOnDocumentThreads', () => {
  afterEach(() => vi.restoreAllMocks());

  it('leaves V8 alone while a core is free, and compiles on the asking thread once every core has a document thread', () => {
    const setFlags = vi.spyOn(v8, 'setFlagsFromString').mockImplementation(() => undefined);
    expect(compileOnDocumentThreads(1, 2)).toBe(false);
    expect(compileOnDocumentThreads(3, 8)).toBe(false);
    expect(setFlags).not.toHaveBeenCalled();
    expect(compileOnDocumentThreads(2, 2)).toBe(true);
    expect(compileOnDocumentThreads(4, 2)).toBe(true);
    const flags = ['--no-concurrent-recompilation', `--interrupt-budget=${4 * 66 * 1024}`];
    expect(setFlags.mock.calls.flat()).toEqual([...flags, ...flags]);
  });

  it('a thread started afterwards has its hot function optimised before the call returns', async () => {
    v8.setFlagsFromString('--allow-natives-syntax');
    expect(compileOnDocumentThreads(2, 2)).toBe(true);
    for (let i = 0; i < 3; i++) {
      const status = await statusOnNewThread();
      expect(status & OPTIMIZED).toBe(OPTIMIZED);
      expect(status & OPTIMIZING_CONCURRENTLY).toBe(0);
    }
  });
});

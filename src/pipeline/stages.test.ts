/**
 * The process stage against a real SQLite store: a stored result of this pipeline version is reused, and a
 * stage left 'running' by a worker that died after storing its result is closed by the next worker.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentResult } from '../model/document.js';
import { openStore, type Store } from '../store/index.js';
import { processStage, type FetchStep, type ProcessOne, type StageContext } from './stages.js';

const SHA = 'ab'.repeat(32);
const VERSION = 'test-version';
const source = { source: 'corpus/部门决算.pdf', sha256: SHA, bytes: 3 };

const resultOf = (status: DocumentResult['status'], error?: string): DocumentResult => ({
  source, status, ...(error ? { error } : {}), pages: 2, pagesNeedingOcr: [], tables: [], facts: [], validation: [], findings: [], timingsMs: {},
});

const step: Extract<FetchStep, { ok: true }> = {
  job: { spec: { kind: 'path', path: '/nowhere/部门决算.pdf', key: '/nowhere/部门决算.pdf', origin: { file: 'command line' } }, display: source.source },
  storeKey: '/nowhere/部门决算.pdf', ok: true,
  outcome: { status: 'fetched', attempts: 1, sha256: SHA, bytes: 3, data: new Uint8Array([1, 2, 3]) } as Extract<FetchStep, { ok: true }>['outcome'],
  sha256: SHA, source,
};

let dir: string | undefined;
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  store = dir = undefined;
});

async function context(worker: string): Promise<StageContext> {
  dir ??= await mkdtemp(path.join(os.tmpdir(), 'fh-stages-'));
  store ??= await openStore(path.join(dir, 'state.sqlite'));
  return { store, blobs: undefined as never, fetcher: undefined as never, pipelineVersion: VERSION, force: false, runId: 1, logger: pino({ level: 'silent' }), worker };
}

/** The document's process stage record: status, worker, attempts. */
async function processRecord(s: Store) {
  const stage = (await s.stageResults(SHA)).find((r) => r.stage === 'process');
  return stage && { status: stage.status, worker: stage.worker, attempts: stage.attempts };
}

describe('processStage', () => {
  it('processes once, then reuses the stored result without processing again', async () => {
    const ctx = await context('worker-a');
    let calls = 0;
    const processOne: ProcessOne = async () => (calls++, resultOf('ok'));
    expect(await processStage(ctx, step, processOne)).toEqual({ processed: true, pages: 2, status: 'ok' });
    expect(await processStage(ctx, step, processOne)).toEqual({ processed: false, pages: 0, status: 'skipped' });
    expect(calls).toBe(1);
    expect(await processRecord(ctx.store)).toEqual({ status: 'done', worker: 'worker-a', attempts: 1 });
  });

  it('a worker killed after storing its result but before recording done: the next one closes the stage as the result ended', async () => {
    const ctx = await context('victim');
    await ctx.store.recordStage(SHA, 'process', 'running', { worker: 'victim' });
    await ctx.store.saveResult(resultOf('failed', 'the PDF is encrypted'), VERSION);
    // …killed here. The job is taken back by another worker:
    const survivor = { ...ctx, worker: 'survivor' };
    const outcome = await processStage(survivor, step, async () => { throw new Error('must not process again'); });
    expect(outcome.status).toBe('skipped');
    expect(await processRecord(ctx.store)).toEqual({ status: 'failed', worker: 'victim', attempts: 1 });
    expect((await ctx.store.stageResults(SHA))[0]!.error).toBe('the PDF is encrypted');
  });

  it('a stage marked running after the stored result (a forced reprocessing under way) is left alone', async () => {
    const ctx = await context('other');
    await ctx.store.saveResult(resultOf('ok'), VERSION);
    await new Promise((r) => setTimeout(r, 5)); // timestamps are to the millisecond
    await ctx.store.recordStage(SHA, 'process', 'running', { worker: 'forced' });
    expect((await processStage(ctx, step, async () => resultOf('ok'))).status).toBe('skipped');
    expect(await processRecord(ctx.store)).toEqual({ status: 'running', worker: 'forced', attempts: 1 });
  });
});

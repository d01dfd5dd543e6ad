/**
 * The two stages of a harvest, as functions of their input and a context: fetch (a source to bytes in
 * the blob store, recorded in the run state) and process (bytes to a stored DocumentResult). The
 * embedded run (run.ts) calls them under p-limit; a distributed worker calls the same functions from a
 * queue job. Neither writes outputs: exports are made from the store afterwards.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { BlobStore } from '../fetch/blob-store.js';
import type { Fetcher } from '../fetch/http.js';
import { fetchLocal } from '../fetch/local.js';
import type { FetchOutcome } from '../fetch/outcome.js';
import type { SourceSpec } from '../fetch/sources.js';
import type { DocumentResult, Source } from '../model/document.js';
import type { Store } from '../store/index.js';

export interface StageContext {
  store: Store;
  blobs: BlobStore;
  fetcher: Fetcher;
  pipelineVersion: string;
  /** Fetch unconditionally and process again what was processed before. */
  force: boolean;
  runId: number;
  logger: Logger;
  /** Who runs the stage (a distributed worker's name), kept in the stage records. */
  worker?: string;
}

/** A source to harvest: the parsed spec and the string facts.csv calls it by (the URL, or the path as given). */
export interface SourceJob {
  spec: SourceSpec;
  display: string;
}

/** Where the source's bytes are: `sha256` in the blob store, or the local path. */
export type FetchStep =
  | { job: SourceJob; storeKey: string; ok: true; outcome: Exclude<FetchOutcome, { status: 'failed' }>; sha256: string; source: Source }
  | { job: SourceJob; storeKey: string; ok: false; outcome: Extract<FetchOutcome, { status: 'failed' }>; previousSha256?: string };

/** Run-state key of a source: its URL, or its absolute path (the user's id is kept as a hint). */
export const storeKeyOf = (spec: SourceSpec): string => (spec.kind === 'url' ? spec.url : spec.path);

export async function fetchStage(ctx: StageContext, job: SourceJob): Promise<FetchStep> {
  const { spec } = job;
  const storeKey = await ctx.store.upsertSource({
    key: storeKeyOf(spec), runId: ctx.runId,
    ...(spec.id ? { idHint: spec.id } : {}), ...(spec.entity ? { entityHint: spec.entity } : {}),
    ...(spec.fiscalYear ? { fiscalYearHint: spec.fiscalYear } : {}), ...(spec.docKind ? { docKindHint: spec.docKind } : {}),
  });
  const previous = await ctx.store.latestFetch(storeKey, { succeeded: true });
  // A prior fetch is only worth a conditional request when its bytes are still at hand.
  const prior = !ctx.force && previous?.sha256 && (spec.kind === 'path' || (await ctx.blobs.has(previous.sha256))) ? previous : undefined;
  const outcome = spec.kind === 'url' ? await ctx.fetcher.fetch(spec.url, prior) : await fetchLocal(spec.path, prior ? { prior } : {});
  const { data: _bytes, ...recorded } = outcome as FetchOutcome & { data?: Uint8Array };
  await ctx.store.recordFetch(ctx.runId, storeKey, recorded);
  if (outcome.status === 'failed') {
    ctx.logger.warn({ source: job.display, code: outcome.error.code }, `fetch failed: ${job.display}: ${outcome.error.message}`);
    return { job, storeKey, ok: false, outcome, ...(previous?.sha256 ? { previousSha256: previous.sha256 } : {}) };
  }
  const bytes = outcome.status === 'fetched' ? outcome.bytes : previous?.bytes ?? 0;
  const source: Source = { source: job.display, sha256: outcome.sha256, bytes, ...(outcome.retrievedAt ? { retrievedAt: outcome.retrievedAt } : {}) };
  return { job, storeKey, ok: true, outcome, sha256: outcome.sha256, source };
}

/** The PDF bytes of a fetched source: in memory right after the download, else the blob store, else the path. */
export async function bytesOf(ctx: Pick<StageContext, 'blobs'>, step: Extract<FetchStep, { ok: true }>): Promise<Uint8Array> {
  if (step.outcome.status === 'fetched' && step.outcome.data) return step.outcome.data;
  const stored = await ctx.blobs.get(step.sha256);
  if (stored) return stored;
  if (step.job.spec.kind === 'path') return new Uint8Array(await readFile(step.job.spec.path));
  throw new Error(`the bytes of ${step.job.display} (sha256 ${step.sha256}) are no longer in the cache`);
}

export type ProcessOne = (source: Source, bytes: Uint8Array) => Promise<DocumentResult>;

/**
 * Processes a fetched document unless this pipeline version already did (then `skipped`), and stores the
 * result in one transaction: a crash leaves the old result or the new one, never half.
 */
export async function processStage(ctx: StageContext, step: Extract<FetchStep, { ok: true }>, processOne: ProcessOne): Promise<{ processed: boolean; pages: number; status: DocumentResult['status'] | 'skipped' }> {
  if (!ctx.force && (await ctx.store.isProcessed(step.sha256, ctx.pipelineVersion))) {
    await closeInterruptedStage(ctx.store, step.sha256);
    return { processed: false, pages: 0, status: 'skipped' };
  }
  await ctx.store.recordStage(step.sha256, 'process', 'running', ctx.worker ? { worker: ctx.worker } : {});
  const result = await processOne(step.source, await bytesOf(ctx, step));
  await ctx.store.saveResult(result, ctx.pipelineVersion);
  await ctx.store.recordStage(step.sha256, 'process', result.status === 'failed' ? 'failed' : 'done', result.error ? { error: result.error } : {});
  if (result.status === 'failed') ctx.logger.error({ source: step.source.source, error: result.error }, `failed: ${step.source.source}: ${result.error}`);
  else ctx.logger.info({ source: step.source.source, pages: result.pages, tables: result.tables.length, cells: result.facts.length }, 'document processed');
  return { processed: true, pages: result.pages, status: result.status };
}

/**
 * A worker that died between storing a result and recording 'done' left the stage 'running' for good; a
 * result stored after that mark shows how it ended.
 */
async function closeInterruptedStage(store: Store, sha256: string): Promise<void> {
  const stage = (await store.stageResults(sha256)).find((s) => s.stage === 'process');
  if (stage?.status !== 'running') return;
  const stored = await store.documentStatus(sha256);
  if (!stored || stored.processedAt < stage.updatedAt) return;
  await store.recordStage(sha256, 'process', stored.status === 'failed' ? 'failed' : 'done', stored.error ? { error: stored.error } : {});
}

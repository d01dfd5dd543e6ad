/**
 * The run state: runs, sources, fetches, per-document results and stage results, behind one interface that
 * SQLite (embedded, the default) and PostgreSQL (shared by several machines) both implement. Every method is
 * async so that both fit. Records are plain data; absent values are omitted (never `null`) so that a
 * `FetchRecord` can be handed back to the fetcher as its prior fetch.
 */
import path from 'node:path';
import type { DocumentResult } from '../model/document.js';

/** Where the run state lives when no store is given: beside the outputs. */
export const defaultStoreLocation = (outDir = 'out') => path.join(outDir, 'state.db');

export const isPostgresLocation = (location: string) => /^postgres(?:ql)?:\/\//iu.test(location);

export type StoreDialect = 'sqlite' | 'postgres';

export type RunStatus = 'running' | 'ok' | 'failed' | 'interrupted';

export interface RunStart {
  software: string;
  version: string;
  /** The command line or settings of the run (any JSON value). */
  args?: unknown;
  /** ISO 8601; now when absent. */
  startedAt?: string;
}

export interface RunFinish {
  /** 'ok' when absent. */
  status?: Exclude<RunStatus, 'running'>;
  /** ISO 8601; now when absent. */
  endedAt?: string;
}

export interface RunRecord {
  id: number;
  startedAt: string;
  endedAt?: string;
  software: string;
  version: string;
  /** Absent when the run was started without args. */
  args?: unknown;
  summary?: unknown;
  status: RunStatus;
}

/** A source to harvest. The key is the URL, or the absolute path of a file (see `sourceKey`). */
export interface SourceSpec {
  key: string;
  /** What the source list calls it (an id hint; not unique). */
  idHint?: string;
  entityHint?: string;
  fiscalYearHint?: string;
  docKindHint?: string;
  /** The run that lists it: recorded as first_seen_run when the source is new. */
  runId?: number;
}

export interface SourceRecord extends Omit<SourceSpec, 'runId'> {
  firstSeenRun?: number;
  firstSeenAt: string;
  updatedAt: string;
}

/**
 * What fetching a source came to. Structurally the fetch stage's `FetchOutcome` (src/fetch/outcome.ts): an
 * outcome from there can be passed as it is (its `data` bytes are not stored).
 */
export interface FetchOutcomeInput {
  status: 'fetched' | 'not_modified' | 'failed';
  attempts: number;
  sha256?: string;
  bytes?: number;
  etag?: string;
  lastModified?: string;
  httpStatus?: number;
  finalUrl?: string;
  /** ISO 8601; now when absent. */
  retrievedAt?: string;
  error?: { code: string; message: string; transient?: boolean; httpStatus?: number };
}

export type FetchStatus = FetchOutcomeInput['status'];

/** One recorded fetch. Assignable to the fetcher's `PriorFetch` ({ etag?, lastModified?, sha256? }). */
export interface FetchRecord {
  sourceKey: string;
  runId: number;
  status: FetchStatus;
  sha256?: string;
  bytes?: number;
  etag?: string;
  lastModified?: string;
  httpStatus?: number;
  finalUrl?: string;
  attempts: number;
  errorCode?: string;
  errorMessage?: string;
  errorTransient?: boolean;
  retrievedAt: string;
}

export interface DocumentRecord {
  sha256: string;
  pipelineVersion: string;
  status: DocumentResult['status'];
  error?: string;
  processedAt: string;
  pages: number;
  facts: number;
  validations: number;
}

export type StageStatus = 'pending' | 'running' | 'done' | 'failed';

export interface StageDetail {
  /** Why the stage failed; cleared by a record without one. */
  error?: string;
  /** Who ran it (host:pid, a queue worker id); kept from the previous record when absent. */
  worker?: string;
  /** Sets the attempt count; otherwise each 'running' record counts one more attempt. */
  attempts?: number;
  /** Anything else worth keeping (any JSON value). */
  detail?: unknown;
}

export interface StageRecord {
  sha256: string;
  stage: string;
  status: StageStatus;
  attempts: number;
  error?: string;
  worker?: string;
  detail?: unknown;
  updatedAt: string;
}

export interface Store {
  readonly dialect: StoreDialect;
  /** Where the store is: the SQLite file's absolute path, or the PostgreSQL URL without its password. */
  readonly location: string;

  /** Records a run as 'running' and returns its id. */
  startRun(info: RunStart): Promise<number>;
  /** Ends a run with its summary (any JSON value). */
  finishRun(runId: number, summary: unknown, finish?: RunFinish): Promise<void>;
  getRun(runId: number): Promise<RunRecord | undefined>;

  /** Creates the source, or updates the hints given; returns its key (normalised by `sourceKey`). */
  upsertSource(spec: SourceSpec): Promise<string>;
  getSource(key: string): Promise<SourceRecord | undefined>;

  /**
   * Appends a fetch of a source (created when unknown). A `not_modified` outcome without etag,
   * last-modified, sha256 or size takes them from the source's latest successful fetch, so the latest
   * fetch always carries the validators to send next time.
   */
  recordFetch(runId: number, sourceKey: string, outcome: FetchOutcomeInput): Promise<void>;
  /** The source's latest fetch; with `succeeded`, its latest fetch that got the bytes (fetched or not_modified). */
  latestFetch(sourceKey: string, options?: { succeeded?: boolean }): Promise<FetchRecord | undefined>;
  /** For each given source key that has one, the sha256 of its latest successful fetch (keys as given). */
  documentsForSources(sourceKeys: readonly string[]): Promise<Map<string, string>>;

  /** True when a result made by this pipeline version is stored for the document (ok or failed). */
  isProcessed(sha256: string, pipelineVersion: string): Promise<boolean>;
  documentStatus(sha256: string): Promise<DocumentRecord | undefined>;
  /**
   * Stores a document's result, replacing everything stored for its sha256 (document, facts, validation) in
   * one transaction: after a crash either the old or the new result is there, never a mix.
   */
  saveResult(result: DocumentResult, pipelineVersion: string): Promise<void>;
  /**
   * The stored results, in the order of the given sha256s (unknown ones are left out, repeats once), equal
   * to what was saved: facts and validation rows in their saved order, optional fields kept.
   */
  loadResults(sha256s: readonly string[]): Promise<DocumentResult[]>;

  /** Records the state of one stage of a document (a job, in the distributed mode). */
  recordStage(sha256: string, stage: string, status: StageStatus, detail?: StageDetail): Promise<void>;
  /** The document's stage records, by stage name. */
  stageResults(sha256: string): Promise<StageRecord[]>;

  close(): Promise<void>;
}

/** True for an absolute URL (`https://…`, `file://…`): a source key as it is. */
export const isUrl = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//iu.test(s);

/** A source's key: a URL as given, a path made absolute (so `a.pdf` and `./a.pdf` are one source). */
export function sourceKey(source: string): string {
  return isUrl(source) ? source : path.resolve(source);
}

/**
 * The store's tables, as Kysely sees them. Same names and columns in both dialects; see migrations.ts for the
 * DDL. Times are ISO 8601 UTC text (sortable, and equal in both dialects). JSON is text in SQLite and `json`
 * (not jsonb, which reorders keys) in PostgreSQL, read back as text in both and parsed here.
 *
 * runs         id (auto), started_at, ended_at, software, version, args json, summary json, status
 *              (running | ok | failed | interrupted).
 * sources      key (PK: URL or absolute path), id_hint, entity_hint, fiscal_year_hint, doc_kind_hint,
 *              first_seen_run → runs, first_seen_at, updated_at.
 * fetches      id (auto: later fetch = larger id), source_key → sources, run_id → runs, status (fetched |
 *              not_modified | failed), sha256, bytes, etag, last_modified, http_status, final_url, attempts,
 *              error_code, error_message, error_transient, retrieved_at.
 *              Index (source_key, id): the latest fetch of a source is one index probe.
 * documents    sha256 (PK), pipeline_version, status (ok | failed), error, processed_at, source, entity,
 *              fiscal_year, doc_kind, pages, fact_count, validation_count, result json: the DocumentResult
 *              with `facts` and `validation` left empty (they have tables of their own; the empty arrays keep
 *              the keys' order for the round trip).
 * facts        (sha256 → documents, ordinal) PK, then every Fact column under its own name; source_sha256
 *              and source are NULL when equal to the document's sha256 and source (nearly always: it saves
 *              ~150 bytes a fact; join documents to read them in SQL).
 * validations  (sha256 → documents, ordinal) PK, then every ValidationRow column (source_sha256 and source
 *              as in facts); `pass` is boolean (0/1 in SQLite), `cells` json (absent = NULL).
 * stages       (sha256, stage) PK, status (pending | running | done | failed), attempts, error, worker,
 *              detail json, updated_at. Index (stage, status) for a worker looking for jobs.
 */
import type { Generated } from 'kysely';

export interface RunsTable {
  id: Generated<number>;
  started_at: string;
  ended_at: string | null;
  software: string;
  version: string;
  args: string;
  summary: string | null;
  status: string;
}

export interface SourcesTable {
  key: string;
  id_hint: string | null;
  entity_hint: string | null;
  fiscal_year_hint: string | null;
  doc_kind_hint: string | null;
  first_seen_run: number | null;
  first_seen_at: string;
  updated_at: string;
}

export interface FetchesTable {
  id: Generated<number>;
  source_key: string;
  run_id: number;
  status: string;
  sha256: string | null;
  bytes: number | null;
  etag: string | null;
  last_modified: string | null;
  http_status: number | null;
  final_url: string | null;
  attempts: number;
  error_code: string | null;
  error_message: string | null;
  /** boolean in PostgreSQL, 0/1 in SQLite. */
  error_transient: boolean | number | null;
  retrieved_at: string;
}

export interface DocumentsTable {
  sha256: string;
  pipeline_version: string;
  status: string;
  error: string | null;
  processed_at: string;
  source: string;
  entity: string | null;
  fiscal_year: string | null;
  doc_kind: string | null;
  pages: number;
  fact_count: number;
  validation_count: number;
  result: string;
}

export interface FactsTable {
  sha256: string;
  ordinal: number;
  source_sha256: string | null;
  source: string | null;
  entity: string;
  fiscal_year: string;
  doc_kind: string;
  table_kind: string;
  table_instance: string;
  row_key: string;
  row_label: string;
  column_key: string;
  column_label: string;
  value: string;
  value_cny: string;
  line_no: string;
  unit: string;
  page: number;
  bbox: string;
  method: string;
  confidence: number;
  repairs: string;
}

export interface ValidationsTable {
  sha256: string;
  ordinal: number;
  source_sha256: string | null;
  source: string | null;
  table_kind: string;
  table_instance: string;
  rule: string;
  expected: string;
  found: string;
  difference: string;
  /** boolean in PostgreSQL, 0/1 in SQLite. */
  pass: boolean | number;
  cells: string | null;
}

export interface StagesTable {
  sha256: string;
  stage: string;
  status: string;
  attempts: number;
  error: string | null;
  worker: string | null;
  detail: string | null;
  updated_at: string;
}

export interface StoreDatabase {
  runs: RunsTable;
  sources: SourcesTable;
  fetches: FetchesTable;
  documents: DocumentsTable;
  facts: FactsTable;
  validations: ValidationsTable;
  stages: StagesTable;
}

/** The Store over Kysely: one implementation for SQLite and PostgreSQL; the differences are in `write`/`read`. */
import type { Selectable } from 'kysely';
import { CompiledQuery, sql, type Kysely } from './kysely.js';
import { z } from 'zod';
import type { DocumentResult } from '../model/document.js';
import type { Fact } from '../model/fact.js';
import type { ValidationRow } from '../model/validation.js';
import type { FactsTable, FetchesTable, StoreDatabase, ValidationsTable } from './schema.js';
import {
  sourceKey,
  type DocumentRecord,
  type FetchOutcomeInput,
  type FetchRecord,
  type RunFinish,
  type RunRecord,
  type RunStart,
  type SourceRecord,
  type SourceSpec,
  type StageDetail,
  type StageRecord,
  type StageStatus,
  type Store,
  type StoreDialect,
} from './store.js';

type Db = Kysely<StoreDatabase>;

/**
 * Rows per multi-row INSERT: 1000 facts × 22 columns = 22 000 parameters, under SQLite's 32 766 and
 * PostgreSQL's 65 535, and few enough statements (5 for the largest documents) to keep saving cheap.
 */
const FACT_BATCH = 1000;
const VALIDATION_BATCH = 2000;
/** sha256s or keys per `IN (…)` list when reading. */
const KEY_BATCH = 200;

const now = () => new Date().toISOString();
const json = (value: unknown) => JSON.stringify(value ?? null);
const parseJson = (text: string | null): unknown => (text === null ? undefined : JSON.parse(text));

/** The document row's JSON, checked when read back (it may come from another version of the software). */
const storedResult = z.looseObject({
  source: z.looseObject({ source: z.string(), sha256: z.string(), bytes: z.number() }),
  status: z.enum(['ok', 'failed']),
  pages: z.number(),
  pagesNeedingOcr: z.array(z.number()),
  tables: z.array(z.unknown()),
  facts: z.array(z.unknown()),
  validation: z.array(z.unknown()),
  findings: z.array(z.unknown()),
  timingsMs: z.record(z.string(), z.number()),
});

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Drops null fields, so records carry absent values as absent (`{ etag?: string }`), not as null. */
function present<T extends Record<string, unknown>>(record: T): { [K in keyof T]: Exclude<T[K], null> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (v !== null && v !== undefined) out[k] = v;
  return out as { [K in keyof T]: Exclude<T[K], null> };
}

export class SqlStore implements Store {
  constructor(
    private readonly db: Db,
    readonly dialect: StoreDialect,
    readonly location: string,
    /** Releases the connection(s): SQLite connections are shared per file within a process (see open.ts). */
    private readonly release: () => Promise<void>,
  ) {}

  /** Booleans as the dialect stores them (SQLite has none). */
  private bool(value: boolean): boolean | number {
    return this.dialect === 'sqlite' ? (value ? 1 : 0) : value;
  }

  /**
   * A write transaction. SQLite: BEGIN IMMEDIATE takes the write lock first (waiting up to the busy timeout),
   * so a transaction never has to upgrade a read lock, which fails at once when another process wrote meanwhile.
   */
  private async write<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    if (this.dialect === 'postgres') return this.db.transaction().execute(work);
    return this.db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const out = await work(conn);
        await sql`commit`.execute(conn);
        return out;
      } catch (err) {
        await sql`rollback`.execute(conn).catch(() => undefined); // SQLite may have rolled back already
        throw err;
      }
    });
  }

  /** Reads from one snapshot, so a document and its facts are read from the same save. */
  private async read<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    if (this.dialect === 'postgres') return this.db.transaction().setIsolationLevel('repeatable read').execute(work);
    return this.db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn);
      try {
        return await work(conn);
      } finally {
        await sql`commit`.execute(conn);
      }
    });
  }

  /**
   * Multi-row INSERTs of many rows. The SQL text is built once per table and batch size and the values are bound
   * as parameters: building Kysely's query tree for 5000 rows × 22 values took longer than running it.
   */
  private async insertMany<T extends keyof StoreDatabase>(tx: Db, table: T, columns: readonly (keyof StoreDatabase[T] & string)[], rows: readonly StoreDatabase[T][], batch: number): Promise<void> {
    for (const part of chunks(rows, batch)) {
      const parameters: unknown[] = [];
      for (const row of part) for (const column of columns) parameters.push((row as unknown as Record<string, unknown>)[column]);
      await tx.executeQuery(CompiledQuery.raw(this.insertSql(table, columns, part.length, part.length === batch), parameters));
    }
  }

  /** Texts of full batches (the last, shorter batch of each document varies: it is built each time). */
  private readonly insertTexts = new Map<string, string>();

  private insertSql(table: string, columns: readonly string[], rows: number, cache: boolean): string {
    const cacheKey = `${table}:${rows}`;
    let text = cache ? this.insertTexts.get(cacheKey) : undefined;
    if (text === undefined) {
      const tuples: string[] = [];
      let n = 0;
      for (let r = 0; r < rows; r++) tuples.push(`(${columns.map(() => (this.dialect === 'postgres' ? `$${++n}` : '?')).join(',')})`);
      text = `insert into ${table} (${columns.map((c) => `"${c}"`).join(',')}) values ${tuples.join(',')}`;
      if (cache) this.insertTexts.set(cacheKey, text);
    }
    return text;
  }

  // ---- runs

  async startRun(info: RunStart): Promise<number> {
    const row = await this.db
      .insertInto('runs')
      .values({ started_at: info.startedAt ?? now(), ended_at: null, software: info.software, version: info.version, args: json(info.args), summary: null, status: 'running' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async finishRun(runId: number, summary: unknown, finish: RunFinish = {}): Promise<void> {
    const { numUpdatedRows } = await this.db
      .updateTable('runs')
      .set({ ended_at: finish.endedAt ?? now(), summary: json(summary), status: finish.status ?? 'ok' })
      .where('id', '=', runId)
      .executeTakeFirst();
    if (numUpdatedRows === 0n) throw new Error(`no run ${runId} in the store`);
  }

  async getRun(runId: number): Promise<RunRecord | undefined> {
    const row = await this.db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
    if (!row) return undefined;
    return present({
      id: row.id,
      startedAt: row.started_at,
      endedAt: row.ended_at,
      software: row.software,
      version: row.version,
      args: parseJson(row.args),
      summary: parseJson(row.summary),
      status: row.status as RunRecord['status'],
    });
  }

  // ---- sources and fetches

  async upsertSource(spec: SourceSpec): Promise<string> {
    const key = sourceKey(spec.key);
    const at = now();
    await this.db
      .insertInto('sources')
      .values({
        key,
        id_hint: spec.idHint ?? null,
        entity_hint: spec.entityHint ?? null,
        fiscal_year_hint: spec.fiscalYearHint ?? null,
        doc_kind_hint: spec.docKindHint ?? null,
        first_seen_run: spec.runId ?? null,
        first_seen_at: at,
        updated_at: at,
      })
      // Hints given replace the stored ones; hints not given keep them. first_seen_* never change.
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          id_hint: eb.fn.coalesce(eb.ref('excluded.id_hint'), eb.ref('sources.id_hint')),
          entity_hint: eb.fn.coalesce(eb.ref('excluded.entity_hint'), eb.ref('sources.entity_hint')),
          fiscal_year_hint: eb.fn.coalesce(eb.ref('excluded.fiscal_year_hint'), eb.ref('sources.fiscal_year_hint')),
          doc_kind_hint: eb.fn.coalesce(eb.ref('excluded.doc_kind_hint'), eb.ref('sources.doc_kind_hint')),
          first_seen_run: eb.fn.coalesce(eb.ref('sources.first_seen_run'), eb.ref('excluded.first_seen_run')),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
    return key;
  }

  async getSource(key: string): Promise<SourceRecord | undefined> {
    const row = await this.db.selectFrom('sources').selectAll().where('key', '=', sourceKey(key)).executeTakeFirst();
    if (!row) return undefined;
    return present({
      key: row.key,
      idHint: row.id_hint,
      entityHint: row.entity_hint,
      fiscalYearHint: row.fiscal_year_hint,
      docKindHint: row.doc_kind_hint,
      firstSeenRun: row.first_seen_run,
      firstSeenAt: row.first_seen_at,
      updatedAt: row.updated_at,
    });
  }

  async recordFetch(runId: number, source: string, outcome: FetchOutcomeInput): Promise<void> {
    const key = sourceKey(source);
    await this.write(async (tx) => {
      const at = now();
      await tx
        .insertInto('sources')
        .values({ key, id_hint: null, entity_hint: null, fiscal_year_hint: null, doc_kind_hint: null, first_seen_run: runId, first_seen_at: at, updated_at: at })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      let { sha256, bytes, etag, lastModified } = outcome;
      if (outcome.status === 'not_modified' && (sha256 === undefined || bytes === undefined || etag === undefined || lastModified === undefined)) {
        const prior = await latestFetchRow(tx, key, true);
        sha256 ??= prior?.sha256 ?? undefined;
        bytes ??= prior?.bytes ?? undefined;
        etag ??= prior?.etag ?? undefined;
        lastModified ??= prior?.last_modified ?? undefined;
      }
      await tx
        .insertInto('fetches')
        .values({
          source_key: key,
          run_id: runId,
          status: outcome.status,
          sha256: sha256 ?? null,
          bytes: bytes ?? null,
          etag: etag ?? null,
          last_modified: lastModified ?? null,
          http_status: outcome.httpStatus ?? outcome.error?.httpStatus ?? null,
          final_url: outcome.finalUrl ?? null,
          attempts: outcome.attempts,
          error_code: outcome.error?.code ?? null,
          error_message: outcome.error?.message ?? null,
          error_transient: outcome.error?.transient === undefined ? null : this.bool(outcome.error.transient),
          retrieved_at: outcome.retrievedAt ?? at,
        })
        .execute();
    });
  }

  async latestFetch(source: string, options: { succeeded?: boolean } = {}): Promise<FetchRecord | undefined> {
    const row = await latestFetchRow(this.db, sourceKey(source), options.succeeded ?? false);
    if (!row) return undefined;
    return present({
      sourceKey: row.source_key,
      runId: row.run_id,
      status: row.status as FetchRecord['status'],
      sha256: row.sha256,
      bytes: row.bytes,
      etag: row.etag,
      lastModified: row.last_modified,
      httpStatus: row.http_status,
      finalUrl: row.final_url,
      attempts: row.attempts,
      errorCode: row.error_code,
      errorMessage: row.error_message,
      errorTransient: row.error_transient === null ? null : row.error_transient === true || row.error_transient === 1,
      retrievedAt: row.retrieved_at,
    });
  }

  async documentsForSources(sourceKeys: readonly string[]): Promise<Map<string, string>> {
    const byKey = new Map<string, string>();
    const keys = [...new Set(sourceKeys.map(sourceKey))];
    for (const batch of chunks(keys, KEY_BATCH)) {
      const latest = this.db
        .selectFrom('fetches')
        .select((eb) => ['source_key', eb.fn.max('id').as('id')])
        .where('source_key', 'in', batch)
        .where('sha256', 'is not', null)
        .groupBy('source_key');
      const rows = await this.db.selectFrom('fetches as f').innerJoin(latest.as('l'), 'l.id', 'f.id').select(['f.source_key', 'f.sha256']).execute();
      for (const row of rows) if (row.sha256 !== null) byKey.set(row.source_key, row.sha256);
    }
    const out = new Map<string, string>();
    for (const given of sourceKeys) {
      const sha256 = byKey.get(sourceKey(given));
      if (sha256 !== undefined) out.set(given, sha256);
    }
    return out;
  }

  // ---- documents

  async isProcessed(sha256: string, pipelineVersion: string): Promise<boolean> {
    const row = await this.db.selectFrom('documents').select('sha256').where('sha256', '=', sha256).where('pipeline_version', '=', pipelineVersion).executeTakeFirst();
    return row !== undefined;
  }

  async documentStatus(sha256: string): Promise<DocumentRecord | undefined> {
    const row = await this.db
      .selectFrom('documents')
      .select(['sha256', 'pipeline_version', 'status', 'error', 'processed_at', 'pages', 'fact_count', 'validation_count'])
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    if (!row) return undefined;
    return present({
      sha256: row.sha256,
      pipelineVersion: row.pipeline_version,
      status: row.status as DocumentRecord['status'],
      error: row.error,
      processedAt: row.processed_at,
      pages: row.pages,
      facts: row.fact_count,
      validations: row.validation_count,
    });
  }

  async saveResult(result: DocumentResult, pipelineVersion: string): Promise<void> {
    const sha256 = result.source?.sha256;
    if (typeof sha256 !== 'string' || sha256 === '') throw new Error('saveResult: the result has no source sha256');
    const source = result.source.source;
    const document = {
      pipeline_version: pipelineVersion,
      status: result.status,
      error: result.error ?? null,
      processed_at: now(),
      source,
      entity: result.meta?.entity ?? null,
      fiscal_year: result.meta?.fiscalYear ?? null,
      doc_kind: result.meta?.docKind ?? null,
      pages: result.pages,
      fact_count: result.facts.length,
      validation_count: result.validation.length,
      // Empty placeholders keep the keys where they were, so the loaded object has the same key order.
      result: JSON.stringify({ ...result, facts: [], validation: [] }),
    };
    const factRows = result.facts.map((fact, ordinal) => factRow(sha256, source, fact, ordinal));
    const validationRows = result.validation.map((row, ordinal) => ({ ...validationRow(sha256, source, row, ordinal), pass: this.bool(row.pass) }));
    await this.write(async (tx) => {
      // The upsert comes first: it locks the document's row, so two saves of one document take turns.
      await tx
        .insertInto('documents')
        .values({ sha256, ...document })
        .onConflict((oc) => oc.column('sha256').doUpdateSet(document))
        .execute();
      await tx.deleteFrom('facts').where('sha256', '=', sha256).execute();
      await tx.deleteFrom('validations').where('sha256', '=', sha256).execute();
      await this.insertMany(tx, 'facts', FACT_COLUMNS, factRows, FACT_BATCH);
      await this.insertMany(tx, 'validations', VALIDATION_COLUMNS, validationRows, VALIDATION_BATCH);
    });
  }

  async loadResults(sha256s: readonly string[]): Promise<DocumentResult[]> {
    const wanted = [...new Set(sha256s)];
    const loaded = new Map<string, DocumentResult>();
    for (const batch of chunks(wanted, KEY_BATCH)) {
      await this.read(async (tx) => {
        const documents = await tx.selectFrom('documents').select(['sha256', 'source', 'result']).where('sha256', 'in', batch).execute();
        if (documents.length === 0) return;
        const found = documents.map((d) => d.sha256);
        const facts = await tx.selectFrom('facts').selectAll().where('sha256', 'in', found).orderBy('sha256').orderBy('ordinal').execute();
        const validations = await tx.selectFrom('validations').selectAll().where('sha256', 'in', found).orderBy('sha256').orderBy('ordinal').execute();
        const factsOf = groupBySha(facts);
        const validationsOf = groupBySha(validations);
        for (const doc of documents) {
          const parsed: unknown = JSON.parse(doc.result);
          const check = storedResult.safeParse(parsed);
          if (!check.success) throw new Error(`stored result of ${doc.sha256} is not a DocumentResult: ${check.error.message}`);
          const result = parsed as DocumentResult;
          // Assigned in place of the empty placeholders: the keys keep their saved order.
          result.facts = (factsOf.get(doc.sha256) ?? []).map((row) => toFact(row, doc.sha256, doc.source));
          result.validation = (validationsOf.get(doc.sha256) ?? []).map((row) => toValidationRow(row, doc.sha256, doc.source));
          loaded.set(doc.sha256, result);
        }
      });
    }
    return wanted.flatMap((sha256) => loaded.get(sha256) ?? []);
  }

  // ---- stages

  async recordStage(sha256: string, stage: string, status: StageStatus, detail: StageDetail = {}): Promise<void> {
    const started = status === 'running' ? 1 : 0;
    await this.db
      .insertInto('stages')
      .values({
        sha256,
        stage,
        status,
        attempts: detail.attempts ?? (status === 'pending' ? 0 : 1),
        error: detail.error ?? null,
        worker: detail.worker ?? null,
        detail: detail.detail === undefined ? null : json(detail.detail),
        updated_at: now(),
      })
      .onConflict((oc) =>
        oc.columns(['sha256', 'stage']).doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          attempts: detail.attempts ?? eb(eb.ref('stages.attempts'), '+', started),
          error: eb.ref('excluded.error'),
          worker: eb.fn.coalesce(eb.ref('excluded.worker'), eb.ref('stages.worker')),
          detail: eb.ref('excluded.detail'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }

  async stageResults(sha256: string): Promise<StageRecord[]> {
    const rows = await this.db.selectFrom('stages').selectAll().where('sha256', '=', sha256).orderBy('stage').execute();
    return rows.map((row) =>
      present({
        sha256: row.sha256,
        stage: row.stage,
        status: row.status as StageStatus,
        attempts: row.attempts,
        error: row.error,
        worker: row.worker,
        detail: parseJson(row.detail),
        updatedAt: row.updated_at,
      }),
    );
  }

  async close(): Promise<void> {
    await this.release();
  }
}

async function latestFetchRow(db: Db, key: string, succeeded: boolean): Promise<Selectable<FetchesTable> | undefined> {
  let query = db.selectFrom('fetches').selectAll().where('source_key', '=', key);
  if (succeeded) query = query.where('status', 'in', ['fetched', 'not_modified']);
  return query.orderBy('id', 'desc').limit(1).executeTakeFirst();
}

function groupBySha<T extends { sha256: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const list = out.get(row.sha256);
    if (list) list.push(row);
    else out.set(row.sha256, [row]);
  }
  return out;
}

const FACT_COLUMNS = [
  'sha256', 'ordinal', 'source_sha256', 'source', 'entity', 'fiscal_year', 'doc_kind', 'table_kind', 'table_instance', 'row_key', 'row_label',
  'column_key', 'column_label', 'value', 'value_cny', 'line_no', 'unit', 'page', 'bbox', 'method', 'confidence', 'repairs',
] as const satisfies readonly (keyof FactsTable)[];
const VALIDATION_COLUMNS = [
  'sha256', 'ordinal', 'source_sha256', 'source', 'table_kind', 'table_instance', 'rule', 'expected', 'found', 'difference', 'pass', 'cells',
] as const satisfies readonly (keyof ValidationsTable)[];
// Every column listed: a column added to the tables but not here fails to compile.
true satisfies Exclude<keyof FactsTable, (typeof FACT_COLUMNS)[number]> extends never ? true : false;
true satisfies Exclude<keyof ValidationsTable, (typeof VALIDATION_COLUMNS)[number]> extends never ? true : false;

/** A missing field goes in as NULL, so the NOT NULL columns reject it instead of a default standing in. */
const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

function factRow(sha256: string, source: string, fact: Fact, ordinal: number): FactsTable {
  return {
    sha256,
    ordinal,
    source_sha256: fact.source_sha256 === sha256 ? null : orNull(fact.source_sha256),
    source: fact.source === source ? null : orNull(fact.source),
    entity: orNull(fact.entity)!,
    fiscal_year: orNull(fact.fiscal_year)!,
    doc_kind: orNull(fact.doc_kind)!,
    table_kind: orNull(fact.table_kind)!,
    table_instance: orNull(fact.table_instance)!,
    row_key: orNull(fact.row_key)!,
    row_label: orNull(fact.row_label)!,
    column_key: orNull(fact.column_key)!,
    column_label: orNull(fact.column_label)!,
    value: orNull(fact.value)!,
    value_cny: orNull(fact.value_cny)!,
    line_no: orNull(fact.line_no)!,
    unit: orNull(fact.unit)!,
    page: orNull(fact.page)!,
    bbox: orNull(fact.bbox)!,
    method: orNull(fact.method)!,
    confidence: orNull(fact.confidence)!,
    repairs: orNull(fact.repairs)!,
  };
}

function toFact(row: Selectable<FactsTable>, sha256: string, source: string): Fact {
  return {
    source_sha256: row.source_sha256 ?? sha256,
    source: row.source ?? source,
    entity: row.entity,
    fiscal_year: row.fiscal_year,
    doc_kind: row.doc_kind,
    table_kind: row.table_kind,
    table_instance: row.table_instance,
    row_key: row.row_key,
    row_label: row.row_label,
    column_key: row.column_key,
    column_label: row.column_label,
    value: row.value,
    value_cny: row.value_cny,
    line_no: row.line_no,
    unit: row.unit,
    page: row.page,
    bbox: row.bbox,
    method: row.method as Fact['method'],
    confidence: row.confidence,
    repairs: row.repairs,
  };
}

function validationRow(sha256: string, source: string, row: ValidationRow, ordinal: number): Omit<ValidationsTable, 'pass'> {
  return {
    sha256,
    ordinal,
    source_sha256: row.source_sha256 === sha256 ? null : orNull(row.source_sha256),
    source: row.source === source ? null : orNull(row.source),
    table_kind: orNull(row.table_kind)!,
    table_instance: orNull(row.table_instance)!,
    rule: orNull(row.rule)!,
    expected: orNull(row.expected)!,
    found: orNull(row.found)!,
    difference: orNull(row.difference)!,
    cells: row.cells === undefined ? null : JSON.stringify(row.cells),
  };
}

function toValidationRow(row: Selectable<ValidationsTable>, sha256: string, source: string): ValidationRow {
  const out: ValidationRow = {
    source_sha256: row.source_sha256 ?? sha256,
    source: row.source ?? source,
    table_kind: row.table_kind,
    table_instance: row.table_instance,
    rule: row.rule,
    expected: row.expected,
    found: row.found,
    difference: row.difference,
    pass: row.pass === true || row.pass === 1,
  };
  if (row.cells !== null) out.cells = JSON.parse(row.cells) as ValidationRow['cells'];
  return out;
}

/**
 * Versioned schema migrations, defined in code (not read from a folder) so they run the same from src/ and
 * dist/. Names sort in the order they apply; an applied migration is never edited, a change is a new one.
 * SQLite tables are STRICT, so a value of the wrong type fails like it does in PostgreSQL instead of being
 * stored as whatever it is.
 */
import type { CreateTableBuilder, Migration } from 'kysely';
import { sql, type Kysely } from './kysely.js';
import type { StoreDialect } from './store.js';

export function storeMigrations(dialect: StoreDialect): Record<string, Migration> {
  const pg = dialect === 'postgres';
  const json = pg ? 'json' : 'text';
  const real = pg ? 'double precision' : 'real';
  const bool = pg ? 'boolean' : 'integer';
  const strict = <T extends string, C extends string>(table: CreateTableBuilder<T, C>) => (pg ? table : table.modifyEnd(sql`strict`));
  const autoId = <T extends string, C extends string>(table: CreateTableBuilder<T, C>) =>
    pg ? table.addColumn('id', 'serial', (c) => c.primaryKey()) : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  return {
    '0001_initial': {
      async up(db: Kysely<any>) {
        await strict(autoId(db.schema.createTable('runs'))
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('ended_at', 'text')
          .addColumn('software', 'text', (c) => c.notNull())
          .addColumn('version', 'text', (c) => c.notNull())
          .addColumn('args', json, (c) => c.notNull())
          .addColumn('summary', json)
          .addColumn('status', 'text', (c) => c.notNull())).execute();

        await strict(db.schema.createTable('sources')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('id_hint', 'text')
          .addColumn('entity_hint', 'text')
          .addColumn('fiscal_year_hint', 'text')
          .addColumn('doc_kind_hint', 'text')
          .addColumn('first_seen_run', 'integer', (c) => c.references('runs.id'))
          .addColumn('first_seen_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())).execute();

        await strict(autoId(db.schema.createTable('fetches'))
          .addColumn('source_key', 'text', (c) => c.notNull().references('sources.key'))
          .addColumn('run_id', 'integer', (c) => c.notNull().references('runs.id'))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('sha256', 'text')
          .addColumn('bytes', 'integer')
          .addColumn('etag', 'text')
          .addColumn('last_modified', 'text')
          .addColumn('http_status', 'integer')
          .addColumn('final_url', 'text')
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('error_code', 'text')
          .addColumn('error_message', 'text')
          .addColumn('error_transient', bool, (c) => (pg ? c : c.check(sql`error_transient in (0, 1)`)))
          .addColumn('retrieved_at', 'text', (c) => c.notNull())).execute();
        await db.schema.createIndex('fetches_source_latest').on('fetches').columns(['source_key', 'id']).execute();
        await db.schema.createIndex('fetches_sha256').on('fetches').column('sha256').execute();

        await strict(db.schema.createTable('documents')
          .addColumn('sha256', 'text', (c) => c.primaryKey())
          .addColumn('pipeline_version', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('error', 'text')
          .addColumn('processed_at', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('entity', 'text')
          .addColumn('fiscal_year', 'text')
          .addColumn('doc_kind', 'text')
          .addColumn('pages', 'integer', (c) => c.notNull())
          .addColumn('fact_count', 'integer', (c) => c.notNull())
          .addColumn('validation_count', 'integer', (c) => c.notNull())
          .addColumn('result', json, (c) => c.notNull())).execute();

        // source_sha256 and source are NULL when equal to the document's (nearly always): ~150 bytes a fact saved.
        let facts = db.schema.createTable('facts')
          .addColumn('sha256', 'text', (c) => c.notNull().references('documents.sha256').onDelete('cascade'))
          .addColumn('ordinal', 'integer', (c) => c.notNull())
          .addColumn('source_sha256', 'text')
          .addColumn('source', 'text');
        for (const column of ['entity', 'fiscal_year', 'doc_kind', 'table_kind', 'table_instance', 'row_key', 'row_label', 'column_key', 'column_label', 'value', 'value_cny', 'line_no', 'unit']) {
          facts = facts.addColumn(column, 'text', (c) => c.notNull());
        }
        await strict(facts
          .addColumn('page', 'integer', (c) => c.notNull())
          .addColumn('bbox', 'text', (c) => c.notNull())
          .addColumn('method', 'text', (c) => c.notNull())
          .addColumn('confidence', real, (c) => c.notNull())
          .addColumn('repairs', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('facts_pk', ['sha256', 'ordinal'])).execute();

        let validations = db.schema.createTable('validations')
          .addColumn('sha256', 'text', (c) => c.notNull().references('documents.sha256').onDelete('cascade'))
          .addColumn('ordinal', 'integer', (c) => c.notNull())
          .addColumn('source_sha256', 'text')
          .addColumn('source', 'text');
        for (const column of ['table_kind', 'table_instance', 'rule', 'expected', 'found', 'difference']) {
          validations = validations.addColumn(column, 'text', (c) => c.notNull());
        }
        await strict(validations
          .addColumn('pass', bool, (c) => (pg ? c.notNull() : c.notNull().check(sql`pass in (0, 1)`)))
          .addColumn('cells', json)
          .addPrimaryKeyConstraint('validations_pk', ['sha256', 'ordinal'])).execute();

        await strict(db.schema.createTable('stages')
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('stage', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('error', 'text')
          .addColumn('worker', 'text')
          .addColumn('detail', json)
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('stages_pk', ['sha256', 'stage'])).execute();
        await db.schema.createIndex('stages_stage_status').on('stages').columns(['stage', 'status']).execute();
      },
    },
  };
}

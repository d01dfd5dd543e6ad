/**
 * Opens the store named by a location: a `postgres://` (or `postgresql://`) URL, or else a SQLite file path.
 * The schema is migrated to the latest version on open, under a lock, so processes opening one store at the
 * same time take turns and the later ones find it migrated.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from './kysely.js';
import { storeMigrations } from './migrations.js';
import type { StoreDatabase } from './schema.js';
import { SqlStore } from './sql-store.js';
import { isPostgresLocation, type Store, type StoreDialect } from './store.js';


export interface OpenStoreOptions {
  /**
   * PostgreSQL schema for the tables (created when missing); also `?schema=` in the URL. Default `public`.
   * Lets several stores (test runs, deployments) share one database.
   */
  schema?: string;
  /** SQLite: how long a write waits for another process's write to finish before failing. Default 30 s. */
  busyTimeoutMs?: number;
}


export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<Store> {
  return isPostgresLocation(location) ? openPostgres(location, options) : openSqlite(location, options);
}

/**
 * SQLite in WAL mode: readers never block the writer and a crash mid-transaction leaves the last committed state.
 * synchronous=FULL, not NORMAL: with NORMAL in WAL mode the last commits can be lost on power failure or an OS
 * crash (the file stays consistent). A saved result is meant to be final (the run skips the document next
 * time), and the cost is one fsync per saved document, small beside processing the document.
 */
async function openSqlite(location: string, options: OpenStoreOptions): Promise<Store> {
  if (location === ':memory:') {
    const db = await connectSqlite(location, options);
    return new SqlStore(db, 'sqlite', location, () => db.destroy());
  }
  const file = path.resolve(location);
  let shared = sharedSqlite.get(file);
  if (!shared) {
    const entry = { ready: connectSqlite(file, options), refs: 0 };
    entry.ready.catch(() => sharedSqlite.get(file) === entry && sharedSqlite.delete(file));
    sharedSqlite.set(file, entry);
    shared = entry;
  }
  shared.refs++;
  let db: Kysely<StoreDatabase>;
  try {
    db = await shared.ready;
  } catch (err) {
    shared.refs--;
    throw err;
  }
  const entry = shared;
  let closed = false;
  return new SqlStore(db, 'sqlite', file, async () => {
    if (closed) return;
    closed = true;
    if (--entry.refs > 0) return;
    if (sharedSqlite.get(file) === entry) sharedSqlite.delete(file);
    await db.destroy();
  });
}

/**
 * One connection per SQLite file in a process, shared by the stores opened on it. better-sqlite3 is synchronous:
 * a second connection of the same thread waiting for the first one's write lock would block the very thread
 * that has to finish the first transaction, and fail after the busy timeout. On a shared connection, Kysely's
 * connection mutex makes the transactions take turns instead. (Other processes and worker threads have
 * connections of their own, and wait for each other as they should.)
 */
const sharedSqlite = new Map<string, { ready: Promise<Kysely<StoreDatabase>>; refs: number }>();

async function connectSqlite(file: string, options: OpenStoreOptions): Promise<Kysely<StoreDatabase>> {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  try {
    // The busy timeout first: switching to WAL needs a lock another process may hold while it migrates.
    sqlite.pragma(`busy_timeout = ${Math.max(0, Math.round(options.busyTimeoutMs ?? 30_000))}`);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
  } catch (err) {
    sqlite.close();
    throw new Error(`cannot open the SQLite store ${file}: ${(err as Error).message}`, { cause: err });
  }
  const db = new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrateOrClose(db, 'sqlite', file);
  return db;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/u;

async function openPostgres(location: string, options: OpenStoreOptions): Promise<Store> {
  const url = new URL(location);
  const schema = options.schema ?? url.searchParams.get('schema') ?? 'public';
  url.searchParams.delete('schema');
  if (!SCHEMA_NAME.test(schema)) throw new Error(`not a PostgreSQL schema name: ${JSON.stringify(schema)}`);
  const shown = redacted(url);
  // Loaded here: most runs use SQLite, and pg costs startup time to load.
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url.toString(),
    // json columns come back as text, parsed by the store: the same path as SQLite's text columns.
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === pg.types.builtins.JSON ? (text: string) => text : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
  });
  // An idle client losing its connection (server restart) must not crash the process: the next query reports it.
  pool.on('error', () => undefined);
  const db = new Kysely<StoreDatabase>({
    dialect: new PostgresDialect({
      pool,
      onCreateConnection: async (connection) => {
        await connection.executeQuery(CompiledQuery.raw(`set search_path to "${schema}"`));
      },
    }),
  });
  await migrateOrClose(db, 'postgres', shown, schema);
  const shownWithSchema = schema === 'public' ? shown : `${shown}${shown.includes('?') ? '&' : '?'}schema=${schema}`;
  return new SqlStore(db, 'postgres', shownWithSchema, () => db.destroy());
}

/** The URL without its password, for messages and `Store.location`. */
function redacted(url: URL): string {
  const copy = new URL(url.toString());
  if (copy.password) copy.password = '***';
  return copy.toString();
}

async function migrateOrClose(db: Kysely<StoreDatabase>, dialect: StoreDialect, shown: string, schema?: string): Promise<void> {
  try {
    await migrate(db as unknown as Kysely<any>, dialect, schema);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw new Error(`cannot open the store ${shown}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Applies the pending migrations in one transaction on one connection. The lock is taken before anything is
 * read, so a second process waits, then finds the tables made: SQLite by BEGIN IMMEDIATE (the write lock,
 * waited for up to the busy timeout), PostgreSQL by a transaction advisory lock per schema. Kysely's own
 * steps (creating its migration tables) run inside, where they cannot race.
 */
async function migrate(db: Kysely<any>, dialect: StoreDialect, schema = 'public'): Promise<void> {
  await db.connection().execute(async (conn) => {
    if (dialect === 'sqlite') {
      await sql`begin immediate`.execute(conn);
    } else {
      await sql`begin`.execute(conn);
      await sql`select pg_advisory_xact_lock(hashtext(${`fiscal-harvest/migrate/${schema}`}))`.execute(conn);
      // Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when the schema exists.
      const exists = await sql`select 1 from pg_namespace where nspname = ${schema}`.execute(conn);
      if (exists.rows.length === 0) await sql`create schema ${sql.id(schema)}`.execute(conn);
    }
    try {
      const migrator = new Migrator({
        db: conn,
        provider: { getMigrations: async () => storeMigrations(dialect) },
        disableTransactions: true, // the transaction is ours, around the lock
        ...(dialect === 'postgres' ? { migrationTableSchema: schema } : {}),
      });
      const { error } = await migrator.migrateToLatest();
      if (error) throw error;
      await sql`commit`.execute(conn);
    } catch (err) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw err;
    }
  });
}

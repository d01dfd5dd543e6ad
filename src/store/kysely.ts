/**
 * Kysely, as the store's modules take it: its CommonJS build. Its ES module build is ~110 files, which
 * Node 20 loads in ~170 ms against ~100 ms for the CommonJS ones, and `run` opens the store on its
 * way to the first document. Types come from the package's own declarations.
 */
import { createRequire } from 'node:module';
import type * as KyselyModule from 'kysely';

const kysely = createRequire(import.meta.url)('kysely') as typeof KyselyModule;

export const { CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteDialect, sql } = kysely;
export type Kysely<DB> = KyselyModule.Kysely<DB>;

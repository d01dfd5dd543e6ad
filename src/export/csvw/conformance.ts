/**
 * A small CSVW conformance checker for the output folder: the parts of "Model for Tabular Data and
 * Metadata on the Web" validation that our metadata uses. Each described table's CSV exists; its header
 * equals the declared (non-virtual) column names in order; every cell parses as its column's datatype
 * (with format, minimum, maximum, separator) and is non-empty where required; primary keys are unique;
 * foreign keys resolve to exactly one row; virtual columns' valueUrl templates expand with no missing
 * variable (so every fact row links to `<source>#page=N`, N ≥ 1). Beyond CSVW: distributions' sizes and
 * sha256 match the files, and no CSV in the folder goes undescribed.
 * No npm package validates CSVW (see STACK-NOTES.md), hence this one.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { CsvSyntaxError, readCsvRecords } from './csv-reader.js';
import { expandUriTemplate, templateVariables } from './uri-template.js';

export type ProblemCode =
  | 'metadata' | 'jsonld' | 'missing_file' | 'undescribed_file' | 'checksum' | 'csv_syntax' | 'header'
  | 'row_length' | 'datatype' | 'required' | 'primary_key' | 'foreign_key' | 'link';

export interface ConformanceProblem {
  code: ProblemCode;
  /** Path relative to the output folder. */
  file: string;
  /** 1-based CSV record number, the header being line 1 (the file line, unless a quoted cell spans lines). */
  line?: number;
  column?: string;
  message: string;
}

export function formatProblem(p: ConformanceProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ''}${p.column ? ` [${p.column}]` : ''}: ${p.message} (${p.code})`;
}

// ---- the metadata, as far as the checker reads it ------------------------------------------------

const Names = z.union([z.string(), z.array(z.string())]).transform((v) => (typeof v === 'string' ? [v] : v));
const Bound = z.union([z.number(), z.string()]).optional();
const DatatypeSchema = z.union([
  z.string(),
  z.object({ base: z.string().default('string'), format: z.string().optional(), minimum: Bound, maximum: Bound, minInclusive: Bound, maxInclusive: Bound }),
]);
const ColumnSchema = z.object({
  name: z.string(),
  datatype: DatatypeSchema.optional(),
  required: z.boolean().optional(),
  virtual: z.boolean().optional(),
  separator: z.string().optional(),
  null: Names.optional(),
  valueUrl: z.string().optional(),
});
const ForeignKeySchema = z.object({ columnReference: Names, reference: z.object({ resource: z.string(), columnReference: Names }) });
const TableSchema = z.object({
  url: z.string(),
  tableSchema: z.object({ columns: z.array(ColumnSchema), primaryKey: Names.optional(), foreignKeys: z.array(ForeignKeySchema).optional() }),
});
const DistributionSchema = z.object({
  'dcat:downloadURL': z.object({ '@id': z.string() }),
  'schema:sha256': z.object({ '@value': z.string() }).optional(),
  'dcat:byteSize': z.object({ '@value': z.union([z.string(), z.number()]) }).optional(),
});
const MetadataSchema = z.object({ tables: z.array(TableSchema), 'dcat:distribution': z.array(DistributionSchema).optional() });

type ColumnDescription = z.infer<typeof ColumnSchema>;
type TableDescription = z.infer<typeof TableSchema>;

// ---- datatypes -----------------------------------------------------------------------------------

/** Returns an error message for a non-null value, or null when it is valid. */
type ValueCheck = (value: string) => string | null;

const INTEGER = /^[+-]?\d+$/u;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/u;
const DOUBLE = /^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)$/u;
const DATE = /^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$/u;
const DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/u;

const NUMERIC_BASES: Record<string, { pattern: RegExp; min?: number; what: string }> = {
  integer: { pattern: INTEGER, what: 'an integer' },
  int: { pattern: INTEGER, what: 'an integer' },
  long: { pattern: INTEGER, what: 'an integer' },
  nonNegativeInteger: { pattern: INTEGER, min: 0, what: 'a non-negative integer' },
  positiveInteger: { pattern: INTEGER, min: 1, what: 'a positive integer' },
  decimal: { pattern: DECIMAL, what: 'a decimal' },
  double: { pattern: DOUBLE, what: 'a number' },
  number: { pattern: DOUBLE, what: 'a number' },
  float: { pattern: DOUBLE, what: 'a number' },
};
const STRING_BASES = new Set(['string', 'normalizedString', 'token', 'anyURI', 'any', 'anyAtomicType']);

/** A value check for a column's datatype, or a string saying why the datatype cannot be checked. */
function valueCheck(datatype: z.infer<typeof DatatypeSchema> | undefined): ValueCheck | string {
  const dt = typeof datatype === 'string' || datatype === undefined ? { base: datatype ?? 'string' } : datatype;
  const format = 'format' in dt ? dt.format : undefined;
  const base = dt.base;
  if (STRING_BASES.has(base)) {
    if (format === undefined) return () => null;
    let re: RegExp;
    try { re = new RegExp(`^(?:${format})$`, 'u'); } catch { return `format ${JSON.stringify(format)} is not a valid regular expression`; }
    return (v) => (re.test(v) ? null : `${JSON.stringify(v)} does not match the format ${format}`);
  }
  if (base === 'boolean') {
    const [yes, no] = format ? format.split('|') : [];
    const allowed = format ? [yes, no] : ['true', 'false', '1', '0'];
    if (format && (yes === undefined || no === undefined)) return `boolean format ${JSON.stringify(format)} is not "true|false"-shaped`;
    return (v) => (allowed.includes(v) ? null : `${JSON.stringify(v)} is not a boolean (${allowed.join(' or ')})`);
  }
  const numeric = NUMERIC_BASES[base];
  if (numeric) {
    if (format !== undefined) return `numeric formats (${format}) are not supported by this checker`;
    const bound = (b: number | string | undefined) => (b === undefined ? undefined : Number(b));
    const min = Math.max(bound('minimum' in dt ? dt.minimum ?? dt.minInclusive : undefined) ?? -Infinity, numeric.min ?? -Infinity);
    const max = bound('maximum' in dt ? dt.maximum ?? dt.maxInclusive : undefined) ?? Infinity;
    return (v) => {
      if (!numeric.pattern.test(v)) return `${JSON.stringify(v)} is not ${numeric.what}`;
      const n = Number(v);
      if (n < min) return `${v} is below the minimum ${min}`;
      if (n > max) return `${v} is above the maximum ${max}`;
      return null;
    };
  }
  if (base === 'date' || base === 'dateTime' || base === 'datetime') {
    if (format !== undefined) return `date formats (${format}) are not supported by this checker`;
    const pattern = base === 'date' ? DATE : DATE_TIME;
    return (v) => (pattern.test(v) && !Number.isNaN(Date.parse(v)) ? null : `${JSON.stringify(v)} is not an xsd:${base === 'date' ? 'date' : 'dateTime'}`);
  }
  return `datatype ${base} is not supported by this checker`;
}

// ---- problems, capped per kind so a broken column does not bury the rest ---------------------------

const MAX_PER_KIND = 20;

class Problems {
  readonly list: ConformanceProblem[] = [];
  private readonly counts = new Map<string, number>();

  add(p: ConformanceProblem): void {
    const kind = `${p.file}\u001f${p.code}\u001f${p.column ?? ''}`;
    const n = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, n);
    if (n <= MAX_PER_KIND) this.list.push(p);
  }

  /** Adds one summary line per kind whose problems were cut. */
  finish(): ConformanceProblem[] {
    for (const [kind, n] of this.counts) {
      if (n <= MAX_PER_KIND) continue;
      const [file, code, column] = kind.split('\u001f') as [string, ProblemCode, string];
      this.list.push({ code, file, ...(column ? { column } : {}), message: `${n - MAX_PER_KIND} more ${code} problems not listed` });
    }
    return this.list;
  }
}

// ---- the checker ---------------------------------------------------------------------------------

interface ForeignKeyWork {
  from: string;
  columns: string[];
  to: string;
  toColumns: string[];
  /** Referencing key → first line it occurs on. */
  keys: Map<string, number>;
}

const KEY_SEP = '\u001f';

/** Resolves a metadata URL (relative to metadata.json in outDir) to a path relative to outDir, or null if it lies outside. */
function localPath(outDir: string, url: string): string | null {
  const base = pathToFileURL(path.join(path.resolve(outDir), 'metadata.json'));
  let resolved: URL;
  try { resolved = new URL(url, base); } catch { return null; }
  if (resolved.protocol !== 'file:') return null;
  const rel = path.relative(path.resolve(outDir), fileURLToPath(resolved));
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function exists(file: string): Promise<boolean> {
  try { return (await stat(file)).isFile(); } catch { return false; }
}

async function csvFilesIn(outDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const dir of ['', 'tables']) {
    let names: string[];
    try { names = await readdir(path.join(outDir, dir)); } catch { continue; }
    for (const n of names) if (n.endsWith('.csv')) out.push(dir ? `${dir}/${n}` : n);
  }
  return out.sort();
}

/** Checks the output folder against its metadata (the parsed `metadata.json`). */
export async function checkConformance(outDir: string, metadata: unknown): Promise<ConformanceProblem[]> {
  const problems = new Problems();
  const parsed = MetadataSchema.safeParse(metadata);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return [{ code: 'metadata', file: 'metadata.json', message: `not CSVW table-group metadata this checker reads: ${issue.path.join('.')}: ${issue.message}` }];
  }
  const { tables } = parsed.data;

  // Where each table's file is, by path relative to outDir.
  const tablePaths = new Map<TableDescription, string>();
  for (const t of tables) {
    const rel = localPath(outDir, t.url);
    if (rel === null) problems.add({ code: 'metadata', file: 'metadata.json', message: `table url ${t.url} is not a file in the output folder` });
    else tablePaths.set(t, rel);
  }
  const tableByPath = new Map([...tablePaths].map(([t, p]) => [p, t] as const));

  // Foreign keys: collect referencing keys while reading each table, and the referenced keys of the target.
  const foreignKeys: ForeignKeyWork[] = [];
  const referencedKeys = new Map<string, Map<string, number>>(); // `${path}\u001f${cols}` → key → count
  for (const [t, from] of tablePaths) {
    for (const fk of t.tableSchema.foreignKeys ?? []) {
      const to = localPath(outDir, fk.reference.resource);
      const target = to === null ? undefined : tableByPath.get(to);
      if (to === null || !target) {
        problems.add({ code: 'metadata', file: from, message: `foreign key references ${fk.reference.resource}, which is no table of this group` });
        continue;
      }
      foreignKeys.push({ from, columns: fk.columnReference, to, toColumns: fk.reference.columnReference, keys: new Map() });
      referencedKeys.set(`${to}${KEY_SEP}${fk.reference.columnReference.join(KEY_SEP)}`, new Map());
    }
  }

  const unreadable = new Set<string>();
  for (const [t, rel] of tablePaths) {
    if (!await checkTable(outDir, rel, t, problems, foreignKeys.filter((fk) => fk.from === rel), referencedKeys)) unreadable.add(rel);
  }

  for (const fk of foreignKeys) {
    if (unreadable.has(fk.to)) continue; // its own problem is reported; every reference would fail with it
    const target = referencedKeys.get(`${fk.to}${KEY_SEP}${fk.toColumns.join(KEY_SEP)}`)!;
    for (const [key, line] of fk.keys) {
      const count = target.get(key) ?? 0;
      if (count === 1) continue;
      const shown = key.split(KEY_SEP).join(', ');
      problems.add({
        code: 'foreign_key', file: fk.from, line, column: fk.columns.join(','),
        message: count === 0 ? `(${shown}) has no row in ${fk.to} (${fk.toColumns.join(', ')})` : `(${shown}) matches ${count} rows in ${fk.to}, not one`,
      });
    }
  }

  await checkDistributions(outDir, parsed.data['dcat:distribution'] ?? [], problems);

  const described = new Set(tablePaths.values());
  for (const file of await csvFilesIn(outDir)) {
    if (!described.has(file)) problems.add({ code: 'undescribed_file', file, message: 'CSV file in the output folder that metadata.json does not describe' });
  }
  return problems.finish();
}

async function checkDistributions(outDir: string, distributions: z.infer<typeof DistributionSchema>[], problems: Problems): Promise<void> {
  for (const d of distributions) {
    const rel = localPath(outDir, d['dcat:downloadURL']['@id']);
    if (rel === null) continue; // a distribution elsewhere is not ours to check
    const file = path.join(outDir, rel);
    if (!(await exists(file))) {
      problems.add({ code: 'missing_file', file: rel, message: 'distribution file does not exist' });
      continue;
    }
    const size = d['dcat:byteSize'] ? Number(d['dcat:byteSize']['@value']) : undefined;
    const actualSize = (await stat(file)).size;
    if (size !== undefined && size !== actualSize) problems.add({ code: 'checksum', file: rel, message: `byte size ${actualSize}, metadata says ${size}` });
    const sha = d['schema:sha256']?.['@value'];
    if (sha !== undefined) {
      const actual = await sha256Of(file);
      if (actual !== sha) problems.add({ code: 'checksum', file: rel, message: `sha256 ${actual}, metadata says ${sha}` });
    }
  }
}

interface PreparedColumn {
  column: ColumnDescription;
  index: number;
  nulls: string[];
  check: ValueCheck;
}

async function checkTable(
  outDir: string, rel: string, table: TableDescription, problems: Problems,
  outgoing: ForeignKeyWork[], referencedKeys: Map<string, Map<string, number>>,
): Promise<boolean> {
  const file = path.join(outDir, rel);
  if (!(await exists(file))) {
    problems.add({ code: 'missing_file', file: rel, message: 'described table has no CSV file' });
    return false;
  }
  const physical = table.tableSchema.columns.filter((c) => !c.virtual);
  const virtual = table.tableSchema.columns.filter((c) => c.virtual && c.valueUrl);
  const names = physical.map((c) => c.name);
  const prepared: PreparedColumn[] = [];
  for (const [index, column] of physical.entries()) {
    const check = valueCheck(column.datatype);
    if (typeof check === 'string') {
      problems.add({ code: 'metadata', file: rel, column: column.name, message: check });
      continue;
    }
    prepared.push({ column, index, nulls: column.null ?? [''], check });
  }
  const indexOf = (name: string) => names.indexOf(name);
  const keyIndexes = (cols: readonly string[], what: string): number[] | null => {
    const idx = cols.map(indexOf);
    if (idx.some((i) => i < 0)) {
      problems.add({ code: 'metadata', file: rel, message: `${what} names a column the table does not have: ${cols.join(', ')}` });
      return null;
    }
    return idx;
  };
  const pk = table.tableSchema.primaryKey ? keyIndexes(table.tableSchema.primaryKey, 'primaryKey') : null;
  const fks = outgoing.flatMap((fk) => {
    const idx = keyIndexes(fk.columns, 'a foreign key');
    return idx ? [{ fk, idx }] : [];
  });
  const incoming = [...referencedKeys].flatMap(([k, counts]) => {
    const [p, ...cols] = k.split(KEY_SEP);
    if (p !== rel) return [];
    const idx = keyIndexes(cols, 'a foreign key reference');
    return idx ? [{ idx, counts }] : [];
  });
  const virtualVars = virtual.map((c) => ({ column: c, vars: templateVariables(c.valueUrl!) }));
  for (const v of virtualVars) {
    for (const name of v.vars) {
      if (!name.startsWith('_') && indexOf(name) < 0) problems.add({ code: 'metadata', file: rel, column: v.column.name, message: `valueUrl names ${name}, which is no column` });
    }
  }

  const primaryKeys = new Map<string, number>();
  let line = 0;
  try {
    for await (const row of readCsvRecords(file)) {
      line++;
      if (line === 1) {
        if (row.length !== names.length || row.some((h, i) => h !== names[i])) {
          problems.add({ code: 'header', file: rel, line, message: `header is ${JSON.stringify(row)}, metadata declares ${JSON.stringify(names)}` });
          return false; // cells cannot be matched to columns
        }
        continue;
      }
      if (row.length !== names.length) {
        problems.add({ code: 'row_length', file: rel, line, message: `${row.length} fields, the header has ${names.length}` });
        continue;
      }
      for (const p of prepared) {
        const value = row[p.index]!;
        if (p.column.separator === undefined) {
          if (p.nulls.includes(value)) {
            if (p.column.required) problems.add({ code: 'required', file: rel, line, column: p.column.name, message: 'required cell is empty' });
            continue;
          }
          const error = p.check(value);
          if (error) problems.add({ code: 'datatype', file: rel, line, column: p.column.name, message: error });
          continue;
        }
        const items = p.nulls.includes(value) ? [] : value.split(p.column.separator).filter((item) => !p.nulls.includes(item));
        if (items.length === 0 && p.column.required) problems.add({ code: 'required', file: rel, line, column: p.column.name, message: 'required cell is empty' });
        for (const item of items) {
          const error = p.check(item);
          if (error) problems.add({ code: 'datatype', file: rel, line, column: p.column.name, message: error });
        }
      }
      if (pk) {
        const key = pk.map((i) => row[i]).join(KEY_SEP);
        const first = primaryKeys.get(key);
        if (first === undefined) primaryKeys.set(key, line);
        else problems.add({ code: 'primary_key', file: rel, line, column: table.tableSchema.primaryKey!.join(','), message: `duplicate primary key (${pk.map((i) => row[i]).join(', ')}), first on line ${first}` });
      }
      for (const { fk, idx } of fks) {
        const values = idx.map((i) => row[i]!);
        if (values.every((v) => v === '')) continue; // a null reference refers to nothing
        const key = values.join(KEY_SEP);
        if (!fk.keys.has(key)) fk.keys.set(key, line);
      }
      for (const { idx, counts } of incoming) {
        const key = idx.map((i) => row[i]!).join(KEY_SEP);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      for (const { column, vars } of virtualVars) checkLink(column, vars, row, names, line, rel, problems);
    }
  } catch (error) {
    const at = error instanceof CsvSyntaxError ? error.record : line + 1;
    problems.add({ code: 'csv_syntax', file: rel, line: at, message: `not RFC 4180 CSV: ${(error as Error).message}` });
    return false;
  }
  if (line === 0) {
    problems.add({ code: 'header', file: rel, message: 'file is empty: no header row' });
    return false;
  }
  return true;
}

/** A virtual column's link: every variable present, and a PDF page fragment ≥ 1 where the template makes one. */
function checkLink(column: ColumnDescription, vars: string[], row: string[], names: string[], line: number, rel: string, problems: Problems): void {
  const values: Record<string, string | null> = { _row: String(line - 1), _sourceRow: String(line) };
  for (const name of vars) {
    if (name.startsWith('_')) continue;
    const v = row[names.indexOf(name)];
    values[name] = v === undefined || v === '' ? null : v;
  }
  const { url, missing } = expandUriTemplate(column.valueUrl!, values);
  if (missing.length > 0) {
    problems.add({ code: 'link', file: rel, line, column: column.name, message: `link ${column.valueUrl} is incomplete: no ${missing.join(', ')}` });
  } else if (/#page=\{[^}]+\}$/u.test(column.valueUrl!) && !/.#page=[1-9]\d*$/u.test(url)) {
    problems.add({ code: 'link', file: rel, line, column: column.name, message: `link ${url} names no page ≥ 1` });
  }
}

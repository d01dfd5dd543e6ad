/**
 * Sources lists: the documents to harvest, one per CSV row, JSON array item or NDJSON line. Each names a `url`
 * or a `path` (exactly one) and may carry hints (entity, fiscal_year, doc_kind) and a stable `id`.
 *
 *   url,entity,fiscal_year,doc_kind,id
 *   https://example.gov.cn/2023/bmjs.pdf,临江市卫生健康局,2023,final_account,lj-wjj-2023-js
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { DocKind } from '../model/document.js';
import { InputError } from './local.js';

const DOC_KINDS = ['final_account', 'budget', 'performance_eval', 'other'] as const satisfies readonly DocKind[];
const COLUMNS = ['url', 'path', 'entity', 'fiscal_year', 'doc_kind', 'id'] as const;
/** Bad lines listed in one error message; the rest are counted. */
const MAX_LISTED_PROBLEMS = 20;

interface SourceHints {
  /** The sources file and where in it the source was declared: a line (CSV, NDJSON) or an array index (JSON). */
  origin: { file: string; line?: number; index?: number };
  /** The user's id, when given. */
  id?: string;
  /** The source's identity (in run state, logs): its id, else its URL or absolute path. */
  key: string;
  entity?: string;
  fiscalYear?: string;
  docKind?: DocKind;
}

export type SourceSpec = SourceHints & ({ kind: 'url'; url: string } | { kind: 'path'; path: string });

export interface SourcesProblem {
  /** 1-based line of the file (CSV, NDJSON), or 0-based index in the array (JSON); neither for the whole file. */
  line?: number;
  index?: number;
  message: string;
}

/** A sources list that cannot be used: names the file and every bad line (the first 20). An input error (exit 2). */
export class SourcesError extends InputError {
  readonly file: string;
  readonly problems: SourcesProblem[];

  constructor(file: string, problems: SourcesProblem[]) {
    const where = (p: SourcesProblem) => (p.line !== undefined ? `line ${p.line}: ` : p.index !== undefined ? `item ${p.index}: ` : '');
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `  ${where(p)}${p.message}`);
    if (problems.length > MAX_LISTED_PROBLEMS) listed.push(`  … and ${problems.length - MAX_LISTED_PROBLEMS} more`);
    const bad = problems.filter((p) => p.line !== undefined || p.index !== undefined).length;
    const head = bad ? `${bad} bad ${problems[0]!.index !== undefined ? 'item' : 'line'}${bad === 1 ? '' : 's'}` : 'unusable';
    super(`sources list ${file}: ${head}:\n${listed.join('\n')}`);
    this.name = 'SourcesError';
    this.file = file;
    this.problems = problems;
  }
}

const optionalText = z.string().trim().min(1, { error: 'must not be empty' }).optional();

/** One entry as written (snake_case), after empty CSV cells and JSON nulls are dropped. */
const SourceEntry = z
  .strictObject({
    url: optionalText,
    path: optionalText,
    entity: optionalText,
    fiscal_year: z
      .union([z.string(), z.number()], { error: 'must be a year such as 2023' })
      .transform((v) => String(v).trim())
      .refine((v) => /^(19|20)\d\d$/u.test(v), { error: 'must be a four-digit year such as 2023' })
      .optional(),
    doc_kind: z.enum(DOC_KINDS, { error: `must be one of ${DOC_KINDS.join(', ')}` }).optional(),
    id: z
      .union([z.string(), z.number()], { error: 'must be a string or a number' })
      .transform((v) => String(v).trim())
      .refine((v) => v.length > 0, { error: 'must not be empty' })
      .optional(),
  }, { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (known: ${COLUMNS.join(', ')})` : 'must be an object with a url or a path') })
  .superRefine((entry, ctx) => {
    if ((entry.url === undefined) === (entry.path === undefined)) {
      ctx.addIssue({ code: 'custom', message: entry.url === undefined ? 'give a url or a path' : 'give either a url or a path, not both' });
      return;
    }
    if (entry.url === undefined) return;
    let url: URL;
    try {
      url = new URL(entry.url);
    } catch {
      ctx.addIssue({ code: 'custom', path: ['url'], message: `not a valid URL: ${JSON.stringify(entry.url)}` });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', path: ['url'], message: `only http and https URLs can be fetched, not ${url.protocol} (use the path column for local files)` });
    }
  });

type Format = 'csv' | 'json' | 'ndjson';

/** Reads and validates a sources list; relative paths are taken from the list's folder. */
export async function readSources(file: string): Promise<SourceSpec[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new SourcesError(file, [{ message: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` }]);
  }
  return parseSources(text.replace(/^\uFEFF/u, ''), file);
}

/** Parses a sources list's text; `file` names it in errors, sets its format by extension and the base of relative paths. */
export function parseSources(text: string, file: string): SourceSpec[] {
  const format = formatOf(file, text);
  const entries = format === 'csv' ? csvEntries(text, file) : format === 'json' ? jsonEntries(text, file) : ndjsonEntries(text);
  const problems: SourcesProblem[] = [];
  const specs: SourceSpec[] = [];
  const baseDir = path.dirname(path.resolve(file));
  for (const entry of entries) {
    const where = entry.line !== undefined ? { line: entry.line } : { index: entry.index };
    if (entry.problem !== undefined) {
      problems.push({ ...where, message: entry.problem });
      continue;
    }
    const parsed = SourceEntry.safeParse(entry.value);
    if (!parsed.success) {
      const messages = parsed.error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
      problems.push({ ...where, message: messages.join('; ') });
      continue;
    }
    const e = parsed.data;
    const location = e.url !== undefined ? { kind: 'url' as const, url: new URL(e.url).href } : { kind: 'path' as const, path: path.resolve(baseDir, e.path!) };
    specs.push({
      origin: { file, ...(entry.line !== undefined ? { line: entry.line } : { index: entry.index }) },
      ...(e.id !== undefined ? { id: e.id } : {}),
      key: e.id ?? (location.kind === 'url' ? location.url : location.path),
      ...(e.entity !== undefined ? { entity: e.entity } : {}),
      ...(e.fiscal_year !== undefined ? { fiscalYear: e.fiscal_year } : {}),
      ...(e.doc_kind !== undefined ? { docKind: e.doc_kind } : {}),
      ...location,
    });
  }
  problems.push(...duplicates(specs));
  if (problems.length) {
    problems.sort((a, b) => (a.line ?? a.index ?? -1) - (b.line ?? b.index ?? -1));
    throw new SourcesError(file, problems);
  }
  if (!specs.length) throw new SourcesError(file, [{ message: 'lists no sources' }]);
  return specs;
}

/** Two sources with one id, or one URL/path listed twice (it would be fetched and counted twice). */
function duplicates(specs: readonly SourceSpec[]): SourcesProblem[] {
  const problems: SourcesProblem[] = [];
  const place = (s: SourceSpec) => (s.origin.line !== undefined ? `line ${s.origin.line}` : `item ${s.origin.index}`);
  const check = (label: string, value: (s: SourceSpec) => string | undefined) => {
    const first = new Map<string, SourceSpec>();
    for (const s of specs) {
      const v = value(s);
      if (v === undefined) continue;
      const earlier = first.get(v);
      if (earlier) problems.push({ ...(s.origin.line !== undefined ? { line: s.origin.line } : { index: s.origin.index }), message: `duplicate ${label} ${JSON.stringify(v)} (first on ${place(earlier)})` });
      else first.set(v, s);
    }
  };
  check('id', (s) => s.id);
  check('source', (s) => (s.kind === 'url' ? s.url : s.path));
  return problems;
}

function formatOf(file: string, text: string): Format {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.json') return 'json';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  const first = text.trimStart()[0];
  return first === '[' ? 'json' : first === '{' ? 'ndjson' : 'csv';
}

interface RawEntry {
  line?: number;
  index?: number;
  value: unknown;
  /** Why the entry could not even be read (bad JSON, wrong number of CSV fields). */
  problem?: string;
}

/** Drops JSON nulls, so `"entity": null` means no hint. */
function withoutNulls(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
}

function jsonEntries(text: string, file: string): RawEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new SourcesError(file, [{ message: `not valid JSON (${(err as Error).message})` }]);
  }
  if (!Array.isArray(data)) throw new SourcesError(file, [{ message: 'a JSON sources list must be an array of objects' }]);
  return data.map((value, index) => ({ index, value: withoutNulls(value) }));
}

function ndjsonEntries(text: string): RawEntry[] {
  const entries: RawEntry[] = [];
  text.split(/\r?\n/u).forEach((raw, i) => {
    if (!raw.trim()) return;
    try {
      entries.push({ line: i + 1, value: withoutNulls(JSON.parse(raw)) });
    } catch (err) {
      entries.push({ line: i + 1, value: undefined, problem: `not valid JSON (${(err as Error).message})` });
    }
  });
  return entries;
}

function csvEntries(text: string, file: string): RawEntry[] {
  const { records, problems } = parseCsv(text);
  if (problems.length) throw new SourcesError(file, problems); // a broken quote shifts every later line: stop here
  const [header, ...rows] = records;
  if (!header) return [];
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  const headerProblems: string[] = [];
  const unknown = columns.filter((c) => !(COLUMNS as readonly string[]).includes(c));
  if (unknown.length) headerProblems.push(`unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => JSON.stringify(c)).join(', ')} (known: ${COLUMNS.join(', ')})`);
  const repeated = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (repeated.length) headerProblems.push(`column ${[...new Set(repeated)].map((c) => JSON.stringify(c)).join(', ')} given twice`);
  if (!columns.includes('url') && !columns.includes('path')) headerProblems.push('the header row needs a url or a path column');
  if (headerProblems.length) throw new SourcesError(file, [{ line: header.line, message: headerProblems.join('; ') }]);
  const entries: RawEntry[] = [];
  for (const row of rows) {
    if (row.fields.length !== columns.length) {
      entries.push({ line: row.line, value: undefined, problem: `${row.fields.length} field${row.fields.length === 1 ? '' : 's'}, the header has ${columns.length}` });
      continue;
    }
    // An empty cell is no value: the hint is absent.
    entries.push({ line: row.line, value: Object.fromEntries(columns.map((c, i) => [c, row.fields[i]!]).filter(([, v]) => v!.trim() !== '')) });
  }
  return entries;
}

interface CsvRecord {
  /** The line the record starts on (1-based). */
  line: number;
  fields: string[];
}

/** RFC 4180 CSV (comma, double quotes, "" escapes, CRLF or LF, quoted newlines); blank lines are skipped. */
export function parseCsv(text: string): { records: CsvRecord[]; problems: SourcesProblem[] } {
  const records: CsvRecord[] = [];
  const problems: SourcesProblem[] = [];
  let line = 1;
  let recordLine = 1;
  let fields: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let wasQuoted = false; // the current field was quoted (text may not follow its closing quote)
  let badRecord = false;
  const endField = () => {
    fields.push(field);
    field = '';
    wasQuoted = false;
  };
  const endRecord = () => {
    endField();
    if (!badRecord && !(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
    fields = [];
    badRecord = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '' && !wasQuoted) { quoted = true; wasQuoted = true; continue; }
    if (c === ',') { endField(); continue; }
    if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
      continue;
    }
    if (wasQuoted && !badRecord) {
      problems.push({ line: recordLine, message: `text after a closing quote (a quote inside a quoted field is written "")` });
      badRecord = true;
    }
    field += c;
  }
  if (quoted) problems.push({ line: recordLine, message: 'a quoted field is never closed' });
  else if (field !== '' || fields.length) endRecord();
  return { records, problems };
}

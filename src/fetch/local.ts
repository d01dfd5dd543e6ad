/** Local inputs: files and directories (recursive) → sources with their bytes and sha256. */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Source } from '../model/document.js';
import type { BlobStore } from './blob-store.js';
import { describeNonPdf, looksLikePdf, type FetchErrorCode, type FetchOutcome, type PriorFetch } from './outcome.js';

export class InputError extends Error {}

/** Expands inputs to files: directories are walked for `*.pdf` (any case), files are taken as given. */
export async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    let st;
    try { st = await stat(input); } catch { throw new InputError(`input not found: ${input}`); }
    if (st.isDirectory()) files.push(...(await walk(input)));
    else files.push(input);
  }
  return [...new Set(files)];
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile() && /\.pdf$/iu.test(e.name)) out.push(p);
  }
  return out;
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export async function readLocal(file: string): Promise<{ source: Source; bytes: Uint8Array }> {
  const bytes = new Uint8Array(await readFile(file));
  return { source: { source: file, sha256: sha256(bytes), bytes: bytes.length }, bytes };
}

export interface LocalFetchOptions {
  /** What an earlier run learned; when the file's size and mtime (its etag) are unchanged, it is not read again. */
  prior?: PriorFetch;
  /** Where to keep the bytes, as for URLs (optional: a path source can be read again from the path). */
  store?: BlobStore;
  /** Files larger than this fail as too_large. */
  maxBytes?: number;
  /** The time recorded as retrievedAt. */
  clock?: () => Date;
}

/**
 * A `path` source read like a URL is fetched: the same FetchOutcome, so the pipeline and the run state treat
 * both alike. Validators: etag = size and mtime, lastModified = mtime (ISO); retrievedAt = the read time.
 */
export async function fetchLocal(file: string, options: LocalFetchOptions = {}): Promise<FetchOutcome> {
  const absolute = path.resolve(file);
  const finalUrl = pathToFileURL(absolute).href;
  const fail = (code: FetchErrorCode, message: string): FetchOutcome => ({ status: 'failed', error: { code, message, transient: false }, attempts: 1, finalUrl });
  let st;
  try {
    st = await stat(absolute);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? fail('not_found', `file not found: ${file}`) : fail('unreadable', `cannot read ${file} (${code ?? (err as Error).message})`);
  }
  if (!st.isFile()) return fail('unreadable', `not a file: ${file}${st.isDirectory() ? ' is a directory' : ''}`);
  if (options.maxBytes !== undefined && st.size > options.maxBytes) return fail('too_large', `${file} has ${st.size} bytes, more than the limit of ${options.maxBytes}`);
  const etag = `"${st.size}-${Math.trunc(st.mtimeMs)}"`;
  const lastModified = st.mtime.toISOString();
  const retrievedAt = (options.clock?.() ?? new Date()).toISOString();
  const prior = options.prior;
  if (prior?.sha256 && prior.etag === etag && (!options.store || (await options.store.has(prior.sha256)))) {
    return { status: 'not_modified', sha256: prior.sha256, etag, lastModified, finalUrl, retrievedAt, attempts: 1 };
  }
  let data: Uint8Array;
  try {
    data = new Uint8Array(await readFile(absolute));
  } catch (err) {
    return fail('unreadable', `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!looksLikePdf(data)) return fail('not_pdf', `${describeNonPdf(data)}: ${file}`);
  const hash = options.store ? await options.store.put(data) : sha256(data);
  return { status: 'fetched', sha256: hash, bytes: data.length, data, etag, lastModified, finalUrl, retrievedAt, attempts: 1 };
}

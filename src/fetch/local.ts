/** Local inputs: files and directories (recursive) → sources with their bytes and sha256. */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Source } from '../model/document.js';

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

/**
 * The pipeline version a stored result was made with: the software version plus a digest of the code
 * that turns bytes into facts (extract, normalize, catalogue, model). A rerun reuses a stored result only
 * when both match, so a code change, even without a version bump, re-processes every document.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../version.js';

/** Folders (beside src/pipeline or dist/pipeline) whose code decides what a document yields. */
const RESULT_SHAPING = ['extract', 'normalize', 'catalogue', 'model', 'util'];

let cached: string | undefined;

export function pipelineVersion(): string {
  if (cached) return cached;
  const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  const hash = createHash('sha256');
  for (const folder of RESULT_SHAPING) {
    for (const file of codeFiles(path.join(root, folder))) {
      hash.update(path.relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  cached = `${VERSION}+${hash.digest('hex').slice(0, 12)}`;
  return cached;
}

function codeFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...codeFiles(p));
    // Tests do not change results; .js in dist, .ts in the sources (under vitest).
    else if (/\.(js|ts)$/u.test(e.name) && !/\.(test|d)\.ts$|\.test\.js$/u.test(e.name)) out.push(p);
  }
  return out;
}

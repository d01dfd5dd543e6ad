/** The directory blob store on a real temp folder: layout, dedup, atomic writes, missing blobs. */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tinyPdf } from '../../test/support/fault-server.js';
import { BlobStoreError, DirectoryBlobStore } from './blob-store.js';

let tmp: string;
let store: DirectoryBlobStore;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'fiscal-harvest-blobs-'));
  store = new DirectoryBlobStore(path.join(tmp, 'blobs'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Every file under a folder, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

describe('DirectoryBlobStore', () => {
  it('stores bytes under <root>/ab/cd/<sha256>.pdf and reads them back', async () => {
    const pdf = tinyPdf('blob');
    const sha = createHash('sha256').update(pdf).digest('hex');
    expect(await store.has(sha)).toBe(false);
    expect(await store.put(pdf)).toBe(sha);
    expect(store.pathOf(sha)).toBe(path.join(tmp, 'blobs', sha.slice(0, 2), sha.slice(2, 4), `${sha}.pdf`));
    expect(await readFile(store.pathOf(sha))).toEqual(pdf);
    expect(await store.has(sha)).toBe(true);
    expect(Buffer.from((await store.get(sha))!).equals(pdf)).toBe(true);
  });

  it('keeps one copy of bytes stored many times, concurrently, with no temp file left', async () => {
    const pdf = tinyPdf('same bytes');
    const hashes = await Promise.all(Array.from({ length: 8 }, () => store.put(new Uint8Array(pdf))));
    expect(new Set(hashes).size).toBe(1);
    expect(await filesUnder(store.root)).toEqual([path.relative(store.root, store.pathOf(hashes[0]!))]);
  });

  it('answers undefined / false for a blob it does not have', async () => {
    const absent = 'a'.repeat(64);
    expect(await store.get(absent)).toBeUndefined();
    expect(await store.has(absent)).toBe(false);
  });

  it('refuses a name that is not a sha256 (no path escapes the root)', async () => {
    for (const bad of ['../../etc/passwd', 'A'.repeat(64), 'abc']) {
      await expect(store.get(bad)).rejects.toBeInstanceOf(BlobStoreError);
      expect(() => store.pathOf(bad)).toThrow(BlobStoreError);
    }
  });

  it('leaves neither a blob nor a temp file when the final rename fails', async () => {
    const pdf = tinyPdf('cannot land');
    const sha = createHash('sha256').update(pdf).digest('hex');
    await mkdir(store.pathOf(sha), { recursive: true }); // a folder where the blob should go: rename fails
    await expect(store.put(pdf)).rejects.toThrow();
    expect(await filesUnder(store.root)).toEqual([]);
  });
});

/**
 * Content-addressed storage of fetched PDFs: bytes are stored under their sha256, so a document fetched twice
 * (or from two URLs) is stored once, and the run state only needs the hash. The interface is small enough for
 * an S3-compatible implementation (put = PUT of `ab/cd/<sha256>.pdf` if absent, get = GET, has = HEAD).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

export interface BlobStore {
  /** Stores the bytes (once: an existing blob is kept) and returns their sha256 (lower-case hex). */
  put(bytes: Uint8Array): Promise<string>;
  /** The bytes stored under sha256, or undefined when there are none. */
  get(sha256: string): Promise<Uint8Array | undefined>;
  has(sha256: string): Promise<boolean>;
  /** Where the blob lives on the local disk, for stores that have one (to hand a path to another process). */
  pathOf?(sha256: string): string;
}

export class BlobStoreError extends Error {}

const SHA256_HEX = /^[0-9a-f]{64}$/u;

function checkedHash(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new BlobStoreError(`not a sha256 (64 lower-case hex digits): ${JSON.stringify(sha256)}`);
  return sha256;
}

/**
 * Blobs as files `<root>/ab/cd/<sha256>.pdf`. A blob is written to a temporary file in its final folder, flushed
 * to disk, then renamed: a crash leaves at most a `.tmp-*` file behind, never a partial blob under the final name.
 */
export class DirectoryBlobStore implements BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  pathOf(sha256: string): string {
    const hash = checkedHash(sha256);
    return path.join(this.root, hash.slice(0, 2), hash.slice(2, 4), `${hash}.pdf`);
  }

  async put(bytes: Uint8Array): Promise<string> {
    const hash = createHash('sha256').update(bytes).digest('hex');
    const file = this.pathOf(hash);
    if (await this.has(hash)) return hash;
    await mkdir(path.dirname(file), { recursive: true });
    // Unique per writer, so two processes storing the same bytes never write into one temp file.
    const tmp = path.join(path.dirname(file), `.tmp-${hash.slice(0, 16)}-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      const handle = await open(tmp, 'wx');
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, file); // atomic; replacing an identical blob written meanwhile is harmless
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return hash;
  }

  async get(sha256: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.pathOf(sha256)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async has(sha256: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(sha256))).isFile();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }
}

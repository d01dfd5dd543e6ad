/** fetchLocal: a path source read into the same FetchOutcome as a URL. */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { htmlSavedAsPdf } from '../../test/support/bad-inputs.js';
import { tinyPdf } from '../../test/support/fault-server.js';
import { DirectoryBlobStore } from './blob-store.js';
import { fetchLocal } from './local.js';
import type { FetchedOutcome } from './outcome.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const MTIME = new Date('2024-08-30T08:00:00.000Z');
let tmp: string;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'fiscal-harvest-local-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function file(name: string, data: Uint8Array): Promise<string> {
  const p = path.join(tmp, name);
  await writeFile(p, data);
  await utimes(p, MTIME, MTIME);
  return p;
}

describe('fetchLocal', () => {
  it('reads a PDF with its sha256, size, validators and read time, into the store when given one', async () => {
    const pdf = tinyPdf('local');
    const p = await file('a.pdf', pdf);
    const store = new DirectoryBlobStore(path.join(tmp, 'blobs'));
    const outcome = await fetchLocal(p, { store, clock: () => NOW });
    const sha = createHash('sha256').update(pdf).digest('hex');
    expect({ ...outcome, data: undefined }).toEqual({
      status: 'fetched', sha256: sha, bytes: pdf.length, data: undefined, etag: `"${pdf.length}-${MTIME.getTime()}"`, lastModified: MTIME.toISOString(),
      finalUrl: pathToFileURL(p).href, retrievedAt: NOW.toISOString(), attempts: 1,
    });
    expect(Buffer.from((outcome as FetchedOutcome).data).equals(pdf)).toBe(true);
    expect(await store.has(sha)).toBe(true);
  });

  it('answers not_modified without reading when size and mtime are unchanged', async () => {
    const p = await file('b.pdf', tinyPdf('unchanged'));
    const first = (await fetchLocal(p)) as FetchedOutcome;
    const again = await fetchLocal(p, { prior: { etag: first.etag, sha256: first.sha256 }, clock: () => NOW });
    expect(again).toMatchObject({ status: 'not_modified', sha256: first.sha256, etag: first.etag });
    await writeFile(p, tinyPdf('changed!!')); // same length, new mtime
    const changed = await fetchLocal(p, { prior: { etag: first.etag, sha256: first.sha256 } });
    expect(changed.status).toBe('fetched');
  });

  it('fails an HTML page saved as .pdf, a missing file, a folder and a file over the limit', async () => {
    const html = await file('page.pdf', htmlSavedAsPdf());
    expect(await fetchLocal(html)).toMatchObject({ status: 'failed', error: { code: 'not_pdf', message: `not a PDF: an HTML page: ${html}`, transient: false } });
    const missing = path.join(tmp, 'missing.pdf');
    expect(await fetchLocal(missing)).toMatchObject({ status: 'failed', error: { code: 'not_found', message: `file not found: ${missing}` } });
    expect(await fetchLocal(tmp)).toMatchObject({ status: 'failed', error: { code: 'unreadable' } });
    const big = await file('big.pdf', tinyPdf('big', 4096));
    expect(await fetchLocal(big, { maxBytes: 1024 })).toMatchObject({ status: 'failed', error: { code: 'too_large' } });
  });
});

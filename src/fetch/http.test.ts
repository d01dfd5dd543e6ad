/**
 * The HTTP fetcher against a real server on 127.0.0.1 that injects faults (test/support/fault-server.ts).
 * Timeouts and backoffs are small so the file runs in a few seconds; timing checks are lower bounds only.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FIXED_ETAG, FIXED_LAST_MODIFIED, startFaultServer, tinyPdf, type FaultServer } from '../../test/support/fault-server.js';
import { VERSION } from '../version.js';
import { DirectoryBlobStore } from './blob-store.js';
import { createFetcher, parseRetryAfter, type Fetcher, type FetchSettings } from './http.js';
import type { FailedOutcome, FetchedOutcome, FetchOutcome } from './outcome.js';

const PDF = tinyPdf('fiscal-harvest fetch test');
const PDF_SHA = createHash('sha256').update(PDF).digest('hex');
const FIXED_NOW = new Date('2025-03-04T05:06:07.000Z');

const FAST: Partial<FetchSettings> = {
  perHostConcurrency: 4,
  perHostDelayMs: 0,
  connectTimeoutMs: 2000,
  readTimeoutMs: 300,
  maxAttempts: 3,
  backoffBaseMs: 5,
  backoffMaxMs: 20,
  retryAfterMaxMs: 3000,
  maxBytes: 1024 * 1024,
};

let server: FaultServer;
let tmp: string;
let store: DirectoryBlobStore;
const fetchers: Fetcher[] = [];

function fetcher(settings: Partial<FetchSettings> = {}, extra: { random?: () => number; clock?: () => Date } = {}): Fetcher {
  const f = createFetcher({ store, settings: { ...FAST, ...settings }, clock: () => FIXED_NOW, ...extra });
  fetchers.push(f);
  return f;
}

function failed(outcome: FetchOutcome): FailedOutcome {
  expect(outcome.status, JSON.stringify(outcome)).toBe('failed');
  return outcome as FailedOutcome;
}

function fetched(outcome: FetchOutcome): FetchedOutcome {
  expect(outcome.status, JSON.stringify({ ...outcome, data: undefined })).toBe('fetched');
  return outcome as FetchedOutcome;
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

beforeAll(async () => {
  server = await startFaultServer(PDF);
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'fiscal-harvest-http-'));
  store = new DirectoryBlobStore(path.join(tmp, 'blobs'));
});
afterEach(async () => {
  await Promise.all(fetchers.splice(0).map((f) => f.close()));
  await rm(tmp, { recursive: true, force: true });
});

describe('success', () => {
  it('stores the PDF by sha256 and reports its validators, final URL, time and attempts', async () => {
    const outcome = fetched(await fetcher().fetch(server.url('/pdf?case=ok')));
    expect(outcome).toMatchObject({
      sha256: PDF_SHA, bytes: PDF.length, etag: FIXED_ETAG, lastModified: FIXED_LAST_MODIFIED, contentType: 'application/pdf',
      finalUrl: server.url('/pdf?case=ok'), retrievedAt: FIXED_NOW.toISOString(), httpStatus: 200, attempts: 1,
    });
    expect(Buffer.from(outcome.data).equals(PDF)).toBe(true);
    expect(Buffer.from((await store.get(PDF_SHA))!).equals(PDF)).toBe(true);
    const [request] = server.requestsTo('/pdf?case=ok');
    expect(request!.headers['user-agent']).toBe(`fiscal-harvest/${VERSION} (+https://github.com/fiscal-harvest/fiscal-harvest)`);
    expect(request!.headers.accept).toMatch(/^application\/pdf\b/u);
  });

  it('follows up to 5 redirects and reports the final URL', async () => {
    const outcome = fetched(await fetcher().fetch(server.url('/chain/5')));
    expect(outcome.finalUrl).toBe(server.url('/chain/0'));
    expect(outcome.sha256).toBe(PDF_SHA);
  });

  it('decodes a gzip-encoded body sent although identity was asked for', async () => {
    const outcome = fetched(await fetcher().fetch(server.url('/gzip')));
    expect(outcome.sha256).toBe(PDF_SHA);
  });
});

describe('retries', () => {
  it('retries a 500 and succeeds on the second attempt', async () => {
    const outcome = fetched(await fetcher().fetch(server.url('/status/500?fail=1')));
    expect(outcome.attempts).toBe(2);
    expect(server.requestsTo('/status/500?fail=1')).toHaveLength(2);
  });

  it('gives up on a lasting 503 after maxAttempts, as a transient failure', async () => {
    const outcome = failed(await fetcher().fetch(server.url('/status/503')));
    expect(outcome.error).toEqual({ code: 'http_5xx', message: 'HTTP 503 Service Unavailable after 3 attempts', transient: true, httpStatus: 503 });
    expect(outcome.attempts).toBe(3);
    expect(server.requestsTo('/status/503')).toHaveLength(3);
  });

  it('backs off exponentially between attempts', async () => {
    const outcome = failed(await fetcher({ backoffBaseMs: 100, backoffMaxMs: 1000 }, { random: () => 0.999 }).fetch(server.url('/status/502?case=backoff')));
    expect(outcome.attempts).toBe(3);
    const [first, second] = gaps(server.requestsTo('/status/502?case=backoff').map((r) => r.arrivedAt));
    expect(first).toBeGreaterThanOrEqual(80); // ≈ 0.999 × 100, less what the arrival of the first request was late
    expect(second).toBeGreaterThanOrEqual(170); // ≈ 0.999 × 200
  });

  it('does not retry a 404 or a 410', async () => {
    const f = fetcher();
    const gone404 = failed(await f.fetch(server.url('/status/404')));
    expect(gone404.error).toEqual({ code: 'http_404', message: 'HTTP 404 Not Found after 1 attempt', transient: false, httpStatus: 404 });
    expect(server.requestsTo('/status/404')).toHaveLength(1);
    const gone410 = failed(await f.fetch(server.url('/status/410')));
    expect(gone410.error.code).toBe('http_410');
    expect(gone410.attempts).toBe(1);
  });

  it('waits as long as a 429 Retry-After in seconds asks', async () => {
    const outcome = fetched(await fetcher().fetch(server.url('/429?retry-after=1&fail=1')));
    expect(outcome.attempts).toBe(2);
    const [gap] = gaps(server.requestsTo('/429?retry-after=1&fail=1').map((r) => r.arrivedAt));
    expect(gap).toBeGreaterThanOrEqual(900); // the backoff alone is at most 20 ms
  });

  it('waits until a 429 Retry-After HTTP date', async () => {
    // The date is 2 s ahead, truncated to the second by its format: at least 1 s ahead of the real clock.
    const outcome = fetched(await fetcher({}, { clock: () => new Date() }).fetch(server.url('/429?retry-after=date:2000&fail=1')));
    expect(outcome.attempts).toBe(2);
    const [gap] = gaps(server.requestsTo('/429?retry-after=date:2000&fail=1').map((r) => r.arrivedAt));
    expect(gap).toBeGreaterThanOrEqual(900);
  });

  it('fails at once when Retry-After is longer than the cap', async () => {
    const outcome = failed(await fetcher().fetch(server.url('/429?retry-after=3600')));
    expect(outcome.error.code).toBe('http_429');
    expect(outcome.error.transient).toBe(true);
    expect(outcome.error.message).toBe('HTTP 429 Too Many Requests after 1 attempt; the server asked to wait 3600 s, more than the 3 s allowed');
    expect(server.requestsTo('/429?retry-after=3600')).toHaveLength(1);
  });

  it('retries a connection reset in the middle of the body', async () => {
    const lasting = failed(await fetcher().fetch(server.url('/reset')));
    expect(lasting.error.code).toBe('reset');
    expect(lasting.error.message).toMatch(/^connection reset by 127\.0\.0\.1:\d+ after 3 attempts$/u);
    expect(server.requestsTo('/reset')).toHaveLength(3);
    const once = fetched(await fetcher().fetch(server.url('/reset?fail=1')));
    expect(once.attempts).toBe(2);
    expect(once.sha256).toBe(PDF_SHA);
  });

  it('reports a refused connection after retrying', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const outcome = failed(await fetcher().fetch(`http://127.0.0.1:${port}/x.pdf`));
    expect(outcome.error).toEqual({ code: 'refused', message: `connection refused by 127.0.0.1:${port} after 3 attempts`, transient: true });
  });
});

describe('timeouts and truncation', () => {
  it('times out a body that stalls after the headers', async () => {
    const outcome = failed(await fetcher({ maxAttempts: 2 }).fetch(server.url('/stall')));
    expect(outcome.error.code).toBe('timeout');
    expect(outcome.error.message).toBe('no data for 300 ms while receiving the body (read timeout) after 2 attempts');
    expect(server.requestsTo('/stall')).toHaveLength(2);
  });

  it('times out a server that never answers', async () => {
    const outcome = failed(await fetcher({ maxAttempts: 1 }).fetch(server.url('/stall-headers')));
    expect(outcome.error.message).toBe('no data for 300 ms waiting for the response (read timeout) after 1 attempt');
  });

  it('fails a body shorter than its Content-Length as truncated, after retrying', async () => {
    const outcome = failed(await fetcher().fetch(server.url('/truncated')));
    expect(outcome.error.code).toBe('truncated');
    expect(outcome.error.message).toBe(`the connection closed after ${PDF.length} bytes of the ${PDF.length + 1000} bytes announced after 3 attempts`);
    expect(outcome.error.transient).toBe(true);
    expect(server.requestsTo('/truncated')).toHaveLength(3);
    expect(fetched(await fetcher().fetch(server.url('/truncated?fail=2'))).attempts).toBe(3);
  });

  it('fails a connection closed cleanly in the middle of the body as truncated', async () => {
    const outcome = failed(await fetcher({ maxAttempts: 1 }).fetch(server.url('/close-early')));
    expect(outcome.error.code).toBe('truncated');
    expect(outcome.error.message).toContain(`of the ${PDF.length} bytes announced`);
  });
});

describe('content and limits', () => {
  it('fails an HTML page sent with 200 as not_pdf, without retrying', async () => {
    const outcome = failed(await fetcher().fetch(server.url('/html')));
    expect(outcome.error).toEqual({ code: 'not_pdf', message: 'not a PDF: an HTML page (Content-Type: text/html; charset=utf-8) with HTTP 200 after 1 attempt', transient: false, httpStatus: 200 });
    expect(server.requestsTo('/html')).toHaveLength(1);
  });

  it('refuses a body announced above the size limit before downloading it', async () => {
    const outcome = failed(await fetcher({ maxBytes: 64 * 1024 }).fetch(server.url('/big?length=33554432')));
    expect(outcome.error.code).toBe('too_large');
    expect(outcome.error.message).toBe('the server announced 32 MiB, more than the limit of 65536 bytes after 1 attempt');
    expect(server.completed.get('/big?length=33554432')).toBeUndefined();
  });

  it('stops a body without Content-Length once it grows past the size limit', async () => {
    const outcome = failed(await fetcher({ maxBytes: 64 * 1024 }).fetch(server.url('/big-chunked?length=33554432')));
    expect(outcome.error.code).toBe('too_large');
    expect(outcome.error.message).toBe('the body grew past the limit of 65536 bytes (download stopped) after 1 attempt');
    expect(server.completed.get('/big-chunked?length=33554432')).toBeUndefined();
  });
});

describe('redirects and schemes', () => {
  it('detects a redirect loop', async () => {
    const outcome = failed(await fetcher().fetch(server.url('/loop/a')));
    expect(outcome.error.code).toBe('redirect_loop');
    expect(outcome.error.message).toBe(`redirect loop: ${server.url('/loop/a')} → ${server.url('/loop/b')} → ${server.url('/loop/a')} after 1 attempt`);
    expect(server.requestsTo('/loop/')).toHaveLength(2);
  });

  it('stops after 5 redirects', async () => {
    const outcome = failed(await fetcher().fetch(server.url('/chain/6?x')));
    expect(outcome.error.code).toBe('too_many_redirects');
    expect(outcome.error.message).toMatch(/^more than 5 redirects/u);
  });

  it('does not follow a redirect to file: or data:', async () => {
    const f = fetcher();
    const toFile = failed(await f.fetch(server.url(`/redirect?to=${encodeURIComponent('file:///etc/passwd')}`)));
    expect(toFile.error).toEqual({ code: 'bad_scheme', message: 'redirected to file:///etc/passwd, which is not an http or https URL (not followed) after 1 attempt', transient: false });
    const toData = failed(await f.fetch(server.url(`/redirect?to=${encodeURIComponent('data:application/pdf;base64,JVBERi0=')}`)));
    expect(toData.error.code).toBe('bad_scheme');
  });

  it('rejects other schemes and bad URLs before any request', async () => {
    const f = fetcher();
    const before = server.requests.length;
    for (const url of ['file:///etc/passwd', 'data:application/pdf;base64,JVBERi0xLjQ=', 'ftp://127.0.0.1/x.pdf', 'javascript:alert(1)']) {
      const outcome = failed(await f.fetch(url));
      expect(outcome.error.code, url).toBe('bad_scheme');
      expect(outcome.attempts).toBe(0);
    }
    expect(failed(await f.fetch('not a url')).error.code).toBe('bad_url');
    expect(server.requests.length).toBe(before);
  });
});

describe('conditional requests', () => {
  it('sends the ETag back and reports not_modified on 304', async () => {
    const f = fetcher();
    const first = fetched(await f.fetch(server.url('/pdf?case=etag')));
    const second = await f.fetch(server.url('/pdf?case=etag'), { etag: first.etag, lastModified: first.lastModified, sha256: first.sha256 });
    expect(second).toEqual({ status: 'not_modified', sha256: PDF_SHA, etag: FIXED_ETAG, lastModified: FIXED_LAST_MODIFIED, finalUrl: server.url('/pdf?case=etag'), retrievedAt: FIXED_NOW.toISOString(), httpStatus: 304, attempts: 1 });
    const [, conditional] = server.requestsTo('/pdf?case=etag');
    expect(conditional!.headers['if-none-match']).toBe(FIXED_ETAG);
    expect(conditional!.headers['if-modified-since']).toBe(FIXED_LAST_MODIFIED);
  });

  it('sends Last-Modified back as If-Modified-Since', async () => {
    const f = fetcher();
    const first = fetched(await f.fetch(server.url('/pdf?case=ims')));
    const second = await f.fetch(server.url('/pdf?case=ims'), { lastModified: first.lastModified, sha256: first.sha256 });
    expect(second.status).toBe('not_modified');
    expect(server.requestsTo('/pdf?case=ims')[1]!.headers['if-none-match']).toBeUndefined();
  });

  it('asks unconditionally when the earlier bytes are not in the store', async () => {
    const missing = 'f'.repeat(64);
    const outcome = fetched(await fetcher().fetch(server.url('/pdf?case=missing'), { etag: FIXED_ETAG, sha256: missing }));
    expect(outcome.sha256).toBe(PDF_SHA);
    expect(server.requestsTo('/pdf?case=missing')[0]!.headers['if-none-match']).toBeUndefined();
  });
});

describe('politeness per host', () => {
  it('leaves at least perHostDelayMs between the starts of requests to one host', async () => {
    const f = fetcher({ perHostDelayMs: 150, perHostConcurrency: 4 });
    const outcomes = await Promise.all([0, 1, 2, 3].map((i) => f.fetch(server.url(`/pdf?case=delay&i=${i}`))));
    for (const o of outcomes) fetched(o);
    const arrivals = server.requestsTo('/pdf?case=delay').map((r) => r.arrivedAt);
    expect(arrivals).toHaveLength(4);
    // Starts are 150 ms apart; an arrival can be a little later than its start (a new connection, a busy machine).
    expect(Math.min(...gaps(arrivals))).toBeGreaterThanOrEqual(120);
  });

  it('keeps at most perHostConcurrency requests in flight to one host', async () => {
    const local = await startFaultServer(PDF); // its own counter of requests in flight
    try {
      const f = fetcher({ perHostConcurrency: 2 });
      const outcomes = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => f.fetch(local.url(`/slow?ms=80&i=${i}`))));
      for (const o of outcomes) fetched(o);
      expect(local.requests).toHaveLength(6);
      expect(local.maxInFlight).toBe(2);
    } finally {
      await local.close();
    }
  });
});

describe('close', () => {
  it('ends a fetch under way as aborted', async () => {
    const f = fetcher({ readTimeoutMs: 10_000 });
    const pending = f.fetch(server.url('/stall-headers?case=close'));
    while (!server.requestsTo('/stall-headers?case=close').length) await new Promise((r) => setTimeout(r, 5));
    await f.close();
    const outcome = failed(await pending);
    expect(outcome.error.code).toBe('aborted');
  });
});

describe('close', () => {
  it('ends a fetch waiting to retry as aborted', async () => {
    const f = fetcher({ backoffBaseMs: 10_000, backoffMaxMs: 10_000 }, { random: () => 0.999 });
    const pending = f.fetch(server.url('/status/503?case=close'));
    while (!server.requestsTo('/status/503?case=close').length) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    await f.close();
    const outcome = failed(await pending);
    expect(outcome.error.code).toBe('aborted');
    expect(outcome.error.message).toBe('fetch aborted: the fetcher was closed while waiting to retry after HTTP 503 Service Unavailable (1 attempt)');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads seconds and HTTP dates, and ignores anything else', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

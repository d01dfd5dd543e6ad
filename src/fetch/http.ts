/**
 * Fetches PDFs over http(s), politely and defensively: a few requests at a time per host with a pause between
 * them, timeouts, retries with backoff, redirect and size limits, conditional requests, and a check that the
 * bytes are a PDF before they go into the blob store. Built on node:http/https (no other client).
 */
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Logger } from 'pino';
import { z } from 'zod';
import { VERSION } from '../version.js';
import type { BlobStore } from './blob-store.js';
import {
  attemptsText,
  describeNonPdf,
  looksLikePdf,
  PDF_SNIFF_BYTES,
  type FetchErrorCode,
  type FetchOutcome,
  type PriorFetch,
} from './outcome.js';

export const PROJECT_URL = 'https://github.com/fiscal-harvest/fiscal-harvest';
export const USER_AGENT = `fiscal-harvest/${VERSION} (+${PROJECT_URL})`;

export const FetchSettings = z.strictObject({
  perHostConcurrency: z.number().int().min(1).default(2).describe('requests in flight at once to one host (host:port)'),
  perHostDelayMs: z.number().int().min(0).default(500).describe('minimum time between the starts of two requests to one host'),
  connectTimeoutMs: z.number().int().min(1).default(15_000).describe('time allowed to open a connection (DNS and TCP)'),
  readTimeoutMs: z.number().int().min(1).default(30_000).describe('time allowed without receiving a byte, waiting for the response or during the body'),
  maxAttempts: z.number().int().min(1).default(4).describe('requests per URL: 1 plus the retries after network errors, truncation, 429 and 5xx'),
  backoffBaseMs: z.number().int().min(0).default(1_000).describe('backoff before retry n is random in [0, min(backoffMaxMs, backoffBaseMs * 2^(n-1))] (full jitter)'),
  backoffMaxMs: z.number().int().min(0).default(30_000).describe('upper bound of one backoff'),
  retryAfterMaxMs: z.number().int().min(0).default(120_000).describe('a Retry-After longer than this is not waited for: the fetch fails (transient)'),
  maxRedirects: z.number().int().min(0).default(5).describe('redirects followed per attempt'),
  maxBytes: z.number().int().min(1).default(200 * 1024 * 1024).describe('largest body accepted (announced or received)'),
  userAgent: z.string().min(1).default(USER_AGENT).describe('User-Agent header'),
});
export type FetchSettings = z.infer<typeof FetchSettings>;

export interface FetcherOptions {
  /** Where fetched PDFs are kept (by sha256). */
  store: BlobStore;
  settings?: z.input<typeof FetchSettings>;
  logger?: Logger;
  /** Wall-clock time for retrievedAt and Retry-After dates (injected; the stage does not read the clock itself). */
  clock?: () => Date;
  /** Random numbers in [0, 1) for the backoff jitter. */
  random?: () => number;
}

export interface Fetcher {
  /** Never throws for a network or server problem: those are `failed` outcomes (a blob store error does throw). */
  fetch(url: string, prior?: PriorFetch): Promise<FetchOutcome>;
  /** Aborts fetches under way (they end as `aborted`) and closes kept-alive connections. */
  close(): Promise<void>;
}

/** Why one attempt failed; `retryable` failures are tried again (after retryAfterMs when the server said so). */
class AttemptFailure extends Error {
  constructor(
    readonly code: FetchErrorCode,
    message: string,
    readonly retryable: boolean,
    readonly extra: { httpStatus?: number; retryAfterMs?: number; finalUrl?: string } = {},
  ) {
    super(message);
  }
}

type Response = { status: number; statusText: string; headers: http.IncomingHttpHeaders; body: Uint8Array; url: URL };

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export function createFetcher(options: FetcherOptions): Fetcher {
  const settings = FetchSettings.parse(options.settings ?? {});
  const clock = options.clock ?? (() => new Date());
  const random = options.random ?? Math.random;
  const { store, logger } = options;
  const lifetime = new AbortController();
  const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };
  const gates = new Map<string, HostGate>();
  const gateOf = (url: URL) => {
    let gate = gates.get(url.host);
    if (!gate) gates.set(url.host, (gate = new HostGate(settings.perHostConcurrency, settings.perHostDelayMs)));
    return gate;
  };

  const headersFor = (conditional: PriorFetch | undefined): http.OutgoingHttpHeaders => ({
    'user-agent': settings.userAgent,
    accept: 'application/pdf, */*;q=0.1',
    'accept-encoding': 'identity',
    ...(conditional?.etag ? { 'if-none-match': conditional.etag } : {}),
    ...(conditional?.lastModified ? { 'if-modified-since': conditional.lastModified } : {}),
  });

  /** One request on the host's gate: a response with its whole body (2xx), or only its status and headers. */
  async function requestOnce(url: URL, headers: http.OutgoingHttpHeaders): Promise<Response> {
    const gate = gateOf(url);
    const release = await gate.acquire(lifetime.signal);
    try {
      const response = await exchange(url, headers, settings, agents[url.protocol as 'http:' | 'https:'], lifetime.signal);
      logger?.debug({ url: url.href, status: response.status, bytes: response.body.length }, 'http response');
      // The server asked for a pause: no request to this host before it ends (within the cap).
      const retryAfterMs = response.status === 429 || response.status >= 500 ? parseRetryAfter(response.headers['retry-after'], clock().getTime()) : undefined;
      if (retryAfterMs !== undefined) gate.holdFor(Math.min(retryAfterMs, settings.retryAfterMaxMs));
      return response;
    } finally {
      release();
    }
  }

  /** One attempt: follows redirects from the given URL to a final response. */
  async function attempt(start: URL, headers: http.OutgoingHttpHeaders): Promise<Response> {
    const chain = [start.href];
    let url = start;
    for (;;) {
      let response: Response;
      try {
        response = await requestOnce(url, headers);
      } catch (err) {
        if (err instanceof AttemptFailure) err.extra.finalUrl ??= url.href; // where it failed, after redirects
        throw err;
      }
      if (!REDIRECT_STATUSES.has(response.status)) return response;
      const location = response.headers.location;
      if (!location) throw new AttemptFailure('http_unexpected', `HTTP ${response.status} ${response.statusText} without a Location to follow`, false, { httpStatus: response.status, finalUrl: url.href });
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new AttemptFailure('bad_url', `redirected to an invalid URL: ${JSON.stringify(location)}`, false, { finalUrl: url.href });
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new AttemptFailure('bad_scheme', `redirected to ${next.href}, which is not an http or https URL (not followed)`, false, { finalUrl: url.href });
      }
      next.hash = '';
      if (chain.includes(next.href)) {
        throw new AttemptFailure('redirect_loop', `redirect loop: ${[...chain.slice(chain.indexOf(next.href)), next.href].join(' → ')}`, false, { finalUrl: url.href });
      }
      if (chain.length > settings.maxRedirects) {
        throw new AttemptFailure('too_many_redirects', `more than ${settings.maxRedirects} redirects (${chain[0]} → … → ${next.href})`, false, { finalUrl: url.href });
      }
      chain.push(next.href);
      url = next;
    }
  }

  async function fetchUrl(raw: string, prior?: PriorFetch): Promise<FetchOutcome> {
    let start: URL;
    try {
      start = new URL(raw);
    } catch {
      return { status: 'failed', error: { code: 'bad_url', message: `not a valid URL: ${JSON.stringify(raw)}`, transient: false }, attempts: 0 };
    }
    if (start.protocol !== 'http:' && start.protocol !== 'https:') {
      return { status: 'failed', error: { code: 'bad_scheme', message: `only http and https URLs are fetched, not ${start.protocol}`, transient: false }, attempts: 0 };
    }
    start.hash = '';
    // Ask "has it changed?" only when the answer "no" is usable: the earlier bytes are still in the store.
    const conditional = prior?.sha256 && (prior.etag || prior.lastModified) && (await store.has(prior.sha256)) ? prior : undefined;
    const headers = headersFor(conditional);
    for (let attempts = 1; ; attempts++) {
      try {
        const response = await attempt(start, headers);
        const retrievedAt = clock().toISOString();
        const validators = {
          ...(typeof response.headers.etag === 'string' ? { etag: response.headers.etag } : {}),
          ...(typeof response.headers['last-modified'] === 'string' ? { lastModified: response.headers['last-modified'] } : {}),
        };
        if (response.status === 304 && conditional) {
          return { status: 'not_modified', sha256: conditional.sha256!, etag: validators.etag ?? conditional.etag, lastModified: validators.lastModified ?? conditional.lastModified, finalUrl: response.url.href, retrievedAt, httpStatus: 304, attempts };
        }
        if (response.status < 200 || response.status > 299) throw statusFailure(response, clock().getTime());
        const sha256 = await store.put(response.body);
        const contentType = response.headers['content-type'];
        return {
          status: 'fetched', sha256, bytes: response.body.length, data: response.body, ...validators,
          ...(contentType ? { contentType } : {}),
          finalUrl: response.url.href, retrievedAt, httpStatus: response.status, attempts,
        };
      } catch (err) {
        if (!(err instanceof AttemptFailure)) throw err;
        const failed = (message: string, retryable = err.retryable, code = err.code): FetchOutcome => ({
          status: 'failed',
          error: { code, message, transient: retryable, ...(err.extra.httpStatus !== undefined ? { httpStatus: err.extra.httpStatus } : {}) },
          attempts,
          ...(err.extra.finalUrl ? { finalUrl: err.extra.finalUrl } : {}),
        });
        if (err.code === 'aborted') return failed(`${err.message} (${attemptsText(attempts)})`, true);
        if (!err.retryable || attempts >= settings.maxAttempts) return failed(`${err.message} after ${attemptsText(attempts)}`);
        const retryAfter = err.extra.retryAfterMs;
        if (retryAfter !== undefined && retryAfter > settings.retryAfterMaxMs) {
          return failed(`${err.message} after ${attemptsText(attempts)}; the server asked to wait ${Math.ceil(retryAfter / 1000)} s, more than the ${Math.round(settings.retryAfterMaxMs / 1000)} s allowed`);
        }
        const delay = retryAfter ?? random() * Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** (attempts - 1));
        logger?.info({ url: raw, attempt: attempts, code: err.code, delayMs: Math.round(delay) }, `retrying after ${err.message}`);
        try {
          await sleep(delay, undefined, { signal: lifetime.signal });
        } catch {
          return failed(`fetch aborted: the fetcher was closed while waiting to retry after ${err.message} (${attemptsText(attempts)})`, true, 'aborted');
        }
      }
    }
  }

  return {
    fetch: fetchUrl,
    async close() {
      lifetime.abort();
      for (const gate of gates.values()) gate.cancelWaiting();
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

/** The failure an unwanted status stands for; 429 and 5xx are retried (after Retry-After when given). */
function statusFailure(response: Response, nowMs: number): AttemptFailure {
  const { status, statusText } = response;
  const message = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  const extra = { httpStatus: status, finalUrl: response.url.href };
  const retryAfterMs = parseRetryAfter(response.headers['retry-after'], nowMs);
  const withRetryAfter = retryAfterMs !== undefined ? { ...extra, retryAfterMs } : extra;
  if (status === 404) return new AttemptFailure('http_404', message, false, extra);
  if (status === 410) return new AttemptFailure('http_410', message, false, extra);
  if (status === 429) return new AttemptFailure('http_429', message, true, withRetryAfter);
  if (status === 408) return new AttemptFailure('http_4xx', message, true, extra);
  if (status >= 400 && status <= 499) return new AttemptFailure('http_4xx', message, false, extra);
  if (status === 501 || status === 505) return new AttemptFailure('http_5xx', message, false, extra);
  if (status >= 500 && status <= 599) return new AttemptFailure('http_5xx', message, true, withRetryAfter);
  return new AttemptFailure('http_unexpected', `${message} (not a response this fetcher handles)`, false, extra);
}

/** Retry-After as a delay in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/u.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const brotli = promisify(zlib.brotliDecompress);

/**
 * One HTTP exchange: a connect timeout while the socket opens, then an idle timer reset by every chunk.
 * Redirects and other non-2xx responses resolve with their headers and an empty body (the socket is dropped
 * rather than drained). A 2xx body is checked as it arrives: size, PDF signature, completeness.
 */
function exchange(url: URL, headers: http.OutgoingHttpHeaders, settings: FetchSettings, agent: http.Agent, signal: AbortSignal): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    let settled = false;
    let connectTimer: NodeJS.Timeout | undefined;
    let idleTimer: NodeJS.Timeout | undefined;
    let socketError = false; // the socket itself failed (reset): takes precedence over the truncation it causes
    const clearTimers = () => {
      clearTimeout(connectTimer);
      clearTimeout(idleTimer);
    };
    const fail = (failure: AttemptFailure) => {
      if (settled) return;
      settled = true;
      clearTimers();
      req.destroy();
      reject(failure);
    };
    const done = (response: Response) => {
      if (settled) return;
      settled = true;
      clearTimers();
      resolve(response);
    };
    let phase = 'waiting for the response';
    const armIdle = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => fail(new AttemptFailure('timeout', `no data for ${seconds(settings.readTimeoutMs)} ${phase} (read timeout)`, true)), settings.readTimeoutMs);
    };

    const req = client.request(url, { method: 'GET', headers, agent, signal });
    req.on('socket', (socket) => {
      if (!socket.connecting) return armIdle(); // a kept-alive connection
      connectTimer = setTimeout(() => fail(new AttemptFailure('timeout', `no connection to ${url.host} within ${seconds(settings.connectTimeoutMs)} (connect timeout)`, true)), settings.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(connectTimer);
        armIdle();
      });
    });
    req.on('error', (err) => {
      socketError = true;
      fail(networkFailure(err as NodeJS.ErrnoException, url));
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const statusText = res.statusMessage ?? '';
      if (status < 200 || status > 299) {
        done({ status, statusText, headers: res.headers, body: new Uint8Array(0), url });
        req.destroy(); // not drained: an error page is not worth reading, a stalled one must not hold the socket
        return;
      }
      const announced = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : undefined;
      if (announced !== undefined && Number.isFinite(announced) && announced > settings.maxBytes) {
        return fail(new AttemptFailure('too_large', `the server announced ${bytesText(announced)}, more than the limit of ${bytesText(settings.maxBytes)}`, false, { httpStatus: status }));
      }
      const encoding = (res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
      const contentType = res.headers['content-type'];
      phase = 'while receiving the body';
      armIdle();
      const chunks: Buffer[] = [];
      let received = 0;
      let sniffed = encoding !== 'identity'; // an encoded body is checked once decoded
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        armIdle();
        received += chunk.length;
        chunks.push(chunk);
        if (received > settings.maxBytes) {
          return fail(new AttemptFailure('too_large', `the body grew past the limit of ${bytesText(settings.maxBytes)} (download stopped)`, false, { httpStatus: status }));
        }
        if (!sniffed && received >= PDF_SNIFF_BYTES) {
          sniffed = true;
          const head = Buffer.concat(chunks);
          if (!looksLikePdf(head)) fail(new AttemptFailure('not_pdf', `${describeNonPdf(head, contentType)} with HTTP ${status}`, false, { httpStatus: status }));
        }
      });
      res.on('end', () => {
        if (settled) return;
        if (announced !== undefined && received < announced) {
          return fail(new AttemptFailure('truncated', `the body ended after ${bytesText(received)} of the ${bytesText(announced)} announced`, true, { httpStatus: status }));
        }
        const raw = Buffer.concat(chunks);
        decode(raw, encoding, settings.maxBytes).then(
          (body) => {
            if (!looksLikePdf(body)) return fail(new AttemptFailure('not_pdf', `${describeNonPdf(body, contentType)} with HTTP ${status}`, false, { httpStatus: status }));
            done({ status, statusText, headers: res.headers, body: new Uint8Array(body.buffer, body.byteOffset, body.length), url });
          },
          (err: AttemptFailure) => fail(err),
        );
      });
      // The connection closed before the body's end (a reset is reported on req 'error' first).
      res.on('close', () => {
        if (res.complete || socketError) return;
        const of = announced !== undefined ? ` of the ${bytesText(announced)} announced` : ', before the end of the body';
        fail(new AttemptFailure('truncated', `the connection closed after ${bytesText(received)}${of}`, true, { httpStatus: status }));
      });
      res.on('error', () => { /* reported by 'close' or req 'error' */ });
    });
    req.end();
  });
}

async function decode(raw: Buffer, encoding: string, maxBytes: number): Promise<Buffer> {
  const limit = { maxOutputLength: maxBytes };
  try {
    if (encoding === 'identity' || encoding === '') return raw;
    if (encoding === 'gzip' || encoding === 'x-gzip') return await gunzip(raw, limit);
    if (encoding === 'deflate') return await inflate(raw, limit);
    if (encoding === 'br') return await brotli(raw, limit);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new AttemptFailure('too_large', `the ${encoding} body decodes to more than the limit of ${bytesText(maxBytes)}`, false);
    }
    throw new AttemptFailure('bad_encoding', `the ${encoding} body does not decode (${(err as Error).message})`, false);
  }
  throw new AttemptFailure('bad_encoding', `the body has an unsupported Content-Encoding: ${encoding}`, false);
}

/** A network error as a failure code with a plain message; connection-level errors are retried. */
function networkFailure(err: NodeJS.ErrnoException, url: URL): AttemptFailure {
  const code = err.code ?? '';
  if (err.name === 'AbortError' || code === 'ABORT_ERR') return new AttemptFailure('aborted', 'fetch aborted: the fetcher was closed', false);
  if (code === 'ECONNREFUSED') return new AttemptFailure('refused', `connection refused by ${url.host}`, true);
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return new AttemptFailure('reset', err.syscall ? `connection reset by ${url.host}` : `${url.host} closed the connection without a response`, true);
  }
  if (code === 'ETIMEDOUT') return new AttemptFailure('timeout', `connection to ${url.host} timed out`, true);
  if (code === 'ENOTFOUND') return new AttemptFailure('dns', `host not found: ${url.hostname}`, false);
  if (code === 'EAI_AGAIN') return new AttemptFailure('dns', `host name lookup failed for now: ${url.hostname}`, true);
  if (/^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/u.test(code)) return new AttemptFailure('tls', `TLS failure with ${url.host}: ${err.message}`, false);
  if (code === 'HPE_INVALID_CONSTANT' || code.startsWith('HPE_')) return new AttemptFailure('network', `malformed HTTP response from ${url.host} (${err.message})`, true);
  return new AttemptFailure('network', `network error with ${url.host}: ${code || err.message}`, true);
}

const seconds = (ms: number) => (ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${ms} ms`);
const bytesText = (n: number) => (n >= 1024 * 1024 ? `${+(n / 1024 / 1024).toFixed(1)} MiB` : `${n} bytes`);

/**
 * Per-host politeness: at most `limit` requests in flight, and starts at least `gapMs` apart (measured on the
 * monotonic clock). A Retry-After also holds back the host's next start.
 */
class HostGate {
  private active = 0;
  private nextStartAt = 0;
  private readonly waiting: Array<{ grant: () => void; refuse: (err: Error) => void }> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limit: number,
    private readonly gapMs: number,
  ) {}

  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(new AttemptFailure('aborted', 'fetch aborted: the fetcher was closed', false));
    return new Promise((resolve, reject) => {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.active--;
        this.pump();
      };
      this.waiting.push({ grant: () => resolve(release), refuse: reject });
      this.pump();
    });
  }

  holdFor(ms: number): void {
    this.nextStartAt = Math.max(this.nextStartAt, performance.now() + ms);
  }

  cancelWaiting(): void {
    clearTimeout(this.timer);
    for (const w of this.waiting.splice(0)) w.refuse(new AttemptFailure('aborted', 'fetch aborted: the fetcher was closed', false));
  }

  private pump(): void {
    while (this.waiting.length && this.active < this.limit) {
      const now = performance.now();
      if (now < this.nextStartAt) {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.pump(), Math.ceil(this.nextStartAt - now));
        return;
      }
      this.active++;
      this.nextStartAt = now + this.gapMs;
      this.waiting.shift()!.grant();
    }
  }
}

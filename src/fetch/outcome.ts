/**
 * What fetching one source came to, for URLs (http.ts) and paths (local.ts) alike, so the pipeline and the
 * run state treat both the same way. Everything but `data` is plain data that survives a JSON round trip.
 */

/** Why a fetch failed. `transient` on the error says whether a later run may succeed by trying again. */
export type FetchErrorCode =
  | 'bad_url' // the URL does not parse
  | 'bad_scheme' // not http or https (given, or a redirect target)
  | 'dns' // host name not found
  | 'refused' // connection refused
  | 'reset' // connection reset by the peer, or closed before any response
  | 'timeout' // no connection within the connect timeout, or no data within the read (idle) timeout
  | 'tls' // certificate or TLS handshake failure
  | 'network' // any other network error (unreachable host, …)
  | 'http_404'
  | 'http_410'
  | 'http_429'
  | 'http_4xx' // any other 4xx
  | 'http_5xx'
  | 'http_unexpected' // a status we do not handle (1xx, 3xx without Location, 304 we did not ask for, …)
  | 'redirect_loop'
  | 'too_many_redirects'
  | 'truncated' // fewer bytes than Content-Length, or the connection closed before the body's end
  | 'too_large' // over the size limit (announced by Content-Length, or while downloading)
  | 'bad_encoding' // a Content-Encoding (gzip, deflate, br) that does not decode
  | 'not_pdf' // the body does not start with %PDF- (an HTML page, an empty body, …)
  | 'not_found' // a local file that does not exist
  | 'unreadable' // a local path that cannot be read (a directory, no permission, …)
  | 'aborted'; // the fetcher was closed while the fetch was under way

export interface FetchError {
  code: FetchErrorCode;
  /** What happened in plain words, with the number of attempts ("HTTP 404 Not Found after 1 attempt"). */
  message: string;
  /** True when trying again later may succeed (network errors, 429, 5xx, truncation); false for 404, not_pdf, … */
  transient: boolean;
  httpStatus?: number;
}

/** What a previous fetch of the same source learned: sent back as If-None-Match / If-Modified-Since. */
export interface PriorFetch {
  etag?: string;
  lastModified?: string;
  sha256?: string;
}

interface OutcomeBase {
  /** Requests made: 1 plus the retries (a retry starts again from the given URL, redirects included). */
  attempts: number;
  /** The URL after redirects; a file: URL for a path. */
  finalUrl?: string;
  /** ISO 8601: when the response arrived (URL) or the file was read (path). */
  retrievedAt?: string;
}

export interface FetchedOutcome extends OutcomeBase {
  status: 'fetched';
  sha256: string;
  /** Size in bytes. */
  bytes: number;
  /** The bytes themselves (also in the blob store under sha256 when one was given); drop before persisting. */
  data: Uint8Array;
  /** Validators for the next conditional request: the response headers, or for a path its size and mtime. */
  etag?: string;
  lastModified?: string;
  contentType?: string;
  finalUrl: string;
  retrievedAt: string;
  /** Absent for paths. */
  httpStatus?: number;
}

/** The server (or the file's size and mtime) says the bytes are those of `prior.sha256`. */
export interface NotModifiedOutcome extends OutcomeBase {
  status: 'not_modified';
  sha256: string;
  etag?: string;
  lastModified?: string;
  finalUrl: string;
  retrievedAt: string;
  httpStatus?: 304;
}

export interface FailedOutcome extends OutcomeBase {
  status: 'failed';
  error: FetchError;
}

export type FetchOutcome = FetchedOutcome | NotModifiedOutcome | FailedOutcome;

/** Leading bytes a PDF may have before `%PDF-` (readers accept junk up to 1 KiB; we accept whitespace and a BOM). */
export const PDF_LEAD_LIMIT = 1024;
/** Bytes needed to decide whether a body is a PDF. */
export const PDF_SNIFF_BYTES = PDF_LEAD_LIMIT + 3 + 5;

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const isLeadingWhitespace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0c || b === 0x00;

/** True when the bytes start with `%PDF-`, after an optional UTF-8 BOM and up to 1 KiB of whitespace. */
export function looksLikePdf(bytes: Uint8Array): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const leadEnd = i + PDF_LEAD_LIMIT;
  while (i < bytes.length && i < leadEnd && isLeadingWhitespace(bytes[i]!)) i++;
  return PDF_MAGIC.every((b, k) => bytes[i + k] === b);
}

/** Why bytes are not a PDF, in plain words: "an HTML page", "an empty body", or what they start with. */
export function describeNonPdf(bytes: Uint8Array, contentType?: string): string {
  const type = contentType ? ` (Content-Type: ${contentType})` : '';
  if (bytes.length === 0) return `not a PDF: the body is empty${type}`;
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 512)).replace(/^\uFEFF/u, '').trimStart();
  if (/^<(?:!doctype\s+html|html|head|body|!--|meta|script|title)\b/iu.test(head)) return `not a PDF: an HTML page${type}`;
  const shown = head.slice(0, 24).replace(/[^\x20-\x7e\u4e00-\u9fff]/gu, '·');
  return `not a PDF: the content starts with "${shown}"${type}`;
}

/** "1 attempt", "3 attempts". */
export const attemptsText = (n: number) => `${n} attempt${n === 1 ? '' : 's'}`;

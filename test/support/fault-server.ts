/**
 * Test-support: an HTTP server on 127.0.0.1 that serves a small PDF and injects the faults a harvester meets
 * (5xx, 429, resets, stalls, truncation, HTML, redirect loops, oversized bodies, conditional requests).
 *
 * Routes (query `fail=n`: the fault applies to the first n requests of that exact URL, then the PDF is served;
 * without it the fault is permanent):
 *   /pdf                 the PDF, with ETag and Last-Modified; 304 when If-None-Match or If-Modified-Since match
 *   /status/<code>       that status with a short text body (e.g. /status/500?fail=1, /status/404)
 *   /429?retry-after=<v> 429 with that Retry-After ('date:<ms>' sends an HTTP date <ms> from now)
 *   /reset               headers and part of the body, then a TCP reset (RST)
 *   /close-early         headers and part of the body, then a clean close before the end
 *   /truncated           Content-Length larger than the bytes sent, then the connection ends
 *   /stall               headers, then nothing;  /stall-headers: nothing at all
 *   /html                an HTML page with status 200
 *   /redirect?to=<url>   302 to that URL;  /loop/a ↔ /loop/b;  /chain/<n> → /chain/<n-1> … /chain/0 = the PDF
 *   /big?length=<n>      a PDF-looking body of n bytes with Content-Length;  /big-chunked?length=<n> without
 *   /gzip                the PDF, gzip-encoded;  /slow?ms=<n>: the PDF after n ms
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';

export interface RequestRecord {
  /** Path and query, as received. */
  url: string;
  /** performance.now() when the request's headers arrived. */
  arrivedAt: number;
  headers: http.IncomingHttpHeaders;
}

export interface FaultServer {
  origin: string;
  url(pathAndQuery: string): string;
  /** Every request received, in order of arrival. */
  requests: RequestRecord[];
  /** Requests whose path and query start with the prefix. */
  requestsTo(prefix: string): RequestRecord[];
  /** Most requests in flight at once (from headers received to response finished or connection closed). */
  maxInFlight: number;
  /** Responses the server finished writing to the end, by path and query. */
  completed: Map<string, number>;
  close(): Promise<void>;
}

export const FIXED_ETAG = '"fh-test-1"';
export const FIXED_LAST_MODIFIED = 'Mon, 01 Jan 2024 00:00:00 GMT';

/**
 * A minimal valid PDF (one page, one line of Helvetica text), with correct xref offsets.
 * `padding` adds a comment block to reach a given size for size-limit tests.
 */
export function tinyPdf(text = 'fiscal-harvest test', padding = 0): Buffer {
  const content = `BT /F1 12 Tf 72 720 Td (${text.replace(/[()\\]/gu, '\\$&')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
  if (padding > 0) out += `${'% padding'.padEnd(79, '.')}\n`.repeat(Math.ceil(padding / 80));
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefAt = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const HTML_PAGE = '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>部门决算公开</title></head>\n<body><p>请点击附件下载。</p>' + '<p>占位</p>'.repeat(200) + '</body></html>\n';

export async function startFaultServer(pdf: Buffer = tinyPdf()): Promise<FaultServer> {
  const requests: RequestRecord[] = [];
  const hits = new Map<string, number>();
  const completed = new Map<string, number>();
  const sockets = new Set<Socket>();
  let inFlight = 0;
  const state = { maxInFlight: 0 };

  const server = http.createServer((req, res) => {
    const raw = req.url ?? '/';
    requests.push({ url: raw, arrivedAt: performance.now(), headers: req.headers });
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    let counted = true;
    const leave = () => {
      if (counted) inFlight--;
      counted = false;
    };
    res.on('finish', () => {
      completed.set(raw, (completed.get(raw) ?? 0) + 1);
      leave();
    });
    res.on('close', leave);

    const hit = (hits.get(raw) ?? 0) + 1;
    hits.set(raw, hit);
    const u = new URL(raw, 'http://127.0.0.1');
    const failCount = u.searchParams.has('fail') ? Number(u.searchParams.get('fail')) : Infinity;
    const faulty = hit <= failCount;
    const sendPdf = (extra: http.OutgoingHttpHeaders = {}) => {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': pdf.length, etag: FIXED_ETAG, 'last-modified': FIXED_LAST_MODIFIED, ...extra });
      res.end(pdf);
    };
    const partialThen = (end: (socket: Socket) => void) => {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': pdf.length });
      res.write(pdf.subarray(0, Math.floor(pdf.length / 2)), () => setTimeout(() => end(res.socket!), 20));
    };

    const route = u.pathname;
    if (route === '/pdf') {
      const inm = req.headers['if-none-match'];
      const ims = req.headers['if-modified-since'];
      if ((inm && inm === FIXED_ETAG) || (!inm && ims && Date.parse(ims) >= Date.parse(FIXED_LAST_MODIFIED))) {
        res.writeHead(304, { etag: FIXED_ETAG, 'last-modified': FIXED_LAST_MODIFIED });
        res.end();
        return;
      }
      return sendPdf();
    }
    if (!faulty) return sendPdf();
    if (route.startsWith('/status/')) {
      const code = Number(route.slice('/status/'.length));
      res.writeHead(code, { 'content-type': 'text/plain' });
      res.end(`status ${code}\n`);
      return;
    }
    if (route === '/429') {
      const value = u.searchParams.get('retry-after') ?? '1';
      const header = value.startsWith('date:') ? new Date(Date.now() + Number(value.slice(5))).toUTCString() : value;
      res.writeHead(429, { 'retry-after': header, 'content-type': 'text/plain' });
      res.end('slow down\n');
      return;
    }
    if (route === '/reset') return partialThen((s) => s.resetAndDestroy());
    if (route === '/close-early') return partialThen((s) => s.destroy());
    if (route === '/truncated') {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': pdf.length + 1000 });
      res.end(pdf); // the server believes it is done; the client waits for 1000 more bytes, then the socket ends
      res.socket?.end();
      return;
    }
    if (route === '/stall') {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': pdf.length });
      res.flushHeaders();
      return;
    }
    if (route === '/stall-headers') return;
    if (route === '/html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(HTML_PAGE);
      return;
    }
    if (route === '/redirect') {
      res.writeHead(302, { location: u.searchParams.get('to') ?? '/pdf' });
      res.end();
      return;
    }
    if (route === '/loop/a' || route === '/loop/b') {
      res.writeHead(302, { location: route === '/loop/a' ? '/loop/b' : '/loop/a' });
      res.end();
      return;
    }
    if (route.startsWith('/chain/')) {
      const n = Number(route.slice('/chain/'.length));
      if (n <= 0) return sendPdf();
      res.writeHead(301, { location: `/chain/${n - 1}` });
      res.end();
      return;
    }
    if (route === '/big' || route === '/big-chunked') {
      const length = Number(u.searchParams.get('length') ?? 1_000_000);
      res.writeHead(200, { 'content-type': 'application/pdf', ...(route === '/big' ? { 'content-length': length } : {}) });
      let sent = 0;
      const chunk = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(64 * 1024 - 9, 0x20)]);
      const pump = () => {
        while (sent < length && !res.destroyed) {
          const part = chunk.subarray(0, Math.min(chunk.length, length - sent));
          sent += part.length;
          if (!res.write(part)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end();
      };
      pump();
      return;
    }
    if (route === '/gzip') {
      const body = zlib.gzipSync(pdf);
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-encoding': 'gzip', 'content-length': body.length });
      res.end(body);
      return;
    }
    if (route === '/slow') {
      setTimeout(() => { if (!res.destroyed) sendPdf(); }, Number(u.searchParams.get('ms') ?? 100));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('no such route\n');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (p) => origin + p,
    requests,
    requestsTo: (prefix) => requests.filter((r) => r.url.startsWith(prefix)),
    get maxInFlight() {
      return state.maxInFlight;
    },
    completed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

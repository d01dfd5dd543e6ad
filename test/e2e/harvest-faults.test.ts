/**
 * One run over a sources list of URLs that each meet a fault (test/support/fault-server.ts): every source
 * ends as documented, the run goes on, and documents.csv / report.json list each failure with its reason.
 * A second run sends conditional requests: the good PDF answers 304 and is neither downloaded nor processed.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/pipeline/logger.js';
import { run, type RunSettings } from '../../src/pipeline/run.js';
import { startFaultServer, type FaultServer } from '../support/fault-server.js';
import { incomeTable, withCover } from '../support/fixtures.js';
import { makePdf } from '../support/make-pdf.js';

interface ReportDoc { source: string; status: string; error: string | null; cells: number }

let tmp: string;
let server: FaultServer;
let settings: RunSettings;

/** Each fault and how its source must end (a regex on the error; null: processed fine). */
const CASES: [string, RegExp | null][] = [
  ['/pdf', null],
  ['/status/500?fail=1', null], // 500 then success
  ['/429?retry-after=0&fail=1', null], // 429 with Retry-After, then success
  ['/reset', /reset/iu],
  ['/stall', /timeout|no data/iu],
  ['/truncated', /truncated|fewer bytes|closed/iu],
  ['/html', /not a PDF: an HTML page/u],
  ['/loop/a', /redirect loop/iu],
  ['/redirect?to=file:///etc/passwd', /scheme|file:/iu],
  ['/status/404', /HTTP 404/u],
  ['/big?length=400000', /too large|limit/iu],
];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'fh-faults-'));
  server = await startFaultServer(Buffer.from(await makePdf(withCover(['2024年度某市某局部门决算'], incomeTable()))));
  const list = path.join(tmp, 'sources.csv');
  await writeFile(list, ['url', ...CASES.map(([p]) => server.url(p))].join('\n') + '\n');
  settings = {
    inputs: [], sourcesFile: list, outDir: path.join(tmp, 'out'), concurrency: 1, logger: createLogger('silent'),
    fetchSettings: { perHostDelayMs: 0, perHostConcurrency: 4, readTimeoutMs: 400, maxAttempts: 3, backoffBaseMs: 5, backoffMaxMs: 20, maxBytes: 300_000 },
  };
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('a harvest meeting faults', () => {
  it('ends every source as documented and reports each failure with its reason', async () => {
    const summary = await run(settings);
    const report = JSON.parse(await readFile(path.join(settings.outDir, 'report.json'), 'utf8')) as { documents: ReportDoc[] };
    const documentsCsv = await readFile(path.join(settings.outDir, 'documents.csv'), 'utf8');
    for (const [route, error] of CASES) {
      const doc = report.documents.find((d) => d.source === server.url(route));
      expect(doc, route).toBeDefined();
      if (error === null && route === '/pdf') {
        expect(doc!.status, `${route}: ${doc!.error}`).toBe('ok');
        expect(doc!.cells).toBeGreaterThan(0);
      } else if (error === null) {
        // Fetched after the fault; the same bytes as /pdf, so listed as its duplicate.
        expect(doc!.status, `${route}: ${doc!.error}`).toBe('duplicate');
        expect(doc!.error).toBe(`same PDF as ${server.url('/pdf')}: its facts are listed under that source`);
      } else {
        expect(doc!.status, route).toBe('failed');
        expect(doc!.error, route).toMatch(error);
        expect(documentsCsv).toContain(server.url(route));
      }
    }
    const failing = CASES.filter(([, e]) => e).length;
    expect(summary.counts).toMatchObject({ sources: CASES.length, fetchFailed: failing, downloaded: CASES.length - failing });
    // Three URLs of the same PDF: processed once, the others point at it.
    expect(summary.counts.processed).toBe(1);
    expect(summary.results.filter((r) => r.status === 'duplicate')).toHaveLength(2);
  });

  it('a second run asks conditionally and reuses what it has', async () => {
    const before = server.requestsTo('/pdf').length;
    const summary = await run(settings);
    const conditional = server.requestsTo('/pdf').slice(before);
    expect(conditional).toHaveLength(1);
    expect(conditional[0]!.headers['if-none-match']).toBeDefined();
    expect(summary.counts.notModified).toBeGreaterThanOrEqual(1);
    expect(summary.counts.processed).toBe(0);
    expect(summary.counts.skipped).toBeGreaterThanOrEqual(1);
  });
});

import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentResult } from '../../model/document.js';
import type { Fact } from '../../model/fact.js';
import type { PageRaster } from './crop.js';
import { flagDocument } from './flags.js';
import { reviewHtml } from './html.js';
import { writeReview, type RenderablePdf } from './index.js';

const EVIL = `<script>alert(1)</script><img src=x onerror="alert(2)">'"&amp;`;

function fact(sha: string, row_key: string, extra: Partial<Fact> = {}): Fact {
  return {
    source_sha256: sha, source: 'in/x.pdf', entity: '某局', fiscal_year: '2024', doc_kind: 'final_account', table_kind: 'fa02_income', table_instance: '',
    row_key, row_label: `label ${row_key}`, column_key: 'total', column_label: '合计', value: '1.00', value_cny: '10000', line_no: '', unit: '万元', page: 1,
    bbox: '100 100 140 110', method: 'ocr', confidence: 0.5, repairs: '', ...extra,
  };
}

function doc(source: string, sha: string, facts: Fact[], extra: Partial<DocumentResult> = {}): DocumentResult {
  return {
    source: { source, sha256: sha, bytes: 1 }, status: 'ok', pages: 2, pagesNeedingOcr: [], meta: { entity: '某局', fiscalYear: '2024', docKind: 'final_account' },
    tables: [{ table_kind: 'fa02_income', table_instance: '', title: '收入决算表', entity: '某局', pages: [1], cells: facts.length }],
    facts, validation: [], findings: [], timingsMs: {}, ...extra,
  };
}

const review = (results: DocumentResult[]) => reviewHtml(results.map((result) => ({ result, flags: flagDocument(result), crops: new Map(), cropNotes: [] })));

describe('reviewHtml', () => {
  const sha = 'b'.repeat(64);
  const evil = doc(`javascript:alert(3)//${EVIL}`, sha, [fact(sha, '201', { row_label: EVIL, column_label: EVIL, value: EVIL, repairs: EVIL, entity: EVIL, table_instance: EVIL })], {
    status: 'failed', error: EVIL, meta: { entity: EVIL, fiscalYear: EVIL, docKind: 'other' },
    tables: [{ table_kind: 'fa02_income', table_instance: EVIL, title: EVIL, entity: EVIL, pages: [1], cells: 1 }],
    validation: [{ source_sha256: sha, source: EVIL, table_kind: 'fa02_income', table_instance: EVIL, rule: `${EVIL}@201`, expected: EVIL, found: EVIL, difference: EVIL, pass: false }],
    findings: [{ code: EVIL, severity: 'error', message: EVIL, page: 1 }],
  });
  const html = review([evil]);

  it('escapes every text from a document: only the page\'s own tags and no event attributes', () => {
    const tags = new Set([...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/gu)].map((m) => m[1]!.toLowerCase()));
    const allowed = ['html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'h4', 'main', 'p', 'span', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'section', 'dl', 'dt', 'dd', 'code', 'details', 'summary', 'div', 'figure', 'figcaption', 'img', 'ul', 'li', 'b'];
    expect([...tags].filter((t) => !allowed.includes(t))).toEqual([]);
    // Text holds no raw '<' and attribute values no raw '"', so every <…> is a tag of the page and
    // every "…" one whole value: outside the values, no tag carries an event handler.
    const handlers = [...html.matchAll(/<[^>]*>/gu)].map((m) => m[0].replace(/"[^"]*"/gu, '""')).filter((tag) => /\son\w+\s*=/iu.test(tag));
    expect(handlers).toEqual([]);
    expect(html).not.toMatch(/<script|<img src=x/iu);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;&#39;&quot;&amp;amp;');
  });

  it('links only web sources; every other link is an anchor on the page', () => {
    const hrefs = [...html.matchAll(/\s(?:href|src)="([^"]*)"/gu)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(0);
    for (const h of hrefs) expect(h).toMatch(/^#d\d+(-[fk]\d+)?$/u);
    const web = review([doc('https://example.org/a.pdf?x=1&y=2', sha, [])]);
    expect(web).toContain('<a href="https://example.org/a.pdf?x=1&amp;y=2" rel="noreferrer">');
  });

  it('forbids scripts and remote resources through its CSP', () => {
    expect(html).toContain(`content="default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"`);
  });

  it('is the same for the same documents in any order, sorted by source', () => {
    const a = doc('in/a.pdf', 'a'.repeat(64), [fact('a'.repeat(64), '201')]);
    const b = doc('in/b.pdf', 'c'.repeat(64), [fact('c'.repeat(64), '201')]);
    const ab = review([a, b]);
    expect(review([b, a])).toBe(ab);
    expect(ab.indexOf('in/a.pdf')).toBeLessThan(ab.indexOf('in/b.pdf'));
  });
});

describe('writeReview', () => {
  let tmp: string;
  beforeAll(async () => { tmp = await mkdtemp(path.join(os.tmpdir(), 'fiscal-harvest-review-unit-')); });
  afterAll(async () => { await rm(tmp, { recursive: true, force: true }); });

  const sha = 'd'.repeat(64);
  // five unsure OCR cells on two pages, one cell without a printed position
  const facts = [
    fact(sha, '201', { page: 1 }), fact(sha, '206', { page: 2 }), fact(sha, '208', { page: 1 }), fact(sha, '210', { page: 2 }), fact(sha, '212', { page: 1 }),
    fact(sha, '213', { bbox: '' }),
  ];
  const result = doc('in/d.pdf', sha, facts);

  /** Fake PDF: grey pages with ink where the cells are; counts renders per page. */
  function fakeOpen(renders: number[]) {
    return async (): Promise<RenderablePdf> => ({
      async renderPage(n: number, dpi: number): Promise<PageRaster> {
        renders.push(n);
        const scale = dpi / 72, width = Math.ceil(300 * scale), height = Math.ceil(200 * scale);
        return { width, height, scale, data: new Uint8Array(width * height).fill(255) };
      },
      async close() { /* nothing held */ },
    });
  }

  it('caps the crops per document, most telling first, renders each page once, and says so on the page', async () => {
    const out = path.join(tmp, 'capped');
    await mkdir(path.join(out, 'review', 'crops'), { recursive: true });
    await writeFile(path.join(out, 'review', 'crops', 'stale.png'), 'old run');
    const renders: number[] = [];
    const summary = await writeReview(out, [result], async () => new Uint8Array([1]), { maxCropsPerDocument: 3, dpi: 72, openPdf: fakeOpen(renders) });
    expect(summary).toMatchObject({ documents: 1, flaggedCells: 6, crops: 3 });
    // cells 201, 206, 208 get the crops: pages 1 and 2, each rendered once
    expect(renders).toEqual([1, 2]);
    const files = (await readdir(path.join(out, 'review', 'crops'))).sort();
    expect(files).toEqual(['001-dddddddddddd-00000.png', '001-dddddddddddd-00001.png', '001-dddddddddddd-00002.png']);
    const html = await readFile(path.join(out, 'review', 'index.html'), 'utf8');
    expect(html).toContain('Page crops are capped at 3 per document: 2 of the 5 placed cells to check are shown without one');
    expect(html.match(/<img /gu)).toHaveLength(3);
    expect(html).toContain('no page image (the value has no printed position)');
  });

  it('says when the PDF is no longer at hand, and still lists the cells', async () => {
    const out = path.join(tmp, 'no-pdf');
    const summary = await writeReview(out, [result], async () => undefined, { openPdf: fakeOpen([]) });
    expect(summary.crops).toBe(0);
    const html = await readFile(path.join(out, 'review', 'index.html'), 'utf8');
    expect(html).toContain('The PDF is not at hand: cells are shown without page crops.');
    expect(html).toContain('cells to check (6)');
  });

  it('reports a PDF that cannot be opened instead of failing the run', async () => {
    const out = path.join(tmp, 'bad-pdf');
    const summary = await writeReview(out, [result], async () => new Uint8Array([1, 2, 3]));
    expect(summary.crops).toBe(0);
    expect(await readFile(path.join(out, 'review', 'index.html'), 'utf8')).toContain('The PDF could not be opened for page crops: not a PDF');
  });
});

/**
 * End to end: a generated disclosure whose 合计 does not add up, through processDocument and
 * writeReview, then out/review/index.html opened from disk in headless Chromium. The failing
 * cell must be highlighted and shown beside a crop of the page that has the printed digits in it.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReview } from '../../src/export/review/index.js';
import type { DocumentResult } from '../../src/model/document.js';
import { processDocument } from '../../src/pipeline/process-document.js';
import { corruptPdf } from '../support/bad-inputs.js';
import { incomeTable, withCover } from '../support/fixtures.js';
import { makePdf } from '../support/make-pdf.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`review-page e2e skipped: ${CHROMIUM} not found (CI installs the chromium package)`);

/** Text from the PDF that would run script if it reached the page unescaped. */
const SCRIPT_LABEL = '一般公共服务支出<script>window.pwned=1</script>';
const SVG_ENTITY = '某市<svg/onload=window.pwned=2>局';

// 合计 printed as 1,617.70 while its terms add up to 1,617.60: two identities fail on total/total.
const DOC = withCover(['2024年度某市某局部门决算'], incomeTable({
  entityLine: `单位：${SVG_ENTITY}`,
  rows: [
    ['', '合计', '1,617.70', '1,597.60', '20.00'],
    ['201', SCRIPT_LABEL, '645.88', '645.88', '0.00'],
    ['206', '科学技术支出', '971.72', '951.72', '20.00'],
  ],
}));

async function run(source: string, bytes: Uint8Array): Promise<DocumentResult> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return processDocument({ source, sha256, bytes: bytes.length }, bytes);
}

describe.skipIf(!HAVE_CHROMIUM)(`review page in headless Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} not found)`}`, { timeout: 30_000 }, () => {
  let tmp: string;
  let results: DocumentResult[];
  let pdfs: Map<string, Uint8Array>;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'fiscal-harvest-review-'));
    const good = new Uint8Array(await makePdf(DOC));
    const bad = new Uint8Array(corruptPdf());
    // Given in reverse order: the page sorts by source.
    results = [await run('in/b-corrupt.pdf', bad), await run('in/a-income.pdf', good)];
    const income = results[1]!;
    // Mark two cells as the OCR and identity-repair stages would, to see their highlights.
    const ocrCell = income.facts.find((f) => f.row_key === '206' && f.column_key === 'other_income')!;
    Object.assign(ocrCell, { method: 'ocr', confidence: 0.62 });
    const fixedCell = income.facts.find((f) => f.row_key === '201' && f.column_key === 'other_income')!;
    fixedCell.repairs = 'identity_fix';
    pdfs = new Map([[income.source.sha256, good], [results[0]!.source.sha256, bad]]);
    await writeReview(path.join(tmp, 'out'), results, async (sha) => pdfs.get(sha));

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(pathToFileURL(path.join(tmp, 'out', 'review', 'index.html')).href, { waitUntil: 'load' });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('the processed document has the failing identities the page is about', () => {
    const failing = results[1]!.validation.filter((v) => !v.pass && v.rule !== 'completeness').map((v) => v.rule).sort();
    expect(failing).toEqual(['fa02.total_column@total', 'fa02_income.total_of_classes@total']);
    expect(results[0]!.status).toBe('failed');
  });

  it('shows one section per document, sorted by source, with status, error and identity counts', async () => {
    expect(await page.title()).toBe('fiscal-harvest review');
    const sections = page.locator('section.doc');
    expect(await sections.count()).toBe(2);
    const first = await sections.nth(0).innerText();
    expect(first).toContain('in/a-income.pdf');
    expect(first).toContain(SVG_ENTITY.replace(/\s/gu, ''));
    expect(first).toContain('2024');
    expect(first).toContain('final_account');
    expect(first).toContain(results[1]!.source.sha256.slice(0, 12));
    const failed = results[1]!.validation.filter((v) => !v.pass).length;
    expect(failed).toBeGreaterThanOrEqual(2);
    expect(first).toContain(`${results[1]!.validation.length - failed} passed · ${failed} failed`);
    const second = await sections.nth(1).innerText();
    expect(second).toContain('in/b-corrupt.pdf');
    expect(second).toContain('failed');
    expect(second).toContain(results[0]!.error!);
  });

  it('lists the failing identities with expected, found and difference', async () => {
    const rows = page.locator('section.doc').nth(0).locator('table.ids tbody tr');
    const texts = await rows.allInnerTexts();
    // Missing tables (completeness) are listed apart, not as identity rows.
    expect(texts).toHaveLength(2);
    for (const t of texts) expect(t.replace(/\s+/gu, ' ')).toContain('1617.6 1617.7 0.1');
  });

  it('highlights the 合计 cell as a failing total and its terms, the OCR cell and the identity-fixed cell', async () => {
    const section = page.locator('section.doc').nth(0);
    const target = section.locator('table.grid td.f-identity_target');
    expect(await target.allInnerTexts()).toEqual(['1617.70']);
    const terms = await section.locator('table.grid td.f-identity_term').allInnerTexts();
    expect(terms.sort()).toEqual(['1597.60', '20.00', '645.88', '971.72']);
    expect(await section.locator('table.grid td.f-ocr').allInnerTexts()).toEqual(['20.00']);
    expect(await section.locator('table.grid td.f-identity_repair').allInnerTexts()).toEqual(['0.00']);
  });

  it('shows the failing cell beside a loaded crop whose marked box holds the printed digits', async () => {
    const href = await page.locator('table.grid td.f-identity_target a').getAttribute('href');
    expect(href).toMatch(/^#d1-k\d+$/u);
    const card = page.locator(href!);
    await card.scrollIntoViewIfNeeded();
    await expect.poll(() => card.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 5000 }).toBe(true);
    expect(await card.locator('img').isVisible()).toBe(true);
    expect(await card.locator('.value').innerText()).toContain('1617.70');
    // The extracted value sits beside the image, not below it.
    const img = (await card.locator('img').boundingBox())!, value = (await card.locator('.value').boundingBox())!;
    expect(value.x).toBeGreaterThan(img.x + img.width - 1);

    // Pixels of the same PNG, decoded by Chromium from a data: URL on a blank page (a file:// image
    // would taint the canvas, and the review page's CSP refuses data: images).
    const src = (await card.locator('img').getAttribute('src'))!;
    const png = await readFile(path.join(tmp, 'out', 'review', src));
    const style = (await card.locator('.mark').getAttribute('style'))!;
    const blank = await browser.newPage();
    const ink = await blank.evaluate(async ({ dataUrl, style }) => {
      const image = new Image();
      image.src = dataUrl;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.naturalWidth; canvas.height = image.naturalHeight;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(image, 0, 0);
      const pct = (name: string) => Number(new RegExp(`${name}:([\\d.]+)%`).exec(style)![1]) / 100;
      const x = Math.round(pct('left') * image.naturalWidth), y = Math.round(pct('top') * image.naturalHeight);
      const w = Math.round(pct('width') * image.naturalWidth), h = Math.round(pct('height') * image.naturalHeight);
      const count = (x0: number, y0: number, ww: number, hh: number) => {
        const d = ctx.getImageData(x0, y0, ww, hh).data;
        let dark = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i]! < 110) dark++;
        return { dark, total: ww * hh };
      };
      return { inMark: count(x, y, w, h), width: image.naturalWidth, height: image.naturalHeight };
    }, { dataUrl: `data:image/png;base64,${png.toString('base64')}`, style });
    await blank.close();
    expect(ink.width).toBeGreaterThan(50);
    expect(ink.height).toBeGreaterThan(20);
    // Digits: some ink, but far from a filled box.
    expect(ink.inMark.dark).toBeGreaterThan(40);
    expect(ink.inMark.dark / ink.inMark.total).toBeLessThan(0.6);
  });

  it('escapes text from the PDF: no script runs, no element is injected, the text reads as printed', async () => {
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator('script, svg').count()).toBe(0);
    const text = await page.locator('body').innerText();
    expect(text).toContain(SCRIPT_LABEL);
    expect(text).toContain(SVG_ENTITY);
    expect(pageErrors).toEqual([]);
  });

  it('loads nothing but local files: the page and its crops', () => {
    expect(requests.length).toBeGreaterThan(1);
    for (const url of requests) expect(url).toMatch(/^file:\/\/.*\/review\/(index\.html|crops\/[\w-]+\.png)$/u);
  });

  it('writes the same bytes for the same inputs, whatever their order', async () => {
    const again = path.join(tmp, 'again');
    await writeReview(again, [...results].reverse(), async (sha) => pdfs.get(sha));
    const first = path.join(tmp, 'out', 'review'), second = path.join(again, 'review');
    expect(await readFile(path.join(second, 'index.html'), 'utf8')).toBe(await readFile(path.join(first, 'index.html'), 'utf8'));
    const crops = (await readdir(path.join(first, 'crops'))).sort();
    expect((await readdir(path.join(second, 'crops'))).sort()).toEqual(crops);
    for (const name of crops) expect((await readFile(path.join(second, 'crops', name))).equals(await readFile(path.join(first, 'crops', name)))).toBe(true);
  });

  it('takes a full-page screenshot when asked (REVIEW_SCREENSHOT=<file>)', async () => {
    const file = process.env.REVIEW_SCREENSHOT;
    if (!file) return;
    for (const img of await page.locator('img').all()) await img.scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: file, fullPage: true });
  });
});

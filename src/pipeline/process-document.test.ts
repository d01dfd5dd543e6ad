/**
 * processDocument with OCR: a generated 收入决算表 rendered to a slightly turned grey scan and
 * rebuilt as an image-only PDF (no text layer), read through the tesseract.js engine.
 */
import { createHash } from 'node:crypto';
import PDFDocument from 'pdfkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePdf, type DocSpec } from '../../test/support/make-pdf.js';
import type { OcrEngine } from '../extract/ocr/engine.js';
import { rotate } from '../extract/ocr/raster.js';
import { createTesseractEngine } from '../extract/ocr/tesseract-engine.js';
import { openPdf } from '../extract/pdfjs.js';
import { encodeGreyPng } from '../export/review/png.js';
import type { DocumentResult } from '../model/document.js';
import { processDocument, type ProcessOptions } from './process-document.js';

const ROWS: string[][] = [
  ['', '合计', '49,664.69', '49,644.69', '20.00'],
  ['201', '一般公共服务支出', '34,970.13', '34,950.13', '20.00'],
  ['2010301', '行政运行', '3,268.06', '3,268.06', '0.00'],
  ['2010350', '事业运行', '1,597.60', '1,597.60', '0.00'],
  ['206', '科学技术支出', '717.57', '717.57', '0.00'],
  ['2080505', '机关事业单位基本养老保险缴费支出', '645.88', '645.88', '0.00'],
];

const SPEC: DocSpec = {
  blocks: [{
    kind: 'table',
    table: {
      tableNo: '表2', title: '收入决算表', entityLine: '单位：广州市政务服务数据管理局', unitLine: '单位：万元',
      header: [[{ text: '项目', colspan: 2 }, { text: '本年收入合计', rowspan: 2 }, { text: '财政拨款收入', rowspan: 2 }, { text: '其他收入', rowspan: 2 }],
        [{ text: '功能分类科目编码' }, { text: '科目名称' }]],
      rows: ROWS, colWidths: [80, 170, 80, 80, 80], ruled: true,
    },
  }],
};

/** The generated page as a scan: rendered at 200 dpi, turned by 0.4°, embedded as the page's only content. */
async function scannedPdf(): Promise<Buffer> {
  const text = await openPdf(new Uint8Array(await makePdf(SPEC)));
  const raster = await text.renderPage(1, 200);
  await text.close();
  const png = encodeGreyPng(rotate(raster, (0.4 * Math.PI) / 180));
  const doc = new PDFDocument({ size: [raster.width / raster.scale, raster.height / raster.scale], margin: 0 });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.image(png, 0, 0, { width: raster.width / raster.scale, height: raster.height / raster.scale });
  doc.end();
  return done;
}

function process(pdf: Buffer, options: ProcessOptions): Promise<DocumentResult> {
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  return processDocument({ source: 'memory://scan.pdf', sha256, bytes: pdf.length }, new Uint8Array(pdf), options);
}

describe('processDocument on a scanned page', () => {
  let pdf: Buffer;
  let engine: OcrEngine;
  beforeAll(async () => {
    pdf = await scannedPdf();
    engine = createTesseractEngine({ workers: 1 });
  });
  afterAll(() => engine.close());

  it('reads the table by OCR: every amount, keyed by code and by total', async () => {
    const r = await process(pdf, { ocr: 'auto', ocrEngine: engine });
    expect(r.status).toBe('ok');
    expect(r.pagesNeedingOcr).toEqual([1]);
    expect(r.pagesOcr).toEqual([1]);
    expect(r.findings.map((f) => f.code)).not.toContain('pages_need_ocr');
    const got = Object.fromEntries(r.facts.filter((f) => f.table_kind === 'fa02_income').map((f) => [`${f.row_key}|${f.column_key}`, f.value]));
    const want: Record<string, string> = {};
    for (const [code, , total, fiscal, other] of ROWS) {
      const key = code || 'total';
      Object.assign(want, { [`${key}|total`]: total!.replace(/,/g, ''), [`${key}|fiscal_appropriation`]: fiscal!.replace(/,/g, ''), [`${key}|other_income`]: other!.replace(/,/g, '') });
    }
    expect(got).toEqual(want);
    const fact = r.facts.find((f) => f.row_key === '2010350' && f.column_key === 'total')!;
    expect(fact.method).toBe('ocr');
    expect(fact.confidence).toBeGreaterThan(0.5);
    expect(fact.confidence).toBeLessThanOrEqual(1);
  }, 120_000);

  it('leaves the page unread, and says so, with OCR off or no engine', async () => {
    for (const options of [{ ocr: 'off' as const, ocrEngine: engine }, { ocr: 'auto' as const }]) {
      const r = await process(pdf, options);
      expect(r.status).toBe('ok');
      expect(r.pagesOcr).toEqual([]);
      expect(r.facts).toEqual([]);
      expect(r.findings.find((f) => f.code === 'pages_need_ocr')?.message).toMatch(/1 page/);
    }
  });
});

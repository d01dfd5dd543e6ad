/**
 * pdf.js's worker code runs patched for speed (src/extract/pdfjs-worker.ts). What it reads and draws
 * must not change: the same generated PDF is read and rendered by two processes, one with the patches
 * and one without (FISCAL_HARVEST_PDFJS_PATCHES=off), and their outputs compared.
 *
 * The PDF holds the font kinds whose loading the patches make lazy: an embedded CID TrueType font
 * (Noto Sans SC, via pdfkit) and a standard font that pdf.js loads from its own Type1 files (Helvetica).
 * Needs dist/ (npm test builds it first: the `pretest` script).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { deflateRawSync, inflateSync } from 'node:zlib';
import { PDFDocument as PdfLibDocument, PDFName, StandardFonts } from 'pdf-lib';
import PDFDocument from 'pdfkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKER_PATCHES } from '../../src/extract/pdfjs-worker.js';
import { fontPath } from '../support/make-pdf.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADAPTER = pathToFileURL(path.join(ROOT, 'dist/extract/pdfjs.js')).href;

// Reads every page (text runs) and renders it at 72 dpi; prints what the comparison needs.
const READER = `
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
const { openPdf, pdfjsWorkerPatches } = await import(${JSON.stringify(ADAPTER)});
const pdf = await openPdf(readFileSync(process.argv[1]));
const pages = [];
for (let n = 1; n <= pdf.numPages; n++) {
  const page = await pdf.readPage(n);
  const raster = await pdf.renderPage(n, 72);
  const ink = raster.data.reduce((sum, v) => sum + (v < 128 ? 1 : 0), 0);
  pages.push({ runs: page.runs, raster: createHash('sha256').update(raster.data).digest('hex'), ink });
}
await pdf.close();
process.stdout.write(JSON.stringify({ applied: pdfjsWorkerPatches.applied, pages }));
`;

interface Reading { applied: string[]; pages: { runs: { text: string }[]; raster: string; ink: number }[] }

async function read(file: string, patches: 'on' | 'off'): Promise<Reading> {
  const env = { ...process.env, FISCAL_HARVEST_PDFJS_PATCHES: patches === 'off' ? 'off' : '' };
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', READER, file], { env, maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as Reading;
}

function twoFontPdf(): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 50, compress: true, info: { CreationDate: new Date(0) } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.on('data', (c: Buffer) => chunks.push(c));
  doc.font('Helvetica').fontSize(14).text('Department budget 2025, amounts in 10,000 yuan');
  doc.registerFont('cjk', fontPath());
  doc.font('cjk').fontSize(11);
  const rows = [['项目', '本年收入', '本年支出'], ['一般公共预算财政拨款收入', '1,234.56', '987.65'], ['社会保障和就业支出', '49,644.69', '20.00']];
  rows.forEach((row, i) => row.forEach((cell, j) => doc.text(cell, 50 + j * 170, 120 + i * 24, { lineBreak: false })));
  doc.moveTo(50, 114).lineTo(560, 114).stroke();
  doc.addPage();
  doc.font('Helvetica-Bold').fontSize(12).text('Page 2: totals');
  doc.font('cjk').text('合计 50,879.25');
  doc.end();
  return done;
}

describe('pdf.js patched for speed', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, 'dist/extract/pdfjs.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
    dir = await mkdtemp(path.join(os.tmpdir(), 'fh-pdfjs-patches-'));
    file = path.join(dir, 'two-fonts.pdf');
    await writeFile(file, await twoFontPdf());
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the same text runs and renders the same pixels as pdf.js as published', async () => {
    const [patched, stock] = await Promise.all([read(file, 'on'), read(file, 'off')]);
    expect(patched.applied).toEqual(WORKER_PATCHES.map((p) => p.name));
    expect(stock.applied).toEqual([]);
    // Something was read and drawn, in both fonts, on both pages.
    const text = patched.pages.map((p) => p.runs.map((r) => r.text).join(' ')).join('\n');
    expect(text).toContain('Department budget 2025');
    expect(text).toContain('社会保障和就业支出');
    expect(text).toContain('49,644.69');
    expect(text).toContain('Page 2: totals');
    expect(patched.pages.every((p) => p.ink > 100)).toBe(true);
    expect(patched.pages).toEqual(stock.pages);
  }, 60_000);

  it('reads a Flate stream that only the lenient JS decoder accepts, as pdf.js as published does', async () => {
    // Before the content's deflate data, a stored block whose length and its check are both 0: pdf.js's
    // decoder allows that, zlib refuses it ("invalid stored block lengths"), so the stream goes to the JS decoder.
    const content = 'BT /F1 24 Tf 72 700 Td (Lenient deflate 123.45) Tj ET\n50 650 m 500 650 l S';
    const deflated = Buffer.concat([Buffer.from([0x78, 0x9c, 0x00, 0x00, 0x00, 0x00, 0x00]), deflateRawSync(Buffer.from(content, 'latin1'))]);
    expect(() => inflateSync(deflated)).toThrow();
    const doc = await PdfLibDocument.create();
    const page = doc.addPage([595.28, 841.89]);
    const font = await doc.embedFont(StandardFonts.Helvetica);
    page.node.setFontDictionary(PDFName.of('F1'), font.ref);
    page.node.set(PDFName.of('Contents'), doc.context.register(doc.context.stream(deflated, { Filter: 'FlateDecode' })));
    const lenient = path.join(dir, 'lenient-deflate.pdf');
    await writeFile(lenient, await doc.save());
    const [patched, stock] = await Promise.all([read(lenient, 'on'), read(lenient, 'off')]);
    expect(patched.pages[0]!.runs.map((r) => r.text).join(' ')).toContain('Lenient deflate 123.45');
    expect(patched.pages[0]!.ink).toBeGreaterThan(100);
    expect(patched.pages).toEqual(stock.pages);
  }, 60_000);
});

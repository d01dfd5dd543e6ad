import { createRequire } from 'node:module';
import * as PdfLib from 'pdf-lib';
import { PDFDict, PDFDocument, PDFName, type PDFPage } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import type { Segment } from '../model/page.js';
import { makePdf } from '../../test/support/make-pdf.js';
import { openContentRules } from './content-rules.js';
import { openPdf, operatorListSegments } from './pdfjs.js';

/** A one-page A4 PDF whose content stream is `content` (and forms, by name). */
async function pdfWith(content: string, forms: Record<string, { content: string; matrix?: number[] }> = {}, edit?: (page: PDFPage, doc: PDFDocument) => void): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595.28, 841.89]);
  const xobjects = PDFDict.withContext(doc.context);
  for (const [name, form] of Object.entries(forms)) {
    const stream = doc.context.flateStream(form.content, { Type: 'XObject', Subtype: 'Form', BBox: [0, 0, 595.28, 841.89], ...(form.matrix ? { Matrix: form.matrix } : {}) });
    xobjects.set(PDFName.of(name), doc.context.register(stream));
  }
  const resources = PDFDict.withContext(doc.context);
  resources.set(PDFName.of('XObject'), xobjects);
  page.node.set(PDFName.of('Resources'), resources);
  page.node.set(PDFName.of('Contents'), doc.context.register(doc.context.flateStream(content)));
  edit?.(page, doc);
  return doc.save({ useObjectStreams: false });
}

const sorted = (segments: readonly Segment[]) => [...segments].map((s) => [s.orientation, ...[s.x0, s.x1, s.top, s.bottom].map((v) => Math.round(v * 100) / 100)].join(' ')).sort();

async function contentSegments(bytes: Uint8Array): Promise<Segment[]> {
  const rules = await openContentRules(bytes);
  if (!rules) throw new Error('the content-stream reader refused the file');
  return rules.segments(0, [1, 0, 0, -1, 0, 841.89]);
}

describe('content-stream rules', () => {
  it('are the operator list\'s rules on a generated ruled table (lines and thin rectangles)', async () => {
    const bytes = new Uint8Array(await makePdf({
      blocks: [{ kind: 'table', table: { title: '收入支出决算总表', unitLine: '单位：万元', header: [[{ text: '项目' }, { text: '金额' }]], rows: [['一般公共预算财政拨款收入', '1,200.00'], ['合计', '1,200.00']], colWidths: [200, 100], ruled: true } }],
    }));
    const ours = await contentSegments(bytes);
    expect(ours.length).toBeGreaterThan(4);
    expect(sorted(ours)).toEqual(sorted(await operatorListSegments(bytes, 1)));
    // and openPdf reads them this way
    const pdf = await openPdf(bytes);
    expect(sorted(await pdf.readSegments(1))).toEqual(sorted(ours));
    await pdf.close();
  });

  it('follow q/Q, cm and form XObjects (with their matrix), as pdf.js draws them', async () => {
    const content = [
      '0.5 w 50 700 m 300 700 l S', // a stroked horizontal line
      'q 1 0 0 1 0 -100 cm 50 700 m 50 650 l S Q', // a vertical one, moved down by cm
      '50 500 200 0.8 re f', // a thin filled rectangle: a rule
      '50 400 200 50 re S', // a stroked rectangle: four rules
      '50 300 200 50 re f', // a filled box: no rule
      '50 200 m 100 250 150 250 200 200 c S', // a curve: no rule
      '50 150 200 0 re B*', // eoFillStroke counts as filled only (as in the operator list)
      '/Fm1 Do',
      'BT /F1 12 Tf [(a) -250 (b) 120] TJ ET', // numbers inside an array are no operands
      'BI /W 4 /H 1 /BPC 8 /CS /G ID \x00EI\xff EI', // an inline image whose data holds "EI"
      '60 100 m 250 100 l S',
    ].join('\n');
    const bytes = await pdfWith(content, { Fm1: { content: '0 0 m 100 0 l S', matrix: [1, 0, 0, 1, 300, 50] } });
    const ours = sorted(await contentSegments(bytes));
    expect(ours).toEqual(sorted(await operatorListSegments(bytes, 1)));
    expect(ours).toEqual(sorted([
      { orientation: 'h', x0: 50, x1: 300, top: 141.89, bottom: 141.89 },
      { orientation: 'v', x0: 50, x1: 50, top: 241.89, bottom: 291.89 },
      { orientation: 'h', x0: 50, x1: 250, top: 341.49, bottom: 341.49 },
      { orientation: 'h', x0: 50, x1: 250, top: 391.89, bottom: 391.89 },
      { orientation: 'h', x0: 50, x1: 250, top: 441.89, bottom: 441.89 },
      { orientation: 'v', x0: 50, x1: 50, top: 391.89, bottom: 441.89 },
      { orientation: 'v', x0: 250, x1: 250, top: 391.89, bottom: 441.89 },
      // the stroked rectangle's pieces, also emitted one by one
      { orientation: 'h', x0: 50, x1: 250, top: 441.89, bottom: 441.89 },
      { orientation: 'v', x0: 250, x1: 250, top: 391.89, bottom: 441.89 },
      { orientation: 'h', x0: 50, x1: 250, top: 391.89, bottom: 391.89 },
      { orientation: 'h', x0: 50, x1: 250, top: 691.89, bottom: 691.89 },
      { orientation: 'h', x0: 300, x1: 400, top: 791.89, bottom: 791.89 },
      { orientation: 'h', x0: 60, x1: 250, top: 741.89, bottom: 741.89 },
    ]));
  });

  it('read a stream whose one Flate filter is written as an array, as pdf.js does', async () => {
    const content = '0.5 w 50 700 m 300 700 l S 50 500 200 0.8 re f 50 400 200 50 re S';
    const asArray = await pdfWith(content, {}, (page, doc) => {
      const stream = doc.context.lookup(page.node.get(PDFName.of('Contents'))) as PdfLib.PDFRawStream;
      stream.dict.set(PDFName.of('Filter'), doc.context.obj(['FlateDecode']));
    });
    const ours = await contentSegments(asArray);
    expect(ours.length).toBeGreaterThan(4);
    expect(sorted(ours)).toEqual(sorted(await operatorListSegments(asArray, 1)));
    expect(sorted(ours)).toEqual(sorted(await contentSegments(await pdfWith(content))));
  });

  it('give up on what they cannot read, and openPdf falls back to the operator list for that page', async () => {
    const bytes = await pdfWith('50 700 m 300 700 l S\n50 600 m l S'); // `l` without its operands
    await expect(contentSegments(bytes)).rejects.toThrow(/operand/u);
    const pdf = await openPdf(bytes);
    expect(sorted(await pdf.readSegments(1))).toEqual(sorted(await operatorListSegments(bytes, 1)));
    await pdf.close();
  });

  it('find where streams end when /Length is indirect, as pdf-lib does, whatever ends the data', async () => {
    // Three pages, each content stream with an indirect /Length and another end of line before
    // `endstream`; a form whose data holds the words `stream endstream` (a nested pair to pdf-lib).
    const pageContent = (y: number) => `50 ${y} m 300 ${y} l S`;
    const form = '% stream endstream\n0 0 m 100 0 l S';
    const third = `${pageContent(500)} /Fm1 Do`;
    const objects = [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 >>',
      ...[6, 8, 10].map((c) => `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Contents ${c} 0 R /Resources << /XObject << /Fm1 12 0 R >> >> >>`),
      `<< /Length 7 0 R >>\nstream\n${pageContent(700)}\r\nendstream`, String(pageContent(700).length),
      `<< /Length 9 0 R >>\nstream\n${pageContent(600)}\nendstream`, String(pageContent(600).length),
      `<< /Length 11 0 R >>\nstream\n${third}\rendstream`, String(third.length),
      `<< /Type /XObject /Subtype /Form /BBox [0 0 595.28 841.89] /Length 13 0 R >>\nstream\n${form}\nendstream`, String(form.length),
    ];
    let text = '%PDF-1.4\n';
    const offsets: number[] = [];
    objects.forEach((body, i) => { offsets.push(text.length); text += `${i + 1} 0 obj\n${body}\nendobj\n`; });
    const xref = text.length;
    text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
    text += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    const bytes = new Uint8Array(Buffer.from(text, 'latin1'));

    // The streams' data as pdf-lib's own search finds it (this file imports its package entry, which
    // the reader leaves alone) and as the reader's bundle, with the native search, finds it.
    const dataOf = async (lib: typeof PdfLib) => {
      const doc = await lib.PDFDocument.load(bytes, { updateMetadata: false });
      return [6, 8, 10, 12].map((n) => Buffer.from((doc.context.lookup(lib.PDFRef.of(n)) as PdfLib.PDFRawStream).contents).toString('latin1'));
    };
    const expected = [pageContent(700), pageContent(600), third, form];
    expect(await dataOf(PdfLib)).toEqual(expected);
    expect(await dataOf(createRequire(import.meta.url)('pdf-lib/dist/pdf-lib.min.js') as typeof PdfLib)).toEqual(expected);

    const rules = await openContentRules(bytes);
    expect(rules?.pageCount).toBe(3);
    for (let n = 1; n <= 3; n++) {
      const ours = sorted(rules!.segments(n - 1, [1, 0, 0, -1, 0, 841.89]));
      expect(ours).toEqual(sorted(await operatorListSegments(bytes, n)));
      expect(ours.length).toBe(n === 3 ? 2 : 1); // the form's rule is read from its whole data
    }
  });

  it('refuse an encrypted file (its streams are ciphertext to them)', async () => {
    const bytes = await pdfWith('50 700 m 300 700 l S', {}, (_page, doc) => {
      doc.context.trailerInfo.Encrypt = doc.context.obj({ Filter: 'Standard', V: 1, R: 2, O: '', U: '', P: -4 });
    });
    expect(await openContentRules(bytes)).toBeNull();
  });
});

/** One document through extract → normalize: bytes in, a DocumentResult out. Failures stay in the result. */
import { openPdf, UnreadablePdfError } from '../extract/pdfjs.js';
import type { DocumentResult, Source } from '../model/document.js';
import type { Page } from '../model/page.js';
import { toFacts } from '../normalize/facts.js';
import { locateTables, normalizeDocument, tablePages, type LocatedTables } from '../normalize/index.js';
import { checkCompleteness, validateFacts } from '../normalize/validate.js';

export async function processDocument(source: Source, bytes: Uint8Array, now: () => number = Date.now): Promise<DocumentResult> {
  const timingsMs: Record<string, number> = {};
  const base: DocumentResult = { source, status: 'failed', pages: 0, pagesNeedingOcr: [], tables: [], facts: [], validation: [], findings: [], timingsMs };
  let t0 = now();
  let pdf;
  try {
    pdf = await openPdf(bytes);
  } catch (err) {
    const message = err instanceof UnreadablePdfError ? err.message : `cannot open: ${(err as Error).message}`;
    return { ...base, error: message };
  }
  let pages: Page[] = [];
  let located: LocatedTables | undefined;
  const findings: DocumentResult['findings'] = [];
  try {
    for (let n = 1; n <= pdf.numPages; n++) {
      try {
        pages.push(await pdf.readPage(n));
      } catch (err) {
        findings.push({ code: 'page_unreadable', severity: 'error', page: n, message: `page ${n} could not be read: ${(err as Error).message}` });
      }
    }
    // Ruling lines cost an operator list per page: read them only where tables are.
    located = locateTables(pages);
    const wanted = new Set(tablePages(located));
    pages = await Promise.all(pages.map(async (p) => {
      if (!wanted.has(p.number)) return p;
      try {
        return { ...p, segments: await pdf.readSegments(p.number) };
      } catch (err) {
        findings.push({ code: 'segments_unreadable', severity: 'warning', page: p.number, message: `page ${p.number}: ruling lines could not be read (${(err as Error).message}); tables read by alignment` });
        return p;
      }
    }));
  } finally {
    await pdf.close();
  }
  timingsMs.extract = now() - t0;
  t0 = now();
  const normalized = normalizeDocument(pages, located);
  const facts = toFacts(source, normalized);
  const validation = [
    ...checkCompleteness(source, normalized.meta.docKind, normalized.tables.map((t) => t.tableKind)),
    ...validateFacts(facts),
  ];
  timingsMs.normalize = now() - t0;
  const pagesNeedingOcr = pages.filter((p) => p.needsOcr).map((p) => p.number);
  if (pagesNeedingOcr.length) findings.push({ code: 'pages_need_ocr', severity: 'warning', message: `${pagesNeedingOcr.length} page(s) have no usable text layer and were not read (OCR): ${pagesNeedingOcr.join(', ')}` });
  return {
    ...base,
    status: 'ok',
    pages: pdf.numPages,
    pagesNeedingOcr,
    meta: normalized.meta,
    tables: normalized.tables.map((t) => ({ table_kind: t.tableKind, table_instance: t.tableInstance, title: t.title, entity: t.entity, pages: t.pages, cells: t.cells.length })),
    facts,
    validation,
    findings: [...findings, ...normalized.findings],
  };
}

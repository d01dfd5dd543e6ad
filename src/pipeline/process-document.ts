/** One document through extract → normalize: bytes in, a DocumentResult out. Failures stay in the result. */
import { ECONOMIC_CLASSES, FUNCTIONAL_CLASSES } from '../catalogue/classes.js';
import { EXPENDITURE_ITEMS, INCOME_ITEMS } from '../catalogue/line-items.js';
import { TABLE_KINDS } from '../catalogue/table-kinds.js';
import type { OcrEngine } from '../extract/ocr/engine.js';
import { GlyphBook } from '../extract/ocr/glyph-book.js';
import { createLexicon, literalVariants, type Lexicon } from '../extract/ocr/lexicon.js';
import { analysePage, readPage } from '../extract/ocr/page-ocr.js';
import { openPdf, UnreadablePdfError, type OpenedPdf } from '../extract/pdfjs.js';
import type { DocumentResult, Source } from '../model/document.js';
import type { Finding } from '../model/finding.js';
import type { Fact } from '../model/fact.js';
import type { Page } from '../model/page.js';
import { toFacts } from '../normalize/facts.js';
import { locateTables, normalizeDocument, tablePages, type LocatedTables } from '../normalize/index.js';
import { fixByIdentities } from '../normalize/identity-fix.js';
import { checkStatedFigures, readStatedFigures } from '../normalize/narrative.js';
import { checkCompleteness, validateFacts } from '../normalize/validate.js';

/** Which pages are read by OCR: those without a usable text layer (auto), none (off), or every page (force). */
export type OcrMode = 'auto' | 'off' | 'force';

export interface ProcessOptions {
  /** Default 'auto'. Without `ocrEngine` no page is read by OCR whatever the mode. */
  ocr?: OcrMode;
  ocrEngine?: OcrEngine;
  /**
   * Resolution pages are rendered at for OCR. 200 dpi: scans are commonly made at 150–300 dpi, and
   * measured on the dev scans (200 dpi), rendering higher only enlarged the pixels Tesseract reads
   * (more time, no better readings).
   */
  ocrDpi?: number;
  /**
   * Pages being rendered, analysed or read at once (the engine's workers are shared by all documents).
   * Default 3: with 2, a document run alone, or left alone at the end of a run, let two OCR workers
   * idle about a tenth of the time (measured on 2 workers: one scanned document 5% longer, two 4-15%
   * longer). Fixed, not taken from the worker count: it sets which pages' digit samples a page is read with.
   */
  ocrPagesInFlight?: number;
  now?: () => number;
}

export async function processDocument(source: Source, bytes: Uint8Array, options: ProcessOptions = {}): Promise<DocumentResult> {
  const now = options.now ?? Date.now;
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
  const findings: Finding[] = [];
  const pagesOcr: number[] = [];
  try {
    for (let n = 1; n <= pdf.numPages; n++) {
      try {
        pages.push(await pdf.readPage(n));
      } catch (err) {
        findings.push({ code: 'page_unreadable', severity: 'error', page: n, message: `page ${n} could not be read: ${(err as Error).message}` });
      }
    }
    timingsMs.extract = now() - t0;
    const mode = options.ocr ?? 'auto';
    if (options.ocrEngine && mode !== 'off') {
      t0 = now();
      const wanted = pages.filter((p) => mode === 'force' || p.needsOcr).map((p) => p.number);
      const read = await ocrPages(pdf, pages, wanted, options.ocrEngine, options, findings);
      pages = pages.map((p) => read.get(p.number) ?? p);
      pagesOcr.push(...[...read.keys()].sort((a, b) => a - b));
      timingsMs.ocr = now() - t0;
    }
    t0 = now();
    // Ruling lines cost an operator list per page: read them only where tables are (OCR'd pages have theirs from the image).
    located = locateTables(pages);
    const segmentPages = new Set(tablePages(located).filter((n) => !pagesOcr.includes(n)));
    pages = await Promise.all(pages.map(async (p) => {
      if (!segmentPages.has(p.number)) return p;
      try {
        return { ...p, segments: await pdf.readSegments(p.number) };
      } catch (err) {
        findings.push({ code: 'segments_unreadable', severity: 'warning', page: p.number, message: `page ${p.number}: ruling lines could not be read (${(err as Error).message}); tables read by alignment` });
        return p;
      }
    }));
    timingsMs.extract += now() - t0;
  } finally {
    await pdf.close();
  }
  t0 = now();
  located ??= locateTables(pages);
  const normalized = normalizeDocument(pages, located);
  let facts = toFacts(source, normalized);
  if (pagesOcr.length) {
    // OCR'd amounts that break an identity: the candidate readings that make the arithmetic hold.
    const fixed = fixByIdentities(facts, candidateReadings(pages));
    facts = fixed.facts;
    findings.push(...fixed.findings);
  }
  const validation = [
    ...checkCompleteness(source, normalized.meta.docKind, normalized.tables.map((t) => t.tableKind)),
    ...validateFacts(facts),
    ...checkStatedFigures(source, readStatedFigures(located.lines, located.regions, normalized.meta.docKind), facts),
  ];
  timingsMs.normalize = now() - t0;
  const pagesNeedingOcr = pages.filter((p) => p.needsOcr).map((p) => p.number);
  const unread = pagesNeedingOcr.filter((n) => !pagesOcr.includes(n));
  if (unread.length) findings.push({ code: 'pages_need_ocr', severity: 'warning', message: `${unread.length} page(s) have no usable text layer and were not read (OCR): ${unread.join(', ')}` });
  return {
    ...base,
    status: 'ok',
    pages: pdf.numPages,
    pagesNeedingOcr,
    pagesOcr,
    meta: normalized.meta,
    tables: normalized.tables.map((t) => ({ table_kind: t.tableKind, table_instance: t.tableInstance, title: t.title, entity: t.entity, pages: t.pages, cells: t.cells.length })),
    facts,
    validation,
    findings: [...findings, ...normalized.findings],
  };
}

/**
 * A fact's other OCR readings: the candidates of the OCR runs whose centre lies in the fact's box (one
 * run per amount cell; several runs, as a split amount, give no candidates: nothing safe to offer).
 */
function candidateReadings(pages: readonly Page[]): (fact: Fact) => string[] | undefined {
  const byPage = new Map(pages.map((p) => [p.number, p.runs.filter((r) => r.method === 'ocr' && r.candidates?.length)]));
  return (fact) => {
    const [x0, y0, x1, y1] = fact.bbox.split(' ').map(Number);
    if (x1 === undefined || y1 === undefined) return undefined;
    const inside = (byPage.get(fact.page) ?? []).filter((r) => {
      const cx = (r.x0 + r.x1) / 2, cy = (r.top + r.bottom) / 2;
      return cx >= x0! && cx <= x1 && cy >= y0! && cy <= y1;
    });
    return inside.length === 1 ? inside[0]!.candidates : undefined;
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

let labelLexicon: Lexicon | undefined;
/** The catalogue's printed labels and table titles, against which OCR'd text is checked. */
function ocrLexicon(): Lexicon {
  labelLexicon ??= createLexicon([
    ...[...INCOME_ITEMS, ...EXPENDITURE_ITEMS].flatMap((i) => i.labels),
    ...[...FUNCTIONAL_CLASSES, ...ECONOMIC_CLASSES].flatMap(([, names]) => names),
    ...TABLE_KINDS.flatMap((k) => literalVariants(k.title) ?? []),
  ]);
  return labelLexicon;
}

/**
 * Renders, analyses and reads the `wanted` pages, a few at once so that the next page's image work
 * overlaps the engine reading this one. A page that fails is reported and keeps its text layer.
 */
async function ocrPages(pdf: OpenedPdf, pages: readonly Page[], wanted: readonly number[], engine: OcrEngine, options: ProcessOptions, findings: Finding[]): Promise<Map<number, Page>> {
  const dpi = options.ocrDpi ?? 200;
  const byNumber = new Map(pages.map((p) => [p.number, p]));
  const read = new Map<number, Page>();
  // One document prints its figures in one font: their digits, once read surely, read the rest. Page k
  // is read with the samples of the pages at least `inFlight` places before it, once those are done,
  // so that what is read does not depend on which page finished first.
  const glyphBook = new GlyphBook();
  const inFlight = Math.max(1, options.ocrPagesInFlight ?? 3);
  const done = wanted.map(() => deferred());
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < wanted.length; k = next++) {
      const n = wanted[k]!;
      try {
        const raster = await pdf.renderPage(n, dpi);
        const analysis = analysePage(raster);
        const before = Math.max(0, k - inFlight + 1);
        await Promise.all(done.slice(0, before).map((d) => d.promise));
        const { runs, segments } = await readPage(analysis, engine, { lexicon: ocrLexicon(), glyphs: { book: glyphBook, page: n, readFrom: wanted.slice(0, before) } });
        read.set(n, { ...byNumber.get(n)!, runs, segments });
      } catch (err) {
        findings.push({ code: 'ocr_failed', severity: 'error', page: n, message: `page ${n} could not be read by OCR: ${(err as Error).message}` });
      } finally {
        done[k]!.resolve();
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return read;
}

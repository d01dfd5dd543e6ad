/**
 * `out/review/`: a static page for a person checking a run. Each flagged cell (failing identity,
 * unsure OCR, value from an identity) is shown beside a crop of the page where it was printed.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { DocumentResult } from '../../model/document.js';
import { writeAtomic } from '../atomic.js';
import { cropAround, parseBbox, type PageRaster } from './crop.js';
import { flagDocument, type FlaggedCell } from './flags.js';
import { reviewHtml, sortDocuments, type ReviewCrop, type ReviewDocument } from './html.js';
import { encodeGreyPng } from './png.js';

/** What the review needs of a PDF: pages rendered to grey rasters (the extract adapter's OpenedPdf fits). */
export interface RenderablePdf {
  renderPage(pageNumber: number, dpi: number): Promise<PageRaster>;
  close(): Promise<void>;
}
export type OpenRenderablePdf = (bytes: Uint8Array) => Promise<RenderablePdf>;

export interface ReviewOptions {
  /** Resolution of the crops; 150 shows digits clearly at a modest size. */
  dpi?: number;
  /** Room around a cell, in points: enough for the neighbouring text. */
  marginPt?: { x: number; y: number };
  /** Crops per document at most (most telling cells first); the page says when cells went without. */
  maxCropsPerDocument?: number;
  /** Defaults to the pdf.js adapter, loaded only when a crop is needed. */
  openPdf?: OpenRenderablePdf;
}

export const REVIEW_DEFAULTS = { dpi: 150, marginPt: { x: 24, y: 8 }, maxCropsPerDocument: 200 } as const;

export interface ReviewSummary {
  file: string;
  documents: number;
  flaggedCells: number;
  crops: number;
}

/**
 * Writes `<outDir>/review/index.html` and its crops (`review/crops/*.png`, replaced as a whole).
 * `loadPdf` gives a document's bytes by sha256 (undefined when they are no longer at hand: the page says so).
 */
export async function writeReview(
  outDir: string,
  results: readonly DocumentResult[],
  loadPdf: (sha256: string) => Promise<Uint8Array | undefined>,
  options: ReviewOptions = {},
): Promise<ReviewSummary> {
  const dir = path.join(outDir, 'review');
  const cropsDir = path.join(dir, 'crops');
  await rm(cropsDir, { recursive: true, force: true });
  const docs = sortDocuments(results.map((result) => ({ result })));
  const review: ReviewDocument[] = [];
  let crops = 0;
  for (const [i, { result }] of docs.entries()) {
    const flags = flagDocument(result);
    const made = await cropDocument(result, flags.cells, `${String(i + 1).padStart(3, '0')}-${result.source.sha256.slice(0, 12)}`, cropsDir, loadPdf, options);
    crops += made.crops.size;
    review.push({ result, flags, ...made });
  }
  const file = path.join(dir, 'index.html');
  await writeAtomic(file, reviewHtml(review));
  return { file, documents: review.length, flaggedCells: review.reduce((n, d) => n + d.flags.cells.length, 0), crops };
}

async function cropDocument(
  result: DocumentResult,
  cells: readonly FlaggedCell[],
  prefix: string,
  cropsDir: string,
  loadPdf: (sha256: string) => Promise<Uint8Array | undefined>,
  options: ReviewOptions,
): Promise<{ crops: Map<number, ReviewCrop>; cropNotes: string[] }> {
  const crops = new Map<number, ReviewCrop>();
  const cropNotes: string[] = [];
  const max = options.maxCropsPerDocument ?? REVIEW_DEFAULTS.maxCropsPerDocument;
  const dpi = options.dpi ?? REVIEW_DEFAULTS.dpi;
  const margin = options.marginPt ?? REVIEW_DEFAULTS.marginPt;
  const placed = cells.filter((c) => c.fact.page >= 1 && parseBbox(c.fact.bbox));
  if (placed.length === 0) return { crops, cropNotes };
  const wanted = placed.slice(0, max);
  if (placed.length > max) cropNotes.push(`Page crops are capped at ${max} per document: ${placed.length - max} of the ${placed.length} placed cells to check are shown without one (the most telling come first).`);
  let bytes: Uint8Array | undefined;
  try {
    bytes = await loadPdf(result.source.sha256);
  } catch (err) {
    cropNotes.push(`The PDF could not be loaded for page crops: ${(err as Error).message}`);
    return { crops, cropNotes };
  }
  if (!bytes) {
    cropNotes.push('The PDF is not at hand: cells are shown without page crops.');
    return { crops, cropNotes };
  }
  const open = options.openPdf ?? (await import('../../extract/pdfjs.js')).openPdf;
  let pdf: RenderablePdf;
  try {
    pdf = await open(bytes);
  } catch (err) {
    cropNotes.push(`The PDF could not be opened for page crops: ${(err as Error).message}`);
    return { crops, cropNotes };
  }
  try {
    // Each page is rendered once, for all of its cells.
    const byPage = new Map<number, FlaggedCell[]>();
    for (const c of wanted) byPage.set(c.fact.page, [...(byPage.get(c.fact.page) ?? []), c]);
    for (const [page, pageCells] of [...byPage].sort((a, b) => a[0] - b[0])) {
      let raster: PageRaster;
      try {
        raster = await pdf.renderPage(page, dpi);
      } catch (err) {
        cropNotes.push(`Page ${page} could not be rendered: ${(err as Error).message}`);
        continue;
      }
      for (const c of pageCells) {
        const cut = cropAround(raster, parseBbox(c.fact.bbox)!, margin);
        if (!cut) continue;
        const name = `${prefix}-${String(c.index).padStart(5, '0')}.png`;
        await writeAtomic(path.join(cropsDir, name), encodeGreyPng(cut.image));
        crops.set(c.index, { href: `crops/${name}`, width: cut.image.width, height: cut.image.height, mark: cut.mark });
      }
    }
  } finally {
    await pdf.close().catch(() => undefined);
  }
  return { crops, cropNotes };
}

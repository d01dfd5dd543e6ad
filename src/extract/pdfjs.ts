/**
 * The one adapter over pdfjs-dist: PDF bytes in, pages of positioned text runs and ruling
 * segments out (top-left origin, PDF points). Nothing else imports pdfjs-dist.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
// Before pdfjs-dist: it saves the built-ins that pdf.js's polyfills replace.
import { restoreNativeBuiltins } from './native-builtins.js';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Page, Segment, TextRun } from '../model/page.js';
import { openContentRules, type ContentRules, type SoleJpeg } from './content-rules.js';
import { drawSoleJpeg } from './page-image.js';
import { greyFromRgba } from './ocr/raster.js';
import { ThreadPort } from './pdfjs-port.js';
import { loadPdfjsWorker, type LoadedWorker } from './pdfjs-worker.js';
import { apply, multiply, pathToSegments, type Matrix } from './rules-geometry.js';

const require = createRequire(import.meta.url);

// In Node pdf.js runs its worker code in this thread. Loaded now rather than at the first
// getDocument, so that the polyfills it installs too are replaced once, here; patched for speed
// (see pdfjs-worker.ts).
interface WorkerCode { WorkerMessageHandler: { initializeFromPort(port: unknown): void } }
const host = globalThis as { pdfjsWorker?: WorkerCode };
const loadedWorker = host.pdfjsWorker ? undefined : await loadPdfjsWorker();
if (loadedWorker) host.pdfjsWorker = loadedWorker.module as WorkerCode;
const workerCode = host.pdfjsWorker!;
/** Which speed patches pdf.js's worker code runs with (none when the installed build is not the one they fit), and how it was compiled. */
export const pdfjsWorkerPatches: Omit<LoadedWorker, 'module'> = loadedWorker
  ? (({ module: _module, ...how }) => how)(loadedWorker)
  : { applied: [], unpatched: 'the worker module was loaded before this adapter' };
restoreNativeBuiltins();

// pdf.js inflates Flate streams through the web DecompressionStream when the runtime has one; in
// Node each such stream is costly (documents with glyphs drawn as paths create tens of thousands),
// and pdf.js's own inflater is about 30% cheaper in CPU here with identical output. Without the
// global, pdf.js falls back to its own decoder. This process reads PDFs only through this adapter.
if (typeof (globalThis as { DecompressionStream?: unknown }).DecompressionStream === 'function') {
  delete (globalThis as { DecompressionStream?: unknown }).DecompressionStream;
}
const PDFJS_ROOT = path.dirname(require.resolve('pdfjs-dist/package.json'));
const CMAP_URL = path.join(PDFJS_ROOT, 'cmaps') + path.sep;
const STANDARD_FONTS_URL = path.join(PDFJS_ROOT, 'standard_fonts') + path.sep;

/** A document failed to open: the message is meant for the user. */
export class UnreadablePdfError extends Error {
  constructor(message: string, readonly reason: 'not_pdf' | 'empty' | 'encrypted' | 'corrupt') {
    super(message);
    this.name = 'UnreadablePdfError';
  }
}

export interface OpenedPdf {
  numPages: number;
  /** Reads one page's text; rejects only on a bug or a broken page stream. Segments are read apart. */
  readPage(pageNumber: number): Promise<Page>;
  /** The page's ruling segments (the operator list: costly, so only for pages that hold tables). */
  readSegments(pageNumber: number): Promise<Segment[]>;
  /**
   * Renders a page to a grey-scale raster at `dpi` (72 = one pixel per point), white background,
   * page rotation applied, so raster (x, y) / (dpi / 72) is the Page model's (x, top).
   */
  renderPage(pageNumber: number, dpi: number): Promise<Raster>;
  close(): Promise<void>;
}

/** An 8-bit grey-scale image: 0 black, 255 white; row-major, `width` bytes a row. */
export interface Raster {
  width: number;
  height: number;
  /** Pixels per PDF point (dpi / 72). */
  scale: number;
  data: Uint8Array;
  /** Who drew it: pdf.js, or (a page that is one JPEG) the image's native decoder (page-image.ts). */
  drawnBy?: 'pdf.js' | 'jpeg-decoder';
}

const PDF_MAGIC = Buffer.from('%PDF-');

/** Checks the bytes before pdf.js sees them, so that HTML or empty files get a clear message. */
export function sniffPdf(bytes: Uint8Array): void {
  if (bytes.length === 0) throw new UnreadablePdfError('empty file (0 bytes)', 'empty');
  const head = Buffer.from(bytes.subarray(0, 1024));
  if (head.indexOf(PDF_MAGIC) < 0) {
    const text = head.toString('utf8').trimStart().slice(0, 200).toLowerCase();
    const looksHtml = text.startsWith('<!doctype html') || text.startsWith('<html') || text.includes('<head') || text.includes('<body');
    throw new UnreadablePdfError(looksHtml ? 'not a PDF: the file is an HTML page' : 'not a PDF: no %PDF- header', 'not_pdf');
  }
}

/**
 * pdf.js reading `bytes` with this project's settings: CMaps and fonts from the package, no eval. Its
 * worker code runs in this thread over a ThreadPort pair (pdfjs-port.ts), one per document; `release`
 * ends that channel once the document is destroyed (a worker handed to getDocument outlives it).
 */
function loadingTask(bytes: Uint8Array): { task: pdfjs.PDFDocumentLoadingTask; release(): void } {
  const [apiPort, workerPort] = ThreadPort.pair();
  workerCode.WorkerMessageHandler.initializeFromPort(workerPort);
  // The typings allow no port here, the code does (PDFWorker#initializeFromPort).
  const worker = new pdfjs.PDFWorker({ port: apiPort } as unknown as ConstructorParameters<typeof pdfjs.PDFWorker>[0]);
  const task = pdfjs.getDocument({
    // pdf.js transfers (detaches) the buffer it is given: hand it a copy.
    data: new Uint8Array(bytes),
    cMapUrl: CMAP_URL,
    cMapPacked: true,
    standardFontDataUrl: STANDARD_FONTS_URL,
    useSystemFonts: false,
    isEvalSupported: false,
    verbosity: 0,
    worker,
  });
  return {
    task,
    release() {
      worker.destroy();
      apiPort.terminate();
      workerPort.terminate();
    },
  };
}

export async function openPdf(bytes: Uint8Array): Promise<OpenedPdf> {
  sniffPdf(bytes);
  const { task, release } = loadingTask(bytes);
  let doc: pdfjs.PDFDocumentProxy;
  try {
    doc = await task.promise;
  } catch (err) {
    await task.destroy().catch(() => undefined);
    release();
    const name = (err as { name?: string }).name ?? '';
    const message = (err as Error).message ?? String(err);
    if (name === 'PasswordException') throw new UnreadablePdfError('encrypted: a password is needed to open this PDF', 'encrypted');
    throw new UnreadablePdfError(`corrupt or truncated PDF: ${message}`, 'corrupt');
  }
  let contentRules: Promise<ContentRules | null> | undefined;
  const openedContent = () => (contentRules ??= openContentRules(bytes)).then((c) => (c && c.pageCount === doc.numPages ? c : null));
  return {
    numPages: doc.numPages,
    readPage: (n) => readPage(doc, n),
    readSegments: async (n) => {
      const page = await doc.getPage(n);
      try {
        const transform = page.getViewport({ scale: 1 }).transform;
        // The content streams first (cheap); pdf.js's operator list for what they cannot read.
        const fromContent = await openedContent();
        if (fromContent) {
          try {
            return fromContent.segments(n - 1, transform);
          } catch {
            // this page: read by pdf.js below
          }
        }
        return await readSegments(page, transform);
      } finally {
        page.cleanup();
      }
    },
    renderPage: (n, dpi) => renderPage(doc, n, dpi, openedContent),
    close: async () => {
      try {
        await doc.destroy();
      } finally {
        release();
      }
    },
  };
}

export interface CanvasAndContext { canvas: { toBuffer?: unknown; data?: () => Uint8Array }; context: { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray }; fillStyle: string; fillRect(x: number, y: number, w: number, h: number): void } }

async function renderPage(doc: pdfjs.PDFDocumentProxy, pageNumber: number, dpi: number, content: () => Promise<ContentRules | null>): Promise<Raster> {
  const page = await doc.getPage(pageNumber);
  // The document's own canvas factory: a separately installed canvas package of another version fails in pdf.js.
  const factory = (doc as unknown as { canvasFactory: { create(w: number, h: number): CanvasAndContext; destroy(c: CanvasAndContext): void } }).canvasFactory;
  const scale = dpi / 72;
  const viewport = page.getViewport({ scale });
  const width = Math.ceil(viewport.width), height = Math.ceil(viewport.height);
  const cc = factory.create(width, height);
  try {
    cc.context.fillStyle = '#ffffff';
    cc.context.fillRect(0, 0, width, height);
    // A scan (the page one JPEG) is drawn from its natively decoded image; anything else by pdf.js.
    let sole: SoleJpeg | null = null;
    try {
      sole = (await content())?.soleJpeg(pageNumber - 1) ?? null;
    } catch {
      // this page: pdf.js renders it
    }
    const drawnBy = sole && (await drawSoleJpeg(cc.context as never, sole, viewport.transform)) ? 'jpeg-decoder' : 'pdf.js';
    if (drawnBy === 'pdf.js') await page.render({ canvasContext: cc.context as never, canvas: cc.canvas as never, viewport }).promise;
    const data = greyFromRgba(canvasPixels(cc, width, height));
    return { width, height, scale, data, drawnBy };
  } finally {
    factory.destroy(cc);
    page.cleanup();
  }
}

/**
 * The canvas's RGBA pixels. @napi-rs/canvas (pdf.js's canvas in Node) lends its own pixel memory through
 * data(), without getImageData's copy (4 bytes a pixel, alpha undone): rendering a 200 dpi scan went from
 * about 75 to 39 ms of CPU. The page is opaque (painted white first): premultiplied pixels are the plain ones.
 * The memory is the canvas's: read it before the canvas is destroyed.
 */
export function canvasPixels(cc: CanvasAndContext, width: number, height: number): Uint8Array | Uint8ClampedArray {
  const own = typeof cc.canvas.data === 'function' ? cc.canvas.data() : undefined;
  return own?.length === width * height * 4 ? own : cc.context.getImageData(0, 0, width, height).data;
}

async function readPage(doc: pdfjs.PDFDocumentProxy, pageNumber: number): Promise<Page> {
  const page = await doc.getPage(pageNumber);
  try {
    const viewport = page.getViewport({ scale: 1 });
    const content = await page.getTextContent({ disableNormalization: false });
    const runs: TextRun[] = [];
    for (const item of content.items) {
      if (!('str' in item) || item.str.trim() === '') continue;
      const [a, b, c, d, e, f] = item.transform as number[];
      const fontHeight = Math.hypot(c!, d!) || Math.hypot(a!, b!) || item.height;
      // The run's box in user space along its own direction (rotated pages draw rotated text).
      const ab = Math.hypot(a!, b!) || 1, cd = Math.hypot(c!, d!) || 1;
      const ux = a! / ab, uy = b! / ab, vx = c! / cd, vy = d! / cd;
      const w = item.width, lo = -0.2 * fontHeight, hi = 0.85 * fontHeight;
      const vt = viewport.transform as Matrix;
      const corners = [[0, lo], [w, lo], [0, hi], [w, hi]].map(([s1, s2]) => apply(vt, e! + s1! * ux + s2! * vx, f! + s1! * uy + s2! * vy));
      const xs = corners.map((p) => p[0]), ys = corners.map((p) => p[1]);
      const p1: [number, number] = [Math.min(...xs), Math.min(...ys)];
      const p2: [number, number] = [Math.max(...xs), Math.max(...ys)];
      runs.push({
        text: item.str,
        x0: Math.min(p1[0]!, p2[0]!),
        x1: Math.max(p1[0]!, p2[0]!),
        top: Math.min(p1[1]!, p2[1]!),
        bottom: Math.max(p1[1]!, p2[1]!),
        fontSize: fontHeight,
        method: 'text',
        confidence: 1,
      });
    }
    return {
      number: pageNumber,
      width: viewport.width,
      height: viewport.height,
      runs,
      segments: [],
      needsOcr: !hasUsableText(runs),
    };
  } finally {
    page.cleanup();
  }
}

/** A text layer is usable when it carries some CJK or digits and little garbage. */
export function hasUsableText(runs: TextRun[]): boolean {
  let useful = 0;
  let garbage = 0;
  for (const r of runs) {
    for (const ch of r.text) {
      const cp = ch.codePointAt(0)!;
      if ((cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x30 && cp <= 0x39)) useful++;
      else if (cp === 0xfffd || (cp >= 0xe000 && cp <= 0xf8ff)) garbage++;
    }
  }
  return useful >= 4 && garbage <= useful;
}

/**
 * A page's rules as pdf.js's operator list gives them, whatever the content-stream reader could do:
 * the reference the content-stream reader is tested against.
 */
export async function operatorListSegments(bytes: Uint8Array, pageNumber: number): Promise<Segment[]> {
  const { task, release } = loadingTask(bytes);
  try {
    const doc = await task.promise;
    const page = await doc.getPage(pageNumber);
    return await readSegments(page, page.getViewport({ scale: 1 }).transform);
  } finally {
    await task.destroy();
    release();
  }
}

/**
 * Ruling segments from the operator list: stroked straight lines, and thin filled rectangles
 * (table borders are often drawn that way). Paths with curves (glyph outlines) are ignored.
 */
async function readSegments(page: pdfjs.PDFPageProxy, viewportTransform: number[]): Promise<Segment[]> {
  const ops = await page.getOperatorList();
  const OPS = pdfjs.OPS;
  const segments: Segment[] = [];
  let ctm: Matrix = viewportTransform.slice(0, 6) as Matrix;
  const stack: Matrix[] = [];
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i];
    const args = ops.argsArray[i] as unknown[];
    if (fn === OPS.save) stack.push(ctm);
    else if (fn === OPS.restore) ctm = stack.pop() ?? ctm;
    else if (fn === OPS.transform) ctm = multiply(ctm, args as Matrix);
    // A form XObject draws in its own matrix, inside a save/restore of its own.
    else if (fn === OPS.paintFormXObjectBegin) { stack.push(ctm); if (Array.isArray(args[0]) || ArrayBuffer.isView(args[0])) ctm = multiply(ctm, Array.from(args[0] as ArrayLike<number>) as Matrix); }
    else if (fn === OPS.paintFormXObjectEnd) ctm = stack.pop() ?? ctm;
    else if (fn === OPS.constructPath) {
      const paintOp = args[0] as number;
      const data = (args[1] as (Float32Array | null)[])[0];
      if (!data) continue;
      const stroked = paintOp === OPS.stroke || paintOp === OPS.closeStroke || paintOp === OPS.fillStroke || paintOp === OPS.closeFillStroke;
      const filled = paintOp === OPS.fill || paintOp === OPS.eoFill || paintOp === OPS.fillStroke || paintOp === OPS.eoFillStroke;
      if (!stroked && !filled) continue;
      pathToSegments(data, ctm, stroked, segments);
    }
  }
  return segments;
}


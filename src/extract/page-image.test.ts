/**
 * Scanned pages drawn from their natively decoded JPEG: the same pixels as pdf.js's own rendering.
 * Each case is a generated PDF whose page is one JPEG, and its twin whose content also sets a fill
 * colour (which paints nothing, but is more than the native path takes, so pdf.js renders the twin).
 */
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { openContentRules } from './content-rules.js';
import { canvasPixels, openPdf, type CanvasAndContext, type Raster } from './pdfjs.js';

const canvasLibrary = createRequire(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'))('@napi-rs/canvas') as {
  createCanvas(w: number, h: number): { getContext(kind: '2d'): CanvasRenderingContext2D; encode(format: 'jpeg', quality: number): Promise<Buffer>; data(): Uint8Array };
};

/** A 600×800 scan-like JPEG: grey paper, black strokes and boxes, a soft gradient, off-centre detail. */
async function scanJpeg(): Promise<Buffer> {
  const canvas = canvasLibrary.createCanvas(600, 800);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#eeeeee';
  ctx.fillRect(0, 0, 600, 800);
  const gradient = ctx.createLinearGradient(0, 0, 600, 0);
  gradient.addColorStop(0, '#ffffff');
  gradient.addColorStop(1, '#888888');
  ctx.fillStyle = gradient;
  ctx.fillRect(0, 700, 600, 100);
  ctx.strokeStyle = '#000000';
  ctx.lineWidth = 2;
  for (let y = 40; y < 640; y += 40) { ctx.beginPath(); ctx.moveTo(30, y); ctx.lineTo(570, y); ctx.stroke(); }
  ctx.fillStyle = '#202020';
  for (let k = 0; k < 40; k++) ctx.fillRect(40 + ((k * 97) % 500), 50 + ((k * 53) % 560), 6 + (k % 5) * 3, 14);
  ctx.fillRect(0, 0, 60, 30); // a mark at the top left: the image must not come out turned or mirrored
  return canvas.encode('jpeg', 85);
}

/** One page of `size` points showing the JPEG over the whole page; `rotate` sets /Rotate; `twin` adds a fill colour; `twice` draws it again, smaller. */
async function scanPdf(jpeg: Buffer, size: [number, number], options: { rotate?: number; twin?: boolean; twice?: boolean } = {}): Promise<Uint8Array> {
  const doc = new PDFDocument({ size, margin: 0, autoFirstPage: true });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  if (options.rotate) (doc.page as unknown as { dictionary: { data: Record<string, unknown> } }).dictionary.data.Rotate = options.rotate;
  doc.image(jpeg, 0, 0, { width: size[0], height: size[1] });
  if (options.twin) doc.addContent('0 g');
  if (options.twice) doc.image(jpeg, 10, 10, { width: 50, height: 60 });
  doc.end();
  return new Uint8Array(await done);
}

async function render(pdf: Uint8Array, dpi: number): Promise<Raster> {
  const opened = await openPdf(pdf);
  try {
    return await opened.renderPage(1, dpi);
  } finally {
    await opened.close();
  }
}

function compare(a: Raster, b: Raster): { worst: number; mean: number } {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let worst = 0, sum = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i]! - b.data[i]!);
    sum += d;
    if (d > worst) worst = d;
  }
  return { worst, mean: sum / a.data.length };
}

describe('a page that is one JPEG', () => {
  it('is told from its content stream, and a page that does anything more is not', async () => {
    const jpeg = await scanJpeg();
    const plain = await openContentRules(await scanPdf(jpeg, [216, 288]));
    const image = plain!.soleJpeg(0);
    expect(image).not.toBeNull();
    expect([image!.width, image!.height]).toEqual([600, 800]);
    // pdfkit draws with its top-left origin: the page flip, then the image's box.
    expect(image!.matrix.map((v) => Math.round(v * 1000) / 1000)).toEqual([216, 0, 0, 288, 0, 0]);
    expect(Buffer.from(image!.data).equals(jpeg)).toBe(true);
    const twin = await openContentRules(await scanPdf(jpeg, [216, 288], { twin: true }));
    expect(twin!.soleJpeg(0)).toBeNull();
    const two = await openContentRules(await scanPdf(jpeg, [216, 288], { twice: true }));
    expect(two!.soleJpeg(0)).toBeNull();
  });

  it.each([
    ['at its own resolution', [216, 288] as [number, number], 200, 0],
    ['enlarged (no smoothing, as pdf.js)', [216, 288] as [number, number], 300, 0],
    ['reduced', [216, 288] as [number, number], 120, 0],
    ['on a page turned by /Rotate 90', [216, 288] as [number, number], 200, 90],
    ['on a page of another shape (stretched)', [300, 250] as [number, number], 150, 0],
  ])('renders %s as pdf.js does', async (_, size, dpi, rotate) => {
    const jpeg = await scanJpeg();
    const native = await render(await scanPdf(jpeg, size, { rotate }), dpi);
    const byPdfjs = await render(await scanPdf(jpeg, size, { rotate, twin: true }), dpi);
    expect([native.drawnBy, byPdfjs.drawnBy]).toEqual(['jpeg-decoder', 'pdf.js']);
    const difference = compare(native, byPdfjs);
    // The two JPEG decoders round apart by a level or two; nothing moves.
    expect(difference.worst).toBeLessThanOrEqual(3);
    expect(difference.mean).toBeLessThan(0.5);
    // The dark mark stays at the top left (top right once turned by 90°).
    const at = (r: Raster, x: number, y: number) => r.data[Math.round(y) * r.width + Math.round(x)]!;
    const markX = rotate === 90 ? native.width - 5 : 5;
    expect(at(native, markX, 5)).toBeLessThan(60);
    const mean = native.data.reduce((n, v) => n + v, 0) / native.data.length;
    expect(mean).toBeGreaterThan(180); // mostly paper: drawn once, not tiled or smeared
    expect(mean).toBeLessThan(250); // and drawn at all
  });
});

describe('canvasPixels', () => {
  /** A white page with opaque and half-transparent colours drawn over it, as pdf.js paints a page. */
  function paintedPage(): CanvasAndContext {
    const canvas = canvasLibrary.createCanvas(40, 30);
    const context = canvas.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, 40, 30);
    context.fillStyle = 'rgb(200, 100, 50)';
    context.fillRect(2, 3, 10, 8);
    context.fillStyle = 'rgba(0, 40, 255, 0.5)';
    context.fillRect(8, 6, 20, 15);
    context.fillStyle = '#111111';
    context.fillRect(30, 20, 5, 5);
    return { canvas, context } as unknown as CanvasAndContext;
  }

  it("reads the canvas's own pixel memory as the same RGBA getImageData gives for an opaque page", () => {
    const page = paintedPage();
    const own = canvasPixels(page, 40, 30);
    const copied = page.context.getImageData(0, 0, 40, 30).data;
    expect(own).not.toBeInstanceOf(Uint8ClampedArray); // the lent memory, not getImageData's copy
    expect(Array.from(own)).toEqual(Array.from(copied));
    expect(Array.from(own.subarray((3 * 40 + 2) * 4, (3 * 40 + 2) * 4 + 4))).toEqual([200, 100, 50, 255]); // red first
  });

  it('falls back to getImageData for a canvas without its own pixels, or of another size', () => {
    const page = paintedPage();
    const copied = page.context.getImageData(0, 0, 40, 30).data;
    const withoutData = { canvas: {}, context: page.context } as CanvasAndContext;
    expect(Array.from(canvasPixels(withoutData, 40, 30))).toEqual(Array.from(copied));
    expect(canvasPixels(page, 20, 30)).toBeInstanceOf(Uint8ClampedArray);
  });
});

/**
 * A scanned page drawn without pdf.js: when all a page draws is one JPEG (content-rules.ts tells),
 * the JPEG is decoded by the canvas library's native decoder and drawn as pdf.js's canvas code would
 * draw it (the same transform, smoothing rule and pixel snapping). pdf.js decodes JPEG in JavaScript
 * and copies the pixels twice more on the way to the canvas: about 300 ms of a 200 dpi A4 page's
 * 350, against some 40 here. Pixel values may differ by the decoders' rounding (a level or two).
 *
 * Anything outside the plain case (an image to shrink by more than half, a JPEG with EXIF data the
 * decoder could turn the image by, one that does not decode to its dictionary's size) is left to pdf.js.
 */
import { createRequire } from 'node:module';
import type { SoleJpeg } from './content-rules.js';
import { multiply, type Matrix } from './rules-geometry.js';

interface CanvasImage { width: number; height: number; src: Buffer; onload: (() => void) | null; onerror: ((err: unknown) => void) | null }
interface Context2D {
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  drawImage(image: CanvasImage, sx: number, sy: number, sw: number, sh: number, dx: number, dy: number, dw: number, dh: number): void;
  imageSmoothingEnabled: boolean;
}

// The canvas library pdf.js itself loads (resolved from pdfjs-dist, so the same copy and version), once.
let loadedCanvasLibrary: { Image: new () => CanvasImage } | undefined;
const canvasLibrary = (): { Image: new () => CanvasImage } =>
  (loadedCanvasLibrary ??= createRequire(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'))('@napi-rs/canvas') as { Image: new () => CanvasImage });

/** pdf.js's CSS pixels per PDF point at a device pixel ratio of 1, as a 32-bit float (getImageSmoothingEnabled). */
const ACTUAL_SCALE = Math.fround(96 / 72);

/**
 * Draws the page's JPEG on `context` (device space = `viewportTransform` applied to user space), as
 * pdf.js's paintInlineImageXObject does. Returns false, having drawn nothing, when the image is not one
 * this path takes.
 */
export async function drawSoleJpeg(context: Context2D, image: SoleJpeg, viewportTransform: readonly number[]): Promise<boolean> {
  if (hasExif(image.data)) return false;
  const { width, height } = image;
  // pdf.js: the page transform, the image's CTM, then scale(1 / width, -1 / height); drawn at (0, -height).
  const m = multiply(multiply(viewportTransform.slice(0, 6) as Matrix, image.matrix), [1 / width, 0, 0, -1 / height, 0, 0]);
  const det = m[0] * m[3] - m[1] * m[2];
  if (!Number.isFinite(det) || det === 0) return false;
  // pdf.js halves an image first while it would shrink by more than 2: not done here.
  const inverse = [m[3] / det, -m[1] / det, -m[2] / det, m[0] / det];
  if (Math.hypot(inverse[0]!, inverse[1]!) > 2 || Math.hypot(inverse[2]!, inverse[3]!) > 2) return false;
  let decoded: CanvasImage;
  try {
    decoded = await decode(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength));
  } catch {
    return false;
  }
  if (decoded.width !== width || decoded.height !== height) return false;
  context.imageSmoothingEnabled = image.interpolate || smoothingScaleAtMost(m, ACTUAL_SCALE);
  drawImageAtIntegerCoords(context, decoded, m, width, height);
  context.setTransform(1, 0, 0, 1, 0, 0);
  return true;
}

/** The decoded image (the size is known at once, the pixels only once it has loaded). */
function decode(jpeg: Buffer): Promise<CanvasImage> {
  return new Promise((resolve, reject) => {
    const image = new (canvasLibrary().Image)();
    image.onload = () => resolve(image);
    image.onerror = reject;
    image.src = jpeg;
  });
}

/** pdf.js's getImageSmoothingEnabled: both singular values of the transform at most `limit`. */
function smoothingScaleAtMost([m0, m1, m2, m3]: Matrix, limit: number): boolean {
  const a = m0 ** 2 + m1 ** 2;
  const b = m0 * m2 + m1 * m3;
  const c = m2 ** 2 + m3 ** 2;
  const first = (a + c) / 2;
  const second = Math.sqrt(first ** 2 - (a * c - b ** 2));
  return Math.sqrt(first + second || 1) <= limit && Math.sqrt(first - second || 1) <= limit;
}

/** pdf.js's drawImageAtIntegerCoords for the image drawn at (0, -height, width, height) under `m`. */
function drawImageAtIntegerCoords(ctx: Context2D, img: CanvasImage, m: Matrix, width: number, height: number): void {
  const [a, b, c, d, tx, ty] = m;
  const destX = 0, destY = -height, destW = width, destH = height;
  if (b === 0 && c === 0) {
    const rTlX = Math.round(destX * a + tx);
    const rTlY = Math.round(destY * d + ty);
    const rWidth = Math.abs(Math.round((destX + destW) * a + tx) - rTlX) || 1;
    const rHeight = Math.abs(Math.round((destY + destH) * d + ty) - rTlY) || 1;
    ctx.setTransform(Math.sign(a), 0, 0, Math.sign(d), rTlX, rTlY);
    ctx.drawImage(img, 0, 0, width, height, 0, 0, rWidth, rHeight);
    return;
  }
  if (a === 0 && d === 0) {
    const rTlX = Math.round(destY * c + tx);
    const rTlY = Math.round(destX * b + ty);
    const rWidth = Math.abs(Math.round((destY + destH) * c + tx) - rTlX) || 1;
    const rHeight = Math.abs(Math.round((destX + destW) * b + ty) - rTlY) || 1;
    ctx.setTransform(0, Math.sign(b), Math.sign(c), 0, rTlX, rTlY);
    ctx.drawImage(img, 0, 0, width, height, 0, 0, rHeight, rWidth);
    return;
  }
  ctx.setTransform(a, b, c, d, tx, ty);
  ctx.drawImage(img, 0, 0, width, height, destX, destY, destW, destH);
}

/** Whether the JPEG carries an EXIF block before its scan data (pdf.js ignores its orientation; a native decoder may not). */
function hasExif(data: Uint8Array): boolean {
  let at = data.indexOf(0xff);
  if (at < 0 || data[at + 1] !== 0xd8) return true; // not where a JPEG starts: let pdf.js judge
  at += 2;
  while (at + 4 <= data.length) {
    if (data[at] !== 0xff) return true;
    const marker = data[at + 1]!;
    if (marker === 0xff) { at++; continue; } // fill byte
    if (marker === 0xda || marker === 0xd9) return false; // start of scan, end of image
    const length = (data[at + 2]! << 8) | data[at + 3]!;
    if (marker === 0xe1 && data[at + 4] === 0x45 && data[at + 5] === 0x78 && data[at + 6] === 0x69 && data[at + 7] === 0x66) return true;
    at += 2 + length;
  }
  return true;
}

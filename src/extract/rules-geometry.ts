/**
 * Ruling segments from painted paths: the geometry shared by both readers of a page's paths (the
 * content-stream reader and pdf.js's operator list). Paths come as pdf.js lays them out: a flat
 * list of drawing codes and coordinates (moveTo x y, lineTo x y, curveTo x1 y1 x2 y2 x y, closePath).
 */
import type { Segment } from '../model/page.js';

export type Matrix = [number, number, number, number, number, number];

export const apply = (m: Matrix, x: number, y: number): [number, number] => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];

/** m × n in PDF's row-vector convention: n is applied first, then m (`cm` gives multiply(ctm, args)). */
export const multiply = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[2] * n[1], m[1] * n[0] + m[3] * n[1],
  m[0] * n[2] + m[2] * n[3], m[1] * n[2] + m[3] * n[3],
  m[0] * n[4] + m[2] * n[5] + m[4], m[1] * n[4] + m[3] * n[5] + m[5],
];

/** Drawing codes of a path buffer (pdf.js's DrawOPS). */
export const DRAW = { moveTo: 0, lineTo: 1, curveTo: 2, quadraticCurveTo: 3, closePath: 4 } as const;

/** Thickest a filled rectangle may be and still count as a rule. */
const MAX_RULE_THICKNESS = 2.5;

/**
 * The rules of one painted path: each straight piece of a stroked subpath (and the four edges of a
 * stroked rectangle), or a filled subpath thin enough to be a line. Subpaths with curves (glyph
 * outlines, rounded shapes) give nothing.
 */
export function pathToSegments(data: ArrayLike<number>, ctm: Matrix, stroked: boolean, out: Segment[]): void {
  let pts: [number, number][] = [];
  let curved = false;
  const flush = () => {
    if (!curved && pts.length >= 2) emit(pts, ctm, stroked, out);
    pts = [];
    curved = false;
  };
  for (let k = 0; k < data.length;) {
    const op = data[k++];
    if (op === DRAW.moveTo) { flush(); pts.push([data[k]!, data[k + 1]!]); k += 2; }
    else if (op === DRAW.lineTo) { pts.push([data[k]!, data[k + 1]!]); k += 2; }
    else if (op === DRAW.curveTo) { curved = true; k += 6; }
    else if (op === DRAW.quadraticCurveTo) { curved = true; k += 4; }
    else if (op === DRAW.closePath) { /* the closing piece of a rectangle is added by rectangleEdges */ }
    else break;
  }
  flush();
}

function emit(points: [number, number][], ctm: Matrix, stroked: boolean, out: Segment[]): void {
  const dev = points.map(([x, y]) => apply(ctm, x, y));
  const xs = dev.map((p) => p[0]);
  const ys = dev.map((p) => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), top = Math.min(...ys), bottom = Math.max(...ys);
  const w = x1 - x0, h = bottom - top;
  if (stroked) {
    // Each straight piece of a stroked path is a candidate rule.
    for (let i = 1; i < dev.length; i++) {
      const [ax, ay] = dev[i - 1]!, [bx, by] = dev[i]!;
      if (Math.abs(ay - by) < 0.5 && Math.abs(ax - bx) > 2) out.push({ orientation: 'h', x0: Math.min(ax, bx), x1: Math.max(ax, bx), top: ay, bottom: ay });
      else if (Math.abs(ax - bx) < 0.5 && Math.abs(ay - by) > 2) out.push({ orientation: 'v', x0: ax, x1: ax, top: Math.min(ay, by), bottom: Math.max(ay, by) });
    }
    if (dev.length === 4 || dev.length === 5) rectangleEdges(x0, x1, top, bottom, w, h, out);
    return;
  }
  if (h <= MAX_RULE_THICKNESS && w > 2) out.push({ orientation: 'h', x0, x1, top: (top + bottom) / 2, bottom: (top + bottom) / 2 });
  else if (w <= MAX_RULE_THICKNESS && h > 2) out.push({ orientation: 'v', x0: (x0 + x1) / 2, x1: (x0 + x1) / 2, top, bottom });
}

function rectangleEdges(x0: number, x1: number, top: number, bottom: number, w: number, h: number, out: Segment[]): void {
  if (w < 2 || h < 2) return;
  out.push({ orientation: 'h', x0, x1, top, bottom: top }, { orientation: 'h', x0, x1, top: bottom, bottom });
  out.push({ orientation: 'v', x0, x1: x0, top, bottom }, { orientation: 'v', x0: x1, x1, top, bottom });
}

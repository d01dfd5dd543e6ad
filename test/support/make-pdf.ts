/**
 * Test-support: generate small, deterministic Chinese budget-style PDFs in memory.
 *
 * Layout conventions (all coordinates below are pdfkit "top-down" points, origin top-left):
 *  - A4 portrait 595.28 x 841.89, landscape 841.89 x 595.28.
 *  - Content area: top = 56, bottom = pageHeight - 56, left/right margin = 50.
 *  - Tables are centred horizontally: left = tableLeft(colWidths, pageWidth).
 *  - Every page gets '- N -' (size 9) centred, top of the text at pageHeight - 36.
 *  - Cell padding: 3pt; numbers (/^-?[\d,]+(\.\d+)?$/) right-aligned, other body text
 *    left-aligned, header text centred (all wrapped by characters when too wide).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';

export interface HeaderCell {
  text: string;
  colspan?: number;
  rowspan?: number;
}

export interface TableSpec {
  /** e.g. '表1', printed top-left above the title */
  tableNo?: string;
  /** e.g. '收入决算表', printed centred, font 14 */
  title: string;
  /** e.g. '单位：临江市卫生健康局', printed left under the title */
  entityLine?: string;
  /** e.g. '单位：万元', printed right on the same line as entityLine */
  unitLine?: string;
  /** header rows; like HTML, rowspan cells occupy the following rows */
  header: HeaderCell[][];
  /** body rows, one string per leaf column ('' = blank) */
  rows: string[][];
  /** points, one per leaf column */
  colWidths: number[];
  /** true: all cell borders as thin filled 0.5pt rectangles; false: no lines at all */
  ruled: boolean;
  /** printed under the table */
  note?: string;
  /** default 9 */
  fontSize?: number;
  /** default 18 */
  rowHeight?: number;
  /** when set, the body continues on the next page(s) after this many rows */
  maxRowsPerPage?: number;
  /** repeat the header rows on continuation pages */
  repeatHeader?: boolean;
  /** repeat the table number, title and entity/unit line on continuation pages too (Shenzhen prints them atop every page) */
  repeatTitle?: boolean;
}

export interface PageText {
  text: string;
  /** default 12 */
  size?: number;
  /** default: left margin (ignored for align 'center') */
  x?: number;
  /** absolute top of the line (top-down points); default: flow position */
  y?: number;
  align?: 'left' | 'center';
}

export type Block =
  | { kind: 'text'; lines: PageText[] }
  | { kind: 'table'; table: TableSpec }
  | { kind: 'pageBreak'; landscape?: boolean };

export interface DocSpec {
  blocks: Block[];
  landscape?: boolean;
  info?: { Title?: string };
}

export interface MakePdfOptions {
  userPassword?: string;
  ownerPassword?: string;
  /** only used when a password is given; pdfkit's default (undefined) restricts everything */
  permissions?: PDFKit.DocumentPermissions;
}

// ---------------------------------------------------------------------------------------------
// constants

export const A4 = { width: 595.28, height: 841.89 } as const;
export const PAGE_MARGIN = { top: 56, bottom: 56, left: 50, right: 50 } as const;
export const CELL_PADDING = 3;
export const BORDER_WIDTH = 0.5;
/** Fixed creation date: with it pdfkit's file /ID (md5 of the info dict) is deterministic too. */
export const FIXED_CREATION_DATE = new Date(Date.UTC(2024, 0, 1, 0, 0, 0));
export const NUMBER_RE = /^-?[\d,]+(\.\d+)?$/;

const FONT_NAME = 'NotoSansSC';
let fontBytes: Buffer | undefined;

/** Path of the Noto Sans SC TTF (resolved through node's module resolution). */
export function fontPath(): string {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve('@expo-google-fonts/noto-sans-sc/package.json');
  return pkgJson.replace(/package\.json$/, '400Regular/NotoSansSC_400Regular.ttf');
}

function loadFont(): Buffer {
  // 10 MB file: read it once per process.
  fontBytes ??= readFileSync(fontPath());
  return fontBytes;
}

export function pageSize(landscape: boolean | undefined): { width: number; height: number } {
  return landscape ? { width: A4.height, height: A4.width } : { width: A4.width, height: A4.height };
}

/** x of a table's left border (tables are centred, but never closer than 20pt to the edge). */
export function tableLeft(colWidths: number[], pageWidth: number): number {
  const total = colWidths.reduce((a, b) => a + b, 0);
  return Math.max(20, (pageWidth - total) / 2);
}

// ---------------------------------------------------------------------------------------------
// helpers

type Doc = PDFKit.PDFDocument;

interface Ctx {
  doc: Doc;
  pageNo: number;
  landscape: boolean;
  width: number;
  height: number;
  /** current flow position (top-down) */
  y: number;
}

function lineHeightFor(size: number): number {
  return size * 1.3;
}

function measure(doc: Doc, text: string, size: number): number {
  doc.fontSize(size);
  return doc.widthOfString(text);
}

/** Break text into lines no wider than maxWidth, by characters (code points). */
function wrapChars(doc: Doc, text: string, size: number, maxWidth: number): string[] {
  if (text === '') return [''];
  doc.fontSize(size);
  const lines: string[] = [];
  let cur = '';
  for (const ch of Array.from(text)) {
    const next = cur + ch;
    if (cur !== '' && doc.widthOfString(next) > maxWidth) {
      lines.push(cur);
      cur = ch;
    } else {
      cur = next;
    }
  }
  if (cur !== '') lines.push(cur);
  return lines;
}

/** Draw one line of text with its baseline at `baseline` (top-down). */
function drawText(doc: Doc, text: string, x: number, baseline: number, size: number): void {
  if (text === '') return;
  doc.fontSize(size);
  doc.text(text, x, baseline, { lineBreak: false, baseline: 'alphabetic' });
}

/** Baseline for the i-th of n lines vertically centred in [top, top+h]. */
function centredBaseline(top: number, h: number, n: number, i: number, size: number): number {
  const lh = lineHeightFor(size);
  const blockTop = top + (h - n * lh) / 2;
  // CJK glyphs sit roughly between baseline-0.88em and baseline+0.12em: centre of em box ≈ baseline-0.38em
  return blockTop + i * lh + lh / 2 + 0.38 * size;
}

function startPage(ctx: Ctx, landscape: boolean): void {
  const { doc } = ctx;
  doc.addPage({ size: 'A4', layout: landscape ? 'landscape' : 'portrait', margin: 0 });
  ctx.pageNo += 1;
  ctx.landscape = landscape;
  const { width, height } = pageSize(landscape);
  ctx.width = width;
  ctx.height = height;
  ctx.y = PAGE_MARGIN.top;
  // page furniture: page number
  const label = `- ${ctx.pageNo} -`;
  const size = 9;
  const w = measure(doc, label, size);
  drawText(doc, label, (width - w) / 2, height - 36 + size, size);
}

function bottomLimit(ctx: Ctx): number {
  return ctx.height - PAGE_MARGIN.bottom;
}

// ---------------------------------------------------------------------------------------------
// text blocks

function drawTextBlock(ctx: Ctx, lines: PageText[]): void {
  const { doc } = ctx;
  for (const line of lines) {
    const size = line.size ?? 12;
    const lh = size * 1.5;
    const maxW = ctx.width - PAGE_MARGIN.left - PAGE_MARGIN.right;
    const parts = wrapChars(doc, line.text, size, maxW);
    if (line.y !== undefined) ctx.y = line.y;
    for (const part of parts) {
      if (line.y === undefined && ctx.y + lh > bottomLimit(ctx) && ctx.y > PAGE_MARGIN.top) {
        startPage(ctx, ctx.landscape);
      }
      let x: number;
      if (line.align === 'center') {
        x = (ctx.width - measure(doc, part, size)) / 2;
      } else {
        x = line.x ?? PAGE_MARGIN.left;
      }
      drawText(doc, part, x, ctx.y + (lh - size) / 2 + 0.88 * size, size);
      ctx.y += lh;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// tables

export interface PlacedHeaderCell {
  text: string;
  row: number;
  col: number;
  colspan: number;
  rowspan: number;
}

/** HTML-like placement of header cells onto the leaf-column grid. */
export function placeHeader(header: HeaderCell[][], ncols: number): PlacedHeaderCell[] {
  const nrows = header.length;
  const occupied: boolean[][] = Array.from({ length: nrows }, () => new Array<boolean>(ncols).fill(false));
  const placed: PlacedHeaderCell[] = [];
  header.forEach((cells, r) => {
    let c = 0;
    for (const cell of cells) {
      while (c < ncols && occupied[r]![c]) c++;
      const colspan = cell.colspan ?? 1;
      const rowspan = cell.rowspan ?? 1;
      if (c + colspan > ncols) {
        throw new Error(`header row ${r}: cell '${cell.text}' overflows ${ncols} columns`);
      }
      if (r + rowspan > nrows) {
        throw new Error(`header row ${r}: cell '${cell.text}' rowspan ${rowspan} exceeds header rows`);
      }
      for (let rr = r; rr < r + rowspan; rr++) {
        for (let cc = c; cc < c + colspan; cc++) {
          if (occupied[rr]![cc]) throw new Error(`header cell '${cell.text}' overlaps another cell`);
          occupied[rr]![cc] = true;
        }
      }
      placed.push({ text: cell.text, row: r, col: c, colspan, rowspan });
      c += colspan;
    }
  });
  occupied.forEach((row, r) => {
    const hole = row.indexOf(false);
    if (hole >= 0) throw new Error(`header row ${r}: column ${hole} not covered`);
  });
  return placed;
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

class Borders {
  private seen = new Set<string>();
  private rects: Rect[] = [];
  addCell(x: number, y: number, w: number, h: number): void {
    const t = BORDER_WIDTH;
    this.add({ x: x - t / 2, y: y - t / 2, w: w + t, h: t }); // top
    this.add({ x: x - t / 2, y: y + h - t / 2, w: w + t, h: t }); // bottom
    this.add({ x: x - t / 2, y: y - t / 2, w: t, h: h + t }); // left
    this.add({ x: x + w - t / 2, y: y - t / 2, w: t, h: h + t }); // right
  }
  private add(r: Rect): void {
    const key = [r.x, r.y, r.w, r.h].map((v) => v.toFixed(3)).join(',');
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.rects.push(r);
  }
  flush(doc: Doc): void {
    for (const r of this.rects) doc.rect(r.x, r.y, r.w, r.h).fill('#000000');
    this.rects = [];
    this.seen.clear();
  }
}

function drawTable(ctx: Ctx, t: TableSpec): void {
  const { doc } = ctx;
  const ncols = t.colWidths.length;
  const fs = t.fontSize ?? 9;
  const rowH = t.rowHeight ?? 18;
  const lh = lineHeightFor(fs);
  const pad = CELL_PADDING;
  t.rows.forEach((r, i) => {
    if (r.length !== ncols) throw new Error(`row ${i} has ${r.length} cells, expected ${ncols}`);
  });
  const placed = placeHeader(t.header, ncols);
  const colX = (left: number): number[] => {
    const xs = [left];
    for (const w of t.colWidths) xs.push(xs[xs.length - 1]! + w);
    return xs;
  };
  const tableW0 = (): number => t.colWidths.reduce((a, b) => a + b, 0);
  const spanWidth = (c: number, span: number): number =>
    t.colWidths.slice(c, c + span).reduce((a, b) => a + b, 0);

  // header geometry
  const headerLines = placed.map((p) => wrapChars(doc, p.text, fs, spanWidth(p.col, p.colspan) - 2 * pad));
  const headerRowH = t.header.map(() => rowH);
  const need = (n: number): number => (n <= 1 ? rowH : rowH + (n - 1) * lh);
  placed.forEach((p, i) => {
    if (p.rowspan === 1) headerRowH[p.row] = Math.max(headerRowH[p.row]!, need(headerLines[i]!.length));
  });
  placed.forEach((p, i) => {
    if (p.rowspan > 1) {
      const have = headerRowH.slice(p.row, p.row + p.rowspan).reduce((a, b) => a + b, 0);
      const want = need(headerLines[i]!.length);
      if (want > have) headerRowH[p.row + p.rowspan - 1]! += want - have;
    }
  });
  const headerH = headerRowH.reduce((a, b) => a + b, 0);

  // body geometry
  const bodyLines = t.rows.map((r) => r.map((cell, c) => wrapChars(doc, cell, fs, t.colWidths[c]! - 2 * pad)));
  const bodyRowH = bodyLines.map((cells) => need(Math.max(1, ...cells.map((l) => l.length))));

  // preamble geometry
  const titleSize = 14;
  const preH =
    (t.tableNo ? lineHeightFor(fs) + 2 : 0) +
    lineHeightFor(titleSize) + 6 +
    (t.entityLine || t.unitLine ? lineHeightFor(fs) + 2 : 0);

  const firstChunk = t.maxRowsPerPage ? Math.min(t.maxRowsPerPage, t.rows.length) : t.rows.length;
  const noteH = t.note ? 4 + wrapChars(doc, t.note, fs, tableW0()).length * lineHeightFor(fs) : 0;
  const firstH =
    preH + headerH + bodyRowH.slice(0, firstChunk).reduce((a, b) => a + b, 0) + (firstChunk === t.rows.length ? noteH : 0);
  if (ctx.y > PAGE_MARGIN.top && ctx.y + firstH > bottomLimit(ctx)) startPage(ctx, ctx.landscape);

  let left = tableLeft(t.colWidths, ctx.width);
  let xs = colX(left);
  const tableW = xs[ncols]! - left;

  const drawPreamble = (): void => {
    if (t.tableNo) {
      const h = lineHeightFor(fs);
      drawText(doc, t.tableNo, left, centredBaseline(ctx.y, h, 1, 0, fs), fs);
      ctx.y += h + 2;
    }
    {
      const h = lineHeightFor(titleSize);
      const w = measure(doc, t.title, titleSize);
      drawText(doc, t.title, left + (tableW - w) / 2, centredBaseline(ctx.y, h, 1, 0, titleSize), titleSize);
      ctx.y += h + 6;
    }
    if (t.entityLine || t.unitLine) {
      const h = lineHeightFor(fs);
      const b = centredBaseline(ctx.y, h, 1, 0, fs);
      if (t.entityLine) drawText(doc, t.entityLine, left, b, fs);
      if (t.unitLine) drawText(doc, t.unitLine, left + tableW - measure(doc, t.unitLine, fs), b, fs);
      ctx.y += h + 2;
    }
  };
  drawPreamble();

  const borders = new Borders();

  const drawHeader = (): void => {
    const rowTop: number[] = [ctx.y];
    for (const h of headerRowH) rowTop.push(rowTop[rowTop.length - 1]! + h);
    placed.forEach((p, i) => {
      const x = xs[p.col]!;
      const w = spanWidth(p.col, p.colspan);
      const y = rowTop[p.row]!;
      const h = rowTop[p.row + p.rowspan]! - y;
      const lines = headerLines[i]!;
      lines.forEach((line, li) => {
        const lw = measure(doc, line, fs);
        drawText(doc, line, x + (w - lw) / 2, centredBaseline(y, h, lines.length, li, fs), fs);
      });
      if (t.ruled) borders.addCell(x, y, w, h);
    });
    ctx.y += headerH;
  };

  const newTablePage = (): void => {
    if (t.ruled) borders.flush(doc);
    startPage(ctx, ctx.landscape);
    left = tableLeft(t.colWidths, ctx.width);
    xs = colX(left);
    if (t.repeatTitle) drawPreamble();
    if (t.repeatHeader) drawHeader();
  };

  drawHeader();
  let rowsOnPage = 0;
  t.rows.forEach((row, r) => {
    const h = bodyRowH[r]!;
    const full = t.maxRowsPerPage !== undefined && rowsOnPage >= t.maxRowsPerPage;
    if (full || (rowsOnPage > 0 && ctx.y + h > bottomLimit(ctx))) {
      newTablePage();
      rowsOnPage = 0;
    }
    row.forEach((cell, c) => {
      const x = xs[c]!;
      const w = t.colWidths[c]!;
      const lines = bodyLines[r]![c]!;
      const numeric = NUMBER_RE.test(cell.trim());
      lines.forEach((line, li) => {
        if (line === '') return;
        const b = centredBaseline(ctx.y, h, lines.length, li, fs);
        const lx = numeric ? x + w - pad - measure(doc, line, fs) : x + pad;
        drawText(doc, line, lx, b, fs);
      });
      if (t.ruled) borders.addCell(x, ctx.y, w, h);
    });
    ctx.y += h;
    rowsOnPage++;
  });
  if (t.ruled) borders.flush(doc);

  if (t.note) {
    ctx.y += 4;
    for (const line of wrapChars(doc, t.note, fs, tableW)) {
      const h = lineHeightFor(fs);
      if (ctx.y + h > bottomLimit(ctx)) startPage(ctx, ctx.landscape);
      drawText(doc, line, left, centredBaseline(ctx.y, h, 1, 0, fs), fs);
      ctx.y += h;
    }
  }
  ctx.y += 12; // gap after the table
}

// ---------------------------------------------------------------------------------------------
// entry point

export function makePdf(spec: DocSpec, opts: MakePdfOptions = {}): Promise<Buffer> {
  const encrypted = Boolean(opts.userPassword || opts.ownerPassword);
  const doc = new PDFDocument({
    autoFirstPage: false,
    size: 'A4',
    margin: 0,
    // pdfVersion 1.4/1.5 => RC4-128 encryption, which is deterministic. 1.6/1.7 would use AES
    // with a random IV (crypto.randomBytes) and make encrypted output differ on every run.
    pdfVersion: '1.4',
    compress: true,
    info: {
      ...(spec.info?.Title !== undefined ? { Title: spec.info.Title } : {}),
      CreationDate: FIXED_CREATION_DATE,
    },
    ...(encrypted
      ? {
          ...(opts.userPassword ? { userPassword: opts.userPassword } : {}),
          ...(opts.ownerPassword ? { ownerPassword: opts.ownerPassword } : {}),
          ...(opts.permissions ? { permissions: opts.permissions } : {}),
        }
      : {}),
  });

  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  try {
    doc.registerFont(FONT_NAME, loadFont());
    doc.font(FONT_NAME);

    const first = pageSize(spec.landscape);
    const ctx: Ctx = { doc, pageNo: 0, landscape: Boolean(spec.landscape), width: first.width, height: first.height, y: 0 };
    startPage(ctx, Boolean(spec.landscape));

    for (const block of spec.blocks) {
      switch (block.kind) {
        case 'text':
          drawTextBlock(ctx, block.lines);
          break;
        case 'table':
          drawTable(ctx, block.table);
          break;
        case 'pageBreak':
          startPage(ctx, block.landscape ?? Boolean(spec.landscape));
          break;
      }
    }
    doc.end();
  } catch (err) {
    return Promise.reject(err);
  }
  return done;
}

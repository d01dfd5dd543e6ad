import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument, OPS, PermissionFlag, PasswordResponses, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { TextItem } from 'pdfjs-dist/types/src/display/api.js';
import {
  makePdf,
  tableLeft,
  pageSize,
  CELL_PADDING,
  PAGE_MARGIN,
  type DocSpec,
  type TableSpec,
} from './make-pdf.js';
import {
  truncatedPdf,
  corruptPdf,
  emptyFile,
  htmlSavedAsPdf,
  userPasswordPdf,
  ownerPasswordOnlyPdf,
  SAMPLE_TEXT,
  USER_PASSWORD,
} from './bad-inputs.js';

// ---------------------------------------------------------------------------------------------
// pdfjs helpers

const require = createRequire(import.meta.url);
const pdfjsRoot = dirname(require.resolve('pdfjs-dist/package.json'));
const cMapUrl = join(pdfjsRoot, 'cmaps') + '/';
const standardFontDataUrl = join(pdfjsRoot, 'standard_fonts') + '/';

async function openPdf(buf: Buffer, password?: string): Promise<PDFDocumentProxy> {
  const task = getDocument({
    data: new Uint8Array(buf), // copy: pdfjs transfers (detaches) the buffer it is given
    cMapUrl,
    cMapPacked: true,
    standardFontDataUrl,
    verbosity: VerbosityLevel.ERRORS,
    isEvalSupported: false,
    ...(password !== undefined ? { password } : {}),
  });
  return task.promise;
}

interface Item {
  str: string;
  /** left edge, PDF user space */
  x: number;
  /** right edge */
  right: number;
  /** baseline measured from the TOP of the page (same convention as make-pdf) */
  top: number;
  size: number;
}

async function pageItems(page: PDFPageProxy): Promise<Item[]> {
  const { height } = page.getViewport({ scale: 1 });
  const tc = await page.getTextContent();
  return tc.items
    .filter((i): i is TextItem => 'str' in i && i.str.trim() !== '')
    .map((i) => ({
      str: i.str,
      x: i.transform[4],
      right: i.transform[4] + i.width,
      top: height - i.transform[5],
      size: Math.hypot(i.transform[0], i.transform[1]),
    }));
}

function find(items: Item[], str: string): Item {
  const hit = items.find((i) => i.str === str);
  if (!hit) throw new Error(`text '${str}' not found in [${items.map((i) => i.str).join(' | ')}]`);
  return hit;
}

function findAll(items: Item[], str: string): Item[] {
  return items.filter((i) => i.str === str);
}

/** Filled paths in the operator list (pdfjs ≥ 5 folds the paint op into constructPath's args[0]). */
async function filledPaths(page: PDFPageProxy): Promise<number[][]> {
  const ops = await page.getOperatorList();
  const out: number[][] = [];
  ops.fnArray.forEach((fn, i) => {
    if (fn !== OPS.constructPath) return;
    const args = ops.argsArray[i] as [number, unknown, ArrayLike<number> | null];
    if (args[0] === OPS.fill || args[0] === OPS.eoFill) out.push(Array.from(args[2] ?? []));
  });
  // older pdfjs emitted constructPath followed by a separate fill op
  if (out.length === 0 && ops.fnArray.includes(OPS.fill)) out.push([]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// fixtures

const COLS = [160, 90, 90, 90];

function budgetTable(ruled: boolean): TableSpec {
  return {
    tableNo: '表1',
    title: '收入决算表',
    entityLine: '单位：临江市卫生健康局',
    unitLine: '单位：万元',
    header: [
      [{ text: '项目', rowspan: 2 }, { text: '本年收入', colspan: 2 }, { text: '备注', rowspan: 2 }],
      [{ text: '财政拨款收入' }, { text: '其他收入' }],
    ],
    rows: [
      ['一般公共服务支出', '1,234.56', '12.00', ''],
      ['卫生健康支出', '-45.10', '0.00', '含上年结转'],
      ['公立医院及基层医疗卫生机构补助经费支出', '100', '7,000.25', ''],
      ['合计', '1,289.46', '7,012.25', ''],
    ],
    colWidths: COLS,
    ruled,
    note: '注：本表反映部门本年度取得的各项收入情况。',
  };
}

function docWith(table: TableSpec, extra: Partial<DocSpec> = {}): DocSpec {
  return {
    info: { Title: '临江市卫生健康局2023年度部门决算' },
    blocks: [
      { kind: 'text', lines: [{ text: '临江市卫生健康局2023年度部门决算', size: 16, align: 'center' }] },
      { kind: 'table', table },
    ],
    ...extra,
  };
}

function checkTableText(items: Item[], pageWidth: number): void {
  const left = tableLeft(COLS, pageWidth);
  const colRight = (c: number) => left + COLS.slice(0, c + 1).reduce((a, b) => a + b, 0);
  const colLeft = (c: number) => left + COLS.slice(0, c).reduce((a, b) => a + b, 0);

  // preamble
  const title = find(items, '收入决算表');
  expect(title.size).toBeCloseTo(14, 1);
  expect((title.x + title.right) / 2).toBeCloseTo(left + (colRight(3) - left) / 2, 0);
  const tableNo = find(items, '表1');
  expect(tableNo.top).toBeLessThan(title.top);
  const entity = find(items, '单位：临江市卫生健康局');
  const unit = find(items, '单位：万元');
  expect(entity.x).toBeCloseTo(left, 1);
  expect(unit.right).toBeCloseTo(colRight(3), 1);
  expect(Math.abs(entity.top - unit.top)).toBeLessThan(0.5);
  expect(entity.top).toBeGreaterThan(title.top);

  // header: centred within the spanned columns; two rows
  const project = find(items, '项目');
  const income = find(items, '本年收入');
  const fiscal = find(items, '财政拨款收入');
  const other = find(items, '其他收入');
  const remark = find(items, '备注');
  expect((income.x + income.right) / 2).toBeCloseTo((colLeft(1) + colRight(2)) / 2, 0);
  expect((fiscal.x + fiscal.right) / 2).toBeCloseTo((colLeft(1) + colRight(1)) / 2, 0);
  expect((other.x + other.right) / 2).toBeCloseTo((colLeft(2) + colRight(2)) / 2, 0);
  expect(fiscal.top).toBeGreaterThan(income.top + 10); // second header row
  // rowspan cells are vertically centred over both header rows
  expect(project.top).toBeGreaterThan(income.top);
  expect(project.top).toBeLessThan(fiscal.top);
  expect(Math.abs(remark.top - project.top)).toBeLessThan(0.5);
  expect(entity.top).toBeLessThan(income.top);

  // body: labels left + padding, numbers right-aligned to column right - padding
  const label = find(items, '一般公共服务支出');
  expect(label.x).toBeCloseTo(colLeft(0) + CELL_PADDING, 1);
  expect(label.top).toBeGreaterThan(fiscal.top);
  const n1 = find(items, '1,234.56');
  expect(n1.right).toBeCloseTo(colRight(1) - CELL_PADDING, 1);
  expect(Math.abs(n1.top - label.top)).toBeLessThan(0.5);
  expect(find(items, '12.00').right).toBeCloseTo(colRight(2) - CELL_PADDING, 1);
  expect(find(items, '-45.10').right).toBeCloseTo(colRight(1) - CELL_PADDING, 1);
  expect(find(items, '7,000.25').right).toBeCloseTo(colRight(2) - CELL_PADDING, 1);
  expect(find(items, '含上年结转').x).toBeCloseTo(colLeft(3) + CELL_PADDING, 1);

  // the long label wraps onto two lines inside one taller row
  const wrapped = items.filter((i) => i.x > colLeft(0) && i.right < colRight(0) + 1 && '公立医院及基层医疗卫生机构补助经费支出'.includes(i.str));
  expect(wrapped.length).toBe(2);
  expect(wrapped.map((i) => i.str).join('')).toBe('公立医院及基层医疗卫生机构补助经费支出');
  expect(wrapped[0]!.x).toBeCloseTo(wrapped[1]!.x, 1);
  const hundred = find(items, '100');
  expect(hundred.top).toBeGreaterThan(wrapped[0]!.top);
  expect(hundred.top).toBeLessThan(wrapped[1]!.top);
  const total = find(items, '合计');
  expect(total.top - wrapped[1]!.top).toBeGreaterThan(8);

  // note and page number
  expect(find(items, '注：本表反映部门本年度取得的各项收入情况。').top).toBeGreaterThan(total.top);
  const pn = find(items, '- 1 -');
  expect((pn.x + pn.right) / 2).toBeCloseTo(pageWidth / 2, 0);
  expect(pn.top).toBeGreaterThan(800 * (pageWidth < 600 ? 1 : 0.7));
}

// ---------------------------------------------------------------------------------------------

describe('makePdf', () => {
  it('ruled table: text, positions and filled rectangles', async () => {
    const buf = await makePdf(docWith(budgetTable(true)));
    expect(buf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
    const pdf = await openPdf(buf);
    expect(pdf.numPages).toBe(1);
    const meta = await pdf.getMetadata();
    expect((meta.info as Record<string, unknown>)['Title']).toBe('临江市卫生健康局2023年度部门决算');
    const page = await pdf.getPage(1);
    const vp = page.getViewport({ scale: 1 });
    expect(vp.width).toBeCloseTo(595.28, 1);
    expect(vp.height).toBeCloseTo(841.89, 1);
    const items = await pageItems(page);
    find(items, '临江市卫生健康局2023年度部门决算');
    checkTableText(items, vp.width);

    const rects = await filledPaths(page);
    expect(rects.length).toBeGreaterThan(10);
    // every filled path is a thin line (one side 0.5pt) inside the table area
    const left = tableLeft(COLS, vp.width);
    const right = left + COLS.reduce((a, b) => a + b, 0);
    for (const [x0, y0, x1, y1] of rects) {
      expect(Math.min(x1! - x0!, y1! - y0!)).toBeCloseTo(0.5, 2);
      expect(x0!).toBeGreaterThan(left - 1);
      expect(x1!).toBeLessThan(right + 1);
    }
    // vertical borders at every leaf-column boundary
    const verticalXs = new Set(rects.filter(([x0, , x1]) => x1! - x0! < 1).map(([x0]) => (x0! + 0.25).toFixed(1)));
    let x = left;
    for (const w of [0, ...COLS]) {
      x += w;
      expect(verticalXs.has(x.toFixed(1))).toBe(true);
    }
    // rowspan: the border between the two header rows exists under '本年收入' (cols 1-2)
    // but not across '项目' (col 0) or '备注' (col 3). Path coordinates are pdfkit's top-down ones.
    const yBetween = [find(items, '本年收入').top, find(items, '财政拨款收入').top] as const;
    const midBorders = rects.filter(([x0, y0, x1, y1]) => y1! - y0! < 1 && x1! - x0! > 1 && y0! > yBetween[0] && y0! < yBetween[1]);
    expect(midBorders.length).toBeGreaterThan(0);
    for (const [x0, , x1] of midBorders) {
      expect(x0!).toBeGreaterThan(left + COLS[0]! - 1);
      expect(x1!).toBeLessThan(left + COLS[0]! + COLS[1]! + COLS[2]! + 1);
    }
    await pdf.destroy();
  });

  it('wraps header text that is wider than its cell (by characters, centred)', async () => {
    const table: TableSpec = {
      title: '项目支出表',
      header: [[{ text: '科目' }, { text: '一般公共预算财政拨款' }, { text: '合计' }]],
      rows: [['卫生健康支出', '1.00', '1.00']],
      colWidths: [120, 50, 60],
      ruled: false,
    };
    const pdf = await openPdf(await makePdf({ blocks: [{ kind: 'table', table }] }));
    const items = await pageItems(await pdf.getPage(1));
    const left = tableLeft([120, 50, 60], 595.28);
    const parts = items.filter((i) => i.x >= left + 120 && i.right <= left + 170 && i.top < find(items, '卫生健康支出').top);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(parts.map((i) => i.str).join('')).toBe('一般公共预算财政拨款');
    for (const p of parts) {
      expect(p.right - p.x).toBeLessThanOrEqual(50 - 2 * CELL_PADDING + 0.01);
      expect((p.x + p.right) / 2).toBeCloseTo(left + 120 + 25, 0);
    }
    // single-line header cells of the same row are vertically centred in the (taller) row
    const km = find(items, '科目');
    expect(km.top).toBeGreaterThan(parts[0]!.top);
    expect(km.top).toBeLessThan(parts[parts.length - 1]!.top);
    await pdf.destroy();
  });

  it('unruled table: same text, no filled paths', async () => {
    const pdf = await openPdf(await makePdf(docWith(budgetTable(false))));
    const page = await pdf.getPage(1);
    const items = await pageItems(page);
    checkTableText(items, page.getViewport({ scale: 1 }).width);
    expect(await filledPaths(page)).toEqual([]);
    const ops = await page.getOperatorList();
    expect(ops.fnArray.includes(OPS.constructPath)).toBe(false);
    await pdf.destroy();
  });

  it('continues a table over two pages, repeating the header', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => [`第${i + 1}项支出`, `${(i + 1) * 100}.00`, `${i}.50`, '']);
    const table: TableSpec = { ...budgetTable(true), rows, maxRowsPerPage: 20, repeatHeader: true };
    const pdf = await openPdf(await makePdf(docWith(table)));
    expect(pdf.numPages).toBe(2);
    const p1 = await pageItems(await pdf.getPage(1));
    const p2 = await pageItems(await pdf.getPage(2));
    find(p1, '收入决算表');
    expect(p2.some((i) => i.str === '收入决算表')).toBe(false);
    for (const h of ['项目', '本年收入', '财政拨款收入', '其他收入', '备注']) {
      expect(findAll(p1, h)).toHaveLength(1);
      expect(findAll(p2, h)).toHaveLength(1);
    }
    find(p1, '第20项支出');
    expect(p1.some((i) => i.str === '第21项支出')).toBe(false);
    const r21 = find(p2, '第21项支出');
    find(p2, '第30项支出');
    expect(r21.top).toBeGreaterThan(find(p2, '财政拨款收入').top);
    expect(r21.top).toBeLessThan(PAGE_MARGIN.top + 80);
    find(p2, '注：本表反映部门本年度取得的各项收入情况。');
    find(p1, '- 1 -');
    find(p2, '- 2 -');
    const left = tableLeft(COLS, 595.28);
    expect(find(p2, '3000.00').right).toBeCloseTo(left + COLS[0]! + COLS[1]! - CELL_PADDING, 1);
    await pdf.destroy();
  });

  it('landscape pages (document default and via pageBreak)', async () => {
    const wide = [200, 120, 120, 120, 120];
    const table: TableSpec = {
      title: '一般公共预算财政拨款支出决算表',
      unitLine: '单位：万元',
      header: [[{ text: '科目名称' }, { text: '年初预算数' }, { text: '调整预算数' }, { text: '决算数' }, { text: '完成率' }]],
      rows: [['卫生健康支出', '9,876.00', '10,000.00', '9,999.99', '99.99']],
      colWidths: wide,
      ruled: true,
    };
    const spec: DocSpec = {
      landscape: true,
      blocks: [
        { kind: 'text', lines: [{ text: '封面', size: 20, align: 'center', y: 200 }] },
        { kind: 'pageBreak' },
        { kind: 'table', table },
        { kind: 'pageBreak', landscape: false },
        { kind: 'text', lines: [{ text: '纵向页面' }] },
      ],
    };
    const pdf = await openPdf(await makePdf(spec));
    expect(pdf.numPages).toBe(3);
    const page = await pdf.getPage(2);
    const vp = page.getViewport({ scale: 1 });
    expect(vp.width).toBeCloseTo(841.89, 1);
    expect(vp.height).toBeCloseTo(595.28, 1);
    const items = await pageItems(page);
    const left = tableLeft(wide, vp.width);
    expect(left).toBeCloseTo((841.89 - 680) / 2, 1);
    const t = find(items, '一般公共预算财政拨款支出决算表');
    expect((t.x + t.right) / 2).toBeCloseTo(vp.width / 2, 0);
    expect(find(items, '9,999.99').right).toBeCloseTo(left + 200 + 120 * 3 - CELL_PADDING, 1);
    expect(find(items, '- 2 -').top).toBeGreaterThan(550);
    const p3 = await pdf.getPage(3);
    expect(p3.getViewport({ scale: 1 }).width).toBeCloseTo(pageSize(false).width, 1);
    find(await pageItems(p3), '纵向页面');
    await pdf.destroy();
  });

  it('a table that does not fit below the text moves to a new page', async () => {
    const lines = Array.from({ length: 33 }, (_, i) => ({ text: `第${i + 1}段说明文字。` }));
    const pdf = await openPdf(await makePdf({ blocks: [{ kind: 'text', lines }, { kind: 'table', table: budgetTable(true) }] }));
    expect(pdf.numPages).toBe(2);
    const p2 = await pageItems(await pdf.getPage(2));
    expect(find(p2, '表1').top).toBeLessThan(PAGE_MARGIN.top + 20);
    await pdf.destroy();
  });

  it('is deterministic', async () => {
    const spec = docWith(budgetTable(true));
    const [a, b] = [await makePdf(spec), await makePdf(spec)];
    expect(a.equals(b)).toBe(true);
    const [c, d] = [await userPasswordPdf(), await userPasswordPdf()];
    expect(c.equals(d)).toBe(true);
  });

  it('rejects inconsistent specs', async () => {
    const bad = { ...budgetTable(true), rows: [['only one cell']] };
    await expect(makePdf(docWith(bad))).rejects.toThrow(/expected 4/);
  });
});

describe('bad inputs', () => {
  it('ownerPasswordOnlyPdf opens without a password and its text is readable', async () => {
    const buf = await ownerPasswordOnlyPdf();
    expect(buf.includes(Buffer.from('/Encrypt'))).toBe(true);
    const pdf = await openPdf(buf);
    const perms = await pdf.getPermissions();
    expect(perms).not.toBeNull();
    expect(perms).not.toContain(PermissionFlag.COPY);
    expect(perms).not.toContain(PermissionFlag.PRINT);
    const items = await pageItems(await pdf.getPage(1));
    for (const s of SAMPLE_TEXT) find(items, s);
    await pdf.destroy();
  });

  it('userPasswordPdf needs the password', async () => {
    const buf = await userPasswordPdf();
    const err = await openPdf(buf).then(
      () => null,
      (e: unknown) => e as { name: string; code: number },
    );
    expect(err?.name).toBe('PasswordException');
    expect(err?.code).toBe(PasswordResponses.NEED_PASSWORD);
    const pdf = await openPdf(buf, USER_PASSWORD);
    find(await pageItems(await pdf.getPage(1)), SAMPLE_TEXT[0]);
    await pdf.destroy();
  });

  async function failsOrEmpty(buf: Buffer): Promise<boolean> {
    try {
      const pdf = await openPdf(buf);
      const n = pdf.numPages;
      let readable = 0;
      for (let i = 1; i <= n; i++) {
        try {
          readable += (await pageItems(await pdf.getPage(i))).length > 0 ? 1 : 0;
        } catch {
          /* unreadable page */
        }
      }
      await pdf.destroy();
      return readable === 0;
    } catch {
      return true;
    }
  }

  it('truncated, corrupt, empty and HTML inputs do not yield readable pages', async () => {
    const truncated = await truncatedPdf();
    expect(truncated.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(truncated.includes(Buffer.from('%%EOF'))).toBe(false);
    const corrupt = corruptPdf();
    expect(corrupt.subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');
    expect(corruptPdf().equals(corrupt)).toBe(true);
    expect(emptyFile().length).toBe(0);
    const html = htmlSavedAsPdf();
    expect(html.toString('utf8')).toContain('部门决算');

    for (const buf of [truncated, corrupt, emptyFile(), html]) {
      expect(await failsOrEmpty(buf)).toBe(true);
    }
  });
});

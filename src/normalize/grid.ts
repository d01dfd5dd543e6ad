/**
 * Rebuilds a table's grid from the lines of its region.
 *  1. header lines (above the first row with values on the region's first page) vs body lines;
 *  2. columns from the body tokens: values, codes and line numbers cluster by x-overlap among
 *     their own kind (numbers never bridge two columns), labels among labels;
 *  3. header texts attached to the columns under them: a header cell spans the columns between
 *     the vertical rules around it (lattice) or, without rules, the value columns next to it that
 *     have no header of their own at its level (stream);
 *  4. rows: one per line with values; label-only lines are wrapped parts of a neighbouring row,
 *     or rows of their own when they start with an ordinal. Horizontal rules, where every band
 *     holds one row, group lines exactly.
 */
import type { GridCell, GridColumn, GridRow } from '../model/grid.js';
import type { Line, Token } from '../model/line.js';
import type { Segment } from '../model/page.js';
import { compact } from '../util/text.js';
import { classify, repairedText, type TokenKind } from './cells.js';

export interface BuiltGrid {
  columns: GridColumn[];
  rows: GridRow[];
  headerText: string[];
  builder: 'lattice' | 'stream';
}

interface Cluster { x0: number; x1: number; kind: 'value' | 'label'; tokens: Token[] }

const COLUMN_HEADER_HINTS = {
  code: /编码|代码|科目代码|^类$|^款$|^项$|编号/u,
  line_no: /行次/u,
};

const isSpacingLine = (l: Line) => l.tokens.every((t) => /^\d{1,2}$/u.test(compact(t.text)) || /栏次|^[-—]$/u.test(compact(t.text)));

function tokenKind(t: Token): TokenKind {
  return classify(t.text);
}

const valueLike = (k: TokenKind) => k !== 'label';

function isBodyLine(l: Line): boolean {
  if (isSpacingLine(l)) return false;
  return l.tokens.some((t) => {
    const k = tokenKind(t);
    return k === 'amount' || k === 'dash' || k === 'code';
  });
}

/** Union of overlapping intervals of one kind; returns clusters sorted by x0. */
function clusterTokens(tokens: Token[], kind: 'value' | 'label'): Cluster[] {
  const sorted = [...tokens].sort((a, b) => a.x0 - b.x0);
  const out: Cluster[] = [];
  for (const t of sorted) {
    const last = out[out.length - 1];
    if (last && t.x0 < last.x1 - 0.5) {
      last.x1 = Math.max(last.x1, t.x1);
      last.tokens.push(t);
    } else out.push({ x0: t.x0, x1: t.x1, kind, tokens: [t] });
  }
  return out;
}

/**
 * Labels can overflow; split label clusters that some value cluster lies inside of, so labels
 * left and right of a value column stay apart.
 */
function splitLabelClusters(labels: Cluster[], values: Cluster[]): Cluster[] {
  const out: Cluster[] = [];
  for (const c of labels) {
    const cuts = values.filter((v) => v.x0 > c.x0 && v.x1 < c.x1).map((v) => (v.x0 + v.x1) / 2);
    if (cuts.length === 0) { out.push(c); continue; }
    const bounds = [-Infinity, ...cuts, Infinity];
    for (let i = 0; i + 1 < bounds.length; i++) {
      const part = c.tokens.filter((t) => (t.x0 + t.x1) / 2 >= bounds[i]! && (t.x0 + t.x1) / 2 < bounds[i + 1]!);
      if (part.length) out.push(...clusterTokens(part, 'label'));
    }
  }
  return out;
}

interface Rules { v: number[]; h: number[] }

function rulesFor(segments: readonly Segment[], top: number, bottom: number, x0: number, x1: number): Rules {
  const v = segments.filter((s) => s.orientation === 'v' && s.bottom > top && s.top < bottom && s.x0 >= x0 - 20 && s.x0 <= x1 + 20);
  const h = segments.filter((s) => s.orientation === 'h' && s.top >= top - 30 && s.top <= bottom + 30 && s.x1 > x0 && s.x0 < x1);
  return { v: uniq(v.map((s) => s.x0)), h: uniq(h.map((s) => s.top)) };
}

function uniq(xs: number[]): number[] {
  const s = [...xs].sort((a, b) => a - b);
  const out: number[] = [];
  for (const x of s) if (!out.length || x - out[out.length - 1]! > 1.5) out.push(x);
  return out;
}

function verticalRulesAt(segments: readonly Segment[], top: number, bottom: number): number[] {
  const mid = (top + bottom) / 2;
  return uniq(segments.filter((s) => s.orientation === 'v' && s.top <= mid + 1 && s.bottom >= mid - 1).map((s) => s.x0));
}

export function buildGrid(lines: readonly Line[], segmentsByPage: ReadonlyMap<number, readonly Segment[]>): BuiltGrid | null {
  const firstPage = lines[0]?.page;
  if (firstPage === undefined) return null;
  // 1. header and body lines; header lines repeated on continuation pages are dropped.
  const header: Line[] = [];
  const body: Line[] = [];
  const bodyStarted = new Set<number>();
  for (const l of lines) {
    if (bodyStarted.has(l.page)) { body.push(l); continue; }
    if (isBodyLine(l)) { bodyStarted.add(l.page); body.push(l); continue; }
    if (l.page === firstPage && !isSpacingLine(l)) header.push(l);
  }
  if (body.length === 0) return null;

  // 2. columns
  const bodyTokens = body.flatMap((l) => l.tokens);
  const valueClusters = clusterTokens(bodyTokens.filter((t) => valueLike(tokenKind(t))), 'value');
  const labelClusters = splitLabelClusters(clusterTokens(bodyTokens.filter((t) => !valueLike(tokenKind(t))), 'label'), valueClusters);
  const clusters = [...valueClusters, ...labelClusters].sort((a, b) => a.x0 - b.x0);
  const tokenColumn = new Map<Token, number>();
  clusters.forEach((c, i) => c.tokens.forEach((t) => tokenColumn.set(t, i)));

  const segs = segmentsByPage.get(firstPage) ?? [];
  const bodyFirst = body.filter((l) => l.page === firstPage);
  const tableTop = (header[0] ?? bodyFirst[0]!).top;
  const tableBottom = bodyFirst[bodyFirst.length - 1]!.bottom;
  const x0 = Math.min(...clusters.map((c) => c.x0), ...header.flatMap((l) => l.tokens.map((t) => t.x0)));
  const x1 = Math.max(...clusters.map((c) => c.x1), ...header.flatMap((l) => l.tokens.map((t) => t.x1)));
  const rules = rulesFor(segs, tableTop, tableBottom, x0, x1);
  const lattice = rules.v.length >= 3;

  // Column extents: snapped to the rules around them when ruled.
  const extents = clusters.map((c) => {
    if (!lattice) return { x0: c.x0, x1: c.x1 };
    const left = rules.v.filter((x) => x <= c.x0 + 1).pop();
    const right = rules.v.find((x) => x >= c.x1 - 1);
    return { x0: left ?? c.x0, x1: right ?? c.x1 };
  });

  // 3. header paths
  const headerTokens = header.flatMap((l) => l.tokens).filter((t) => !/^(?:单位[:：]|栏次$)/u.test(compact(t.text)));
  const assigned: Token[][] = clusters.map(() => []);
  const overlaps = (a0: number, a1: number, b0: number, b1: number) => Math.min(a1, b1) - Math.max(a0, b0);
  for (const h of headerTokens) {
    let span: number[] = [];
    if (lattice) {
      const vr = verticalRulesAt(segs, h.top, h.bottom);
      const mid = (h.x0 + h.x1) / 2;
      const left = vr.filter((x) => x <= mid).pop() ?? -Infinity;
      const right = vr.find((x) => x > mid) ?? Infinity;
      span = extents.map((e, i) => ({ e, i })).filter(({ e }) => (e.x0 + e.x1) / 2 > left && (e.x0 + e.x1) / 2 < right).map(({ i }) => i);
    } else {
      span = extents.map((e, i) => ({ e, i })).filter(({ e }) => overlaps(e.x0 - 2, e.x1 + 2, h.x0, h.x1) > 0.3 * Math.min(e.x1 - e.x0 + 4, h.x1 - h.x0)).map(({ i }) => i);
      if (span.length === 1 && clusters[span[0]!]!.kind === 'value') span = expandStream(span[0]!, h, clusters, headerTokens, extents);
    }
    for (const i of span) assigned[i]!.push(h);
  }
  const headerPath = assigned.map((ts) => ts.sort((a, b) => a.top - b.top || a.x0 - b.x0).map((t) => repairedText(t.text).text));

  // roles and blocks
  const columns: GridColumn[] = clusters.map((c, i) => {
    const head = compact(headerPath[i]!.join(''));
    let role: GridColumn['role'] = c.kind === 'label' ? 'label' : 'value';
    if (c.kind === 'value') {
      const kinds = c.tokens.map(tokenKind);
      const codes = kinds.filter((k) => k === 'code').length;
      const ints = kinds.filter((k) => k === 'int' || k === 'code').length;
      if (COLUMN_HEADER_HINTS.line_no.test(head)) role = 'line_no';
      else if (COLUMN_HEADER_HINTS.code.test(head) && !/金额|合计/u.test(head)) role = 'code';
      else if (codes >= 0.6 * kinds.length && nextIsLabel(clusters, i)) role = 'code';
      else if (ints === kinds.length && isSequence(c.tokens) && nextIsLabel(clusters, i - 2) === false && /^$/u.test(head)) role = 'line_no';
    }
    return { x0: extents[i]!.x0, x1: extents[i]!.x1, path: headerPath[i]!, role, block: 0 };
  });
  let block = -1;
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!;
    if (c.role === 'label' || (c.role === 'code' && (i === 0 || columns[i - 1]!.role !== 'code'))) {
      // codes immediately left of a label belong to that label's block
      if (c.role === 'label' && i > 0 && columns[i - 1]!.role === 'code') { c.block = columns[i - 1]!.block; continue; }
      block++;
    }
    c.block = Math.max(0, block);
  }

  // 4. rows
  const rows = buildRows(body, tokenColumn, columns, segmentsByPage);
  return { columns, rows, headerText: header.map((l) => l.text), builder: lattice ? 'lattice' : 'stream' };
}

function nextIsLabel(clusters: Cluster[], i: number): boolean {
  const n = clusters[i + 1];
  return !!n && n.kind === 'label';
}

function isSequence(tokens: Token[]): boolean {
  const nums = tokens.map((t) => Number(compact(t.text)));
  let up = 0;
  for (let i = 1; i < nums.length; i++) if (nums[i]! === nums[i - 1]! + 1) up++;
  return nums.length > 2 && up >= 0.7 * (nums.length - 1);
}

/** Stream tables: a header over one value column also heads the value columns beside it that have nothing at its level. */
function expandStream(start: number, h: Token, clusters: Cluster[], headers: Token[], extents: { x0: number; x1: number }[]): number[] {
  const claimed = (i: number) => headers.some((o) => o !== h && o.top < h.bottom - 1 && Math.min(o.x1, extents[i]!.x1 + 2) - Math.max(o.x0, extents[i]!.x0 - 2) > 0);
  const below = (i: number) => headers.some((o) => o.top >= h.bottom - 1 && Math.min(o.x1, extents[i]!.x1 + 2) - Math.max(o.x0, extents[i]!.x0 - 2) > 0);
  // Only a header that has headers under it is a spanning parent.
  if (!below(start)) return [start];
  const span = [start];
  for (let i = start - 1; i >= 0 && clusters[i]!.kind === 'value' && !claimed(i) && below(i); i--) span.push(i);
  for (let i = start + 1; i < clusters.length && clusters[i]!.kind === 'value' && !claimed(i) && below(i); i++) span.push(i);
  return span;
}

const STANDALONE_LABEL = /^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．]|[[【]?\d{3,9}[\]】]?)/u;

function buildRows(body: Line[], tokenColumn: Map<Token, number>, columns: GridColumn[], segmentsByPage: ReadonlyMap<number, readonly Segment[]>): GridRow[] {
  // Group lines into row candidates: by horizontal rule bands when each band holds at most one value line.
  type Group = { lines: Line[] };
  const groups: Group[] = [];
  const byPage = new Map<number, Line[]>();
  for (const l of body) byPage.set(l.page, [...(byPage.get(l.page) ?? []), l]);
  for (const [page, pageLines] of byPage) {
    const segs = segmentsByPage.get(page) ?? [];
    const x0 = Math.min(...pageLines.flatMap((l) => l.tokens.map((t) => t.x0)));
    const x1 = Math.max(...pageLines.flatMap((l) => l.tokens.map((t) => t.x1)));
    const hs = uniq(segs.filter((s) => s.orientation === 'h' && s.x1 > x0 && s.x0 < x1 && s.x1 - s.x0 > 0.3 * (x1 - x0)).map((s) => s.top));
    const bandOf = (l: Line) => hs.filter((y) => y < (l.top + l.bottom) / 2).length;
    const bands = new Map<number, Line[]>();
    for (const l of pageLines) bands.set(bandOf(l), [...(bands.get(bandOf(l)) ?? []), l]);
    const useBands = hs.length >= 3 && [...bands.values()].every((ls) => ls.filter(hasValueTokens).length <= 1) && bands.size > 1;
    if (useBands) for (const ls of bands.values()) groups.push({ lines: ls });
    else groupByHeuristic(pageLines, groups);
  }

  const rows: GridRow[] = [];
  for (const g of groups) {
    const parts: Token[][] = columns.map(() => []);
    for (const l of g.lines) for (const t of l.tokens) {
      const c = tokenColumn.get(t);
      if (c !== undefined) parts[c]!.push(t);
    }
    const cells = parts.map((ts) => (ts.length ? makeCell(ts) : null));
    const labelCell = columns.findIndex((c, i) => c.role === 'label' && cells[i]);
    const indent = labelCell >= 0 ? Math.min(...parts[labelCell]!.map((t) => t.x0)) : null;
    if (cells.some((c) => c)) rows.push({ cells, indent });
  }
  return rows;

  function hasValueTokens(l: Line) {
    return l.tokens.some((t) => valueLike(tokenKind(t)) && columns[tokenColumn.get(t) ?? -1]?.role === 'value');
  }
  function groupByHeuristic(pageLines: Line[], out: Group[]) {
    const local: Group[] = [];
    let pending: Line[] = [];
    for (let i = 0; i < pageLines.length; i++) {
      const l = pageLines[i]!;
      if (hasValueTokens(l) || l.tokens.some((t) => columns[tokenColumn.get(t) ?? -1]?.role === 'code')) {
        local.push({ lines: [...pending, l] });
        pending = [];
        continue;
      }
      const text = compact(l.tokens.map((t) => t.text).join(''));
      const prev = local[local.length - 1];
      const prevLine = prev?.lines[prev.lines.length - 1];
      const next = pageLines[i + 1];
      const gapPrev = prevLine ? l.top - prevLine.bottom : Infinity;
      const lineH = l.bottom - l.top;
      const labelOnlyNext = next && hasValueTokens(next) && !next.tokens.some((t) => columns[tokenColumn.get(t) ?? -1]?.role === 'label' && sameColumnAs(t, l));
      if (STANDALONE_LABEL.test(text) && !labelOnlyNext) { local.push({ lines: [l] }); continue; }
      if (labelOnlyNext && next.top - l.bottom < lineH * 1.2) { pending.push(l); continue; }
      if (prev && gapPrev < lineH * 1.2) { prev.lines.push(l); continue; }
      local.push({ lines: [l] });
    }
    if (pending.length) local.push({ lines: pending });
    out.push(...local);
  }
  function sameColumnAs(t: Token, l: Line) {
    const c = tokenColumn.get(t);
    return l.tokens.some((o) => tokenColumn.get(o) === c);
  }
}

function makeCell(tokens: Token[]): GridCell {
  // Reading order inside a cell: top to bottom, then left to right.
  const sorted = [...tokens].sort((a, b) => (Math.abs(a.top - b.top) > 2 ? a.top - b.top : a.x0 - b.x0));
  const lines = new Set(sorted.map((t) => Math.round(t.top)));
  const raw = sorted.map((t) => t.text).join(lines.size > 1 ? '' : ' ');
  const repaired = repairedText(raw);
  const repairs = new Set<string>(sorted.flatMap((t) => t.repairs));
  if (lines.size > 1) repairs.add('join_wrapped_label');
  for (const c of repaired.codes) repairs.add(c);
  return {
    text: repaired.text.trim(),
    raw,
    page: sorted[0]!.page,
    bbox: [Math.min(...sorted.map((t) => t.x0)), Math.min(...sorted.map((t) => t.top)), Math.max(...sorted.map((t) => t.x1)), Math.max(...sorted.map((t) => t.bottom))],
    method: sorted.some((t) => t.method === 'ocr') ? 'ocr' : 'text',
    confidence: Math.min(...sorted.map((t) => t.confidence)),
    repairs: [...repairs],
  };
}

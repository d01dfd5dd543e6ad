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
import { CLOSING_LINE_LABELS } from '../catalogue/line-items.js';
import type { GridCell, GridColumn, GridRow } from '../model/grid.js';
import type { Line, Token } from '../model/line.js';
import type { Segment } from '../model/page.js';
import { compact } from '../util/text.js';
import { classify, repairedText, type TokenKind } from './cells.js';
import { splitAtBoundaries } from './lines.js';

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

/**
 * A label or two printed over a value column (a centred `公用经费合计` in a totals row) is not a
 * column of its own: its tokens join the label column on their left, keeping that column's extent.
 */
function absorbStrayLabels(labels: Cluster[], values: Cluster[], rows: number): Cluster[] {
  const overlapsValues = (c: Cluster) => values.some((v) => Math.min(v.x1, c.x1) - Math.max(v.x0, c.x0) > 0.3 * Math.min(v.x1 - v.x0, c.x1 - c.x0));
  const stray = labels.filter((c) => c.tokens.length <= Math.max(2, 0.15 * rows) && overlapsValues(c));
  const kept = labels.filter((c) => !stray.includes(c));
  for (const c of stray) {
    const left = kept.filter((k) => k.x0 < c.x0).sort((a, b) => b.x0 - a.x0)[0];
    if (left) left.tokens.push(...c.tokens);
    else kept.push(c);
  }
  return kept.sort((a, b) => a.x0 - b.x0);
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

/**
 * Horizontal rules that cross the table: collinear pieces (borders drawn cell by cell) are joined,
 * and a rule counts when it covers at least 30% of the table's width.
 */
function rowRules(segments: readonly Segment[], x0: number, x1: number): number[] {
  const hs = segments.filter((s) => s.orientation === 'h' && s.x1 > x0 && s.x0 < x1).sort((a, b) => a.top - b.top);
  const out: number[] = [];
  let i = 0;
  while (i < hs.length) {
    const y = hs[i]!.top;
    let covered = 0;
    let j = i;
    for (; j < hs.length && hs[j]!.top - y <= 1; j++) covered += Math.min(hs[j]!.x1, x1) - Math.max(hs[j]!.x0, x0);
    if (covered > 0.3 * (x1 - x0)) out.push(y);
    i = j;
  }
  return out;
}

/** Shortest vertical piece taken for a cell border (glyphs drawn as outlines have shorter strokes). */
const MIN_RULE_LENGTH = 12;

function verticalRulesAt(segments: readonly Segment[], top: number, bottom: number): number[] {
  const mid = (top + bottom) / 2;
  return uniq(segments.filter((s) => s.orientation === 'v' && s.bottom - s.top >= MIN_RULE_LENGTH && s.top <= mid + 1 && s.bottom >= mid - 1).map((s) => s.x0));
}

/**
 * Splits a region into segments that each carry their own header (a header repeated on a
 * continuation page may sit at another position or orientation), and builds a grid per segment.
 * Pages without a header of their own continue the segment before them.
 */
export function buildGrids(lines: readonly Line[], segmentsByPage: ReadonlyMap<number, readonly Segment[]>): BuiltGrid[] {
  const pages = [...new Set(lines.map((l) => l.page))];
  const segments: { header: Line[]; body: Line[] }[] = [];
  for (const page of pages) {
    const pageLines = lines.filter((l) => l.page === page).flatMap(splitHeaderWords);
    let first = pageLines.findIndex(isBodyLine);
    if (first < 0) continue;
    // With row rules, lines in the first body row's band are body (a label wrapped above its values).
    const rules = rowRules(segmentsByPage.get(page) ?? [], Math.min(...pageLines.flatMap((l) => l.tokens.map((t) => t.x0))), Math.max(...pageLines.flatMap((l) => l.tokens.map((t) => t.x1))));
    if (rules.length >= 3) {
      const bandOf = (l: Line) => rules.filter((y) => y < (l.top + l.bottom) / 2).length;
      const band = bandOf(pageLines[first]!);
      const headerOnly = (l: Line) => isSpacingLine(l) || l.tokens.every((t) => HEADER_WORD.test(compact(t.text)));
      while (first > 0 && bandOf(pageLines[first - 1]!) === band && !headerOnly(pageLines[first - 1]!)) first--;
    }
    const header = pageLines.slice(0, first).filter((l) => !isSpacingLine(l));
    const body = pageLines.slice(first);
    const last = segments[segments.length - 1];
    // On a continuation page, lines above the first values are a repeated header only if they
    // repeat the header's words; otherwise they are rows without values (`十四、… 支出` with blanks).
    if (last && !repeatsHeader(header, last.header)) last.body.push(...pageLines.slice(0, first).filter((l) => !isSpacingLine(l)), ...body);
    // A header repeated where it stood is the same grid: its columns come from all its pages (a page of
    // the 支出 side alone has no 收入 values to find the columns by).
    else if (last && sameHeaderPlaces(header, last.header)) last.body.push(...body);
    else segments.push({ header, body });
  }
  return segments.map((s) => buildGrid(s.header, s.body, segmentsByPage)).filter((g): g is BuiltGrid => g !== null);
}

function repeatsHeader(candidate: Line[], header: Line[]): boolean {
  if (candidate.length === 0) return false;
  const known = header.map((l) => l.text).join('');
  const words = candidate.flatMap((l) => l.tokens.map((t) => compact(t.text)));
  return words.filter((w) => known.includes(w)).length >= 0.5 * words.length;
}

/** Every word of the repeated header stands where the first header has it (within 2 pt). */
function sameHeaderPlaces(candidate: Line[], header: Line[]): boolean {
  const known = header.flatMap((l) => l.tokens);
  const words = candidate.flatMap((l) => l.tokens);
  return words.length >= 2 && words.every((w) => known.some((k) => compact(k.text) === compact(w.text) && Math.abs(k.x0 - w.x0) <= 2 && Math.abs(k.x1 - w.x1) <= 2));
}

const HEADER_WORD = /^(?:类|款|项|栏次|行次|科目编码|科目名称|功能分类科目编码)$/u;

/**
 * Values of a taller row printed top-aligned can share a baseline with the header's last line
 * (`类 款 项 … 2,336.91 603.14`): the header words and the values are two lines.
 */
function splitHeaderWords(line: Line): Line[] {
  const words = line.tokens.filter((t) => HEADER_WORD.test(compact(t.text)));
  if (words.length < 2 || words.length === line.tokens.length) return [line];
  const rest = line.tokens.filter((t) => !words.includes(t));
  const mk = (tokens: Token[]): Line => ({ ...line, tokens, text: compact(tokens.map((t) => t.text).join('')) });
  return [mk(words), mk(rest)];
}

function buildGrid(header: Line[], rawBody: Line[], segmentsByPage: ReadonlyMap<number, readonly Segment[]>): BuiltGrid | null {
  if (rawBody.length === 0) return null;
  // One run printed across two ruled cells is cut at the rule between them.
  const body = rawBody.map((l) => ({ ...l, tokens: l.tokens.flatMap((t) => splitAtBoundaries(t, verticalRulesAt(segmentsByPage.get(t.page) ?? [], t.top, t.bottom))) }));
  const firstPage = (header[0] ?? body[0]!).page;

  // 2. columns
  const bodyTokens = body.flatMap((l) => l.tokens);
  const valueClusters = clusterTokens(bodyTokens.filter((t) => valueLike(tokenKind(t))), 'value');
  const labelClusters = absorbStrayLabels(splitLabelClusters(clusterTokens(bodyTokens.filter((t) => !valueLike(tokenKind(t))), 'label'), valueClusters), valueClusters, body.length);
  let clusters = [...valueClusters, ...labelClusters].sort((a, b) => a.x0 - b.x0);
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
  const snap = (c: Cluster) => {
    if (!lattice) return { x0: c.x0, x1: c.x1 };
    const left = rules.v.filter((x) => x <= c.x0 + 1).pop();
    const right = rules.v.find((x) => x >= c.x1 - 1);
    return { x0: left ?? c.x0, x1: right ?? c.x1 };
  };
  if (lattice) {
    // Values of one ruled cell column that do not overlap (left- and right-aligned) are one column.
    const merged: Cluster[] = [];
    for (const c of clusters) {
      const last = merged[merged.length - 1];
      const a = last && snap(last), b = snap(c);
      if (last && last.kind === c.kind && a!.x0 === b.x0 && a!.x1 === b.x1 && b.x1 - b.x0 < 400) {
        last.tokens.push(...c.tokens);
        last.x0 = Math.min(last.x0, c.x0);
        last.x1 = Math.max(last.x1, c.x1);
      } else merged.push(c);
    }
    clusters = merged;
    tokenColumn.clear();
    clusters.forEach((c, i) => c.tokens.forEach((t) => tokenColumn.set(t, i)));
  }
  // A missing rule must not let one column's extent swallow its neighbour's cells.
  let extents = clusters.map(snap).map((e, i) => {
    const prev = clusters[i - 1], next = clusters[i + 1], own = clusters[i]!;
    return {
      x0: prev && e.x0 < prev.x1 ? (prev.x1 + own.x0) / 2 : e.x0,
      x1: next && e.x1 > next.x0 ? (own.x1 + next.x0) / 2 : e.x1,
    };
  });

  // 3. header paths
  const headerTokens = header.flatMap((l) => l.tokens).filter((t) => !/^(?:单位[:：]|栏次$)/u.test(compact(t.text)));
  const assigned: Token[][] = lattice ? assignLattice(headerTokens, extents, segs) : assignStream(mergeWrappedHeaders(headerTokens), clusters, extents);
  const owners = new Map<Token, number>();
  for (const ts of assigned) for (const t of ts) owners.set(t, (owners.get(t) ?? 0) + 1);
  let headerPath = assigned.map((ts) => {
    const sorted = ts.sort((a, b) => a.top - b.top || a.x0 - b.x0);
    // Shared tokens are parents; this column's own tokens, joined, are its leaf.
    const shared = sorted.filter((t) => owners.get(t)! > 1).map((t) => repairedText(t.text).text);
    const own = sorted.filter((t) => owners.get(t) === 1).map((t) => repairedText(t.text).text).join('');
    return own ? [...shared, own] : shared;
  });

  // A few labels under an amount header (a centred 合计 in the 金额 column) belong to the block's label column.
  const strays = clusters.map((c, i) => i).filter((i) => {
    const c = clusters[i]!;
    const leaf = compact(headerPath[i]!.join(''));
    return c.kind === 'label' && i > 0 && c.tokens.length <= Math.max(2, 0.15 * body.length) && /(?:金额|决算数|预算数|执行数|小计)$/u.test(leaf);
  });
  if (strays.length) {
    for (const i of strays) {
      const left = clusters.slice(0, i).map((c, j) => ({ c, j })).filter(({ c, j }) => c.kind === 'label' && !strays.includes(j)).pop();
      if (left) left.c.tokens.push(...clusters[i]!.tokens);
    }
    const keep = (_: unknown, i: number) => !strays.includes(i);
    clusters = clusters.filter(keep);
    extents = extents.filter(keep);
    headerPath = headerPath.filter(keep);
    tokenColumn.clear();
    clusters.forEach((c, i) => c.tokens.forEach((t) => tokenColumn.set(t, i)));
  }

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

function assignLattice(headers: Token[], extents: { x0: number; x1: number }[], segs: readonly Segment[]): Token[][] {
  const assigned: Token[][] = extents.map(() => []);
  for (const h of headers) {
    const vr = verticalRulesAt(segs, h.top, h.bottom);
    const mid = (h.x0 + h.x1) / 2;
    const left = vr.filter((x) => x <= mid).pop() ?? -Infinity;
    const right = vr.find((x) => x > mid) ?? Infinity;
    extents.forEach((e, i) => { if ((e.x0 + e.x1) / 2 > left && (e.x0 + e.x1) / 2 < right) assigned[i]!.push(h); });
  }
  return assigned;
}

/**
 * Header text wrapped onto several lines of one cell (`附属单位` / `上缴收入`) becomes one token.
 * A token over one of similar width is a wrap unless it is centred over a row of siblings
 * (`本年支出` over `小计 基本支出 项目支出`): then it is a parent.
 */
function mergeWrappedHeaders(tokens: Token[]): Token[] {
  const sorted = [...tokens].sort((a, b) => a.top - b.top || a.x0 - b.x0);
  const vOverlap = (a: Token, b: Token) => Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.3 * (a.bottom - a.top);
  const isParentOver = (u: Token, l: Token) => {
    const siblings = sorted.filter((o) => o !== l && o !== u && vOverlap(o, l) && !vOverlap(o, u));
    const row = [l, ...siblings].sort((a, b) => a.x0 - b.x0);
    const i = row.indexOf(l);
    let lo = i, hi = i;
    const maxGap = 6 * (l.bottom - l.top);
    while (lo > 0 && row[lo]!.x0 - row[lo - 1]!.x1 < maxGap) lo--;
    while (hi < row.length - 1 && row[hi + 1]!.x0 - row[hi]!.x1 < maxGap) hi++;
    if (lo === hi) return false;
    const spanMid = ((row[lo]!.x0 + row[lo]!.x1) / 2 + (row[hi]!.x0 + row[hi]!.x1) / 2) / 2;
    return Math.abs(spanMid - (u.x0 + u.x1) / 2) < 0.5 * (u.x1 - u.x0);
  };
  const out: Token[] = [];
  for (const t of sorted) {
    const h = t.bottom - t.top;
    const above = out.find((o) => t.top - o.bottom < 0.6 * h && t.top > o.top + 0.5 * h &&
      Math.min(o.x1, t.x1) - Math.max(o.x0, t.x0) >= 0.5 * Math.min(o.x1 - o.x0, t.x1 - t.x0) &&
      Math.max(o.x1 - o.x0, t.x1 - t.x0) <= 1.7 * Math.min(o.x1 - o.x0, t.x1 - t.x0) && !isParentOver(o, t));
    if (above) Object.assign(above, { text: above.text + t.text, x0: Math.min(above.x0, t.x0), x1: Math.max(above.x1, t.x1), bottom: t.bottom });
    else out.push({ ...t });
  }
  return out;
}

/**
 * Stream tables: each column owns the zone up to the midpoints with its neighbours; a header
 * goes to the zones it covers. A header with headers under it is a parent: it also heads the
 * neighbouring value columns that have headers under it and none at its level; a column two
 * parents reach goes to the nearer one.
 */
function assignStream(headers: Token[], clusters: Cluster[], extents: { x0: number; x1: number }[]): Token[][] {
  const n = extents.length;
  const bounds = extents.map((e, i) => [i === 0 ? -Infinity : (extents[i - 1]!.x1 + e.x0) / 2, i === n - 1 ? Infinity : (e.x1 + extents[i + 1]!.x0) / 2] as const);
  const covers = (h: Token, i: number) => {
    const [z0, z1] = bounds[i]!;
    const mid = (h.x0 + h.x1) / 2;
    const ov = Math.min(z1, h.x1) - Math.max(z0, h.x0);
    const zw = Math.min(z1, extents[i]!.x1 + 40) - Math.max(z0, extents[i]!.x0 - 40);
    return (mid >= z0 && mid < z1) || ov >= 0.4 * Math.min(zw, h.x1 - h.x0);
  };
  const sameLevel = (a: Token, b: Token) => Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.3 * (a.bottom - a.top);
  const direct = headers.map((h) => extents.map((_, i) => i).filter((i) => covers(h, i)));
  // A cell spanning every header row is printed once, centred in the header block, with nothing under it:
  // such a column (合计, 会议费) is no parent's child, whatever lies above its text.
  const blockMid = (Math.min(...headers.map((t) => t.top)) + Math.max(...headers.map((t) => t.bottom))) / 2;
  const inColumn = (i: number) => headers.filter((_, k) => direct[k]!.includes(i));
  const fullHeight = (i: number) => {
    const ts = inColumn(i);
    return ts.length === 1 && Math.abs((ts[0]!.top + ts[0]!.bottom) / 2 - blockMid) < 0.35 * (ts[0]!.bottom - ts[0]!.top);
  };
  const below = (h: Token, i: number) => !fullHeight(i) && headers.some((o, k) => o !== h && o.top >= h.bottom - 1 && direct[k]!.includes(i));
  const atLevel = (h: Token, i: number) => headers.some((o, k) => o !== h && sameLevel(o, h) && direct[k]!.includes(i));
  const spans = headers.map((h, k) => {
    const span = new Set(direct[k]);
    const isParent = direct[k]!.some((i) => below(h, i));
    if (!isParent || direct[k]!.some((i) => clusters[i]!.kind === 'label')) return span;
    const lo = Math.min(...span), hi = Math.max(...span);
    let left = lo, right = hi;
    while (left - 1 >= 0 && clusters[left - 1]!.kind === 'value' && below(h, left - 1) && !atLevel(h, left - 1)) left--;
    while (right + 1 < n && clusters[right + 1]!.kind === 'value' && below(h, right + 1) && !atLevel(h, right + 1)) right++;
    // A parent is centred over its children: of the reachable spans, take the widest centred under it
    // (a vertically centred neighbour such as 合计 or 会议费 is reachable but not a child). Children's
    // header texts are centred in their cells, so their centres locate the cells better than numbers do.
    const childCentre = (i: number) => {
      const under = headers.filter((o, j) => o !== h && o.top >= h.bottom - 1 && direct[j]!.includes(i)).sort((a, b) => a.top - b.top)[0];
      return under ? (under.x0 + under.x1) / 2 : (extents[i]!.x0 + extents[i]!.x1) / 2;
    };
    const centre = (h.x0 + h.x1) / 2;
    let best: [number, number] = [lo, hi];
    let bestScore = Infinity;
    for (let a = left; a <= lo; a++) for (let b = hi; b <= right; b++) {
      const width = childCentre(b) - childCentre(a);
      const off = Math.abs((childCentre(a) + childCentre(b)) / 2 - centre);
      const score = off <= Math.max(6, 0.04 * width) ? -width : off;
      if (score < bestScore) { bestScore = score; best = [a, b]; }
    }
    for (let i = best[0]; i <= best[1]; i++) span.add(i);
    return span;
  });
  // Contested columns (reached by two headers of one level) go to the nearer header.
  const assigned: Token[][] = extents.map(() => []);
  headers.forEach((h, k) => {
    for (const i of spans[k]!) {
      const mid = (extents[i]!.x0 + extents[i]!.x1) / 2;
      const dist = Math.abs(mid - (h.x0 + h.x1) / 2);
      const nearer = headers.some((o, j) => j !== k && sameLevel(o, h) && spans[j]!.has(i) && !direct[k]!.includes(i) && Math.abs(mid - (o.x0 + o.x1) / 2) < dist);
      if (!nearer) assigned[i]!.push(h);
    }
  });
  return assigned;
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
    const hs = rowRules(segs, x0, x1);
    const bandOf = (l: Line) => hs.filter((y) => y < (l.top + l.bottom) / 2).length;
    const bands = new Map<number, Line[]>();
    for (const l of pageLines) bands.set(bandOf(l), [...(bands.get(bandOf(l)) ?? []), l]);
    const valueLines = pageLines.filter(hasValueTokens).length;
    // Bands group lines only where the rules are row rules (most bands hold one row of values).
    const useBands = hs.length >= 3 && bands.size >= 0.6 * valueLines;
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
    const firstLabelColumn = columns.findIndex((c) => c.role === 'label');
    const isRowLine = (l: Line) => hasValueTokens(l) || l.tokens.some((t) => columns[tokenColumn.get(t) ?? -1]?.role === 'code');
    const anchors = cellBlockAnchors(pageLines, isRowLine, tokenColumn);
    const groupOf = new Map<Line, Group>();
    const waiting = new Map<Line, Line[]>();
    for (let i = 0; i < pageLines.length; i++) {
      const l = pageLines[i]!;
      if (isRowLine(l)) {
        const group = { lines: [...pending, ...(waiting.get(l) ?? []), l] };
        local.push(group);
        groupOf.set(l, group);
        pending = [];
        continue;
      }
      const text = compact(l.tokens.map((t) => t.text).join(''));
      const closingLine = l.tokens.some((t) => CLOSING_LINE_LABELS.has(compact(t.text)));
      const anchor = anchors.get(l);
      // Headings (一、…, 301 …) stand alone; text in a later column (a goal starting 12345…) is no heading.
      const firstLabelText = compact(l.tokens.filter((t) => tokenColumn.get(t) === firstLabelColumn).map((t) => t.text).join(''));
      if (anchor && !STANDALONE_LABEL.test(firstLabelText) && !closingLine) {
        const group = groupOf.get(anchor);
        if (group) group.lines.push(l);
        else if (waiting.has(anchor)) waiting.get(anchor)!.push(l);
        else waiting.set(anchor, [l]);
        continue;
      }
      const prev = local[local.length - 1];
      const prevLine = prev?.lines[prev.lines.length - 1];
      const next = pageLines[i + 1];
      const gapPrev = prevLine ? l.top - prevLine.bottom : Infinity;
      const lineH = l.bottom - l.top;
      const labelOnlyNext = next && hasValueTokens(next) && !next.tokens.some((t) => columns[tokenColumn.get(t) ?? -1]?.role === 'label' && sameColumnAs(t, l));
      if ((STANDALONE_LABEL.test(text) || closingLine) && !labelOnlyNext) { local.push({ lines: [l] }); continue; }
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

/** Lines closer than this (in token heights) are lines of one cell; rows are set further apart. */
const CELL_LINE_GAP = 0.35;

/**
 * The row line (a line with values or codes) that each text-only line belongs to, where its cells say
 * so plainly. Word centres a cell's lines on its row: a project name wrapped onto three lines has its
 * values beside the middle one, and its goal text, six lines long, starts above the name. Each
 * column's text is cut into blocks of lines set closer than rows are; a block holding the token of one
 * row line belongs to that row, and a block holding none belongs to the one row line beside it. A line
 * whose blocks disagree, or name no row, is left to the neighbour rules.
 */
export function cellBlockAnchors(lines: readonly Line[], isRowLine: (l: Line) => boolean, tokenColumn: ReadonlyMap<Token, number>): Map<Line, Line> {
  const lineOf = new Map<Token, Line>();
  const byColumn = new Map<number, Token[]>();
  for (const l of lines) for (const t of l.tokens) {
    const c = tokenColumn.get(t);
    if (c === undefined) continue;
    lineOf.set(t, l);
    const column = byColumn.get(c);
    if (column) column.push(t);
    else byColumn.set(c, [t]);
  }
  const rowLines = lines.filter(isRowLine);
  const anchorOf = new Map<Token, Line>();
  for (const tokens of byColumn.values()) {
    tokens.sort((a, b) => a.top - b.top);
    const blocks: Token[][] = [];
    for (const t of tokens) {
      const block = blocks[blocks.length - 1];
      const last = block?.[block.length - 1];
      if (block && last && t.top - last.bottom <= CELL_LINE_GAP * (last.bottom - last.top)) block.push(t);
      else blocks.push([t]);
    }
    for (const block of blocks) {
      const inBlock = new Set(block.map((t) => lineOf.get(t)!).filter(isRowLine));
      let anchor: Line | undefined;
      if (inBlock.size === 1) anchor = [...inBlock][0];
      else if (inBlock.size === 0) {
        const top = Math.min(...block.map((t) => t.top)), bottom = Math.max(...block.map((t) => t.bottom));
        const beside = rowLines.filter((r) => r.top < bottom && r.bottom > top);
        if (beside.length === 1) anchor = beside[0];
      }
      if (anchor) for (const t of block) anchorOf.set(t, anchor);
    }
  }
  const anchors = new Map<Line, Line>();
  for (const l of lines) {
    if (isRowLine(l)) continue;
    const found = new Set(l.tokens.filter((t) => tokenColumn.has(t)).map((t) => anchorOf.get(t)));
    const [only] = found;
    if (found.size === 1 && only) anchors.set(l, only);
  }
  return anchors;
}

export function makeCell(tokens: Token[]): GridCell {
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

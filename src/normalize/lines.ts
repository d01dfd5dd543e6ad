/**
 * Runs → tokens → lines. A token is what one table cell printed: runs that touch are merged,
 * a run that spans two cells (`二十二、灾害防治及应急管理支出 52`) is split at the whitespace,
 * and spaced numbers (`1, 597. 60`) stay one token.
 */
import type { Line, Token } from '../model/line.js';
import type { Page, TextRun } from '../model/page.js';
import { compact, emWidth, hasCjk } from '../util/text.js';

const NUMBER_PIECE = /^[-+]?[\d,.]+%?$/u;

/** Whether two whitespace-separated pieces of one run belong to the same cell. */
function samePiece(left: string, right: string): boolean {
  // An ordinal and its label (`1. 一般公共预算`) are one cell.
  if (/^\d{1,2}[.、．]$/u.test(left) && hasCjk(right)) return true;
  // A code-prefixed label (`50102-社会保障缴费`, Beijing) starts a cell of its own.
  if (/^\d{3,9}[-－]\S/u.test(right)) return false;
  const ln = NUMBER_PIECE.test(left), rn = NUMBER_PIECE.test(right);
  if (ln && rn) {
    if (/[,.]$/u.test(left) || /^[,.]/u.test(right)) return true;
    // letter-spaced digits: `2 0 2 5`
    if (/^\d$/u.test(left) && /^\d/u.test(right) && !/\./u.test(left)) return right.length <= 2 || /^\d[,.]/u.test(right);
    return false;
  }
  if (ln !== rn) {
    // `2 0 2 5 年度` and `第 3 页` are text; a number beside a label is two cells.
    return false;
  }
  // Two text pieces: CJK wrapped with a stray space stays one label; ASCII words stay together.
  return true;
}

interface Piece { text: string; start: number; end: number }

function splitRun(run: TextRun): Piece[] {
  const raw = run.text;
  const parts: Piece[] = [];
  const re = /\S+/gu;
  let m: RegExpExecArray | null;
  while ((m = re.exec(raw))) parts.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  if (parts.length <= 1) return parts;
  const merged: Piece[] = [parts[0]!];
  for (let i = 1; i < parts.length; i++) {
    const prev = merged[merged.length - 1]!;
    const cur = parts[i]!;
    const gap = raw.slice(prev.end, cur.start);
    // Wide gaps (several spaces) always separate cells.
    if (gap.length < 3 && samePiece(lastWord(prev.text), cur.text) && !(hasCjk(prev.text) && NUMBER_PIECE.test(cur.text))) {
      prev.text = raw.slice(prev.start, cur.end);
      prev.end = cur.end;
    } else merged.push({ ...cur });
  }
  return merged;
}

const lastWord = (s: string): string => s.split(/\s+/u).pop() ?? s;

/** Splits runs into tokens, estimating each piece's x-range from character widths. */
export function runsToTokens(runs: readonly TextRun[], page: number): Token[] {
  const tokens: Token[] = [];
  for (const run of mergeTouchingRuns(runs)) {
    const pieces = splitRun(run);
    if (pieces.length === 0) continue;
    const total = emWidth(run.text);
    const width = run.x1 - run.x0;
    for (const p of pieces) {
      const startEm = emWidth(run.text.slice(0, p.start));
      const endEm = emWidth(run.text.slice(0, p.end));
      tokens.push({
        text: p.text,
        x0: pieces.length === 1 ? run.x0 : run.x0 + (width * startEm) / total,
        x1: pieces.length === 1 ? run.x1 : run.x0 + (width * endEm) / total,
        top: run.top,
        bottom: run.bottom,
        page,
        method: run.method,
        confidence: run.confidence,
        repairs: pieces.length > 1 ? ['split_spanning_run'] : [],
      });
    }
  }
  return tokens;
}

const isNumberRun = (s: string) => /^\s*[-+]?[\d,]+(?:\.\d+)?%?\s*$/u.test(s);

/** Runs on one baseline that touch (gap under a fifth of the font size) are one run. */
function mergeTouchingRuns(runs: readonly TextRun[]): TextRun[] {
  const sorted = [...runs].sort((a, b) => a.top - b.top || a.x0 - b.x0);
  const out: TextRun[] = [];
  for (const r of sorted) {
    const prev = out[out.length - 1];
    if (
      prev &&
      Math.abs(prev.top - r.top) < 0.3 * r.fontSize &&
      Math.abs(prev.bottom - r.bottom) < 0.3 * r.fontSize &&
      r.x0 >= prev.x1 - 0.5 &&
      r.x0 - prev.x1 < 0.2 * r.fontSize &&
      // a number touching text (a value cell beside a text cell) stays apart
      !(isNumberRun(prev.text) && hasCjk(r.text)) && !(hasCjk(prev.text) && isNumberRun(r.text))
    ) {
      out[out.length - 1] = { ...prev, text: prev.text + r.text, x1: Math.max(prev.x1, r.x1), confidence: Math.min(prev.confidence, r.confidence) };
    } else out.push(r);
  }
  return out;
}

/** Groups tokens into lines: tokens whose vertical centres lie within half a line height. */
export function tokensToLines(tokens: readonly Token[], page: number): Line[] {
  const sorted = [...tokens].sort((a, b) => (a.top + a.bottom) / 2 - (b.top + b.bottom) / 2);
  const lines: Line[] = [];
  for (const t of sorted) {
    const mid = (t.top + t.bottom) / 2;
    const h = t.bottom - t.top;
    const line = lines[lines.length - 1];
    if (line) {
      const lineMid = (line.top + line.bottom) / 2;
      if (Math.abs(mid - lineMid) < Math.max(2, 0.35 * Math.min(h, line.bottom - line.top))) {
        line.tokens.push(t);
        line.top = Math.min(line.top, t.top);
        line.bottom = Math.max(line.bottom, t.bottom);
        continue;
      }
    }
    lines.push({ page, top: t.top, bottom: t.bottom, tokens: [t], text: '' });
  }
  for (const l of lines) {
    l.tokens.sort((a, b) => a.x0 - b.x0);
    l.text = compact(l.tokens.map((t) => t.text).join(''));
  }
  return lines;
}

// `- 1 -`, and on scans the same with one dash lost (`-1`, `1-`).
const PAGE_NUMBER = /^(?:[-—–]\d{1,3}[-—–]?|\d{1,3}[-—–]|第\d+页(?:共\d+页)?|\d{1,3}|\d+\/\d+)$/u;

/** Page numbers near the top or bottom edge are furniture, not content. */
export function dropPageFurniture(lines: Line[], pageHeight: number): Line[] {
  return lines.filter((l) => {
    const nearEdge = l.top > pageHeight * 0.9 || l.bottom < pageHeight * 0.06;
    return !(nearEdge && l.tokens.length <= 3 && PAGE_NUMBER.test(l.text));
  });
}

/** A page's lines, ready for table detection. */
export function pageLines(page: Page): Line[] {
  return dropPageFurniture(tokensToLines(runsToTokens(page.runs, page.number), page.number), page.height);
}

/**
 * Splits a token that straddles a known column boundary at the whitespace nearest to it (one run
 * printed across two cells, `服务对象满 意度 服务对象满意 度`). Positions are estimated from character widths.
 */
export function splitAtBoundaries(token: Token, boundaries: readonly number[]): Token[] {
  const w = token.x1 - token.x0;
  const crossing = boundaries.filter((b) => b - token.x0 > 0.3 * w && token.x1 - b > 0.3 * w);
  if (crossing.length === 0 || !/\s/u.test(token.text.trim())) return [token];
  const total = emWidth(token.text);
  const spaces: { index: number; x: number }[] = [];
  for (const m of token.text.matchAll(/\s+/gu)) {
    if (m.index === 0 || m.index! + m[0].length >= token.text.length) continue;
    spaces.push({ index: m.index!, x: token.x0 + (w * emWidth(token.text.slice(0, m.index))) / total });
  }
  const em = w / total;
  // Near the boundary, a cut where text turns into a number (`率 95%`) is the likelier cell edge.
  const changesKind = (s: { index: number }) => hasCjk(token.text[s.index - 1] ?? '') && /^\s*[\d≥≤<>＞＜]/u.test(token.text.slice(s.index));
  const pick = (b: number) => {
    const near = spaces.filter((s) => Math.abs(s.x - b) <= 2 * em);
    const preferred = near.filter(changesKind);
    const pool = preferred.length ? preferred : spaces;
    return pool.reduce<{ index: number; x: number } | null>((best, s) => (!best || Math.abs(s.x - b) < Math.abs(best.x - b) ? s : best), null);
  };
  const cuts = [...new Set(crossing.map(pick).filter((s): s is { index: number; x: number } => s !== null))].sort((a, b) => a.index - b.index);
  const out: Token[] = [];
  let from = 0, x = token.x0;
  for (const c of [...cuts, { index: token.text.length, x: token.x1 }]) {
    const text = token.text.slice(from, c.index).trim();
    if (text) out.push({ ...token, text, x0: x, x1: c.x, repairs: [...token.repairs, 'split_spanning_run'] });
    from = c.index;
    x = c.x;
  }
  return out.length ? out : [token];
}

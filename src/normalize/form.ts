/**
 * Performance self-evaluation forms (pe01/pe02): not a grid but a form with sections — the
 * project name, a funds block, an indicator block, the total score and the checked grade.
 * Each block's header words (catalogue/performance.ts) give column anchors; a token belongs
 * to the anchor whose zone holds its centre, and lines without values (wrapped labels, merged
 * cells) belong to the nearest line with values.
 */
import {
  AMOUNT_COLUMNS, CHECKED_GRADE, FUNDS_COLUMNS, FUNDS_HEADER, GRADE, INDICATOR_COLUMNS, INDICATOR_HEADER,
  NOT_APPLICABLE, NUMBER_COLUMNS, PROJECT_NAME, TOTAL_SCORE,
} from '../catalogue/performance.js';
import type { ColumnRule } from '../catalogue/table-kinds.js';
import type { Line, Token } from '../model/line.js';
import type { Segment } from '../model/page.js';
import { compact, normalizeLabel } from '../util/text.js';
import { amountValue, classify } from './cells.js';
import { makeCell } from './grid.js';
import { splitAtBoundaries } from './lines.js';
import type { MappedCell } from './map-table.js';

interface Anchor { key: string | null; x0: number; x1: number; text: string }

const SECTION_LABEL = /^(?:项目名称|主管部门|实施单位|项目资金.*|资金.*|年度资金.*|绩效目标.*|总体目标.*|（概述）|\(概述\)|绩效指标|年度绩效指标|总分|自评总分|评价等级|存在问题.*|改进措施.*|偏差原因.*|项目级次|预算执行.*)$/u;
const SECTION_END = /^(?:存在问题|改进措施|总分|自评总分|评价等级|偏差原因分析|主要经验|其他需要说明)/u;

const mid = (t: { x0: number; x1: number }) => (t.x0 + t.x1) / 2;
const vmid = (t: { top: number; bottom: number }) => (t.top + t.bottom) / 2;
const isNumber = (t: Token) => { const k = classify(t.text); return k === 'amount' || k === 'int' || k === 'code'; };

export interface ParsedForm { instance: string; cells: MappedCell[] }

export function parseForm(lines: readonly Line[], segmentsByPage: ReadonlyMap<number, readonly Segment[]> = new Map()): ParsedForm {
  // The form's first column holds the section names; 总分 may sit in a wide merged cell, so it does not count.
  const sectionX1 = Math.max(0, ...lines.flatMap((l) => l.tokens).filter((t) => /^(?:项目名称|主管部门|项目资金.*|绩效指标)$/u.test(compact(t.text))).map((t) => t.x1));
  const isSection = (t: Token) => mid(t) < sectionX1 + 2;
  const cells: MappedCell[] = [];
  const instance = projectName(lines);

  const fundsAt = lines.findIndex((l) => countMatches(l, FUNDS_HEADER) >= 2);
  const indicatorsAt = lines.findIndex((l) => l.tokens.some((t) => INDICATOR_HEADER.test(compact(t.text))));
  if (fundsAt >= 0) {
    const ends = (l: Line) => /绩效目标|年度预期|目标实际|年度总体目标|预期目标|实际完成情况/u.test(l.text) || l === lines[indicatorsAt];
    cells.push(...readBlock(lines, fundsAt, ends, FUNDS_COLUMNS, isSection, 'funds', segmentsByPage));
  }
  if (indicatorsAt >= 0) {
    const ends = (l: Line) => l.tokens.some((t) => SECTION_END.test(compact(t.text)) && (isSection(t) || /^(?:总分|自评总分|评价等级)/u.test(compact(t.text))));
    cells.push(...readBlock(lines, indicatorsAt, ends, INDICATOR_COLUMNS, isSection, 'indicator', segmentsByPage));
  }
  cells.push(...totalAndGrade(lines));
  return { instance, cells };
}

function countMatches(l: Line, re: RegExp): number {
  return l.tokens.filter((t) => re.test(compact(t.text))).length;
}


/** The project name: the cell right of 项目名称, wrapped lines included. */
function projectName(lines: readonly Line[]): string {
  const at = lines.findIndex((l) => l.tokens.some((t) => PROJECT_NAME.test(compact(t.text))));
  if (at < 0) return '';
  const line = lines[at]!;
  const label = line.tokens.find((t) => PROJECT_NAME.test(compact(t.text)))!;
  const right = line.tokens.find((t) => t.x0 > label.x1 && /项目级次|项目类型|项目属性|项目性质|实施单位/u.test(compact(t.text)));
  const h = line.bottom - line.top;
  const parts = lines
    .filter((l) => l.page === line.page && Math.abs(vmid(l) - vmid(line)) <= 1.6 * h && !/主管部门|实施单位/u.test(l.text))
    .flatMap((l) => l.tokens)
    .filter((t) => t.x0 >= label.x1 - 1 && (!right || t.x1 <= right.x0 + 1) && t !== label)
    .sort((a, b) => a.top - b.top || a.x0 - b.x0);
  return compact(parts.map((t) => t.text).join(''));
}

/** The header line and the wrapped header lines next to it. */
function headerGroup(lines: readonly Line[], at: number): Line[] {
  const head = lines[at]!;
  const h = head.bottom - head.top;
  return lines.filter((l, i) => Math.abs(i - at) <= 2 && l.page === head.page && Math.abs(vmid(l) - vmid(head)) <= 1.5 * h && !l.tokens.some(isNumber));
}

/** Header anchors: the header group's tokens merged by x-overlap. */
function anchorsOf(group: Line[], rules: readonly ColumnRule[], isSection: (t: Token) => boolean): Anchor[] {
  const tokens = group.flatMap((l) => l.tokens).filter((t) => !isSection(t)).sort((a, b) => a.top - b.top || a.x0 - b.x0);
  const anchors: { x0: number; x1: number; parts: Token[] }[] = [];
  for (const t of tokens) {
    const a = anchors.find((o) => Math.min(o.x1, t.x1) - Math.max(o.x0, t.x0) > 0.4 * Math.min(o.x1 - o.x0, t.x1 - t.x0));
    if (a) { a.parts.push(t); a.x0 = Math.min(a.x0, t.x0); a.x1 = Math.max(a.x1, t.x1); }
    else anchors.push({ x0: t.x0, x1: t.x1, parts: [t] });
  }
  return anchors
    .sort((a, b) => a.x0 - b.x0)
    .map((a) => {
      const text = compact(a.parts.map((t) => t.text).join(''));
      return { key: rules.find((r) => r.pattern.test(text))?.key ?? null, x0: a.x0, x1: a.x1, text };
    });
}

function zoneOf(anchors: Anchor[], t: Token): number {
  const m = mid(t);
  for (let i = 0; i < anchors.length; i++) {
    const right = i + 1 < anchors.length ? (anchors[i]!.x1 + anchors[i + 1]!.x0) / 2 : Infinity;
    if (m < right) return i;
  }
  return anchors.length - 1;
}

function readBlock(lines: readonly Line[], headAt: number, ends: (l: Line) => boolean, rules: readonly ColumnRule[], formSection: (t: Token) => boolean, block: 'funds' | 'indicator', segmentsByPage: ReadonlyMap<number, readonly Segment[]>): MappedCell[] {
  const group = headerGroup(lines, headAt);
  // Beside the indicators the section column may be narrower than above: only its names are left out there.
  const anchors = anchorsOf(group, rules, block === 'indicator' ? (t: Token) => SECTION_LABEL.test(compact(t.text)) : formSection);
  if (anchors.length < 2) return [];
  const level1 = anchors.find((a) => a.key === 'level1');
  const isSection = block === 'indicator' && level1 ? (t: Token) => mid(t) < level1.x0 - 1 : formSection;
  // Body lines: after the header group, up to the block's end.
  const start = Math.max(...group.map((l) => lines.indexOf(l))) + 1;
  // A run of text wider than a few columns is the next section's (存在问题 …) cell, not this block's.
  const width = anchors[anchors.length - 1]!.x1 - anchors[0]!.x0;
  const spansBlock = (l: Line) => l.tokens.some((t) => t.x1 - t.x0 > 0.45 * width);
  let stop = start;
  while (stop < lines.length && !ends(lines[stop]!) && !spansBlock(lines[stop]!)) stop++;
  const zoneBounds = anchors.slice(1).map((a, i) => (anchors[i]!.x1 + a.x0) / 2);
  const body = lines.slice(start, stop).map((l) => ({ ...l, tokens: l.tokens.flatMap((t) => splitAtBoundaries(t, zoneBounds)) }));
  if (block === 'funds') {
    // The label column's header is either printed (`1. 年度预算数`, no values under it) or absent.
    const first = anchors[0]!;
    const valuesUnderFirst = body.some((l) => l.tokens.some((t) => isNumber(t) && mid(t) > first.x0 - 3 && mid(t) < first.x1 + 3));
    if (valuesUnderFirst) anchors.unshift({ key: 'label', x0: first.x0 - 4, x1: first.x0 - 2, text: '' });
    else anchors[0] = { ...first, key: 'label' };
  }
  const labelZone = anchors.findIndex((a) => a.key === 'label');
  if (labelZone < 0) return [];
  const keyOf = (i: number) => (i === labelZone ? 'label' : anchors[i]!.key);
  const valueKeys = new Set(block === 'funds' ? ['budget', 'budget_initial', 'executed', 'weight', 'completion_rate', 'score'] : ['target', 'actual', 'weight', 'score']);
  // A row's anchor line is the one with its numbers (score, weight, amounts); wrapped text lines go to the nearest.
  const numericKeys = block === 'funds' ? valueKeys : new Set(['weight', 'score']);
  const byNumbers = (l: Line) => l.tokens.some((t) => !isSection(t) && numericKeys.has(keyOf(zoneOf(anchors, t)) ?? '') && isNumber(t));
  const byText = (l: Line) => l.tokens.some((t) => !isSection(t) && valueKeys.has(keyOf(zoneOf(anchors, t)) ?? ''));
  const isValueLine = body.some(byNumbers) ? byNumbers : byText;
  const valueLines = body.filter(isValueLine);
  if (valueLines.length === 0) return [];
  const rows = valueLines.map(() => new Map<string, Token[]>());
  // With ruled cells, a token belongs to every row whose line lies inside its cell (merged cells repeat).
  const cellRows = (t: Token): number[] | null => {
    const m = mid(t), y = vmid(t);
    const hs = (segmentsByPage.get(t.page) ?? []).filter((s) => s.orientation === 'h' && s.x1 - s.x0 >= 15 && s.x0 <= m + 1 && s.x1 >= m - 1);
    const above = Math.max(...hs.filter((s) => s.top < y - 1).map((s) => s.top));
    const below = Math.min(...hs.filter((s) => s.top > y + 1).map((s) => s.top));
    // A cell ruled on one side only runs on over the page break (its closing rule is on the next
    // page, or it opened on the previous one); with neither rule the column is not ruled at all.
    if (!Number.isFinite(above) && !Number.isFinite(below)) return null;
    const inside = valueLines.map((v, i) => ({ v, i })).filter(({ v }) => v.page === t.page && vmid(v) > above && vmid(v) < below).map(({ i }) => i);
    return inside.length ? inside : null;
  };
  for (const l of body) {
    const lineTarget = isValueLine(l) ? valueLines.indexOf(l) : nearest(valueLines, l);
    for (const t of l.tokens) {
      if (isSection(t)) continue;
      const key = keyOf(zoneOf(anchors, t));
      if (!key) continue;
      // Lines without values only carry wrapped text: labels and merged cells, never values.
      if (!isValueLine(l) && valueKeys.has(key) && block === 'funds') continue;
      const targets = cellRows(t) ?? (lineTarget >= 0 ? [lineTarget] : []);
      for (const target of targets) {
        const row = rows[target]!;
        row.set(key, [...(row.get(key) ?? []), t]);
      }
    }
  }
  const out: MappedCell[] = [];
  let prev: Map<string, Token[]> | null = null;
  rows.forEach((row, i) => {
    // Merged level cells are printed once: carry them down (and up to the rows above the first print).
    if (block === 'indicator') for (const k of ['level1', 'level2']) {
      if (!row.has(k)) {
        const from = prev?.get(k) ?? rows.slice(i + 1).find((r) => r.has(k))?.get(k);
        if (from) row.set(k, from);
      }
    }
    prev = row;
    const labelTokens = row.get('label');
    if (!labelTokens) return;
    const labelCell = makeCell(labelTokens);
    const label = labelCell.text.replace(/[:：]$/u, '');
    const rowKey = `${block}:${normalizeLabel(label)}`;
    for (const [key, tokens] of row) {
      if (key === 'label') continue;
      const cell = makeCell(tokens);
      if (NOT_APPLICABLE.test(compact(cell.text))) continue;
      const value = formValue(key, cell.text);
      if (!value) continue;
      out.push({ row_key: rowKey, row_label: label, column_key: key, column_label: anchors.find((a, j) => keyOf(j) === key)?.text ?? key, value: value.value, type: value.type, line_no: '', cell, repairs: cell.repairs });
    }
  });
  return out;
}

function nearest(valueLines: Line[], l: Line): number {
  let best = -1, dist = Infinity;
  valueLines.forEach((v, i) => {
    if (v.page !== l.page) return;
    const d = Math.abs(vmid(v) - vmid(l));
    if (d < dist) { dist = d; best = i; }
  });
  return best;
}

function formValue(key: string, text: string): { value: string; type: MappedCell['type'] } | null {
  if ((AMOUNT_COLUMNS as readonly string[]).includes(key)) {
    const a = amountValue(text);
    return a ? { value: a.value, type: 'amount' } : null;
  }
  if (key === 'completion_rate') {
    const a = amountValue(text);
    return a ? { value: a.value.replace(/%$/u, ''), type: 'percent' } : null;
  }
  if ((NUMBER_COLUMNS as readonly string[]).includes(key)) {
    const a = amountValue(text);
    return a ? { value: a.value, type: 'number' } : { value: text, type: 'text' };
  }
  return text ? { value: text, type: 'text' } : null;
}

function totalAndGrade(lines: readonly Line[]): MappedCell[] {
  const out: MappedCell[] = [];
  for (const l of lines) {
    const i = l.tokens.findIndex((t) => TOTAL_SCORE.test(compact(t.text)));
    // 总分 may print the weight (100) before the score: the score is the last number.
    const score = i >= 0 ? l.tokens.slice(i + 1).filter(isNumber).pop() : undefined;
    if (score) {
      const cell = makeCell([score]);
      out.push({ row_key: 'total_score', row_label: compact(l.tokens[i]!.text), column_key: 'value', column_label: '', value: cell.text, type: 'number', line_no: '', cell, repairs: cell.repairs });
      break;
    }
  }
  const gradeAt = lines.findIndex((l) => GRADE.test(l.text));
  if (gradeAt >= 0) {
    const around = lines.slice(Math.max(0, gradeAt - 8), gradeAt + 9).filter((l) => CHECKED_GRADE.test(l.text) || /[☑■√✓✔]$/u.test(l.text));
    for (const l of around) {
      const text = l.tokens.map((t) => t.text).join('');
      const m = CHECKED_GRADE.exec(text) ?? CHECKED_GRADE.exec(text + (lines[lines.indexOf(l) + 1]?.text ?? ''));
      if (!m) continue;
      const cell = makeCell(l.tokens.filter((t) => /[☑■√✓✔]/u.test(t.text) || t.text.includes(m[1]!)));
      out.push({ row_key: 'grade', row_label: '评价等级', column_key: 'value', column_label: '', value: m[1]!, type: 'text', line_no: '', cell, repairs: cell.repairs });
      break;
    }
  }
  return out;
}

/**
 * Canonical mapping: a rebuilt grid of a known table kind → facts (row key, column key, value).
 * Row keys follow OUTPUT.md; the knowledge of labels and headers comes from the catalogue.
 */
import { ECONOMIC_BY_NAME, FUNCTIONAL_BY_NAME } from '../catalogue/classes.js';
import { EXPENDITURE_BY_LABEL, FUND_SUBLINE_SUFFIX, FUND_SUBLINES, INCOME_BY_LABEL, ITEMS_WITH_FUND_SUBLINES } from '../catalogue/line-items.js';
import type { ColumnRule, TableKind } from '../catalogue/table-kinds.js';
import type { GridCell, GridColumn, GridRow } from '../model/grid.js';
import { compact, normalizeLabel } from '../util/text.js';
import { amountValue } from './cells.js';

export interface MappedCell {
  row_key: string;
  row_label: string;
  column_key: string;
  column_label: string;
  value: string;
  /** 'amount' | 'percent' | 'text' */
  type: 'amount' | 'percent' | 'number' | 'text';
  line_no: string;
  cell: GridCell;
  repairs: string[];
}

const TOTAL = /^(?:合计|总计|小计)$/u;
const CODE_IN_LABEL = /^[[【]?(\d{3}(?:\d{2}){0,3})[\]】]?\s*(.*)$/u;

export function columnKey(col: GridColumn, rules: readonly ColumnRule[]): string | null {
  const leaf = compact(col.path[col.path.length - 1] ?? '');
  // A 小计 under a parent is the parent's subtotal (基本支出 | 小计 → basic).
  const parent = compact(col.path[col.path.length - 2] ?? '');
  if (/^(?:小计|合计)$/u.test(leaf) && parent) {
    for (const r of rules) if (r.key !== 'total' && !r.wholePath && r.pattern.test(parent)) return r.key;
  }
  const full = compact(col.path.join(''));
  for (const r of rules) if (r.wholePath && full && r.pattern.test(full)) return r.key;
  for (const r of rules) if (!r.wholePath && leaf && r.pattern.test(leaf)) return r.key;
  for (const r of rules) if (full && r.pattern.test(full)) return r.key;
  return null;
}

/** Value columns of one block with their canonical keys. */
function blockValueColumns(kind: TableKind, columns: GridColumn[], block: number, singleKey: string | null): Map<number, string> {
  const out = new Map<number, string>();
  const idx = columns.map((c, i) => ({ c, i })).filter(({ c }) => c.block === block && c.role === 'value');
  if (idx.length === 1 && singleKey) { out.set(idx[0]!.i, singleKey); return out; }
  for (const { c, i } of idx) {
    const key = columnKey(c, kind.columns);
    if (key && ![...out.values()].includes(key)) out.set(i, key);
  }
  return out;
}

function blockLabel(row: GridRow, columns: GridColumn[], block: number): { label: string; code: string; cell: GridCell | null; repairs: string[]; lineNo: string } {
  let code = '';
  const repairs: string[] = [];
  let label = '';
  let cell: GridCell | null = null;
  let lineNo = '';
  const codeCells: string[] = [];
  columns.forEach((c, i) => {
    if (c.block !== block) return;
    const cl = row.cells[i];
    if (!cl) return;
    if (c.role === 'code') codeCells.push(compact(cl.text));
    else if (c.role === 'label' && !label) { label = cl.text; cell = cl; }
    else if (c.role === 'line_no') lineNo = compact(cl.text);
  });
  if (codeCells.length > 1) repairs.push('join_split_code');
  // 款 and 项 are two digits each; some templates print 02 as 2.
  code = codeCells.map((c, i) => (i > 0 && /^\d$/u.test(c) ? `0${c}` : c)).join('');
  if (!/^\d+$/u.test(code)) code = '';
  if (!code && label) {
    const m = CODE_IN_LABEL.exec(compact(label));
    if (m && m[2]) { code = m[1]!; label = m[2]; repairs.push('split_code_from_label'); }
  }
  return { label, code, cell, repairs, lineNo };
}

function valueOf(cell: GridCell, key: string): { value: string; type: MappedCell['type']; codes: string[] } | null {
  if (key === 'performance_goal' || key === 'level1' || key === 'level2' || key === 'target' || key === 'actual' || key === 'deviation_reason') {
    return cell.text ? { value: cell.text, type: 'text', codes: [] } : null;
  }
  const a = amountValue(cell.text);
  if (!a) return null;
  return { value: a.value.replace(/%$/u, ''), type: a.value.endsWith('%') ? 'percent' : 'amount', codes: a.codes };
}

function emit(out: MappedCell[], rowKey: string, rowLabel: string, lineNo: string, row: GridRow, columns: GridColumn[], valueCols: Map<number, string>, extraRepairs: string[]): void {
  for (const [i, key] of valueCols) {
    const cell = row.cells[i];
    if (!cell) continue;
    const v = valueOf(cell, key);
    if (!v) continue;
    out.push({
      row_key: rowKey, row_label: rowLabel, column_key: key, column_label: columns[i]!.path.join(''),
      value: v.value, type: v.type, line_no: lineNo, cell, repairs: [...cell.repairs, ...extraRepairs, ...v.codes],
    });
  }
}

const isTotal = (norm: string) => TOTAL.test(norm) || /^(?:收入|支出)?(?:合计|总计)$/u.test(norm);

function classCode(norm: string, economic: boolean): string | null {
  return (economic ? ECONOMIC_BY_NAME : FUNCTIONAL_BY_NAME).get(norm) ?? null;
}

/** What mapping carries from one page's grid to the next grid of the same table (the current unit). */
export interface MappingState {
  unit: string | null;
  /** The current unit's total not yet accounted for by the rows under it. */
  remaining: number | null;
  children: number;
  /** Two-sided tables: the line whose fund sub-lines follow (年初结转和结余 …), per side. */
  subParent: Record<'income' | 'expenditure', string | null>;
  /** The document's fiscal year: columns headed with another year (上年预算数) are comparisons, not this year's cells. */
  fiscalYear: string;
}

export const newMappingState = (fiscalYear = ''): MappingState => ({ unit: null, remaining: null, children: 0, subParent: { income: null, expenditure: null }, fiscalYear });

export function mapTable(kind: TableKind, columns: GridColumn[], rows: GridRow[], state: MappingState = newMappingState()): MappedCell[] {
  switch (kind.layout) {
    case 'two_sided': return mapTwoSided(kind, columns, rows, state);
    case 'three_public': return mapThreePublic(kind, columns, rows, state.fiscalYear);
    case 'unit_rows': return mapUnitRows(kind, columns, rows, state);
    case 'performance': return [];
    default: return mapCodeRows(kind, columns, rows);
  }
}

function blocksOf(columns: GridColumn[]): number[] {
  return [...new Set(columns.map((c) => c.block))].sort((a, b) => a - b);
}

function mapCodeRows(kind: TableKind, columns: GridColumn[], rows: GridRow[]): MappedCell[] {
  const out: MappedCell[] = [];
  const blocks = blocksOf(columns);
  for (const b of blocks) {
    const singleKey = kind.columns.length === 1 ? kind.columns[0]!.key : kind.columns.some((c) => c.key === 'amount') ? 'amount' : null;
    const valueCols = blockValueColumns(kind, columns, b, singleKey);
    if (valueCols.size === 0) continue;
    let parent: { label: string; indent: number } | null = null;
    for (const row of rows) {
      const { label, code, repairs, lineNo } = blockLabel(row, columns, b);
      const norm = normalizeLabel(label);
      let key: string;
      if (code) key = code;
      else if (!label) { if (blocks.length === 1 && row === rows[0]) key = 'total'; else continue; }
      else if (kind.blockTotals && /经费合计$/u.test(norm)) key = norm.startsWith('人员') ? kind.blockTotals[0]! : kind.blockTotals[1]!;
      else if (isTotal(norm)) key = 'total';
      else {
        const cls = classCode(norm, !!kind.economic);
        const nested = parent && row.indent !== null && row.indent > parent.indent + 4;
        if (cls && !nested) key = cls;
        else key = nested ? `label:${parent!.label}/${norm}` : `label:${norm}`;
        if (!nested && row.indent !== null) parent = { label: norm, indent: row.indent };
      }
      const spanned = kind.blockTotals && /经费合计$/u.test(norm) ? mergedToTheRight(kind, columns, row, blocks, b, valueCols, singleKey) : null;
      emit(out, key, label, lineNo, row, columns, spanned ?? valueCols, repairs);
    }
  }
  return out;
}

const hasValue = (row: GridRow, valueCols: Map<number, string>): boolean => [...valueCols.keys()].some((i) => !!row.cells[i]?.text.trim());

/**
 * A total whose label cell is merged over the blocks to its right (公用经费合计 in fa06, 支出合计
 * over both expenditure blocks of a three-block bu01) prints its amount under the last block's
 * value column, on a row where that block has no label of its own: those columns, or null.
 */
function mergedToTheRight(kind: TableKind, columns: GridColumn[], row: GridRow, blocks: number[], block: number, own: Map<number, string>, singleKey: string | null): Map<number, string> | null {
  if (hasValue(row, own)) return null;
  const last = blocks[blocks.length - 1]!;
  if (blocks.indexOf(block) !== blocks.length - 2 || blockLabel(row, columns, last).label || blockLabel(row, columns, last).code) return null;
  const cols = blockValueColumns(kind, columns, last, singleKey);
  return hasValue(row, cols) ? cols : null;
}

function mapTwoSided(kind: TableKind, columns: GridColumn[], rows: GridRow[], state: MappingState): MappedCell[] {
  const out: MappedCell[] = [];
  const blocks = blocksOf(columns);
  blocks.forEach((b, bi) => {
    const side = bi === 0 ? 'income' : 'expenditure';
    const byLabel = side === 'income' ? INCOME_BY_LABEL : EXPENDITURE_BY_LABEL;
    const valueCols = blockValueColumns(kind, columns, b, 'amount');
    if (side === 'income' && valueCols.size > 1) {
      // Income sides carry one amount; extra columns there are an artefact.
      const first = [...valueCols.keys()][0]!;
      valueCols.clear();
      valueCols.set(first, 'amount');
    }
    for (const row of rows) {
      const { label, code, repairs, lineNo } = blockLabel(row, columns, b);
      if (!label && !code) continue;
      const norm = normalizeLabel(label);
      let item: string | undefined = byLabel.get(norm);
      if (!item && side === 'expenditure') item = code || (FUNCTIONAL_BY_NAME.get(norm) ?? undefined);
      if (!item && side === 'income' && /^(?:收入)?合计$/u.test(norm)) item = 'income_total';
      if (!item && side === 'expenditure' && /^(?:支出)?合计$/u.test(norm)) item = 'expenditure_total';
      const subParent = state.subParent[side];
      if (!item && subParent) {
        const fund = byLabel.get(norm.replace(FUND_SUBLINE_SUFFIX, ''));
        if (fund && (FUND_SUBLINES as readonly string[]).includes(fund)) item = fund;
      }
      if (item && subParent && (FUND_SUBLINES as readonly string[]).includes(item)) item = `${subParent}.${item}`;
      else if (item && (ITEMS_WITH_FUND_SUBLINES as readonly string[]).includes(item)) state.subParent[side] = item;
      else if (item) state.subParent[side] = null;
      const closing = item === 'income_total' || item === 'expenditure_total' || item === 'grand_total' || item === 'carry_forward' || item === 'carryover_end';
      const spanned = side === 'expenditure' && closing ? mergedToTheRight(kind, columns, row, blocks, b, valueCols, 'amount') : null;
      emit(out, `${side}:${item ?? `label:${norm}`}`, label, lineNo, row, columns, spanned ?? valueCols, repairs);
    }
  });
  return out;
}

/**
 * After all pages of a two-sided table: a side with no 总计 whose total (本年收入合计 …) is its
 * last line has that line as its grand total. When the same item closes the side twice (当年收入小计
 * and then 收入合计, both income_total by the appendix), only the lower line is the grand total.
 * "Last" is by position on the page, not by order of mapping: a side printed in two blocks (功能分类 |
 * 支出用途) is mapped block by block.
 */
export function closeSides(cells: MappedCell[]): MappedCell[] {
  const position = (c: MappedCell) => c.cell.page * 10_000 + c.cell.bbox[1];
  for (const side of ['income', 'expenditure'] as const) {
    const sideCells = cells.filter((c) => c.row_key.startsWith(`${side}:`));
    const totals = [...new Set(sideCells.map((c) => c.row_key).filter((k) => /:(?:income_total|expenditure_total|grand_total)$/u.test(k)))];
    if (totals.length !== 1 || totals[0]!.endsWith(':grand_total')) continue;
    const totalCells = sideCells.filter((c) => c.row_key === totals[0]);
    const lowest = Math.max(...totalCells.map(position));
    // Nothing of the side printed below the total line (a line is a few points high).
    if (sideCells.some((c) => position(c) > lowest + 4)) continue;
    for (const c of totalCells) if (position(c) > lowest - 4) c.row_key = `${side}:grand_total`;
  }
  return cells;
}

const BUDGET_SIDE = /预算/u;
const ACTUAL_SIDE = /决算|实际|执行/u;

/**
 * 三公 columns: a 小计 or 合计 is named by its parent — 公务用车…小计 → vehicle_total, “三公”经费 → total;
 * a bare 合计 beside 会议费 / 培训费 columns also counts those: total_with_meeting_training.
 */
function threePublicKey(col: GridColumn, kind: TableKind, hasMeetingTraining: boolean): string | null {
  const leaf = compact(col.path[col.path.length - 1] ?? '');
  const parents = compact(col.path.slice(0, -1).join(''));
  if (/^(?:小计|合计)$/u.test(leaf)) {
    // The vehicle group's own subtotal is printed 小计; a 合计 is never the vehicle group's.
    if (leaf === '小计' && /公务用车/u.test(parents)) return 'vehicle_total';
    if (/三公/u.test(parents)) return 'total';
    return hasMeetingTraining ? 'total_with_meeting_training' : 'total';
  }
  return columnKey(col, kind.columns);
}

function mapThreePublic(kind: TableKind, columns: GridColumn[], rows: GridRow[], fiscalYear: string): MappedCell[] {
  const hasMeetingTraining = columns.some((c) => /会议费|培训费/u.test(c.path.join('')));
  const labelled = rows.filter((r) => columns.some((c, i) => c.role === 'label' && r.cells[i] && !isTotal(normalizeLabel(r.cells[i]!.text)) && !/^(?:预算|决算)数?$/u.test(normalizeLabel(r.cells[i]!.text))));
  const otherYear = (c: GridColumn) => { const y = /(20\d{2})年/u.exec(c.path.join('')); return !!y && !!fiscalYear && y[1] !== fiscalYear; };
  const valueIdx = columns.map((c, i) => ({ c, i })).filter(({ c }) => c.role === 'value' && !otherYear(c));
  const groups = fundGroups(columns, valueIdx.map(({ i }) => i));
  const byFund = groups && mapThreePublicByFund(kind, columns, rows, fiscalYear, groups, hasMeetingTraining);
  if (byFund) return byFund;
  // Items as rows (Guangdong: 行政经费, “三公”经费, 因公出国(境)支出 …) with fund columns.
  if (labelled.length >= 2 && valueIdx.some(({ c }) => /一般公共预算|政府性基金|合计/u.test(c.path.join('')))) {
    const out: MappedCell[] = [];
    const rules = [{ key: 'general_budget', pattern: /一般公共预算/u }, { key: 'gov_fund', pattern: /政府性基金/u }, { key: 'state_capital', pattern: /国有资本/u }, { key: 'total', pattern: /合计|总计|小计/u }];
    const valueCols = new Map<number, string>();
    for (const { c, i } of valueIdx) { const k = columnKey(c, rules); if (k && ![...valueCols.values()].includes(k)) valueCols.set(i, k); }
    for (const row of rows) {
      const { label, lineNo } = blockLabel(row, columns, columns.find((c) => c.role === 'label')?.block ?? 0);
      if (!label) continue;
      const norm = normalizeLabel(label);
      emit(out, isTotal(norm) ? 'total' : `label:${norm}`, label, lineNo, row, columns, valueCols, []);
    }
    return out;
  }
  const out: MappedCell[] = [];
  for (const row of rows) {
    const { label } = blockLabel(row, columns, 0);
    const norm = normalizeLabel(label);
    const rowSide = BUDGET_SIDE.test(norm) ? 'budget_' : ACTUAL_SIDE.test(norm) ? 'actual_' : null;
    const valueCols = new Map<number, string>();
    for (const { c, i } of valueIdx) {
      const path = compact(c.path.join(''));
      const side = rowSide ?? (ACTUAL_SIDE.test(path) ? 'actual_' : BUDGET_SIDE.test(path) || kind.id.startsWith('bu') ? 'budget_' : null);
      const k = threePublicKey(c, kind, hasMeetingTraining);
      if (!k) continue;
      const key = k === 'admin_costs' ? k : side ? `${side}${k}` : null;
      if (key && ![...valueCols.values()].includes(key)) valueCols.set(i, key);
    }
    emit(out, 'total', label, '', row, columns, valueCols, []);
    if (!rowSide) break;
  }
  return out;
}

const FUND_LEAF = [/一般公共预算/u, /政府性基金/u, /国有资本/u] as const;

/**
 * Categories split by fund (Shenzhen: 总计 | 因公出国(境)费 | … each over 一般公共预算 | 政府性基金预算 | 国有资本经营预算):
 * the value columns in groups, one per category, each starting at its 一般公共预算 column. Undefined unless
 * every headed value column is a fund and there are at least two groups.
 */
function fundGroups(columns: GridColumn[], valueIdx: number[]): number[][] | undefined {
  const fundOf = (i: number) => FUND_LEAF.findIndex((re) => re.test(compact(columns[i]!.path[columns[i]!.path.length - 1] ?? '')));
  // The year of a row (2025 of 2025 年, under 年度 or under no header) is no category's column.
  const headed = valueIdx.filter((i) => columns[i]!.path.some((p) => compact(p)) && !/^(?:年度|年份)$/u.test(compact(columns[i]!.path.join(''))));
  if (headed.length < 4 || headed.some((i) => fundOf(i) < 0)) return undefined;
  const groups: number[][] = [];
  for (const i of headed) {
    if (fundOf(i) === 0 || groups.length === 0) groups.push([i]);
    else groups[groups.length - 1]!.push(i);
  }
  return groups.length >= 2 && groups.every((g) => fundOf(g[0]!) === 0 && g.length >= 2) ? groups : undefined;
}

/**
 * The fund-split layout. A group's category is the header its columns share most (an unruled header's
 * spans can stray into a neighbour's column). The category's amount is its 一般公共预算 cell when the
 * group's other funds are zero or blank (the 三公 are paid from the general budget); otherwise it is
 * not printed as one figure and is left out. Rows by year (2025年 | 2026年 | 增减变化金额): the budget
 * year's, keyed by the unit printed above it. Undefined when fewer than two groups are 三公 categories.
 */
function mapThreePublicByFund(kind: TableKind, columns: GridColumn[], rows: GridRow[], fiscalYear: string, groups: number[][], hasMeetingTraining: boolean): MappedCell[] | undefined {
  const valueCols = new Map<number, string>();
  const rest = new Map<number, number[]>();
  for (const group of groups) {
    const prefixes = new Map<string, number>();
    for (const i of group) { const p = columns[i]!.path.slice(0, -1).join('|'); prefixes.set(p, (prefixes.get(p) ?? 0) + 1); }
    const shared = [...prefixes.entries()].sort((a, b) => b[1] - a[1])[0]![0].split('|').filter(Boolean);
    const k = threePublicKey({ ...columns[group[0]!]!, path: shared }, kind, hasMeetingTraining);
    const key = k === 'admin_costs' ? k : k ? `budget_${k}` : null;
    if (!key || [...valueCols.values()].includes(key)) continue;
    valueCols.set(group[0]!, key);
    rest.set(group[0]!, group.slice(1));
  }
  // Groups that are not 三公 categories (预算数 | 执行数 by fund, say): another layout.
  if (valueCols.size < 2) return undefined;
  const yearOf = (row: GridRow) => { const m = /(?:^|\D)(20\d{2})(?:年|$)/u.exec(compact(row.cells.map((c) => c?.text ?? '').join(' '))); return m?.[1]; };
  const yearRows = rows.some((r) => yearOf(r) !== undefined);
  const isZero = (cell: GridCell | null) => { if (!cell) return true; const a = amountValue(cell.text); return a !== null && Number(a.value) === 0; };
  const out: MappedCell[] = [];
  let unit = '';
  for (const row of rows) {
    const labelIdx = columns.findIndex((c, i) => c.role === 'label' && row.cells[i] && !/^(?:20\d{2}年?|年|增减.*)$/u.test(compact(row.cells[i]!.text)));
    if (labelIdx >= 0) unit = row.cells[labelIdx]!.text;
    if (yearRows && yearOf(row) !== fiscalYear) continue;
    const sole = new Map([...valueCols].filter(([first]) => rest.get(first)!.every((i) => isZero(row.cells[i] ?? null))));
    const norm = normalizeLabel(unit);
    emit(out, norm && !isTotal(norm) ? `label:${norm}` : 'total', unit, '', row, columns, sole, []);
  }
  return out;
}

/**
 * Units and the categories or projects under them differ by indentation. The commonest indent is
 * one of the two levels: rows indented further are children (units are then the commonest), else
 * rows indented less are units. Unit names may be centred, so only the side of the split counts.
 */
function unitLevel(indents: (number | null)[]): (indent: number | null) => boolean {
  const xs = indents.filter((x): x is number => x !== null).map((x) => Math.round(x));
  if (xs.length === 0) return () => true;
  const counts = new Map<number, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  const mode = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
  const deeper = xs.some((x) => x > mode + 3);
  return (indent) => indent === null || (deeper ? indent <= mode + 3 : indent < mode - 3);
}

function mapUnitRows(kind: TableKind, columns: GridColumn[], rows: GridRow[], state: MappingState): MappedCell[] {
  const out: MappedCell[] = [];
  const labelCol = columns.findIndex((c) => c.role === 'label');
  // Text columns (绩效目标) are label-like clusters in the grid; give them their key here.
  const valueCols = new Map<number, string>();
  columns.forEach((c, i) => {
    if (i === labelCol) return;
    if (c.role !== 'value' && !(c.role === 'label' && /绩效目标/u.test(c.path.join('')))) return;
    const k = columnKey(c, kind.columns);
    if (k && ![...valueCols.values()].includes(k)) valueCols.set(i, k);
  });
  const labelIndents = rows.filter((r) => r.cells[labelCol] && !isTotal(normalizeLabel(r.cells[labelCol]!.text))).map((r) => r.indent);
  const isUnitRow = unitLevel(labelIndents);
  const totalCol = [...valueCols.entries()].find(([, k]) => k === 'total')?.[0];
  const totalOf = (row: GridRow) => {
    const c = totalCol === undefined ? null : row.cells[totalCol];
    const a = c ? amountValue(c.text) : null;
    return a ? Number(a.value) : null;
  };
  for (const row of rows) {
    const cell = labelCol >= 0 ? row.cells[labelCol] : null;
    const label = cell?.text ?? '';
    const norm = normalizeLabel(label);
    let key: string;
    if (!label) { if (row === rows[0] && !state.unit) key = 'total'; else continue; }
    else if (isTotal(norm)) key = 'total';
    else {
      // A unit's total is the sum of the rows under it: once they add up, the next row is a unit.
      const total = totalOf(row);
      const byArithmetic = state.remaining !== null && total !== null;
      // A row larger than what is left of the unit cannot be under it (the unit's own figure may be misprinted).
      const tolerance = 0.005 + 0.01 * state.children;
      const unitRow = byArithmetic ? Math.abs(state.remaining!) < tolerance || total! > state.remaining! + tolerance : isUnitRow(row.indent);
      if (unitRow || !state.unit) {
        state.unit = norm;
        state.remaining = total;
        state.children = 0;
        key = `label:${norm}`;
      } else {
        if (state.remaining !== null && total !== null) { state.remaining -= total; state.children++; }
        key = `label:${state.unit}/${norm}`;
      }
    }
    emit(out, key, label, '', row, columns, valueCols, []);
  }
  return out;
}

/**
 * Identity-guided correction of OCR readings. OCR confuses digits (`1,597.60` → `1297.60`, `717.57` → `7.57`)
 * and separators; for a doubtful cell the OCR stage keeps alternative readings. Where accounting identities fail,
 * this picks, among those readings, the one combination that makes every identity touching the changed cells
 * hold; a cell OCR could not read at all may be derived when identities determine it. Pure: returns new facts.
 *
 * Never touched: facts read from the text layer (OUTPUT.md: never correct a number read from a text layer).
 * Never invented: a new value is either a reading of that cell or the arithmetic of identities whose other cells
 * were all read (`derived_from_identity`).
 */
import { IDENTITIES, type Identity } from '../catalogue/identities.js';
import type { Fact } from '../model/fact.js';
import type { Finding } from '../model/finding.js';
import type { CellKey } from '../model/validation.js';
import { shiftDecimal } from '../util/decimal.js';
import { amountValue, repairedText } from './cells.js';
import { amountOf, cellId, factCell, identityChecks, withinTolerance, type IdentityCheck } from './validate.js';

export interface IdentityFixOptions {
  identities?: readonly Identity[];
  /** At most this many doubtful cells in one group of failing identities; a larger group is left as read. */
  maxSuspects?: number;
  /** At most this many cells changed together in one group. */
  maxChanges?: number;
  /** At most this many combinations of readings tried in one group. */
  maxCombinations?: number;
  /** Also try the reading's digits with the table's usual decimals (a dropped or doubled separator). */
  separatorVariants?: boolean;
}

export interface IdentityFix {
  cell: CellKey;
  page: number;
  bbox: string;
  /** The value as read ('' or the raw text when unreadable) and the value now. */
  from: string;
  to: string;
  repair: 'identity_fix' | 'derived_from_identity';
  /** The identity checks (validation.csv rule ids) that chose or determined the value. */
  rules: string[];
}

export interface IdentityFixResult { facts: Fact[]; fixes: IdentityFix[]; findings: Finding[] }

/**
 * A reading chosen by identities over OCR's first choice keeps less confidence: two sources (an OCR alternative
 * and the arithmetic) agree, yet a coincidental fit is possible and the reviewer should be able to sort it first.
 */
const FIX_CONFIDENCE_FACTOR = 0.8;
/** A derived value has no reading behind it at all: only the identities. */
const DERIVED_CONFIDENCE = 0.3;

const DEFAULTS = { maxSuspects: 8, maxChanges: 3, maxCombinations: 5000, separatorVariants: true } as const;

interface Reading { text: string; value: number; rank: number }

interface Cell {
  id: string;
  ref: CellKey;
  index: number;
  fact: Fact;
  /** The value as read; undefined when OCR gave no well-formed amount. */
  value?: number;
  unit: '万元' | '元';
  /** Other readings of an OCR cell, best first (none for text-layer cells). */
  readings: Reading[];
}

interface Check extends IdentityCheck { ids: string[] }

const round2 = (n: number) => Math.round(n * 100) / 100;
const decimalsOf = (text: string) => /\.(\d+)$/u.exec(text)?.[1]?.length ?? 0;
const describe = (c: CellKey) => `${c.table_kind}${c.table_instance ? `[${c.table_instance}]` : ''} ${c.row_key}/${c.column_key}`;

/** A candidate string as a plain decimal amount (`1,597.60` → `1597.60`), or null when it is not one. */
function parseReading(text: string): string | null {
  const amount = amountValue(repairedText(text).text);
  return amount && !amount.value.endsWith('%') ? amount.value : null;
}

/** The digits of a reading made only of digits and separators, with `decimals` decimals: `1.597.60` → `1597.60`. */
function separatorVariant(text: string, decimals: number): string | null {
  const t = text.trim();
  if (!/^[\d\s,.，。·]+$/u.test(t)) return null;
  const digits = t.replace(/\D/gu, '');
  if (digits.length <= decimals || digits.length > 15) return null;
  const int = digits.slice(0, digits.length - decimals).replace(/^0+(?=\d)/u, '');
  return decimals ? `${int}.${digits.slice(digits.length - decimals)}` : int;
}

/** The most common number of decimals among a table's amounts (2 for most tables in 万元). */
function usualDecimals(facts: readonly Fact[]): Map<string, number> {
  const counts = new Map<string, Map<number, number>>();
  for (const f of facts) {
    if (amountOf(f) === undefined) continue;
    const tk = `${f.table_kind}\u001f${f.table_instance}`;
    const byDecimals = counts.get(tk) ?? new Map<number, number>();
    const d = decimalsOf(f.value);
    byDecimals.set(d, (byDecimals.get(d) ?? 0) + 1);
    counts.set(tk, byDecimals);
  }
  const out = new Map<string, number>();
  for (const [tk, byDecimals] of counts) out.set(tk, [...byDecimals].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0]);
  return out;
}

/** The amount unit of each table, from its amount facts. */
function tableUnits(facts: readonly Fact[]): Map<string, '万元' | '元'> {
  const out = new Map<string, '万元' | '元'>();
  for (const f of facts) {
    if (f.unit === '万元' || f.unit === '元') out.set(`${f.table_kind}\u001f${f.table_instance}`, f.unit);
  }
  return out;
}

/** `n` (an integer count of 10^-decimals) as a plain decimal string. */
function formatScaled(n: number, decimals: number): string {
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.abs(n)).padStart(decimals + 1, '0');
  return decimals ? `${sign}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}` : `${sign}${digits}`;
}

const withRepair = (repairs: string, code: string) => [...new Set([...repairs.split(';').filter(Boolean), code])].join(';');

function withValue(f: Fact, value: string, unit: '万元' | '元', repair: IdentityFix['repair'], confidence: number): Fact {
  return { ...f, value, unit, value_cny: shiftDecimal(value, unit === '万元' ? 4 : 0), repairs: withRepair(f.repairs, repair), confidence: round2(confidence) };
}

/**
 * Corrects OCR readings where identities fail. `candidatesOf(fact)` gives the alternative readings of an OCR cell,
 * best first (strings as OCR read them; the current reading, duplicates and non-amounts are ignored). An OCR cell
 * that OCR could not read is passed as a fact with method 'ocr' whose value is not a well-formed amount (the raw
 * text, or ''), in a table that has amounts; its unit may be '' (it is taken from the table).
 */
export function fixByIdentities(
  facts: readonly Fact[],
  candidatesOf: (fact: Fact) => readonly string[] | undefined,
  options: IdentityFixOptions = {},
): IdentityFixResult {
  const identities = options.identities ?? IDENTITIES;
  const maxSuspects = options.maxSuspects ?? DEFAULTS.maxSuspects;
  const maxChanges = options.maxChanges ?? DEFAULTS.maxChanges;
  const maxCombinations = options.maxCombinations ?? DEFAULTS.maxCombinations;
  const separatorVariants = options.separatorVariants ?? DEFAULTS.separatorVariants;

  const units = tableUnits(facts);
  const decimals = usualDecimals(facts);
  const amountColumns = new Set(facts.filter((f) => amountOf(f) !== undefined).map((f) => `${f.table_kind}\u001f${f.table_instance}\u001f${f.column_key}`));
  const cells = new Map<string, Cell>();
  facts.forEach((f, index) => {
    const tk = `${f.table_kind}\u001f${f.table_instance}`;
    const value = amountOf(f);
    const unit = f.unit === '万元' || f.unit === '元' ? f.unit : units.get(tk);
    // Unreadable cells exist only in OCR, in a column of amounts (percentages and text columns are not amounts).
    if (value === undefined && (f.method !== 'ocr' || f.unit === '%' || !unit || !amountColumns.has(`${tk}\u001f${f.column_key}`))) return;
    const readings: Reading[] = [];
    if (f.method === 'ocr') {
      const seen = new Set<number>(value === undefined ? [] : [value]);
      const raw = [...(candidatesOf(f) ?? [])];
      if (separatorVariants) {
        const variantOf = [f.value, ...raw].map((t) => separatorVariant(t, decimals.get(tk) ?? 2)).filter((t): t is string => t !== null);
        raw.push(...variantOf);
      }
      for (const text of raw) {
        const parsed = parseReading(text);
        if (parsed === null) continue;
        const v = Number(parsed);
        if (seen.has(v)) continue;
        seen.add(v);
        readings.push({ text: parsed, value: v, rank: readings.length });
      }
    }
    const cell: Cell = { id: '', ref: factCell(f), index, fact: f, unit: unit!, readings };
    if (value !== undefined) cell.value = value;
    cell.id = cellId(cell.ref);
    cells.set(cell.id, cell);
  });

  const checks: Check[] = identityChecks([...cells.values()].sort((a, b) => a.index - b.index).map((c) => c.ref), identities)
    .map((c) => ({ ...c, ids: [cellId(c.target), ...c.terms.map(cellId)] }));
  const checksOf = new Map<string, Check[]>();
  for (const check of checks) for (const id of check.ids) checksOf.set(id, [...(checksOf.get(id) ?? []), check]);

  const values = new Map<string, number>();
  for (const c of cells.values()) if (c.value !== undefined) values.set(c.id, c.value);
  /** 'open' while a cell of the check is unreadable. */
  const status = (check: Check, value: (id: string) => number | undefined): 'hold' | 'fail' | 'open' => {
    const [target, ...terms] = check.ids.map(value);
    if (target === undefined || terms.some((t) => t === undefined)) return 'open';
    return withinTolerance(target, terms as number[]) ? 'hold' : 'fail';
  };
  const current = (id: string) => values.get(id);

  const out = [...facts];
  const fixes: IdentityFix[] = [];
  const findings: Finding[] = [];

  // 1. Groups of failing checks linked by the doubtful cells (OCR cells with other readings) they share.
  const doubtful = (id: string) => (cells.get(id)?.readings.length ?? 0) > 0 && values.has(id);
  const failing = checks.filter((c) => status(c, current) === 'fail');
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    const p = parent.get(id) ?? id;
    if (p === id) return id;
    const root = find(p);
    parent.set(id, root);
    return root;
  };
  for (const check of failing) {
    const suspects = check.ids.filter(doubtful);
    for (const id of suspects) if (!parent.has(id)) parent.set(id, id);
    for (const id of suspects.slice(1)) {
      const [a, b] = [find(suspects[0]!), find(id)];
      if (a !== b) parent.set(b, a);
    }
  }
  const groups = new Map<string, Cell[]>();
  for (const id of parent.keys()) groups.set(find(id), [...(groups.get(find(id)) ?? []), cells.get(id)!]);
  const ordered = [...groups.values()].map((g) => g.sort((a, b) => a.index - b.index)).sort((a, b) => a[0]!.index - b[0]!.index);

  for (const suspects of ordered) {
    const first = suspects[0]!.fact;
    const where = suspects.map((s) => describe(s.ref)).join(', ');
    if (suspects.length > maxSuspects) {
      findings.push({ code: 'identity_fix_bound', severity: 'warning', page: first.page, message: `identities fail around ${suspects.length} doubtful OCR cells (more than ${maxSuspects}); readings left as read: ${where}` });
      continue;
    }
    const scope = [...new Set(suspects.flatMap((s) => checksOf.get(s.id) ?? []))];
    const solve = solveGroup(suspects, scope, values, status, maxChanges, maxCombinations);
    if (solve.kind === 'none') continue;
    if (solve.kind === 'bound') {
      findings.push({ code: 'identity_fix_bound', severity: 'warning', page: first.page, message: `more than ${maxCombinations} combinations of readings to try for ${where}; readings left as read` });
      continue;
    }
    if (solve.kind === 'ambiguous') {
      const options = solve.alternatives.map((alt) => alt.map(([s, r]) => `${describe(s.ref)} = ${r.text}`).join(' & ')).join(' | ');
      findings.push({ code: 'identity_fix_ambiguous', severity: 'warning', page: first.page, message: `identities fail (${solve.rules.join(', ')}) and several readings repair them equally well: ${options}; left as read` });
      continue;
    }
    for (const [suspect, reading] of solve.assignment) values.set(suspect.id, reading.value);
    for (const [suspect, reading] of solve.assignment) {
      const f = suspect.fact;
      out[suspect.index] = withValue(f, reading.text, suspect.unit, 'identity_fix', f.confidence * FIX_CONFIDENCE_FACTOR);
      const rules = (checksOf.get(suspect.id) ?? []).filter((c) => status(c, current) === 'hold').map((c) => c.rule);
      fixes.push({ cell: suspect.ref, page: f.page, bbox: f.bbox, from: f.value, to: reading.text, repair: 'identity_fix', rules });
    }
  }

  // 2. Unreadable cells determined by the checks whose other cells were all read (one pass: no derived value
  // derives another). A term of a still-failing check is not trusted to determine anything. A value with no
  // reading behind it from a single check also needs that check's other cells confirmed (text layer, or in
  // another check that holds): an OCR misread alone in its check (an economic-code leaf) would be absorbed.
  const untrusted = new Set(checks.filter((c) => status(c, current) === 'fail').flatMap((c) => c.ids));
  const confirmed = (id: string) => cells.get(id)!.fact.method === 'text' || (checksOf.get(id) ?? []).some((c) => status(c, current) === 'hold');
  const derived: [Cell, string, IdentityFix['repair'], string[]][] = [];
  for (const cell of [...cells.values()].sort((a, b) => a.index - b.index)) {
    if (cell.value !== undefined) continue;
    const determining = (checksOf.get(cell.id) ?? []).filter((c) => c.ids.every((id) => id === cell.id || values.has(id)));
    if (determining.length === 0 || determining.some((c) => c.ids.some((id) => id !== cell.id && untrusted.has(id)))) continue;
    const holdsAll = (v: number) => determining.every((c) => status(c, (id) => (id === cell.id ? v : values.get(id))) === 'hold');
    const rules = determining.map((c) => c.rule);
    const reading = cell.readings.find((r) => holdsAll(r.value));
    if (reading) {
      derived.push([cell, reading.text, 'identity_fix', rules]);
      continue;
    }
    if (determining.length === 1 && !determining[0]!.ids.every((id) => id === cell.id || confirmed(id))) continue;
    const simplest = [...determining].sort((a, b) => a.ids.length - b.ids.length)[0]!;
    const value = solveFor(cell.id, simplest, (id) => out[cells.get(id)!.index]!.value);
    if (value === null || Number(value) < 0 || !holdsAll(Number(value))) continue;
    derived.push([cell, value, 'derived_from_identity', rules]);
  }
  for (const [cell, value, repair, rules] of derived) {
    const f = cell.fact;
    const confidence = repair === 'identity_fix' ? f.confidence * FIX_CONFIDENCE_FACTOR : Math.min(f.confidence, DERIVED_CONFIDENCE);
    out[cell.index] = withValue(f, value, cell.unit, repair, confidence);
    fixes.push({ cell: cell.ref, page: f.page, bbox: f.bbox, from: f.value, to: value, repair, rules });
  }
  return { facts: out, fixes, findings };
}

type Solve =
  | { kind: 'none' }
  | { kind: 'bound' }
  | { kind: 'ambiguous'; rules: string[]; alternatives: [Cell, Reading][][] }
  | { kind: 'fixed'; assignment: [Cell, Reading][] };

/** |target − Σ terms| of a check whose cells all have values, else 0. */
function residual(check: Check, value: (id: string) => number | undefined): number {
  const [target, ...terms] = check.ids.map(value);
  if (target === undefined || terms.some((t) => t === undefined)) return 0;
  return Math.abs(target - (terms as number[]).reduce((a, b) => a + b, 0));
}

/**
 * The fewest changes under which no check of `scope` fails; among those, the closest fit, then the best-ranked
 * readings. Fit and rank decide only between readings of the same cells: two different cells that could each be
 * the misread one are ambiguous (the identities cannot tell which).
 */
function solveGroup(
  suspects: readonly Cell[],
  scope: readonly Check[],
  values: ReadonlyMap<string, number>,
  status: (check: Check, value: (id: string) => number | undefined) => 'hold' | 'fail' | 'open',
  maxChanges: number,
  maxCombinations: number,
): Solve {
  let tried = 0;
  for (let size = 1; size <= Math.min(maxChanges, suspects.length); size++) {
    const subsets = subsetsOf(suspects, size);
    const count = subsets.reduce((n, s) => n + s.reduce((m, c) => m * c.readings.length, 1), 0);
    if (tried + count > maxCombinations) return { kind: 'bound' };
    tried += count;
    const solutions: { assignment: [Cell, Reading][]; misfit: number; rankSum: number; cellsKey: string }[] = [];
    for (const subset of subsets) {
      for (const choice of productOf(subset.map((c) => c.readings))) {
        const changed = new Map(subset.map((c, i) => [c.id, choice[i]!.value]));
        const value = (id: string) => changed.get(id) ?? values.get(id);
        if (scope.some((c) => status(c, value) === 'fail')) continue;
        solutions.push({
          assignment: subset.map((c, i) => [c, choice[i]!]),
          misfit: Math.round(scope.reduce((n, c) => n + residual(c, value), 0) * 1e6),
          rankSum: choice.reduce((n, r) => n + r.rank, 0),
          cellsKey: subset.map((c) => c.id).join('\u001e'),
        });
      }
    }
    if (solutions.length === 0) continue;
    // An exact fit beats one inside the rounding allowance (24.05 over 24.06 when 24.05 balances to the cent).
    const closest = Math.min(...solutions.map((s) => s.misfit));
    const close = solutions.filter((s) => s.misfit === closest);
    const best = Math.min(...close.map((s) => s.rankSum));
    const top = close.filter((s) => s.rankSum === best);
    const cellSets = new Set(solutions.map((s) => s.cellsKey));
    if (cellSets.size === 1 && top.length === 1) return { kind: 'fixed', assignment: top[0]!.assignment };
    const rules = scope.filter((c) => status(c, (id) => values.get(id)) === 'fail').map((c) => c.rule);
    return { kind: 'ambiguous', rules, alternatives: (cellSets.size === 1 ? top : solutions).map((s) => s.assignment) };
  }
  return { kind: 'none' };
}

function subsetsOf<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  const out: T[][] = [];
  items.forEach((item, i) => {
    for (const rest of subsetsOf(items.slice(i + 1), size - 1)) out.push([item, ...rest]);
  });
  return out;
}

function* productOf<T>(lists: readonly (readonly T[])[]): Generator<T[]> {
  if (lists.length === 0) {
    yield [];
    return;
  }
  for (const head of lists[0]!) for (const rest of productOf(lists.slice(1))) yield [head, ...rest];
}

/** The value of `id` that makes `check` exact, in the decimals of the other cells' printed values. */
function solveFor(id: string, check: Check, printed: (id: string) => string): string | null {
  const others = check.ids.filter((x) => x !== id);
  const texts = others.map(printed);
  if (texts.some((t) => !/^-?\d+(?:\.\d+)?$/u.test(t))) return null;
  const decimals = Math.max(...texts.map(decimalsOf));
  const scaled = (t: string) => Math.round(Number(t) * 10 ** decimals);
  const [target, ...terms] = check.ids.map((x) => (x === id ? undefined : scaled(printed(x))));
  const sumTerms = terms.reduce<number>((n, t) => n + (t ?? 0), 0);
  // The cell is the target (= Σ terms) or one term (= target − Σ other terms).
  const result = target === undefined ? sumTerms : target - sumTerms;
  return Number.isSafeInteger(result) ? formatScaled(result, decimals) : null;
}

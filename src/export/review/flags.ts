/**
 * Which cells of a document a reviewer should look at, and why: the cells of failing identities,
 * OCR readings that are unsure or were repaired, and values changed or derived by an identity.
 */
import { IDENTITIES, type Identity } from '../../catalogue/identities.js';
import type { DocumentResult } from '../../model/document.js';
import type { Fact } from '../../model/fact.js';
import type { CellKey, ValidationRow } from '../../model/validation.js';

/** OCR readings below this confidence are shown for checking. */
export const OCR_CONFIDENCE_FLOOR = 0.9;
/** Repairs that change or produce a value from an accounting identity rather than from the page. */
export const IDENTITY_REPAIRS: readonly string[] = ['identity_fix', 'derived_from_identity'];

export type FlagReason = 'identity_target' | 'identity_term' | 'identity_repair' | 'ocr';

/** Most telling first: the order of the reasons decides which cells get a crop when crops are capped. */
export const REASON_ORDER: readonly FlagReason[] = ['identity_target', 'identity_repair', 'identity_term', 'ocr'];

export interface FlaggedCell {
  fact: Fact;
  /** Position of the fact in the document's facts (reading order). */
  index: number;
  reasons: Set<FlagReason>;
  /** Indexes into `failing` of the failing identities this cell takes part in. */
  identities: number[];
}

export interface FailingIdentity {
  row: ValidationRow;
  /** The compared cells, target first (empty when the rule names none, e.g. completeness). */
  cells: CellKey[];
  /** Where `cells` came from: the validator's own list, or read back from the rule id. */
  cellsFrom: 'validator' | 'rule' | 'none';
}

export interface DocumentFlags {
  failing: FailingIdentity[];
  /** Flagged cells, most telling first, then in reading order. */
  cells: FlaggedCell[];
}

export const cellKeyOf = (k: CellKey): string => [k.table_kind, k.table_instance, k.row_key, k.column_key].join('\u001f');

/**
 * The cells a failing identity compared. The validator lists them (`ValidationRow.cells`); rows
 * without the list (e.g. read back from validation.csv) are resolved from the rule id
 * (`<identity id>@<row>`, `@<code>/<column>`, `@<column>`) against the catalogue and the facts.
 */
export function identityCells(row: ValidationRow, facts: readonly Fact[], identities: readonly Identity[] = IDENTITIES): { cells: CellKey[]; cellsFrom: FailingIdentity['cellsFrom'] } {
  if (row.cells && row.cells.length > 0) return { cells: row.cells, cellsFrom: 'validator' };
  const at = row.rule.indexOf('@');
  const id = at < 0 ? row.rule : row.rule.slice(0, at);
  const arg = at < 0 ? '' : row.rule.slice(at + 1);
  const table = row.table_kind, instance = row.table_instance;
  const inTable = facts.filter((f) => f.table_kind === table && f.table_instance === instance);
  const has = (r: string, c: string) => inTable.some((f) => f.row_key === r && f.column_key === c);
  const cell = (r: string, c: string): CellKey => ({ table_kind: table, table_instance: instance, row_key: r, column_key: c });
  const codes = [...new Set(inTable.map((f) => f.row_key))].filter((r) => /^\d{3,7}$/u.test(r));
  const identity = identities.find((i) => i.id === id);
  let cells: CellKey[] = [];
  if (identity?.kind === 'column_sum' && arg) {
    cells = [cell(arg, identity.target), ...identity.terms.filter((c) => has(arg, c)).map((c) => cell(arg, c))];
  } else if (identity?.kind === 'code_hierarchy' && arg.includes('/')) {
    const slash = arg.indexOf('/');
    const parent = arg.slice(0, slash), column = arg.slice(slash + 1);
    const children = codes.filter((c) => c.length === parent.length + 2 && c.startsWith(parent) && has(c, column));
    cells = [cell(parent, column), ...children.map((c) => cell(c, column))];
  } else if (identity?.kind === 'total_of_classes' && arg) {
    cells = [cell('total', arg), ...codes.filter((c) => c.length === 3 && has(c, arg)).map((c) => cell(c, arg))];
  } else if (identity?.kind === 'cells') {
    const ref = (r: { table: string; row: string; column: string }): CellKey => ({ table_kind: r.table, table_instance: '', row_key: r.row, column_key: r.column });
    cells = [ref(identity.target), ...identity.terms.map(ref)];
  } else if (arg) {
    // An identity this build does not know: the part after @ names at least the row checked.
    const rowKey = arg.split('/')[0]!;
    cells = inTable.filter((f) => f.row_key === rowKey).map((f) => cell(f.row_key, f.column_key));
  }
  return { cells, cellsFrom: cells.length > 0 ? 'rule' : 'none' };
}

export function flagDocument(result: DocumentResult, identities: readonly Identity[] = IDENTITIES): DocumentFlags {
  const failing: FailingIdentity[] = result.validation
    .filter((v) => !v.pass)
    .map((row) => (row.rule === 'completeness' ? { row, cells: [], cellsFrom: 'none' as const } : { row, ...identityCells(row, result.facts, identities) }));
  const byKey = new Map<string, number[]>();
  result.facts.forEach((f, i) => {
    const k = cellKeyOf(f);
    byKey.set(k, [...(byKey.get(k) ?? []), i]);
  });
  const flagged = new Map<number, FlaggedCell>();
  const flag = (index: number, reason: FlagReason, identity?: number) => {
    let c = flagged.get(index);
    if (!c) { c = { fact: result.facts[index]!, index, reasons: new Set(), identities: [] }; flagged.set(index, c); }
    c.reasons.add(reason);
    if (identity !== undefined && !c.identities.includes(identity)) c.identities.push(identity);
  };
  failing.forEach((f, n) => {
    f.cells.forEach((k, position) => {
      for (const index of byKey.get(cellKeyOf(k)) ?? []) flag(index, position === 0 ? 'identity_target' : 'identity_term', n);
    });
  });
  result.facts.forEach((f, index) => {
    const repairs = f.repairs ? f.repairs.split(';') : [];
    if (repairs.some((r) => IDENTITY_REPAIRS.includes(r))) flag(index, 'identity_repair');
    if (f.method === 'ocr' && (f.confidence < OCR_CONFIDENCE_FLOOR || repairs.length > 0)) flag(index, 'ocr');
  });
  const rank = (c: FlaggedCell) => Math.min(...[...c.reasons].map((r) => REASON_ORDER.indexOf(r)));
  const cells = [...flagged.values()].sort((a, b) => rank(a) - rank(b) || a.index - b.index);
  return { failing, cells };
}

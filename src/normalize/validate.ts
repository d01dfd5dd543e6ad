/**
 * Checks the accounting identities of the catalogue on one document's facts. Reports, never edits:
 * a value read from the page stays as read even when an identity fails (identity-fix.ts is the one
 * place that may change an OCR reading, and only to another reading of the same cell).
 */
import { IDENTITIES, REQUIRED_TABLES, TOLERANCE_PER_TERM, type CellRef, type Identity } from '../catalogue/identities.js';
import type { Source } from '../model/document.js';
import type { Fact } from '../model/fact.js';
import type { CellKey, ValidationRow } from '../model/validation.js';

/** One identity applied to concrete cells: `target` = Σ `terms`. */
export interface IdentityCheck {
  table_kind: string;
  table_instance: string;
  /** Rule id as written to validation.csv: `fa03.total_column@2010301`. */
  rule: string;
  target: CellKey;
  terms: CellKey[];
}

/** A map key for a cell (unit separator: keys never contain it). */
export const cellId = (c: CellKey): string => [c.table_kind, c.table_instance, c.row_key, c.column_key].join('\u001f');

/** Whether `found` equals the sum of the terms within the rounding allowance of OUTPUT.md. */
export function withinTolerance(found: number, terms: readonly number[]): boolean {
  const expected = terms.reduce((a, b) => a + b, 0);
  return Math.abs(found - expected) <= TOLERANCE_PER_TERM * Math.max(1, terms.length) + 1e-9;
}

/**
 * The identity checks that apply to a set of cells (those carrying an amount), in a stable order: identities
 * in catalogue order, tables, rows and columns in the order their cells first appear. Terms absent from the set
 * are left out (a table need not print every component column); a check without its target or without any term
 * is not made.
 */
export function identityChecks(present: Iterable<CellKey>, identities: readonly Identity[] = IDENTITIES): IdentityCheck[] {
  const ids = new Set<string>();
  const tables = new Map<string, { table: string; instance: string; rows: Set<string>; columns: Set<string> }>();
  for (const c of present) {
    ids.add(cellId(c));
    const tk = `${c.table_kind}\u001f${c.table_instance}`;
    const t = tables.get(tk) ?? { table: c.table_kind, instance: c.table_instance, rows: new Set(), columns: new Set() };
    t.rows.add(c.row_key);
    t.columns.add(c.column_key);
    tables.set(tk, t);
  }
  const has = (c: CellKey) => ids.has(cellId(c));
  const out: IdentityCheck[] = [];
  for (const identity of identities) {
    if (identity.kind === 'cells') {
      const ref = (r: CellRef): CellKey => ({ table_kind: r.table, table_instance: '', row_key: r.row, column_key: r.column });
      const target = ref(identity.target);
      const terms = identity.terms.map(ref);
      if (!has(target) || !terms.every(has)) continue;
      out.push({ table_kind: identity.target.table, table_instance: '', rule: identity.id, target, terms });
      continue;
    }
    for (const t of tables.values()) {
      if (t.table !== identity.table) continue;
      const at = (row: string, column: string): CellKey => ({ table_kind: t.table, table_instance: t.instance, row_key: row, column_key: column });
      const push = (rule: string, target: CellKey, candidates: CellKey[]) => {
        const terms = candidates.filter(has);
        if (!has(target) || terms.length === 0) return;
        out.push({ table_kind: t.table, table_instance: t.instance, rule, target, terms });
      };
      if (identity.kind === 'column_sum') {
        for (const row of t.rows) {
          if (identity.rows === 'expenditure' && !row.startsWith('expenditure:')) continue;
          push(`${identity.id}@${row}`, at(row, identity.target), identity.terms.map((c) => at(row, c)));
        }
      } else {
        const codes = [...t.rows].filter((r) => /^\d{3,7}$/u.test(r));
        for (const column of t.columns) {
          if (identity.kind === 'code_hierarchy') {
            for (const parent of codes) {
              const children = codes.filter((c) => c.length === parent.length + 2 && c.startsWith(parent));
              push(`${identity.id}@${parent}/${column}`, at(parent, column), children.map((c) => at(c, column)));
            }
          } else {
            push(`${identity.id}@${column}`, at('total', column), codes.filter((c) => c.length === 3).map((c) => at(c, column)));
          }
        }
      }
    }
  }
  return out;
}

/** The cell of a fact. */
export const factCell = (f: Fact): CellKey => ({ table_kind: f.table_kind, table_instance: f.table_instance, row_key: f.row_key, column_key: f.column_key });

/**
 * An amount fact's value as a number, or undefined for text, percentages and unreadable values. Only a plain
 * decimal counts: `Number('')` is 0, and a blank OCR cell is unread, not zero.
 */
export function amountOf(f: Fact): number | undefined {
  if (f.unit !== '万元' && f.unit !== '元') return undefined;
  return /^-?\d+(?:\.\d+)?$/u.test(f.value) ? Number(f.value) : undefined;
}

/** Prints a sum without binary noise (amounts carry at most 6 decimals). */
const fmt = (n: number) => String(Math.round(n * 1e6) / 1e6);

export function validateFacts(facts: readonly Fact[], identities: readonly Identity[] = IDENTITIES): ValidationRow[] {
  const first = facts[0];
  if (!first) return [];
  const values = new Map<string, number>();
  const present: CellKey[] = [];
  for (const f of facts) {
    const v = amountOf(f);
    if (v === undefined) continue;
    const cell = factCell(f);
    values.set(cellId(cell), v);
    present.push(cell);
  }
  return identityChecks(present, identities).map((check) => {
    const found = values.get(cellId(check.target))!;
    const terms = check.terms.map((c) => values.get(cellId(c))!);
    const expected = terms.reduce((a, b) => a + b, 0);
    return {
      source_sha256: first.source_sha256, source: first.source, table_kind: check.table_kind, table_instance: check.table_instance,
      rule: check.rule, expected: fmt(expected), found: fmt(found), difference: fmt(found - expected),
      pass: withinTolerance(found, terms),
      cells: [check.target, ...check.terms],
    };
  });
}

/** The tables a document of its kind should print, each as a pass (found) or fail (missing) row. */
export function checkCompleteness(source: Source, docKind: string, tablesFound: readonly string[]): ValidationRow[] {
  return (REQUIRED_TABLES[docKind] ?? []).map((table) => {
    const found = tablesFound.includes(table);
    return {
      source_sha256: source.sha256, source: source.source, table_kind: table, table_instance: '', rule: 'completeness',
      expected: 'present', found: found ? 'present' : 'missing', difference: '', pass: found,
    };
  });
}

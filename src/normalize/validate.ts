/**
 * Checks the accounting identities of the catalogue on one document's facts. Reports, never edits:
 * a value read from the page stays as read even when an identity fails.
 */
import { IDENTITIES, REQUIRED_TABLES, TOLERANCE_PER_TERM, type CellRef, type Identity } from '../catalogue/identities.js';
import type { Source } from '../model/document.js';
import type { Fact } from '../model/fact.js';
import type { ValidationRow } from '../model/validation.js';

type Cells = Map<string, number>;
const key = (table: string, instance: string, row: string, column: string) => [table, instance, row, column].join('\u001f');

/** Prints a sum without binary noise (amounts carry at most 6 decimals). */
const fmt = (n: number) => String(Math.round(n * 1e6) / 1e6);

export function validateFacts(facts: readonly Fact[], identities: readonly Identity[] = IDENTITIES): ValidationRow[] {
  const first = facts[0];
  if (!first) return [];
  const cells: Cells = new Map();
  const tables = new Map<string, { table: string; instance: string; rows: Set<string>; columns: Set<string> }>();
  for (const f of facts) {
    if (f.unit !== '万元' && f.unit !== '元') continue;
    const v = Number(f.value);
    if (!Number.isFinite(v)) continue;
    cells.set(key(f.table_kind, f.table_instance, f.row_key, f.column_key), v);
    const tk = `${f.table_kind}\u001f${f.table_instance}`;
    const t = tables.get(tk) ?? { table: f.table_kind, instance: f.table_instance, rows: new Set(), columns: new Set() };
    t.rows.add(f.row_key);
    t.columns.add(f.column_key);
    tables.set(tk, t);
  }
  const out: ValidationRow[] = [];
  const check = (table: string, instance: string, rule: string, found: number, terms: number[]) => {
    const expected = terms.reduce((a, b) => a + b, 0);
    const difference = found - expected;
    out.push({
      source_sha256: first.source_sha256, source: first.source, table_kind: table, table_instance: instance, rule,
      expected: fmt(expected), found: fmt(found), difference: fmt(difference),
      pass: Math.abs(difference) <= TOLERANCE_PER_TERM * Math.max(1, terms.length) + 1e-9,
    });
  };
  for (const identity of identities) {
    if (identity.kind === 'cells') {
      const get = (r: CellRef) => cells.get(key(r.table, '', r.row, r.column));
      const found = get(identity.target);
      const terms = identity.terms.map(get);
      if (found === undefined || terms.some((t) => t === undefined)) continue;
      check(identity.target.table, '', identity.id, found, terms as number[]);
      continue;
    }
    for (const t of tables.values()) {
      if (t.table !== identity.table) continue;
      const get = (row: string, column: string) => cells.get(key(t.table, t.instance, row, column));
      if (identity.kind === 'column_sum') {
        for (const row of t.rows) {
          if (identity.rows === 'expenditure' && !row.startsWith('expenditure:')) continue;
          const found = get(row, identity.target);
          const terms = identity.terms.map((c) => get(row, c)).filter((v): v is number => v !== undefined);
          if (found === undefined || terms.length === 0) continue;
          check(t.table, t.instance, `${identity.id}@${row}`, found, terms);
        }
      } else {
        const codes = [...t.rows].filter((r) => /^\d{3,7}$/u.test(r));
        for (const column of t.columns) {
          if (identity.kind === 'code_hierarchy') {
            for (const parent of codes) {
              const children = codes.filter((c) => c.length === parent.length + 2 && c.startsWith(parent));
              const found = get(parent, column);
              const terms = children.map((c) => get(c, column)).filter((v): v is number => v !== undefined);
              if (found === undefined || terms.length === 0) continue;
              check(t.table, t.instance, `${identity.id}@${parent}/${column}`, found, terms);
            }
          } else {
            const found = get('total', column);
            const terms = codes.filter((c) => c.length === 3).map((c) => get(c, column)).filter((v): v is number => v !== undefined);
            if (found === undefined || terms.length === 0) continue;
            check(t.table, t.instance, `${identity.id}@${column}`, found, terms);
          }
        }
      }
    }
  }
  return out;
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

import type { Fact } from '../model/fact.js';
import { toCsv } from './csv.js';

/** The columns that say whose row it is; the column keys follow them. */
export const WIDE_ID_COLUMNS = ['source_sha256', 'source', 'entity', 'fiscal_year', 'doc_kind', 'table_instance', 'row_key', 'row_label', 'line_no'] as const;

/** One CSV per table kind: a row per document and row key, a column per column key. */
export async function wideTables(facts: readonly Fact[]): Promise<Map<string, string>> {
  const byKind = new Map<string, Fact[]>();
  for (const f of facts) {
    const list = byKind.get(f.table_kind);
    if (list) list.push(f); else byKind.set(f.table_kind, [f]);
  }
  const out = new Map<string, string>();
  for (const [kind, list] of [...byKind].sort((a, b) => a[0].localeCompare(b[0]))) {
    const columnKeys = [...new Set(list.map((f) => f.column_key))];
    const rows = new Map<string, { id: string[]; values: Map<string, string> }>();
    for (const f of list) {
      const k = [f.source_sha256, f.table_instance, f.row_key].join('\u001f');
      let r = rows.get(k);
      if (!r) { r = { id: WIDE_ID_COLUMNS.map((c) => String(f[c])), values: new Map() }; rows.set(k, r); }
      r.values.set(f.column_key, f.value);
    }
    out.set(kind, await toCsv([...WIDE_ID_COLUMNS, ...columnKeys], [...rows.values()].map((r) => [...r.id, ...columnKeys.map((c) => r.values.get(c) ?? '')])));
  }
  return out;
}

/** Canonical tables → `facts.csv` rows, carrying provenance from the cell it was read in. */
import type { Source } from '../model/document.js';
import type { Fact } from '../model/fact.js';
import { shiftDecimal } from '../util/decimal.js';
import type { NormalizedDocument } from './index.js';

const round2 = (n: number) => Math.round(n * 100) / 100;

export function toFacts(source: Source, doc: NormalizedDocument): Fact[] {
  const facts: Fact[] = [];
  for (const t of doc.tables) {
    for (const c of t.cells) {
      const unit = c.type === 'amount' ? t.unit : c.type === 'percent' ? '%' : '';
      // 'number' (scores, weights) and text carry no unit.
      const cny = c.type === 'amount' ? shiftDecimal(c.value, t.unit === '万元' ? 4 : 0) : '';
      facts.push({
        source_sha256: source.sha256,
        source: source.source,
        entity: t.entity,
        fiscal_year: doc.meta.fiscalYear,
        doc_kind: doc.meta.docKind,
        table_kind: t.tableKind,
        table_instance: t.tableInstance,
        row_key: c.row_key,
        row_label: c.row_label,
        column_key: c.column_key,
        column_label: c.column_label,
        value: c.value,
        value_cny: cny,
        line_no: c.line_no,
        unit,
        page: c.cell.page,
        bbox: c.cell.bbox.map((v) => v.toFixed(1)).join(' '),
        method: c.cell.method,
        confidence: round2(c.cell.confidence),
        repairs: [...new Set(c.repairs)].join(';'),
      });
    }
  }
  return facts;
}

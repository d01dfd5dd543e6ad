/** One `facts.csv` row (see OUTPUT.md). */
export interface Fact {
  source_sha256: string;
  source: string;
  entity: string;
  fiscal_year: string;
  doc_kind: string;
  table_kind: string;
  table_instance: string;
  row_key: string;
  row_label: string;
  column_key: string;
  column_label: string;
  value: string;
  value_cny: string;
  line_no: string;
  unit: string;
  page: number;
  bbox: string;
  method: 'text' | 'ocr';
  confidence: number;
  repairs: string;
}

export const FACT_COLUMNS = [
  'source_sha256', 'source', 'entity', 'fiscal_year', 'doc_kind', 'table_kind', 'table_instance',
  'row_key', 'row_label', 'column_key', 'column_label', 'value', 'value_cny', 'line_no', 'unit',
  'page', 'bbox', 'method', 'confidence', 'repairs',
] as const satisfies readonly (keyof Fact)[];

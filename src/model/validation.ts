/** One accounting identity checked on one document (a `validation.csv` row). */
export interface ValidationRow {
  source_sha256: string;
  source: string;
  table_kind: string;
  table_instance: string;
  /** Identity id from the catalogue, with the row or column it was applied to: `fa03.total_column@2010301`. */
  rule: string;
  expected: string;
  found: string;
  difference: string;
  pass: boolean;
  /** The cells the identity summed or compared (target first). In memory only: not a validation.csv column. */
  cells?: CellKey[];
}

/** A cell of one document by its canonical keys. */
export interface CellKey { table_kind: string; table_instance: string; row_key: string; column_key: string }

export const VALIDATION_COLUMNS = ['source_sha256', 'source', 'table_kind', 'table_instance', 'rule', 'expected', 'found', 'difference', 'pass'] as const satisfies readonly (keyof ValidationRow)[];

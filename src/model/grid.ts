/** A table rebuilt from one document: its header columns and body rows, before canonical mapping. */

export interface GridCell {
  /** Repaired text of the cell. */
  text: string;
  /** The text as printed (joined runs), before repairs. */
  raw: string;
  page: number;
  /** x0 top x1 bottom, PDF points, top-left origin. */
  bbox: [number, number, number, number];
  method: 'text' | 'ocr';
  confidence: number;
  repairs: string[];
}

/** A leaf header column; `path` holds the header texts from the top row down to this column. */
export interface GridColumn {
  x0: number;
  x1: number;
  path: string[];
  /** Role inferred from the cells under it. */
  role: 'code' | 'label' | 'line_no' | 'value';
  /** Index of the side-by-side block this column belongs to (0 for single-block tables). */
  block: number;
}

export interface GridRow {
  cells: (GridCell | null)[];
  /** Left edge of the row's label text: used to tell nesting (indentation). */
  indent: number | null;
}

export interface TableRegion {
  /** Title as printed, after repair. */
  title: string;
  tableNo: string;
  /** Entity line (单位：…) text, when printed. */
  entityLine: string;
  /** Unit of amounts from the 单位 line: 万元 (default) or 元. */
  unit: '万元' | '元';
  pages: number[];
  columns: GridColumn[];
  rows: GridRow[];
  /** Free text lines inside the region that were not table rows (e.g. 本表无数据). */
  notes: string[];
}

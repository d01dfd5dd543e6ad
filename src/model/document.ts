import type { Fact } from './fact.js';
import type { Finding } from './finding.js';
import type { ValidationRow } from './validation.js';

export type DocKind = 'final_account' | 'budget' | 'performance_eval' | 'other';

/** A source PDF as read from disk or the network. */
export interface Source {
  /** URL or path as the user gave it. */
  source: string;
  sha256: string;
  bytes: number;
  /** When the bytes were retrieved (ISO 8601): the download time for a URL, the file's read time for a path. */
  retrievedAt?: string;
}

/** What the document says about itself (cover, titles, table headers). */
export interface DocumentMeta {
  entity: string;
  fiscalYear: string;
  docKind: DocKind;
}

export interface TableSummary {
  table_kind: string;
  table_instance: string;
  title: string;
  entity: string;
  pages: number[];
  cells: number;
}

/** Everything the pipeline learned from one document. */
export interface DocumentResult {
  source: Source;
  /** `duplicate`: the same bytes as another source of the run, whose row carries the facts. */
  status: 'ok' | 'failed' | 'duplicate';
  error?: string;
  pages: number;
  pagesNeedingOcr: number[];
  /** Pages read by OCR (a subset of the pages; the rest were read from the text layer). */
  pagesOcr?: number[];
  meta?: DocumentMeta;
  tables: TableSummary[];
  facts: Fact[];
  /** Accounting identities checked on the facts. */
  validation: ValidationRow[];
  findings: Finding[];
  timingsMs: Record<string, number>;
}

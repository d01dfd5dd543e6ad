import type { DocumentResult } from '../model/document.js';
import { toCsv } from './csv.js';

export const DOCUMENT_COLUMNS = [
  'sha256', 'source', 'entity', 'fiscal_year', 'doc_kind', 'pages', 'pages_ocr', 'tables', 'cells',
  'identities_passed', 'identities_failed', 'status', 'error',
] as const;

/** One row per source: what was read from it and how it held together. */
export function documentsCsv(results: readonly DocumentResult[]): Promise<string> {
  const sorted = [...results].sort((a, b) => a.source.source.localeCompare(b.source.source) || a.source.sha256.localeCompare(b.source.sha256));
  return toCsv(DOCUMENT_COLUMNS, sorted.map((r) => [
    r.source.sha256, r.source.source, r.meta?.entity ?? '', r.meta?.fiscalYear ?? '', r.meta?.docKind ?? '', r.pages,
    r.pagesOcr?.length ?? 0, r.tables.length, r.facts.length,
    r.validation.filter((v) => v.pass).length, r.validation.filter((v) => !v.pass).length, r.status, r.error ?? '',
  ]));
}

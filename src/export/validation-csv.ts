import { VALIDATION_COLUMNS, type ValidationRow } from '../model/validation.js';
import { toCsv } from './csv.js';

export function validationCsv(rows: readonly ValidationRow[]): Promise<string> {
  const sorted = [...rows].sort((a, b) => a.source.localeCompare(b.source) || a.source_sha256.localeCompare(b.source_sha256));
  return toCsv(VALIDATION_COLUMNS, sorted.map((r) => VALIDATION_COLUMNS.map((c) => (c === 'pass' ? (r.pass ? 'pass' : 'fail') : r[c]))));
}

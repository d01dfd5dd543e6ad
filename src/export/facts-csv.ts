import { FACT_COLUMNS, type Fact } from '../model/fact.js';
import { toCsv } from './csv.js';

/** Stable order: by source, table, then reading order as extracted. */
export function sortFacts(facts: readonly Fact[]): Fact[] {
  return [...facts].sort((a, b) => a.source.localeCompare(b.source) || a.source_sha256.localeCompare(b.source_sha256));
}

export function factsCsv(facts: readonly Fact[]): Promise<string> {
  return toCsv(FACT_COLUMNS, facts.map((f) => FACT_COLUMNS.map((c) => f[c])));
}

/**
 * Test-support for end-to-end tests: run a generated document through processDocument and look
 * its facts up by key.
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { DocumentResult } from '../../src/model/document.js';
import type { Fact } from '../../src/model/fact.js';
import { processDocument } from '../../src/pipeline/process-document.js';
import { makePdf, type DocSpec } from './make-pdf.js';

/** makePdf(spec) → processDocument, as the CLI would read the file. */
export async function extractDoc(spec: DocSpec, source = 'memory://doc.pdf'): Promise<DocumentResult> {
  const pdf = await makePdf(spec);
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  return processDocument({ source, sha256, bytes: pdf.length }, new Uint8Array(pdf));
}

/** Facts of one table kind (and instance, when given). */
export function factsOf(facts: readonly Fact[], kind: string, instance?: string): Fact[] {
  return facts.filter((f) => f.table_kind === kind && (instance === undefined || f.table_instance === instance));
}

/** `row_key|column_key` → value of every fact of one table kind; fails on a key printed twice. */
export function cellMap(facts: readonly Fact[], kind: string, instance?: string): Record<string, string> {
  const out: Record<string, string> = {};
  const dups: string[] = [];
  for (const f of factsOf(facts, kind, instance)) {
    const k = `${f.row_key}|${f.column_key}`;
    if (k in out) dups.push(k);
    out[k] = f.value;
  }
  expect(dups, `facts of ${kind} printed more than once`).toEqual([]);
  return out;
}

/** The one fact at (row_key, column_key) of a table kind; fails with the keys found when absent. */
export function factAt(facts: readonly Fact[], kind: string, row: string, column: string): Fact {
  const of = factsOf(facts, kind);
  const f = of.find((x) => x.row_key === row && x.column_key === column);
  if (!f) {
    const keys = [...new Set(of.map((x) => `${x.row_key}|${x.column_key}`))].join(', ');
    throw new Error(`no ${kind} fact ${row}|${column}; found: ${keys || '(none)'}`);
  }
  return f;
}

/** `fiscal-harvest validate <out>`: re-checks the identities of an output folder from its facts.csv. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeAtomic } from '../export/atomic.js';
import { readFacts } from '../export/read-facts.js';
import { validationCsv } from '../export/validation-csv.js';
import type { Fact } from '../model/fact.js';
import type { ValidationRow } from '../model/validation.js';
import { checkCompleteness, validateFacts } from '../normalize/validate.js';

const Report = z.object({
  documents: z.array(z.object({ source: z.string(), sha256: z.string(), doc_kind: z.string().nullable(), tables: z.array(z.object({ table_kind: z.string() })) })),
});

export interface RevalidateSummary { documents: number; passed: number; failed: ValidationRow[] }

export async function revalidate(outDir: string): Promise<RevalidateSummary> {
  const facts = await readFacts(path.join(outDir, 'facts.csv'));
  const bySource = new Map<string, Fact[]>();
  for (const f of facts) bySource.set(f.source_sha256, [...(bySource.get(f.source_sha256) ?? []), f]);
  const rows: ValidationRow[] = [];
  // Completeness needs the tables found, which report.json records (a table may have no cells).
  const report = await readFile(path.join(outDir, 'report.json'), 'utf8').then((t) => Report.parse(JSON.parse(t)), () => null);
  for (const d of report?.documents ?? []) {
    if (d.doc_kind) rows.push(...checkCompleteness({ source: d.source, sha256: d.sha256, bytes: 0 }, d.doc_kind, d.tables.map((t) => t.table_kind)));
  }
  for (const list of bySource.values()) rows.push(...validateFacts(list));
  await writeAtomic(path.join(outDir, 'validation.csv'), await validationCsv(rows));
  return { documents: Math.max(bySource.size, report?.documents.length ?? 0), passed: rows.filter((r) => r.pass).length, failed: rows.filter((r) => !r.pass) };
}

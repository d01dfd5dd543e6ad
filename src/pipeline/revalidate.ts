/** `fiscal-harvest validate <out>`: re-checks the identities of an output folder from its facts.csv. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeAtomic } from '../export/atomic.js';
import { csvObjects, readFacts } from '../export/read-facts.js';
import { describeOutputFile, updateDistribution } from '../export/metadata.js';
import { validationCsv } from '../export/validation-csv.js';
import type { Fact } from '../model/fact.js';
import type { ValidationRow } from '../model/validation.js';
import { isStatedFigureRow } from '../normalize/narrative.js';
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
  // Figures stated in the documents' text were checked by the run, which had the text: kept as they are.
  rows.push(...(await previousRows(path.join(outDir, 'validation.csv'))).filter(isStatedFigureRow));
  const csv = await validationCsv(rows);
  await writeAtomic(path.join(outDir, 'validation.csv'), csv);
  await keepMetadataInStep(outDir, 'validation.csv', csv);
  return { documents: Math.max(bySource.size, report?.documents.length ?? 0), passed: rows.filter((r) => r.pass).length, failed: rows.filter((r) => !r.pass) };
}

const ValidationCsvRow = z.object({
  source_sha256: z.string(), source: z.string(), table_kind: z.string(), table_instance: z.string(),
  rule: z.string(), expected: z.string(), found: z.string(), difference: z.string(), pass: z.enum(['pass', 'fail']),
});

/** The rows of an existing validation.csv (none when there is none, or it cannot be read). */
async function previousRows(file: string): Promise<ValidationRow[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  if (!text) return [];
  const rows = await csvObjects(text).catch((): Record<string, string>[] => []);
  return rows.flatMap((r) => {
    const parsed = ValidationCsvRow.safeParse(r);
    return parsed.success ? [{ ...parsed.data, pass: parsed.data.pass === 'pass' }] : [];
  });
}

/** A rewritten file's size and checksum in metadata.json, so that the folder still conforms. */
async function keepMetadataInStep(outDir: string, file: string, content: string): Promise<void> {
  const metadataFile = path.join(outDir, 'metadata.json');
  const text = await readFile(metadataFile, 'utf8').catch(() => '');
  if (!text) return;
  const metadata: unknown = JSON.parse(text);
  if (!updateDistribution(metadata, describeOutputFile(file, content))) return;
  const updated = `${JSON.stringify(metadata, null, 2)}\n`; // as the run writes it
  if (updated !== text) await writeAtomic(metadataFile, updated);
}

/** Reads a `facts.csv` back (for `fiscal-harvest validate`), checking every row against the contract. */
import { readFile } from 'node:fs/promises';
import { parseString } from 'fast-csv';
import { z } from 'zod';
import { FACT_COLUMNS, type Fact } from '../model/fact.js';

const FactRow = z.object({
  source_sha256: z.string().regex(/^[0-9a-f]{64}$/u, 'a sha256 in hex'),
  source: z.string(),
  entity: z.string(),
  fiscal_year: z.string(),
  doc_kind: z.string(),
  table_kind: z.string().min(1),
  table_instance: z.string(),
  row_key: z.string().min(1),
  row_label: z.string(),
  column_key: z.string().min(1),
  column_label: z.string(),
  value: z.string(),
  value_cny: z.string(),
  line_no: z.string(),
  unit: z.enum(['万元', '元', '%', '']),
  page: z.coerce.number().int().min(1),
  bbox: z.string(),
  method: z.enum(['text', 'ocr']),
  confidence: z.coerce.number().min(0).max(1),
  repairs: z.string(),
}) satisfies z.ZodType<Fact, unknown>;

export class FactsFileError extends Error {}

/** The records of a CSV text with a header line, as objects keyed by column name. */
export function csvObjects(text: string): Promise<Record<string, string>[]> {
  return new Promise((resolve, reject) => {
    const out: Record<string, string>[] = [];
    parseString(text, { headers: true })
      .on('error', reject)
      .on('data', (r: Record<string, string>) => out.push(r))
      .on('end', () => resolve(out));
  });
}

export async function readFacts(file: string): Promise<Fact[]> {
  const rows = await csvObjects(await readFile(file, 'utf8'));
  return rows.map((r, i) => {
    const parsed = FactRow.safeParse(r);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new FactsFileError(`${file}: line ${i + 2}: ${issue.path.join('.') || 'row'}: ${issue.message} (columns: ${FACT_COLUMNS.join(',')})`);
    }
    return parsed.data;
  });
}

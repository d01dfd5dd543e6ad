/** The export stage: the only writer of `out/`. Every file is written atomically. */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { DocumentResult } from '../model/document.js';
import type { Fact } from '../model/fact.js';
import { writeAtomic } from './atomic.js';
import { documentsCsv } from './documents-csv.js';
import { describeOutputFile, metadataJson, type OutputFile } from './metadata.js';
import { writeReview } from './review/index.js';
import { factsCsv, sortFacts } from './facts-csv.js';
import { validationCsv } from './validation-csv.js';
import { wideTables } from './wide-tables.js';

export interface RunInfo {
  software: string;
  version: string;
  startedAt: string;
  endedAt: string;
}

export function reportJson(results: readonly DocumentResult[], run: RunInfo): string {
  const documents = results.map((r) => ({
    source: r.source.source,
    sha256: r.source.sha256,
    status: r.status,
    error: r.error ?? null,
    entity: r.meta?.entity ?? null,
    fiscal_year: r.meta?.fiscalYear ?? null,
    doc_kind: r.meta?.docKind ?? null,
    pages: r.pages,
    pages_needing_ocr: r.pagesNeedingOcr,
    pages_ocr: r.pagesOcr ?? [],
    tables: r.tables,
    cells: r.facts.length,
    identities: { passed: r.validation.filter((v) => v.pass).length, failed: r.validation.filter((v) => !v.pass).length },
    findings: r.findings,
    timings_ms: r.timingsMs,
  }));
  const summary = {
    documents: results.length,
    ok: results.filter((r) => r.status === 'ok').length,
    failed: results.filter((r) => r.status === 'failed').length,
    pages: results.reduce((a, r) => a + r.pages, 0),
    cells: results.reduce((a, r) => a + r.facts.length, 0),
    identities_passed: results.reduce((a, r) => a + r.validation.filter((v) => v.pass).length, 0),
    identities_failed: results.reduce((a, r) => a + r.validation.filter((v) => !v.pass).length, 0),
  };
  return JSON.stringify({ run, summary, documents }, null, 1) + '\n';
}

/** A wide table of an earlier run whose kind this run no longer has would be described by nothing. */
async function removeStaleTables(dir: string, kinds: ReadonlySet<string>): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.endsWith('.csv') && !kinds.has(n.slice(0, -4))).map((n) => rm(path.join(dir, n), { force: true })));
}

export interface OutputOptions {
  /** A document's PDF bytes by sha256, for the review page's crops (undefined: no crops for it). */
  loadPdf?: (sha256: string) => Promise<Uint8Array | undefined>;
}

export async function writeOutputs(outDir: string, results: readonly DocumentResult[], run: RunInfo, options: OutputOptions = {}): Promise<{ facts: number }> {
  const files: OutputFile[] = [];
  const write = async (rel: string, data: string) => {
    await writeAtomic(path.join(outDir, ...rel.split('/')), data);
    files.push(describeOutputFile(rel, data));
  };
  const facts: Fact[] = sortFacts(results.flatMap((r) => r.facts));
  await write('facts.csv', await factsCsv(facts));
  const wide = await wideTables(facts);
  for (const [kind, csv] of wide) await write(`tables/${kind}.csv`, csv);
  await removeStaleTables(path.join(outDir, 'tables'), new Set(wide.keys()));
  await write('validation.csv', await validationCsv(results.flatMap((r) => r.validation)));
  await write('documents.csv', await documentsCsv(results));
  await write('report.json', reportJson(results, run));
  // Last: it describes (and checksums) the files before it.
  await writeAtomic(path.join(outDir, 'metadata.json'), metadataJson({ run, results, files }));
  await writeReview(outDir, results, options.loadPdf ?? (async () => undefined));
  return { facts: facts.length };
}

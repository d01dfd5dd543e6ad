/** Orchestrates a run: inputs → documents (concurrently) → outputs. The only module that imports the stages. */
import os from 'node:os';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { writeOutputs } from '../export/index.js';
import { expandInputs, readLocal } from '../fetch/local.js';
import type { DocumentResult } from '../model/document.js';
import { processDocument } from './process-document.js';
import { VERSION } from '../version.js';

export interface RunSettings {
  inputs: string[];
  outDir: string;
  concurrency: number;
  logger: Logger;
}

export interface RunSummary {
  results: DocumentResult[];
  facts: number;
  failed: DocumentResult[];
}

export const defaultConcurrency = () => Math.max(1, Math.min(os.availableParallelism(), 4));

export async function run(settings: RunSettings): Promise<RunSummary> {
  const startedAt = new Date().toISOString();
  const files = await expandInputs(settings.inputs);
  const limit = pLimit(settings.concurrency);
  const results = await Promise.all(files.map((file) => limit(async () => {
    const { source, bytes } = await readLocal(file);
    const result = await processDocument(source, bytes);
    if (result.status === 'failed') settings.logger.error({ source: file, error: result.error }, `failed: ${file}: ${result.error}`);
    else settings.logger.info({ source: file, pages: result.pages, tables: result.tables.length, cells: result.facts.length }, 'document processed');
    return result;
  })));
  const { facts } = await writeOutputs(settings.outDir, results, { software: 'fiscal-harvest', version: VERSION, startedAt, endedAt: new Date().toISOString() });
  return { results, facts, failed: results.filter((r) => r.status === 'failed') };
}

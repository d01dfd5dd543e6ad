/** CSVW checks of an output folder: `metadata.json` expands as JSON-LD, and the CSVs conform to it. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkConformance, type ConformanceProblem } from './conformance.js';
import { expandMetadata } from './expand.js';

export { checkConformance, formatProblem, type ConformanceProblem, type ProblemCode } from './conformance.js';
export { bundledDocumentLoader, UnbundledContextError } from './document-loader.js';
export { expandMetadata } from './expand.js';

/** What went wrong in JSON-LD processing, with the event jsonld.js safe mode reports. */
function describeJsonLdError(error: unknown): string {
  const e = error as { message?: string; details?: { event?: { code?: string; message?: string; details?: unknown }; cause?: { message?: string } } };
  const event = e.details?.event;
  if (event) return `${event.code ?? 'event'}: ${event.message ?? ''} ${JSON.stringify(event.details ?? {})}`.trim();
  const cause = e.details?.cause?.message;
  return cause ? `${e.message ?? String(error)}: ${cause}` : e.message ?? String(error);
}

/** Reads `<outDir>/metadata.json`, expands it (bundled contexts, safe mode) and checks the CSVs against it. */
export async function checkOutputFolder(outDir: string): Promise<ConformanceProblem[]> {
  const file = path.join(outDir, 'metadata.json');
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    return [{ code: 'metadata', file: 'metadata.json', message: `cannot read: ${(error as Error).message}` }];
  }
  const problems: ConformanceProblem[] = [];
  try {
    await expandMetadata(doc, { base: pathToFileURL(path.resolve(file)).href });
  } catch (error) {
    problems.push({ code: 'jsonld', file: 'metadata.json', message: `JSON-LD expansion failed: ${describeJsonLdError(error)}` });
  }
  problems.push(...await checkConformance(outDir, doc));
  return problems;
}

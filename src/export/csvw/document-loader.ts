/**
 * A JSON-LD document loader that serves the contexts bundled in `contexts/` (see its README) and
 * nothing else: expansion never touches the network, and a context that is not bundled fails by name.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `contexts/` at the package root: three levels above this module in src/ and in dist/ alike. */
export const CONTEXTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../contexts');

/** Bundled file → the context URLs it answers, as `host/path` without scheme, `.jsonld`/`.json` or trailing `/`. */
const BUNDLED: Readonly<Record<string, readonly string[]>> = {
  'csvw.jsonld': ['www.w3.org/ns/csvw', 'w3.org/ns/csvw'],
  'prov.jsonld': ['www.w3.org/ns/prov', 'w3.org/ns/prov', 'www.w3.org/ns/prov-o', 'w3.org/ns/prov-o'],
  'dcat.jsonld': ['www.w3.org/ns/dcat', 'w3.org/ns/dcat', 'www.w3.org/ns/dcat3', 'w3.org/ns/dcat3'],
  'schemaorg.jsonld': ['schema.org', 'www.schema.org', 'schema.org/docs/jsonldcontext', 'www.schema.org/docs/jsonldcontext'],
};

const FILE_FOR_KEY = new Map(Object.entries(BUNDLED).flatMap(([file, keys]) => keys.map((k) => [k, file] as const)));

export class UnbundledContextError extends Error {
  constructor(readonly url: string) {
    super(`JSON-LD context ${url} is not bundled in ${CONTEXTS_DIR} (bundled: CSVW, PROV-O, DCAT, schema.org); `
      + 'fiscal-harvest does not fetch documents from the network');
    this.name = 'UnbundledContextError';
  }
}

/** The bundled file name for a context URL, or undefined. http and https, `.jsonld`, a trailing `/` or `#` all map alike. */
export function bundledFileFor(url: string): string | undefined {
  let parsed: URL;
  try { parsed = new URL(url); } catch { return undefined; }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  if (parsed.search || parsed.username || parsed.password || parsed.port) return undefined;
  const pathname = parsed.pathname.replace(/\/+$/u, '').replace(/\.jsonld$|\.json$/u, '');
  return FILE_FOR_KEY.get(`${parsed.hostname.toLowerCase()}${pathname}`);
}

const parsedFiles = new Map<string, unknown>();

function readBundled(file: string): unknown {
  let doc = parsedFiles.get(file);
  if (doc === undefined) {
    doc = JSON.parse(readFileSync(path.join(CONTEXTS_DIR, file), 'utf8')) as unknown;
    parsedFiles.set(file, doc);
  }
  return structuredClone(doc);
}

/** The shape jsonld.js expects from a document loader. */
export interface LoadedDocument {
  contextUrl: string | undefined;
  documentUrl: string;
  document: unknown;
}

export async function bundledDocumentLoader(url: string): Promise<LoadedDocument> {
  const file = bundledFileFor(url);
  if (!file) throw new UnbundledContextError(url);
  return { contextUrl: undefined, documentUrl: url, document: readBundled(file) };
}

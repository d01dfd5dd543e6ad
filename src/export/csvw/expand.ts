/** JSON-LD expansion of `metadata.json` with the bundled contexts, in jsonld.js safe mode. */
import jsonld from 'jsonld';
import { bundledDocumentLoader } from './document-loader.js';

export interface ExpandOptions {
  /**
   * The URL the document lives at (e.g. `pathToFileURL('out/metadata.json').href`): relative links
   * (`facts.csv`, `#run`) resolve against it. Without one they stay relative, which safe mode rejects.
   */
  base?: string;
}

/**
 * Expands `doc`. Safe mode makes anything JSON-LD would silently drop an error: a key that is no term
 * or IRI, an unresolvable relative IRI, an invalid language tag.
 */
export async function expandMetadata(doc: unknown, options: ExpandOptions = {}): Promise<Record<string, unknown>[]> {
  // @types/jsonld lags jsonld 9: no `safe`, and a loader typed with a callback.
  const jsonldOptions = { base: options.base ?? null, documentLoader: bundledDocumentLoader, safe: true } as unknown as Parameters<typeof jsonld.expand>[1];
  const expanded = await jsonld.expand(doc as Parameters<typeof jsonld.expand>[0], jsonldOptions);
  return expanded as unknown as Record<string, unknown>[];
}

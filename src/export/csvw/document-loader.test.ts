import jsonld from 'jsonld';
import { describe, expect, it } from 'vitest';
import { bundledDocumentLoader, bundledFileFor, UnbundledContextError } from './document-loader.js';

type Json = Record<string, any>;
/** jsonld.expand in safe mode with the bundled loader (@types/jsonld knows neither `safe` nor this loader type). */
const expand = (doc: object) => jsonld.expand(doc as never, { documentLoader: bundledDocumentLoader, safe: true } as never) as unknown as Promise<Json[]>;

describe('bundledDocumentLoader', () => {
  it('maps the URL variants of each context to its bundled file', () => {
    for (const url of ['http://www.w3.org/ns/csvw', 'https://www.w3.org/ns/csvw', 'https://www.w3.org/ns/csvw.jsonld', 'http://www.w3.org/ns/csvw/', 'http://www.w3.org/ns/csvw#', 'https://w3.org/ns/csvw']) {
      expect(bundledFileFor(url), url).toBe('csvw.jsonld');
    }
    expect(bundledFileFor('https://www.w3.org/ns/prov.jsonld')).toBe('prov.jsonld');
    expect(bundledFileFor('http://www.w3.org/ns/dcat')).toBe('dcat.jsonld');
    for (const url of ['https://schema.org', 'http://schema.org/', 'https://schema.org/docs/jsonldcontext.jsonld', 'https://schema.org/docs/jsonldcontext.json']) {
      expect(bundledFileFor(url), url).toBe('schemaorg.jsonld');
    }
    for (const url of ['http://www.w3.org/ns/csvw/extra', 'https://example.org/csvw', 'file:///work/contexts/csvw.jsonld', 'https://www.w3.org/ns/csvw?x=1', 'not a url']) {
      expect(bundledFileFor(url), url).toBeUndefined();
    }
  });

  it('serves the real CSVW context: its terms expand to the CSVW vocabulary', async () => {
    const loaded = await bundledDocumentLoader('https://www.w3.org/ns/csvw.jsonld');
    expect(loaded.documentUrl).toBe('https://www.w3.org/ns/csvw.jsonld');
    const [table] = await expand({ '@context': 'http://www.w3.org/ns/csvw', '@type': 'Table', url: 'https://example.org/t.csv', tableSchema: { columns: [{ name: 'a', datatype: 'decimal', required: true }] } });
    expect(table!['@type']).toEqual(['http://www.w3.org/ns/csvw#Table']);
    expect(table!['http://www.w3.org/ns/csvw#url']).toEqual([{ '@value': 'https://example.org/t.csv', '@type': 'http://www.w3.org/2001/XMLSchema#anyURI' }]);
    const column = table!['http://www.w3.org/ns/csvw#tableSchema'][0]['http://www.w3.org/ns/csvw#column'][0]['@list'][0];
    expect(column['http://www.w3.org/ns/csvw#datatype']).toEqual([{ '@id': 'http://www.w3.org/2001/XMLSchema#decimal' }]);
  });

  it('serves schema.org, PROV-O and DCAT contexts with their type coercions', async () => {
    const [dataset] = await expand({ '@context': 'https://schema.org/', '@type': 'Dataset', name: '决算', distribution: { '@type': 'DataDownload', contentUrl: 'https://example.org/f.csv' }, isBasedOn: 'x' });
    expect(dataset!['@type']).toEqual(['http://schema.org/Dataset']);
    expect(dataset!['http://schema.org/distribution'][0]['http://schema.org/contentUrl']).toEqual([{ '@id': 'https://example.org/f.csv' }]);
    expect(dataset!['http://schema.org/isBasedOn']).toEqual([{ '@value': 'x' }]); // not in the subset: @vocab still expands it

    const [activity] = await expand({ '@context': 'http://www.w3.org/ns/prov', '@id': 'https://example.org/run', '@type': 'Activity', startedAtTime: '2025-01-01T00:00:00Z', used: 'https://example.org/a.pdf' });
    expect(activity!['http://www.w3.org/ns/prov#startedAtTime']).toEqual([{ '@value': '2025-01-01T00:00:00Z', '@type': 'http://www.w3.org/2001/XMLSchema#dateTime' }]);
    expect(activity!['http://www.w3.org/ns/prov#used']).toEqual([{ '@id': 'https://example.org/a.pdf' }]);

    const [distribution] = await expand({ '@context': 'https://www.w3.org/ns/dcat.jsonld', '@type': 'Distribution', downloadURL: 'https://example.org/f.csv', byteSize: '12' });
    expect(distribution!['http://www.w3.org/ns/dcat#downloadURL']).toEqual([{ '@id': 'https://example.org/f.csv' }]);
    expect(distribution!['http://www.w3.org/ns/dcat#byteSize']).toEqual([{ '@value': '12', '@type': 'http://www.w3.org/2001/XMLSchema#nonNegativeInteger' }]);
  });

  it('refuses a context that is not bundled, by name, without touching the network', async () => {
    await expect(bundledDocumentLoader('https://example.org/context.jsonld')).rejects.toBeInstanceOf(UnbundledContextError);
    await expect(expand({ '@context': 'https://example.org/context.jsonld', a: 1 })).rejects.toMatchObject({
      details: { cause: { message: expect.stringContaining('https://example.org/context.jsonld is not bundled') } },
    });
  });
});

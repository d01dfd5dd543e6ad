import { createHash } from 'node:crypto';
import jsonld from 'jsonld';
import { describe, expect, it } from 'vitest';
import type { DocumentResult } from '../model/document.js';
import { FACT_COLUMNS, type Fact } from '../model/fact.js';
import { VALIDATION_COLUMNS } from '../model/validation.js';
import { expandMetadata } from './csvw/expand.js';
import { DOCUMENT_COLUMNS } from './documents-csv.js';
import { buildMetadata, csvHeader, describeOutputFile, type MetadataInput } from './metadata.js';

const RUN = { software: 'fiscal-harvest', version: '9.8.7', startedAt: '2025-03-01T08:00:00.000Z', endedAt: '2025-03-01T08:02:00.000Z' };
const BASE = 'file:///data/out/metadata.json';
const CSVW = 'http://www.w3.org/ns/csvw#';
const DCAT = 'http://www.w3.org/ns/dcat#';
const PROV = 'http://www.w3.org/ns/prov#';
const SPDX = 'http://spdx.org/rdf/terms#';

function fact(source: string, sha: string, table_kind: string, row_key: string): Fact {
  return {
    source_sha256: sha, source, entity: '某区财政局', fiscal_year: '2023', doc_kind: 'final_account', table_kind, table_instance: '', row_key,
    row_label: '', column_key: 'amount', column_label: '', value: '1.00', value_cny: '10000', line_no: '', unit: '万元', page: 2,
    bbox: '1.0 2.0 3.0 4.0', method: 'text', confidence: 1, repairs: '',
  };
}

function doc(source: string, sha: string, kinds: string[], extra: Partial<DocumentResult> = {}): DocumentResult {
  return {
    source: { source, sha256: sha, bytes: 1000, retrievedAt: '2025-03-01T07:00:00.000Z' }, status: 'ok', pages: 10, pagesNeedingOcr: [],
    meta: { entity: '某区财政局', fiscalYear: '2023', docKind: 'final_account' }, tables: [], facts: kinds.map((k) => fact(source, sha, k, 'total')),
    validation: [], findings: [], timingsMs: {}, ...extra,
  };
}

const A = doc('https://czj.example.gov.cn/2023/决算.pdf', 'a'.repeat(64), ['fa01_summary', 'fa03_expenditure'], { pagesNeedingOcr: [4, 5, 6], pagesOcr: [4, 5] });
const B = doc('corpus/b.pdf', 'b'.repeat(64), ['fa03_expenditure']);
const WIDE_HEADER = ['source_sha256', 'source', 'entity', 'fiscal_year', 'doc_kind', 'table_instance', 'row_key', 'row_label', 'line_no', 'total', 'basic'];
const INPUT: MetadataInput = {
  run: RUN,
  results: [A, B],
  files: [
    { path: 'facts.csv', sha256: '1'.repeat(64), bytes: 111 },
    { path: 'tables/fa03_expenditure.csv', sha256: '2'.repeat(64), bytes: 222, header: WIDE_HEADER },
    { path: 'tables/fa01_summary.csv', sha256: '3'.repeat(64), bytes: 333, header: [...WIDE_HEADER.slice(0, 9), 'amount'] },
    { path: 'documents.csv', sha256: '4'.repeat(64), bytes: 444 },
    { path: 'validation.csv', sha256: '5'.repeat(64), bytes: 555 },
    { path: 'report.json', sha256: '6'.repeat(64), bytes: 666 },
  ],
};

type Json = Record<string, any>;
const tableOf = (meta: Json, url: string): Json => (meta.tables as Json[]).find((t) => t.url === url)!;
const distributionOf = (meta: Json, url: string): Json => (meta['dcat:distribution'] as Json[]).find((d) => d['dcat:downloadURL']['@id'] === url)!;

describe('buildMetadata', () => {
  const meta = buildMetadata(INPUT) as Json;

  it('is a CSVW table group whose @context is only what CSVW allows', () => {
    expect(meta['@context']).toEqual(['http://www.w3.org/ns/csvw', { '@language': 'zh' }]);
    expect(meta['@type']).toBe('TableGroup');
    expect(meta['rdf:type']).toEqual([{ '@id': 'dcat:Dataset' }, { '@id': 'schema:Dataset' }]);
    expect((meta.tables as Json[]).map((t) => t.url)).toEqual(['facts.csv', 'documents.csv', 'validation.csv', 'tables/fa01_summary.csv', 'tables/fa03_expenditure.csv']);
  });

  it('describes facts.csv from FACT_COLUMNS, with types, required columns, keys and the page link', () => {
    const schema = tableOf(meta, 'facts.csv').tableSchema;
    const columns = schema.columns as Json[];
    expect(columns.map((c) => c.name)).toEqual([...FACT_COLUMNS, 'source_page']);
    const byName = Object.fromEntries(columns.map((c) => [c.name, c]));
    expect(byName.value.datatype).toBe('string');
    expect(byName.value_cny.datatype).toBe('decimal');
    expect(byName.page.datatype).toEqual({ base: 'integer', minimum: 1 });
    expect(byName.confidence.datatype).toMatchObject({ base: 'decimal', minimum: 0, maximum: 1 });
    expect(columns.filter((c) => c.required).map((c) => c.name)).toEqual(['source_sha256', 'source', 'table_kind', 'row_key', 'column_key', 'value', 'page', 'bbox', 'method', 'confidence']);
    expect(byName.source_page).toEqual({ name: 'source_page', virtual: true, propertyUrl: 'prov:wasDerivedFrom', valueUrl: '{+source}#page={page}' });
    expect(schema.primaryKey).toEqual(['source_sha256', 'source', 'table_kind', 'table_instance', 'row_key', 'column_key']);
    expect(schema.foreignKeys).toEqual([{ columnReference: ['source_sha256', 'source'], reference: { resource: 'documents.csv', columnReference: ['sha256', 'source'] } }]);
  });

  it('describes documents.csv and validation.csv from their column constants', () => {
    const documents = tableOf(meta, 'documents.csv').tableSchema;
    expect((documents.columns as Json[]).map((c) => c.name)).toEqual([...DOCUMENT_COLUMNS]);
    expect(documents.primaryKey).toEqual(['source']);
    const validation = tableOf(meta, 'validation.csv').tableSchema;
    expect((validation.columns as Json[]).map((c) => c.name)).toEqual([...VALIDATION_COLUMNS]);
    expect((validation.columns as Json[]).find((c) => c.name === 'pass')!.datatype).toEqual({ base: 'boolean', format: 'pass|fail' });
    expect(validation.primaryKey).toEqual(['source', 'table_kind', 'table_instance', 'rule']);
    expect(validation.foreignKeys[0].reference.resource).toBe('documents.csv');
  });

  it('describes a wide table from its header line', () => {
    const schema = tableOf(meta, 'tables/fa03_expenditure.csv').tableSchema;
    expect((schema.columns as Json[]).map((c) => [c.name, c.datatype])).toEqual(WIDE_HEADER.map((n) => [n, n === 'source_sha256' ? expect.objectContaining({ base: 'string' }) : 'string']));
    expect(schema.primaryKey).toEqual(['source_sha256', 'table_instance', 'row_key']);
  });

  it('requires only the identity columns of a wide table, not a column key named like a facts column', () => {
    // pe01's indicator rows have no `value` cell: the column is blank there, which a required column forbids.
    const header = [...WIDE_HEADER.slice(0, 9), 'value', 'target', 'actual'];
    const pe01 = buildMetadata({ ...INPUT, files: [...INPUT.files, { path: 'tables/pe01_project_self_eval.csv', sha256: '7'.repeat(64), bytes: 777, header }] }) as Json;
    const columns = tableOf(pe01, 'tables/pe01_project_self_eval.csv').tableSchema.columns as Json[];
    expect(columns.filter((c) => c.required).map((c) => c.name)).toEqual(['source_sha256', 'source', 'row_key']);
    expect(columns.find((c) => c.name === 'value')).toEqual(expect.objectContaining({ datatype: 'string' }));
  });

  it('lists one distribution per file, with relative URL, media type, size and sha256', () => {
    expect((meta['dcat:distribution'] as Json[]).map((d) => d['dcat:downloadURL']['@id'])).toEqual([
      'facts.csv', 'documents.csv', 'validation.csv', 'report.json', 'tables/fa01_summary.csv', 'tables/fa03_expenditure.csv',
    ]);
    const facts = distributionOf(meta, 'facts.csv');
    expect(facts['@type']).toEqual(['dcat:Distribution', 'schema:DataDownload']);
    expect(facts['schema:encodingFormat']).toEqual({ '@value': 'text/csv' });
    expect(facts['dcat:byteSize']).toEqual({ '@value': '111', '@type': 'xsd:nonNegativeInteger' });
    expect(facts['schema:sha256']).toEqual({ '@value': '1'.repeat(64) });
    expect(facts[`${SPDX}checksum`][`${SPDX}checksumValue`]['@value']).toBe('1'.repeat(64));
    expect(distributionOf(meta, 'report.json')['schema:encodingFormat']).toEqual({ '@value': 'application/json' });
    expect(meta['schema:distribution']).toHaveLength(6);
  });

  it('records provenance: the run, each source with pages read by text and OCR, and what each file derives from', () => {
    const activity = meta['prov:wasGeneratedBy'];
    expect(activity['prov:startedAtTime']['@value']).toBe(RUN.startedAt);
    expect(activity['prov:wasAssociatedWith']['schema:softwareVersion']).toEqual({ '@value': '9.8.7' });
    expect(activity['prov:qualifiedUsage'].map((u: Json) => u['prov:atTime']['@value'])).toEqual([RUN.startedAt.replace('08:00', '07:00'), RUN.startedAt.replace('08:00', '07:00')]);
    const entities = meta['prov:wasDerivedFrom'] as Json[];
    expect(entities.map((e) => e['@id'])).toEqual(['corpus/b.pdf', 'https://czj.example.gov.cn/2023/%E5%86%B3%E7%AE%97.pdf']);
    const pages = Object.fromEntries((entities[1]!['schema:additionalProperty'] as Json[]).map((p) => [p['schema:propertyID']['@value'], p['schema:value']['@value']]));
    expect(pages).toMatchObject({ pages_text_layer: '7', pages_ocr: '2', pages_not_read: '1' });
    const derived = (url: string) => distributionOf(meta, url)['prov:wasDerivedFrom'].map((r: Json) => r['@id']);
    expect(derived('tables/fa01_summary.csv')).toEqual(['https://czj.example.gov.cn/2023/%E5%86%B3%E7%AE%97.pdf']);
    expect(derived('tables/fa03_expenditure.csv')).toHaveLength(2);
    expect(distributionOf(meta, 'facts.csv')['prov:wasGeneratedBy']).toEqual({ '@id': '#run' });
  });

  it('is deterministic: the same input in another order gives the same document', () => {
    const shuffled = { ...INPUT, results: [...INPUT.results].reverse(), files: [...INPUT.files].reverse() };
    expect(JSON.stringify(buildMetadata(shuffled))).toBe(JSON.stringify(meta));
  });
});

describe('expandMetadata', () => {
  it('expands with the bundled CSVW context in safe mode, keeping the tables, the run and the checksums', async () => {
    const [group] = await expandMetadata(buildMetadata(INPUT), { base: BASE }) as Json[];
    expect(group!['@type']).toEqual([`${CSVW}TableGroup`]);
    const tables = group![`${CSVW}table`] as Json[];
    expect(tables.map((t) => t[`${CSVW}url`][0]['@value'])).toEqual(['facts.csv', 'documents.csv', 'validation.csv', 'tables/fa01_summary.csv', 'tables/fa03_expenditure.csv']);
    expect(group!['http://www.w3.org/1999/02/22-rdf-syntax-ns#type'].map((t: Json) => t['@id'])).toEqual([`${DCAT}Dataset`, 'http://schema.org/Dataset']);

    const activity = group![`${PROV}wasGeneratedBy`][0];
    expect(activity['@type']).toEqual([`${PROV}Activity`]);
    expect(activity['@id']).toBe(`${BASE}#run`);
    expect(activity[`${PROV}wasAssociatedWith`][0]['@type']).toContain(`${PROV}SoftwareAgent`);

    const distributions = group![`${DCAT}distribution`] as Json[];
    expect(distributions.every((d) => d['@type'].includes(`${DCAT}Distribution`))).toBe(true);
    const facts = distributions.find((d) => d[`${DCAT}downloadURL`][0]['@id'] === 'file:///data/out/facts.csv')!;
    expect(facts[`${SPDX}checksum`][0][`${SPDX}checksumValue`][0]).toEqual({ '@value': '1'.repeat(64), '@type': 'http://www.w3.org/2001/XMLSchema#hexBinary' });

    const factColumns = tables[0]![`${CSVW}tableSchema`][0][`${CSVW}column`][0]['@list'] as Json[];
    const sourcePage = factColumns.find((c) => c[`${CSVW}name`][0]['@value'] === 'source_page')!;
    expect(sourcePage[`${CSVW}virtual`][0]['@value']).toBe(true);
    expect(sourcePage[`${CSVW}valueUrl`][0]['@value']).toBe('{+source}#page={page}');
  });

  it('converts to RDF with no relative IRI left: the distribution links the file', async () => {
    const expanded = await expandMetadata(buildMetadata(INPUT), { base: BASE });
    const nquads = await jsonld.toRDF(expanded as never, { format: 'application/n-quads', safe: true } as never) as unknown as string;
    expect(nquads).toContain(`<${BASE}#distribution/facts.csv> <${DCAT}downloadURL> <file:///data/out/facts.csv> .`);
    expect(nquads).toContain(`<${BASE}#run> <${PROV}used> <file:///data/out/corpus/b.pdf> .`);
    expect(nquads).toContain(`<${DCAT}byteSize> "111"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> .`);
  });

  it('fails in safe mode on a key JSON-LD would drop, and without a base on a relative link', async () => {
    await expect(expandMetadata({ ...buildMetadata(INPUT), typo: 1 }, { base: BASE })).rejects.toThrow(/Safe mode/u);
    await expect(expandMetadata(buildMetadata(INPUT))).rejects.toThrow(/Safe mode/u);
  });
});

describe('describeOutputFile', () => {
  it('gives sha256, byte size and the header of a CSV text', () => {
    const file = describeOutputFile('tables/x.csv', 'a,"b,c",金额\n1,2,3\n');
    // `a,"b,c",` is 8 bytes, 金额 6 in UTF-8, then `\n1,2,3\n`: 8 + 6 + 1 + 6.
    expect(file).toMatchObject({ path: 'tables/x.csv', bytes: 21, header: ['a', 'b,c', '金额'] });
    expect(file.sha256).toBe(createHash('sha256').update(Buffer.from('a,"b,c",金额\n1,2,3\n', 'utf8')).digest('hex'));
    expect(describeOutputFile('x.csv', Buffer.from('x\n')).sha256).not.toBe(file.sha256);
    expect(describeOutputFile('report.json', '{}\n').header).toBeUndefined();
    expect(csvHeader('"a ""q""",b\r\n1,2')).toEqual(['a "q"', 'b']);
  });
});

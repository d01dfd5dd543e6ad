/**
 * `out/metadata.json`: one JSON-LD document that is at once
 * - a CSVW table group (W3C Metadata Vocabulary for Tabular Data) describing every CSV written, with
 *   datatypes, required columns, primary and foreign keys, built from the same column constants the
 *   CSV writers use, so the two cannot drift;
 * - the dataset as DCAT and schema.org (rdf:type dcat:Dataset, schema:Dataset), one distribution per file
 *   with size and sha256;
 * - its provenance as PROV-O: the run (an activity by a software agent), each source PDF (an entity with
 *   its URL or path, sha256, retrieval time and pages read by text layer or OCR), the outputs derived
 *   from them, and a virtual column linking every fact row to the PDF page it was read on.
 *
 * The @context is exactly what CSVW allows (§5.2: the CSVW context plus an object with only @base /
 * @language), so extra vocabularies are written as prefixed names the CSVW context defines (dcat,
 * dcterms, prov, schema, rdf, rdfs, xsd) and SPDX as full IRIs. CSVW also fixes the group's @type to
 * TableGroup, so the DCAT / schema.org types are stated with rdf:type.
 * Pure and deterministic: everything comes from the input, sorted; no clock, no file system.
 */
import { createHash } from 'node:crypto';
import type { DocumentResult } from '../model/document.js';
import { FACT_COLUMNS, type Fact } from '../model/fact.js';
import { VALIDATION_COLUMNS } from '../model/validation.js';
import { expandUriTemplate } from './csvw/uri-template.js';
import { DOCUMENT_COLUMNS } from './documents-csv.js';
import { WIDE_ID_COLUMNS } from './wide-tables.js';

export interface MetadataRun {
  software: string;
  version: string;
  /** ISO 8601 date-times. */
  startedAt: string;
  endedAt: string;
}

/** A file written to the output folder, as the metadata describes it. */
export interface OutputFile {
  /** Relative to the output folder, with `/` separators: `facts.csv`, `tables/fa01_summary.csv`, `report.json`. */
  path: string;
  sha256: string;
  bytes: number;
  /** The CSV header row (needed for `tables/*.csv`, whose columns depend on the data). */
  header?: readonly string[];
}

export interface MetadataInput {
  run: MetadataRun;
  results: readonly DocumentResult[];
  files: readonly OutputFile[];
}

export const CSVW_CONTEXT = 'http://www.w3.org/ns/csvw';
const SPDX = 'http://spdx.org/rdf/terms#';
const RUN_ID = '#run';
const SOFTWARE_ID = '#software';
/** The virtual column on facts.csv that links each fact to its page: `<source>#page=<page>`. */
export const SOURCE_PAGE_COLUMN = 'source_page';
export const SOURCE_PAGE_TEMPLATE = '{+source}#page={page}';

// ---- column descriptions -------------------------------------------------------------------------

type Datatype = string | { base: string; format?: string; minimum?: number; maximum?: number };

interface ColumnSpec {
  /** Chinese title (the header name is always a title too, so the header matches). */
  title: string;
  datatype: Datatype;
  required?: boolean;
  /** The cell holds a list joined by this separator. */
  separator?: string;
  description?: string;
}

const SHA256: Datatype = { base: 'string', format: '^[0-9a-f]{64}$' };
const COUNT: Datatype = { base: 'integer', minimum: 0 };

const FACT_SPECS: Record<(typeof FACT_COLUMNS)[number], ColumnSpec> = {
  source_sha256: { title: '来源文件SHA-256', datatype: SHA256, required: true, description: 'sha256 (hex) of the PDF bytes the cell came from' },
  source: { title: '来源', datatype: 'string', required: true, description: 'the URL or path the PDF was harvested from' },
  entity: { title: '单位', datatype: 'string', description: 'reporting unit as printed' },
  fiscal_year: { title: '年度', datatype: 'string', description: 'fiscal year, e.g. 2024' },
  doc_kind: { title: '文件类型', datatype: 'string', description: 'final_account, budget, performance_eval or other' },
  table_kind: { title: '表种', datatype: 'string', required: true, description: 'canonical table kind id' },
  table_instance: { title: '表实例', datatype: 'string', description: 'empty, or the project name where one document holds several tables of one kind' },
  row_key: { title: '行键', datatype: 'string', required: true, description: 'canonical row key' },
  row_label: { title: '行标签', datatype: 'string', description: 'the row label as printed, after repair' },
  column_key: { title: '列键', datatype: 'string', required: true, description: 'canonical column id' },
  column_label: { title: '列标签', datatype: 'string', description: 'the column header as printed, after repair' },
  value: { title: '值', datatype: 'string', required: true, description: 'plain decimal as printed for numbers, the repaired text for text cells' },
  value_cny: { title: '金额（元）', datatype: 'decimal', description: 'amounts converted to yuan; empty for text and percentages' },
  line_no: { title: '行次', datatype: 'string', description: 'the printed line number of the row, where printed' },
  unit: { title: '计量单位', datatype: { base: 'string', format: '^(万元|元|%)$' }, description: '万元, 元, %, or empty for text' },
  page: { title: '页码', datatype: { base: 'integer', minimum: 1 }, required: true, description: '1-based page the cell was read on' },
  bbox: { title: '位置', datatype: { base: 'string', format: '^-?\\d+(\\.\\d+)?( -?\\d+(\\.\\d+)?){3}$' }, required: true, description: 'x0 y0 x1 y1 in PDF points on that page' },
  method: { title: '读取方式', datatype: { base: 'string', format: '^(text|ocr)$' }, required: true, description: 'text (PDF text layer) or ocr' },
  confidence: { title: '置信度', datatype: { base: 'decimal', minimum: 0, maximum: 1 }, required: true, description: 'confidence of the reading, 0..1' },
  repairs: { title: '修复', datatype: 'string', separator: ';', description: 'codes of the repairs applied to this cell' },
};

const DOCUMENT_SPECS: Record<(typeof DOCUMENT_COLUMNS)[number], ColumnSpec> = {
  sha256: { title: 'SHA-256', datatype: SHA256, required: true, description: 'sha256 (hex) of the source bytes' },
  source: { title: '来源', datatype: 'string', required: true, description: 'the URL or path the source was harvested from' },
  entity: { title: '单位', datatype: 'string' },
  fiscal_year: { title: '年度', datatype: 'string' },
  doc_kind: { title: '文件类型', datatype: 'string' },
  pages: { title: '页数', datatype: COUNT, required: true },
  pages_ocr: { title: 'OCR页数', datatype: COUNT, required: true, description: 'pages read by OCR (no usable text layer, or --ocr force)' },
  tables: { title: '表数', datatype: COUNT, required: true },
  cells: { title: '单元格数', datatype: COUNT, required: true },
  identities_passed: { title: '勾稽关系通过数', datatype: COUNT, required: true },
  identities_failed: { title: '勾稽关系未通过数', datatype: COUNT, required: true },
  status: { title: '状态', datatype: { base: 'string', format: '^(ok|failed)$' }, required: true },
  error: { title: '错误', datatype: 'string' },
};

const VALIDATION_SPECS: Record<(typeof VALIDATION_COLUMNS)[number], ColumnSpec> = {
  source_sha256: FACT_SPECS.source_sha256,
  source: FACT_SPECS.source,
  table_kind: FACT_SPECS.table_kind,
  table_instance: FACT_SPECS.table_instance,
  rule: { title: '规则', datatype: 'string', required: true, description: 'identity id, with the row or column it was applied to' },
  expected: { title: '应为', datatype: 'string', description: 'sum of the terms (or present)' },
  found: { title: '实为', datatype: 'string', description: 'the printed figure (or present / missing)' },
  difference: { title: '差额', datatype: 'string' },
  pass: { title: '是否通过', datatype: { base: 'boolean', format: 'pass|fail' }, required: true },
};

const FACT_COLUMN_SET: ReadonlySet<string> = new Set(FACT_COLUMNS);

function column(name: string, spec: ColumnSpec | undefined): Record<string, unknown> {
  if (!spec) return { name, titles: [name], datatype: 'string' };
  return {
    name,
    titles: [name, spec.title],
    datatype: spec.datatype,
    ...(spec.required ? { required: true } : {}),
    ...(spec.separator ? { separator: spec.separator } : {}),
    ...(spec.description ? { 'dcterms:description': { '@value': spec.description, '@language': 'en' } } : {}),
  };
}

const DOCUMENTS_REFERENCE = { resource: 'documents.csv', columnReference: ['sha256', 'source'] };
const SOURCE_FOREIGN_KEY = { columnReference: ['source_sha256', 'source'], reference: DOCUMENTS_REFERENCE };

function tableSchemaFor(file: OutputFile): Record<string, unknown> | null {
  if (file.path === 'facts.csv') {
    return {
      columns: [
        ...FACT_COLUMNS.map((c) => column(c, FACT_SPECS[c])),
        { name: SOURCE_PAGE_COLUMN, virtual: true, propertyUrl: 'prov:wasDerivedFrom', valueUrl: SOURCE_PAGE_TEMPLATE },
      ],
      primaryKey: ['source_sha256', 'source', 'table_kind', 'table_instance', 'row_key', 'column_key'],
      foreignKeys: [SOURCE_FOREIGN_KEY],
    };
  }
  if (file.path === 'documents.csv') {
    // A row describes its source: the same IRI the provenance gives the PDF.
    return { aboutUrl: '{+source}', columns: DOCUMENT_COLUMNS.map((c) => column(c, DOCUMENT_SPECS[c])), primaryKey: ['source'] };
  }
  if (file.path === 'validation.csv') {
    return {
      columns: VALIDATION_COLUMNS.map((c) => column(c, VALIDATION_SPECS[c])),
      primaryKey: ['source', 'table_kind', 'table_instance', 'rule'],
      foreignKeys: [SOURCE_FOREIGN_KEY],
    };
  }
  if (!file.path.endsWith('.csv')) return null;
  const header = file.header ?? [];
  if (wideTableKind(file.path) !== undefined) {
    // The leading identity columns are facts.csv columns (with their types); the rest are column keys,
    // blank where a row has no such cell, even when a key is named like a facts column (pe01's `value`).
    return {
      columns: header.map((name, i) => (i < WIDE_ID_COLUMNS.length && FACT_COLUMN_SET.has(name) ? column(name, FACT_SPECS[name as keyof typeof FACT_SPECS]) : column(name, undefined))),
      primaryKey: ['source_sha256', 'table_instance', 'row_key'].filter((c) => header.includes(c)),
      foreignKeys: header.includes('source_sha256') && header.includes('source') ? [SOURCE_FOREIGN_KEY] : [],
    };
  }
  return { columns: header.map((name) => column(name, undefined)) };
}

function wideTableKind(filePath: string): string | undefined {
  return /^tables\/([^/]+)\.csv$/u.exec(filePath)?.[1];
}

const TABLE_TITLES: Readonly<Record<string, [string, string]>> = {
  'facts.csv': ['单元格事实表（每个表格单元格一行）', 'facts: one row per table cell (tidy, long format)'],
  'documents.csv': ['来源文件表（每个来源一行）', 'documents: one row per source, what was read from it and how it held together'],
  'validation.csv': ['勾稽关系校验表', 'validation: every accounting identity checked, expected, found, pass or fail'],
};

function tableTitle(filePath: string): unknown[] {
  const known = TABLE_TITLES[filePath];
  if (known) return [known[0], { '@value': known[1], '@language': 'en' }];
  const kind = wideTableKind(filePath);
  if (kind !== undefined) return [`${kind} 宽表`, { '@value': `${kind}: the cells of this table kind, one row per document and row key, one column per column key`, '@language': 'en' }];
  return [{ '@value': filePath }];
}

// ---- provenance and distributions ----------------------------------------------------------------

const dateTime = (value: string) => ({ '@value': value, '@type': 'xsd:dateTime' });
const integer = (value: number) => ({ '@value': String(value), '@type': 'xsd:integer' });
const plain = (value: string) => ({ '@value': value });

/** The IRI of a source: exactly what the facts' `source_page` template yields before `#page=`. */
export function sourceIri(source: string): string {
  return expandUriTemplate('{+source}', { source }).url;
}

/** Encodes a relative output path as a URL path (the CSV and the table names are ASCII, but be safe). */
function fileUrl(filePath: string): string {
  return filePath.split('/').map(encodeURIComponent).join('/');
}

/**
 * The metadata of an output file rewritten after the run (`validate` rewrites validation.csv): its
 * distribution's size and checksums, in place (`file` from describeOutputFile). False when metadata.json
 * does not describe the file.
 */
export function updateDistribution(metadata: unknown, file: OutputFile): boolean {
  const id = distributionId(file.path);
  const distributions = (metadata as Record<string, unknown>)['dcat:distribution'];
  const entry = Array.isArray(distributions) ? (distributions as Record<string, unknown>[]).find((d) => d['@id'] === id) : undefined;
  if (!entry) return false;
  Object.assign(entry, sizeAndChecksum(file));
  return true;
}

/** A distribution's size and checksums. */
function sizeAndChecksum(file: OutputFile) {
  return {
    'dcat:byteSize': { '@value': String(file.bytes), '@type': 'xsd:nonNegativeInteger' },
    'schema:contentSize': plain(`${file.bytes} B`),
    [`${SPDX}checksum`]: checksum(file.sha256),
    'schema:sha256': plain(file.sha256),
  };
}

function checksum(sha256: string) {
  return {
    '@type': `${SPDX}Checksum`,
    [`${SPDX}algorithm`]: { '@id': `${SPDX}checksumAlgorithm_sha256` },
    [`${SPDX}checksumValue`]: { '@value': sha256, '@type': 'xsd:hexBinary' },
  };
}

function propertyValue(id: string, value: { '@value': string; '@type'?: string }) {
  return { '@type': 'schema:PropertyValue', 'schema:propertyID': plain(id), 'schema:value': value };
}

/** Pages read from the text layer, by OCR, and not read (needing OCR, not OCRed). */
export function pageCounts(r: DocumentResult): { text: number; ocr: number; unread: number } {
  const ocr = new Set((r.pagesOcr ?? []).filter((p) => p >= 1 && p <= r.pages));
  const unread = new Set(r.pagesNeedingOcr.filter((p) => p >= 1 && p <= r.pages && !ocr.has(p)));
  return { text: r.pages - ocr.size - unread.size, ocr: ocr.size, unread: unread.size };
}

function sourceEntity(r: DocumentResult) {
  const pages = pageCounts(r);
  return {
    '@id': sourceIri(r.source.source),
    '@type': ['prov:Entity', 'schema:DigitalDocument'],
    'dcterms:identifier': plain(r.source.source),
    'schema:sha256': plain(r.source.sha256),
    [`${SPDX}checksum`]: checksum(r.source.sha256),
    'schema:contentSize': plain(`${r.source.bytes} B`),
    'schema:numberOfPages': integer(r.pages),
    ...(r.meta?.entity ? { 'schema:creator': { '@type': 'schema:GovernmentOrganization', 'schema:name': r.meta.entity } } : {}),
    ...(r.meta?.fiscalYear ? { 'schema:temporalCoverage': plain(r.meta.fiscalYear) } : {}),
    'schema:additionalProperty': [
      propertyValue('pages_text_layer', integer(pages.text)),
      propertyValue('pages_ocr', integer(pages.ocr)),
      propertyValue('pages_not_read', integer(pages.unread)),
      ...(r.meta?.docKind ? [propertyValue('doc_kind', plain(r.meta.docKind))] : []),
      propertyValue('status', plain(r.status)),
      ...(r.error ? [propertyValue('error', plain(r.error))] : []),
    ],
  };
}

function mediaType(filePath: string): string {
  if (filePath.endsWith('.csv')) return 'text/csv';
  if (filePath.endsWith('.json')) return 'application/json';
  return 'application/octet-stream';
}

/** The sources each output file was derived from. */
function sourcesOf(file: OutputFile, results: readonly DocumentResult[]): DocumentResult[] {
  const kind = wideTableKind(file.path);
  const has = (pred: (f: Fact) => boolean) => results.filter((r) => r.facts.some(pred));
  if (file.path === 'facts.csv') return has(() => true);
  if (kind !== undefined) return has((f) => f.table_kind === kind);
  if (file.path === 'validation.csv') return results.filter((r) => r.validation.length > 0);
  return [...results];
}

const distributionId = (filePath: string) => `#distribution/${fileUrl(filePath)}`;

function distribution(file: OutputFile, results: readonly DocumentResult[]) {
  const type = mediaType(file.path);
  const url = fileUrl(file.path);
  const derivedFrom = [...new Set(sourcesOf(file, results).map((r) => sourceIri(r.source.source)))].sort();
  return {
    '@id': distributionId(file.path),
    '@type': ['dcat:Distribution', 'schema:DataDownload'],
    'dcterms:title': plain(file.path),
    'schema:name': plain(file.path),
    'dcat:downloadURL': { '@id': url },
    'schema:contentUrl': { '@id': url },
    'dcat:mediaType': { '@id': `https://www.iana.org/assignments/media-types/${type}` },
    'schema:encodingFormat': plain(type),
    ...sizeAndChecksum(file),
    'prov:wasGeneratedBy': { '@id': RUN_ID },
    'prov:wasDerivedFrom': derivedFrom.map((id) => ({ '@id': id })),
  };
}

const byPath = (a: OutputFile, b: OutputFile) => tableOrder(a.path) - tableOrder(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
function tableOrder(filePath: string): number {
  const fixed = ['facts.csv', 'documents.csv', 'validation.csv'].indexOf(filePath);
  return fixed >= 0 ? fixed : 3;
}

// ---- the document --------------------------------------------------------------------------------

export function buildMetadata(input: MetadataInput): Record<string, unknown> {
  const { run } = input;
  const results = [...input.results].sort((a, b) => cmp(a.source.source, b.source.source) || cmp(a.source.sha256, b.source.sha256));
  // One entity per IRI (a source given twice is one PDF).
  const sources = [...new Map(results.map((r) => [sourceIri(r.source.source), r] as const)).values()];
  const files = [...input.files].sort(byPath);
  const fiscalYears = [...new Set(results.map((r) => r.meta?.fiscalYear).filter((y): y is string => !!y))].sort();

  const software = {
    '@id': SOFTWARE_ID,
    '@type': ['prov:SoftwareAgent', 'schema:SoftwareApplication'],
    'schema:name': plain(run.software),
    'schema:softwareVersion': plain(run.version),
  };
  const activity = {
    '@id': RUN_ID,
    '@type': 'prov:Activity',
    'rdfs:label': { '@value': `${run.software} ${run.version} run`, '@language': 'en' },
    'prov:startedAtTime': dateTime(run.startedAt),
    'prov:endedAtTime': dateTime(run.endedAt),
    'prov:wasAssociatedWith': software,
    'prov:used': sources.map((r) => ({ '@id': sourceIri(r.source.source) })),
    'prov:qualifiedUsage': sources.filter((r) => r.source.retrievedAt).map((r) => ({
      '@type': 'prov:Usage',
      'prov:entity': { '@id': sourceIri(r.source.source) },
      'prov:atTime': dateTime(r.source.retrievedAt!),
    })),
  };
  const title = ['政府部门预算、决算及绩效自评公开数据', { '@value': 'Chinese government budget, final account and performance self-evaluation disclosures as open data', '@language': 'en' }];
  const description = [
    '从政府部门公开的预算、决算及绩效自评PDF中提取的表格数据：每个单元格一行，附来源、页码与校验结果。',
    { '@value': `Tables read from published budget, final account and performance self-evaluation PDFs by ${run.software}: one row per table cell with its source, page and the accounting identities checked.`, '@language': 'en' },
  ];

  return {
    '@context': [CSVW_CONTEXT, { '@language': 'zh' }],
    '@type': 'TableGroup',
    'rdf:type': [{ '@id': 'dcat:Dataset' }, { '@id': 'schema:Dataset' }],
    'dcterms:title': title,
    'schema:name': title,
    'dcterms:description': description,
    'schema:description': description,
    'dcat:keyword': ['部门预算', '部门决算', '绩效自评', '财政'],
    'schema:keywords': ['部门预算', '部门决算', '绩效自评', '财政'],
    'schema:temporalCoverage': fiscalYears.map(plain),
    'dcterms:modified': dateTime(run.endedAt),
    'schema:dateModified': dateTime(run.endedAt),
    'dcterms:creator': { '@id': SOFTWARE_ID },
    'schema:creator': { '@id': SOFTWARE_ID },
    'prov:wasGeneratedBy': activity,
    'prov:wasDerivedFrom': sources.map(sourceEntity),
    'dcat:distribution': files.map((f) => distribution(f, results)),
    'schema:distribution': files.map((f) => ({ '@id': distributionId(f.path) })),
    tables: files.flatMap((f) => {
      const tableSchema = tableSchemaFor(f);
      return tableSchema ? [{ url: fileUrl(f.path), 'dcterms:title': tableTitle(f.path), tableSchema }] : [];
    }),
  };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** sha256, size and header of a file about to be written: what `buildMetadata` needs of it. */
export function describeOutputFile(filePath: string, data: string | Uint8Array): OutputFile {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const file: OutputFile = { path: filePath, sha256, bytes: bytes.byteLength };
  if (filePath.endsWith('.csv')) file.header = csvHeader(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
  return file;
}

/** The first record of an RFC 4180 text. */
export function csvHeader(text: string): string[] {
  const fields: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { fields.push(field); field = ''; } else if (ch === '\n' || ch === '\r') break;
    else field += ch;
  }
  if (fields.length > 0 || field !== '' || i > 0) fields.push(field);
  return fields;
}

/** The metadata file as written: two-space JSON with a final newline. */
export function metadataJson(input: MetadataInput): string {
  return `${JSON.stringify(buildMetadata(input), null, 2)}\n`;
}

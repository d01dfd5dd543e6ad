/**
 * The review page as one static HTML string: no script, no external resource, every text from
 * a document escaped. Same inputs, same bytes.
 */
import type { DocumentResult } from '../../model/document.js';
import type { Fact } from '../../model/fact.js';
import type { CropMark } from './crop.js';
import type { DocumentFlags, FailingIdentity, FlaggedCell, FlagReason } from './flags.js';
import { cellKeyOf, OCR_CONFIDENCE_FLOOR, REASON_ORDER } from './flags.js';

/** A crop written beside the page. */
export interface ReviewCrop {
  /** Relative to the page: `crops/<name>.png`. */
  href: string;
  width: number;
  height: number;
  mark: CropMark;
}

export interface ReviewDocument {
  result: DocumentResult;
  flags: DocumentFlags;
  /** Crops by fact index. */
  crops: ReadonlyMap<number, ReviewCrop>;
  /** Why some flagged cells have no crop (cap reached, PDF not available, …), shown as is. */
  cropNotes: string[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Text and attribute values alike; controls other than tab and newline are dropped (invalid in HTML). */
export const esc = (value: string | number): string =>
  String(value).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/gu, '').replace(/[&<>"']/gu, (c) => ESCAPES[c]!);

const REASON_TEXT: Record<FlagReason, string> = {
  identity_target: 'failing identity: checked total',
  identity_term: 'failing identity: summed term',
  identity_repair: 'value from an identity',
  ocr: `OCR: unsure (< ${OCR_CONFIDENCE_FLOOR}) or repaired`,
};

const CSS = `
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","Noto Sans SC",sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
header.top{background:#243447;color:#fff;padding:12px 20px}header.top h1{margin:0;font-size:20px}
main{padding:8px 20px 40px}
.summary td,.summary th{padding:2px 10px 2px 0;text-align:left}
.legend span{display:inline-block;margin-right:12px;padding:1px 6px}
section.doc{background:#fff;border:1px solid #ccd;border-radius:6px;margin:18px 0;padding:4px 16px 16px}
section.doc.failed{border-color:#c33}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}dl.meta dt{color:#555}dl.meta dd{margin:0}
.status-ok{color:#176b2c;font-weight:600}.status-failed{color:#b00;font-weight:600}
.error{color:#b00}.note{color:#7a4b00;background:#fff6e0;padding:4px 8px;border-left:3px solid #e0a000}
table.grid,table.ids{border-collapse:collapse;font-variant-numeric:tabular-nums;margin:4px 0 12px}
table.grid th,table.grid td,table.ids th,table.ids td{border:1px solid #ccd;padding:2px 6px;vertical-align:top}
table.grid thead th{background:#eef1f6;font-weight:600}table.grid td{text-align:right;white-space:nowrap}
table.grid th.row{text-align:left;font-weight:normal;max-width:26em}
.key{color:#777;font-size:12px;margin-right:6px}
.scroll{overflow-x:auto}
.f-identity_target{background:#ffc9c9;outline:2px solid #d22;outline-offset:-2px}
.f-identity_term{background:#ffe8e8;outline:1px dashed #d22;outline-offset:-2px}
.f-identity_repair{background:#d7e6ff;outline:2px solid #2563eb;outline-offset:-2px}
.f-ocr{background:#fff0c2;outline:2px solid #d99a00;outline-offset:-2px}
td a{color:inherit;text-decoration:none}
.cards{display:flex;flex-wrap:wrap;gap:10px}
figure.card{margin:0;border:1px solid #ccd;border-radius:4px;padding:6px;background:#fff;display:flex;gap:10px;align-items:center}
.crop{position:relative;line-height:0;border:1px solid #ddd}.crop img{display:block;max-width:420px;height:auto}
.crop .mark{position:absolute;border:2px solid #d22;box-sizing:border-box}
figure.card.r-identity_repair .mark{border-color:#2563eb}figure.card.r-ocr .mark{border-color:#d99a00}
.nocrop{color:#777;font-style:italic;max-width:14em}
figcaption .value{font-size:20px;font-weight:600;font-variant-numeric:tabular-nums}
figcaption .where,figcaption .prov{font-size:12px;color:#444}
.badge{display:inline-block;font-size:11px;padding:0 5px;border-radius:3px;margin:2px 3px 0 0}
.badge.identity_target{background:#ffc9c9}.badge.identity_term{background:#ffe8e8}.badge.identity_repair{background:#d7e6ff}.badge.ocr{background:#fff0c2}
.fail{color:#b00}.pass{color:#176b2c}
`;

const short = (sha: string) => sha.slice(0, 12);
const cellId = (doc: number, fact: number) => `d${doc}-f${fact}`;
const cardId = (doc: number, fact: number) => `d${doc}-k${fact}`;
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
/** A cell's reasons, most telling first. */
const ranked = (c: FlaggedCell): FlagReason[] => REASON_ORDER.filter((r) => c.reasons.has(r));

/** Documents in a stable order: by source, then sha256. */
export function sortDocuments<T extends { result: DocumentResult }>(docs: readonly T[]): T[] {
  return [...docs].sort((a, b) => cmp(a.result.source.source, b.result.source.source) || cmp(a.result.source.sha256, b.result.source.sha256));
}
// Code-point order, not locale order: the page must not change with the machine's locale.
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function reviewHtml(documents: readonly ReviewDocument[]): string {
  const docs = sortDocuments(documents);
  const arithmetic = (d: ReviewDocument) => d.flags.failing.filter((f) => f.row.rule !== 'completeness').length;
  const missing = (d: ReviewDocument) => d.flags.failing.length - arithmetic(d);
  const failedIds = docs.reduce((n, d) => n + arithmetic(d), 0);
  const flagged = docs.reduce((n, d) => n + d.flags.cells.length, 0);
  const index = docs.map((d, i) => {
    const r = d.result;
    const name = r.meta?.entity || r.source.source;
    return `<tr><td><a href="#d${i + 1}">${esc(name)}</a></td><td>${esc(r.meta?.fiscalYear ?? '')}</td><td>${esc(r.meta?.docKind ?? '')}</td>`
      + `<td class="status-${r.status}">${esc(r.status)}</td><td class="${arithmetic(d) ? 'fail' : 'pass'}">${arithmetic(d)}</td><td class="${missing(d) ? 'fail' : 'pass'}">${missing(d)}</td><td>${d.flags.cells.length}</td></tr>`;
  }).join('\n');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>fiscal-harvest review</title>
<style>${CSS}</style>
</head>
<body>
<header class="top"><h1>fiscal-harvest review</h1></header>
<main>
<p>${docs.length} document(s) · ${docs.filter((d) => d.result.status === 'failed').length} failed · ${failedIds} failing identity check(s) · ${flagged} cell(s) to check</p>
<p class="legend"><span class="f-identity_target">checked total of a failing identity</span><span class="f-identity_term">term of a failing identity</span><span class="f-identity_repair">value fixed or derived from an identity</span><span class="f-ocr">OCR, unsure or repaired</span></p>
<table class="summary"><thead><tr><th>document</th><th>year</th><th>kind</th><th>status</th><th>failing identities</th><th>tables missing</th><th>cells to check</th></tr></thead>
<tbody>
${index}
</tbody></table>
${docs.map((d, i) => documentSection(d, i + 1)).join('\n')}
</main>
</body>
</html>
`;
}

function documentSection(doc: ReviewDocument, n: number): string {
  const r = doc.result;
  const passed = r.validation.filter((v) => v.pass);
  const flaggedByIndex = new Map(doc.flags.cells.map((c) => [c.index, c]));
  const failedCount = doc.flags.failing.length;
  const missingCount = doc.flags.failing.filter((f) => f.row.rule === 'completeness').length;
  const meta: [string, string][] = [
    ['entity', esc(r.meta?.entity ?? '')],
    ['fiscal year', esc(r.meta?.fiscalYear ?? '')],
    ['kind', esc(r.meta?.docKind ?? '')],
    ['source', sourceHtml(r.source.source)],
    ['sha256', `<code title="${esc(r.source.sha256)}">${esc(short(r.source.sha256))}</code>`],
    ['status', `<span class="status-${r.status}">${esc(r.status)}</span>${r.error ? ` <span class="error">${esc(r.error)}</span>` : ''}`],
    ['pages', `${r.pages}${(r.pagesOcr?.length ?? 0) > 0 ? ` (OCR: ${esc(r.pagesOcr!.join(', '))})` : ''}${r.pagesNeedingOcr.length > 0 ? ` · without text layer: ${esc(r.pagesNeedingOcr.join(', '))}` : ''}`],
    ['identities', `<span class="pass">${passed.length} passed</span> · <span class="${failedCount ? 'fail' : 'pass'}">${failedCount} failed</span>${missingCount ? ` (${missingCount} of them: a table missing)` : ''}`],
    ['cells', `${r.facts.length} in ${r.tables.length} table(s)`],
  ];
  return `<section class="doc${r.status === 'failed' ? ' failed' : ''}" id="d${n}">
<h2>${esc(r.meta?.entity || r.source.source)}</h2>
<dl class="meta">${meta.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
${failingSection(doc, n)}
${passed.length ? `<details><summary>passed identities (${passed.length})</summary><p>${passed.map((v) => `<code>${esc(v.rule)}</code>`).join(' ')}</p></details>` : ''}
${cardsSection(doc, n)}
${tablesSection(r, n, flaggedByIndex)}
${r.findings.length ? `<h3>findings (${r.findings.length})</h3><ul>${r.findings.map((f) => `<li><b>${esc(f.severity)}</b> <code>${esc(f.code)}</code>${f.page ? ` p.${f.page}` : ''}: ${esc(f.message)}</li>`).join('')}</ul>` : ''}
</section>`;
}

/** Only web addresses become links; a path or anything else is text. */
function sourceHtml(source: string): string {
  return /^https?:\/\//iu.test(source) ? `<a href="${esc(source)}" rel="noreferrer">${esc(source)}</a>` : `<code>${esc(source)}</code>`;
}

function failingSection(doc: ReviewDocument, n: number): string {
  const { failing, cells } = doc.flags;
  const missing = failing.filter((f) => f.row.rule === 'completeness');
  const rows = failing.map((f, k) => ({ f, k })).filter(({ f }) => f.row.rule !== 'completeness').map(({ f, k }) =>
    `<tr><td><code>${esc(f.row.rule)}</code></td><td>${esc(f.row.table_kind)}${f.row.table_instance ? ` <span class="key">${esc(f.row.table_instance)}</span>` : ''}</td>`
    + `<td>${esc(f.row.expected)}</td><td>${esc(f.row.found)}</td><td>${esc(f.row.difference)}</td><td>${cellLinks(f, cells.filter((c) => c.identities.includes(k)), n)}</td></tr>`);
  const missingHtml = missing.length ? `<p class="fail">tables a ${esc(doc.result.meta?.docKind ?? '')} normally prints, not found (${missing.length}): ${missing.map((f) => `<code>${esc(f.row.table_kind)}</code>`).join(' ')}</p>` : '';
  if (rows.length === 0) return missingHtml;
  return `<h3 class="fail">failing identities (${rows.length})</h3>
<div class="scroll"><table class="ids"><thead><tr><th>rule</th><th>table</th><th>expected</th><th>found</th><th>difference</th><th>cells</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></div>
${missingHtml}`;
}

function cellLinks(f: FailingIdentity, cells: FlaggedCell[], n: number): string {
  if (f.cells.length === 0) return '';
  const targetKey = cellKeyOf(f.cells[0]!);
  const links = cells.map((c) => {
    const role = cellKeyOf(c.fact) === targetKey ? 'identity_target' : 'identity_term';
    return `<a class="f-${role}" href="#${cardId(n, c.index)}">${esc(c.fact.row_label || c.fact.row_key)} / ${esc(c.fact.column_label || c.fact.column_key)}: ${esc(c.fact.value)}</a>`;
  });
  const missing = f.cells.length - new Set(cells.map((c) => cellKeyOf(c.fact))).size;
  const source = f.cellsFrom === 'rule' ? ' <span class="key">(cells read from the rule id)</span>' : '';
  return links.join(' ') + (missing > 0 ? ` <span class="key">${missing} not among the facts</span>` : '') + source;
}

function cardsSection(doc: ReviewDocument, n: number): string {
  const { cells } = doc.flags;
  if (cells.length === 0) return '';
  const notes = doc.cropNotes.map((t) => `<p class="note">${esc(t)}</p>`).join('\n');
  return `<h3>cells to check (${cells.length})</h3>
${notes}
<div class="cards">
${cells.map((c) => card(c, doc.crops.get(c.index), n)).join('\n')}
</div>`;
}

function card(c: FlaggedCell, crop: ReviewCrop | undefined, n: number): string {
  const f = c.fact;
  const reasons = ranked(c);
  const main = reasons[0]!;
  const image = crop
    ? `<div class="crop"><img src="${esc(crop.href)}" width="${crop.width}" height="${crop.height}" loading="lazy" decoding="async" alt="${esc(`page ${f.page} around the cell`)}">`
      + `<span class="mark" style="left:${pct(crop.mark.left)};top:${pct(crop.mark.top)};width:${pct(crop.mark.width)};height:${pct(crop.mark.height)}"></span></div>`
    : `<div class="nocrop">no page image${f.bbox ? '' : ' (the value has no printed position)'}</div>`;
  return `<figure class="card r-${main}" id="${cardId(n, c.index)}">${image}<figcaption>`
    + `<div class="value" title="extracted value">${esc(f.value)} <span class="key">${esc(f.unit)}</span></div>`
    + `<div class="where"><a href="#${cellId(n, c.index)}">${esc(f.table_kind)}${f.table_instance ? ` ${esc(f.table_instance)}` : ''}</a> · ${esc(f.row_label || f.row_key)} · ${esc(f.column_label || f.column_key)}</div>`
    + `<div>${reasons.map((r) => `<span class="badge ${r}">${esc(REASON_TEXT[r])}</span>`).join('')}</div>`
    + `<div class="prov">page ${f.page} · ${esc(f.method)} · confidence ${esc(f.confidence)}${f.repairs ? ` · repairs ${esc(f.repairs)}` : ''}</div>`
    + `</figcaption></figure>`;
}

interface TableGroup { kind: string; instance: string; entity: string; facts: { fact: Fact; index: number }[] }

function tablesSection(r: DocumentResult, n: number, flagged: ReadonlyMap<number, FlaggedCell>): string {
  if (r.facts.length === 0) return '';
  const groups = new Map<string, TableGroup>();
  r.facts.forEach((fact, index) => {
    const k = [fact.table_kind, fact.table_instance, fact.entity].join('\u001f');
    let g = groups.get(k);
    if (!g) { g = { kind: fact.table_kind, instance: fact.table_instance, entity: fact.entity, facts: [] }; groups.set(k, g); }
    g.facts.push({ fact, index });
  });
  return `<h3>tables (${groups.size})</h3>\n${[...groups.values()].map((g) => tableHtml(g, r, n, flagged)).join('\n')}`;
}

function tableHtml(g: TableGroup, r: DocumentResult, n: number, flagged: ReadonlyMap<number, FlaggedCell>): string {
  const summary = r.tables.find((t) => t.table_kind === g.kind && t.table_instance === g.instance && t.entity === g.entity)
    ?? r.tables.find((t) => t.table_kind === g.kind && t.table_instance === g.instance);
  const rows: string[] = [], columns: string[] = [];
  const labels = new Map<string, { label: string; lineNo: string }>(), columnLabels = new Map<string, string>();
  const at = new Map<string, { fact: Fact; index: number }>();
  for (const e of g.facts) {
    const f = e.fact;
    if (!labels.has(f.row_key)) { rows.push(f.row_key); labels.set(f.row_key, { label: f.row_label, lineNo: f.line_no }); }
    if (!columnLabels.has(f.column_key)) { columns.push(f.column_key); columnLabels.set(f.column_key, f.column_label); }
    at.set(`${f.row_key}\u001f${f.column_key}`, e);
  }
  const units = [...new Set(g.facts.map((e) => e.fact.unit).filter((u) => u === '万元' || u === '元'))];
  const head = `<tr><th>row</th>${columns.map((c) => `<th title="${esc(c)}">${esc(columnLabels.get(c) || c)}</th>`).join('')}</tr>`;
  const body = rows.map((row) => {
    const l = labels.get(row)!;
    const cells = columns.map((column) => {
      const e = at.get(`${row}\u001f${column}`);
      if (!e) return '<td></td>';
      const flag = flagged.get(e.index);
      const f = e.fact;
      const title = `${f.row_key} / ${f.column_key} · page ${f.page} · bbox ${f.bbox} · ${f.method} ${f.confidence}${f.repairs ? ` · ${f.repairs}` : ''}`;
      const value = esc(f.value);
      if (!flag) return `<td title="${esc(title)}">${value}</td>`;
      const reasons = ranked(flag);
      return `<td id="${cellId(n, e.index)}" class="${reasons.map((x) => `f-${x}`).join(' ')}" title="${esc(title)}"><a href="#${cardId(n, e.index)}">${value}</a></td>`;
    }).join('');
    return `<tr><th class="row" scope="row"><span class="key">${esc(row)}${l.lineNo ? ` #${esc(l.lineNo)}` : ''}</span>${esc(l.label)}</th>${cells}</tr>`;
  }).join('\n');
  const title = summary?.title || g.kind;
  const where = [g.kind, g.instance, g.entity, summary ? `page ${summary.pages.join(', ')}` : '', units.length ? `unit ${units.join(', ')}` : ''].filter(Boolean);
  return `<h4>${esc(title)} <span class="key">${where.map(esc).join(' · ')}</span></h4>
<div class="scroll"><table class="grid"><thead>${head}</thead><tbody>
${body}
</tbody></table></div>`;
}

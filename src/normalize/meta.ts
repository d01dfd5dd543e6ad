/** Entity, fiscal year and document kind, read from the document itself (never the file name). */
import type { DocKind, DocumentMeta } from '../model/document.js';
import type { Line } from '../model/line.js';
import type { Region } from './regions.js';

function kindOf(word: string): DocKind {
  if (word.includes('绩效自评')) return 'performance_eval';
  return word === '决算' ? 'final_account' : 'budget';
}

/** The cover title: the first lines of the first pages joined (titles wrap on covers). */
function titleCandidates(pages: readonly Line[][]): string[] {
  const out: string[] = [];
  for (const lines of pages.slice(0, 3)) {
    const texts = lines.slice(0, 6).map((l) => l.text);
    for (let i = 0; i < texts.length; i++) {
      out.push(texts[i]!);
      if (i + 1 < texts.length) out.push(texts[i]! + texts[i + 1]!);
    }
  }
  return out;
}

// A contents line (目录 第一部分 2026年度部门预算情况说明) names a part, not the entity: whatever stands
// before the part number is contents furniture (目录, or its OCR misreading).
const cleanEntity = (s: string): string => s.replace(/^[:：\s]+|[:：\s]+$/gu, '').replace(/^.*?第[一二三四五六七八九十]+部分/u, '');

const KIND_WORD = /(?:部门|单位|区级|市级)?(决算|预算|整体支出绩效自评|项目支出绩效自评|绩效自评)/u;

/**
 * The entity printed before a year that OCR garbled (`20256年度部门预算`): the year is not taken from
 * such a line, but where the entity ends still is.
 */
function entityBeforeGarbledYear(title: string): string {
  const m = /^(.+?)\d{4,6}年度?(?:部门|单位)?(?:决算|预算|整体支出绩效自评|项目支出绩效自评|绩效自评)/u.exec(title);
  return m ? cleanEntity(m[1]!) : '';
}

/**
 * On OCR'd documents the entity is checked against the rest of the text: the name is printed many
 * times (cover, tables, 情况说明), and a one- or two-character misreading (北系市 for 北京市) loses
 * the vote to the spelling read most often. Ties keep the reading given.
 */
export function consensusSpelling(entity: string, texts: readonly string[]): string {
  const n = [...entity].length;
  if (n < 4) return entity;
  const target = [...entity];
  const allowed = Math.max(1, Math.floor(n / 6));
  const counts = new Map<string, number>();
  for (const text of texts) {
    const chars = [...text];
    for (let i = 0; i + n <= chars.length; i++) {
      // The name's last character (局, 委, 院…) must be read right for a window to count.
      if (chars[i + n - 1] !== target[n - 1]) continue;
      let differ = 0;
      for (let k = 0; k < n && differ <= allowed; k++) if (chars[i + k] !== target[k]) differ++;
      if (differ > allowed) continue;
      const spelling = chars.slice(i, i + n).join('');
      if (/[\d\s:：,，。、()（）]/u.test(spelling)) continue;
      counts.set(spelling, (counts.get(spelling) ?? 0) + 1);
    }
  }
  let best = entity;
  let bestCount = counts.get(entity) ?? 0;
  for (const [spelling, count] of counts) if (count > bestCount) { best = spelling; bestCount = count; }
  return best;
}

const NAME_FIELD = /^(?:部门|单位|预算单位|主管部门)名称[:：]?$/u;

/**
 * The entity as a form field: a cell 部门名称 and the name in the next cell, no colon (Beijing's
 * 部门整体支出绩效目标表 in a table-only file). The most common value wins.
 */
function entityFromNameFields(pages: readonly Line[][]): string {
  const counts = new Map<string, number>();
  for (const lines of pages) {
    for (const l of lines) {
      const [field, value] = l.tokens;
      if (!field || !value || !NAME_FIELD.test(field.text.replace(/\s+/gu, ''))) continue;
      const name = value.text.replace(/\s+/gu, '');
      if (/\p{Script=Han}{2,}/u.test(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}

export function readMeta(pages: readonly Line[][], regions: readonly Region[]): DocumentMeta {
  let year = '';
  let docKind: DocKind | '' = '';
  let titleEntity = '';
  let entityRead = false;
  for (const t of titleCandidates(pages)) {
    const kindWord = KIND_WORD.exec(t);
    const y = /(20\d{2})年度?/u.exec(t);
    if (kindWord && y && y.index <= kindWord.index) {
      // The first title read gives year and kind; later ones are read only for an entity still missing.
      if (!year) { year = y[1]!; docKind = kindOf(kindWord[1]!); }
      // 2024年度某局部门决算 or 某局2026年部门预算
      const entity = cleanEntity(y.index === 0 ? t.slice(y[0].length, kindWord.index) : t.slice(0, y.index));
      if (!entityRead && (entity || y.index === 0)) { titleEntity = entity; entityRead = true; }
    } else if (!entityRead) {
      titleEntity = entityBeforeGarbledYear(t);
      entityRead = titleEntity !== '';
    }
    if (year && entityRead) break;
  }
  // Entity lines printed over the tables are the most reliable; take the most common.
  const counts = new Map<string, number>();
  for (const r of regions) if (r.entityLine) counts.set(r.entityLine, (counts.get(r.entityLine) ?? 0) + 1);
  const fromTables = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  let entity = fromTables || titleEntity || entityFromNameFields(pages);
  if (!year) {
    const years = new Map<string, number>();
    for (const lines of pages) for (const l of lines) for (const m of l.text.matchAll(/(20\d{2})年/gu)) years.set(m[1]!, (years.get(m[1]!) ?? 0) + 1);
    year = [...years.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  }
  if (!docKind) {
    const fa = regions.filter((r) => r.kind.id.startsWith('fa')).length;
    const bu = regions.filter((r) => r.kind.id.startsWith('bu') || r.kind.id.startsWith('pg')).length;
    const pe = regions.filter((r) => r.kind.id.startsWith('pe')).length;
    docKind = fa > bu ? 'final_account' : bu > 0 ? 'budget' : pe > 0 ? 'performance_eval' : 'other';
  }
  // A blank template (XX placeholders) is not a disclosure.
  if (/XX|××|ＸＸ|xx/u.test(entity) || /XX|××/u.test(titleEntity)) docKind = 'other';
  entity = entity.replace(/[\s\u3000]+/gu, '');
  const readByOcr = pages.some((lines) => lines.some((l) => l.tokens.some((t) => t.method === 'ocr')));
  if (readByOcr && entity) entity = consensusSpelling(entity, pages.flatMap((lines) => lines.map((l) => l.text)));
  return { entity, fiscalYear: year, docKind };
}

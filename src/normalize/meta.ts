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

const cleanEntity = (s: string): string => s.replace(/^[:：\s]+|[:：\s]+$/gu, '').replace(/^(?:第[一二三四五六七八九十]+部分)/u, '');

export function readMeta(pages: readonly Line[][], regions: readonly Region[]): DocumentMeta {
  let year = '';
  let docKind: DocKind | '' = '';
  let titleEntity = '';
  for (const t of titleCandidates(pages)) {
    const kindWord = /(?:部门|单位|区级|市级)?(决算|预算|整体支出绩效自评|项目支出绩效自评|绩效自评)/u.exec(t);
    const y = /(20\d{2})年度?/u.exec(t);
    if (!kindWord || !y || y.index > kindWord.index) continue;
    year = y[1]!;
    docKind = kindOf(kindWord[1]!);
    // 2024年度某局部门决算 or 某局2026年部门预算
    titleEntity = cleanEntity(y.index === 0 ? t.slice(y[0].length, kindWord.index) : t.slice(0, y.index));
    break;
  }
  // Entity lines printed over the tables are the most reliable; take the most common.
  const counts = new Map<string, number>();
  for (const r of regions) if (r.entityLine) counts.set(r.entityLine, (counts.get(r.entityLine) ?? 0) + 1);
  const fromTables = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  let entity = fromTables || titleEntity;
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
  return { entity, fiscalYear: year, docKind };
}

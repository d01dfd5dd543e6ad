/**
 * Table detection: a table starts at a printed title the catalogue knows, takes the 单位 lines
 * under it, and runs until its note (注：), the next title, a section heading or narrative text;
 * it continues onto following pages when they open with table rows.
 */
import { kindForTitle, type TableKind } from '../catalogue/table-kinds.js';
import type { Line } from '../model/line.js';
import { compact, hasCjk } from '../util/text.js';
import { isValueText } from './cells.js';

export interface Region {
  kind: TableKind;
  title: string;
  tableNo: string;
  entityLine: string;
  unit: '万元' | '元';
  /** Lines under the title block: header and body, across pages, in reading order. */
  lines: Line[];
  notes: string[];
  pages: number[];
}

// OCR reads the colon after 注 as ; or > at times.
const NOTE = /^(?:注|说明|备注)\d?[:：.．、;；>]/u;
const SECTION = /^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.．].{0,30}(?:情况说明|名词解释|概况)$)/u;
const TABLE_NO = /^(?:表\d+(?:-\d+)?|表[一二三四五六七八九十]+|预算\d+表|公开表[一二三四五六七八九十]+|附表\d+)$/u;
const EMPTY_TABLE = /本表(?:本年度)?无(?:数据|发生额|相关数据)|无发生额|本表为空/u;

/** `单位：万元`, `单位：元`, `单位名称：某局`, `编制单位：某局` on one line, in any order. */
export function parseUnitLine(text: string): { entity: string; unit: '万元' | '元' | null } | null {
  // Whitespace removed but no NFKC: the entity is kept as printed (full-width brackets included).
  const t = text.replace(/[\s\u3000]+/gu, '');
  if (!/(?:单位|部门|单位名称|编制单位|预算单位)[:：]/u.test(t)) return null;
  let entity = '';
  let unit: '万元' | '元' | null = null;
  const re = /(?:编制单位|单位名称|预算单位|部门名称|单位|部门)[:：]((?:(?!(?:编制单位|单位名称|预算单位|部门名称|单位|部门)[:：]).)*)/gu;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t))) {
    const v = m[1]!.trim();
    if (/^(?:万元|元)$/u.test(v)) unit = v as '万元' | '元';
    else if (/^(?:人民币)?万元/u.test(v)) unit = '万元';
    else if (v && !entity) entity = v.replace(/(?:金额)?(?:单位)?$/u, '');
  }
  return { entity, unit };
}

interface PrintedTitle { kind: TableKind; title: string; tableNo: string }

const newRegion = (title: PrintedTitle, tableNo: string, page: number): Region =>
  ({ kind: title.kind, title: title.title, tableNo, entityLine: '', unit: '万元', lines: [], notes: [], pages: [page] });

function titleOf(line: Line): PrintedTitle | null {
  if (line.text.length > 60 || line.tokens.length > 4) return null;
  // A table number may share the line: 预算01表 收支总表, 表1 收入支出决算总表.
  let tableNo = '';
  const parts = line.tokens.map((t) => compact(t.text));
  const rest: string[] = [];
  for (const p of parts) {
    if (!tableNo && TABLE_NO.test(p)) tableNo = p;
    else rest.push(p);
  }
  const title = rest.join('');
  const kind = kindForTitle(title);
  return kind ? { kind, title, tableNo } : null;
}

/** A short line ending in 表 (the catalogue did not recognise it as a known kind). */
function looksLikeTitle(line: Line): boolean {
  const t = line.text.replace(/[（(][^）)]*[)）]$/u, '');
  return line.tokens.length <= 3 && t.length >= 6 && t.length <= 40 && /表$/u.test(t) && !NOTE.test(line.text) && !/[，。；]/u.test(t);
}

const isNarrative = (line: Line): boolean => line.tokens.some((t) => compact(t.text).length >= 30 && hasCjk(t.text) && !NOTE.test(compact(t.text)));

const hasValues = (line: Line): boolean => line.tokens.some((t) => isValueText(t.text));

/**
 * A sentence, numbers and all (`2026年本单位机关运行经费财政拨款预算 2,719.55 万元，`): never a table's first
 * line. Line text is NFKC (，→ ,): a comma before three digits is a thousands separator, not punctuation.
 */
const isSentence = (line: Line): boolean => /[，。；;]|,(?!\d{3})/u.test(line.text) && (line.text.match(/\p{Script=Han}/gu) ?? []).length >= 12;

const HEADER_WORDS = /项目|科目|栏次|金额|预算数|决算数|合计|小计/u;
const CONTENTS_ENTRY_TAIL = /[.．…·•_\-—\s]*\d{0,3}$/u;

/**
 * A contents page (目录) lists table titles, each maybe with a leader and a page number, and holds no
 * table: no header words, no row of amounts. Its entries must not open tables.
 */
export function isContentsPage(lines: readonly Line[]): boolean {
  let entries = 0;
  for (const line of lines) {
    if (HEADER_WORDS.test(line.text) || EMPTY_TABLE.test(line.text)) return false;
    if (line.tokens.filter((t) => isValueText(t.text)).length >= 2) return false;
    const text = line.text.replace(CONTENTS_ENTRY_TAIL, '');
    // Entries are title-length; prose lines are not looked up in the catalogue.
    if (text.length <= 40 && (/表$/u.test(text) || kindForTitle(text.replace(/^[一二三四五六七八九十]+[、.．]?/u, '')))) entries++;
  }
  return entries >= 4;
}

const GRADE_LABEL = /评价等级|自评等级|绩效等级/u;
const GRADE_OPTION = /[☑□■√✓✔]|得分[<≤]|分[≤<]/u;

/** A form is closed once its grade was printed and the line is no longer one of the grade's options. */
function formClosed(gradePrinted: boolean, line: Line): boolean {
  return gradePrinted && !GRADE_OPTION.test(line.text) && !GRADE_LABEL.test(line.text);
}

/** Finds the tables of a document in its lines (all pages, in order). */
export function findRegions(pages: readonly Line[][]): Region[] {
  const regions: Region[] = [];
  let current: Region | null = null;
  let lastTableNo = '';
  let inTitleBlock = false;
  // A title repeated atop a page that continues the current table, until the unit line under it says whose.
  let continuing: { title: PrintedTitle; tableNo: string; page: number } | null = null;
  // Whether the current region's lines hold a grade label (评价等级): a form closes after it.
  let gradePrinted = false;
  for (const lines of pages) {
    if (isContentsPage(lines)) { current = null; continue; }
    let pageStart = true;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (TABLE_NO.test(line.text)) { lastTableNo = line.text; continue; }
      const title = titleOf(line);
      // The same table printed again under its title on the next page (表1 收支总表 atop every page) goes on,
      // unless the lines under the title name another unit.
      if (title && current && pageStart && current.kind.layout !== 'performance' && current.kind.id === title.kind.id && current.title === title.title
        && (title.tableNo || lastTableNo) === current.tableNo) {
        continuing = { title, tableNo: title.tableNo || lastTableNo, page: line.page };
        lastTableNo = '';
        inTitleBlock = true;
        pageStart = false;
        continue;
      }
      if (title) {
        continuing = null;
        current = newRegion(title, title.tableNo || lastTableNo, line.page);
        gradePrinted = false;
        regions.push(current);
        lastTableNo = '';
        inTitleBlock = true;
        pageStart = false;
        continue;
      }
      // A title the catalogue does not know (政府采购预算明细表) still ends the table before it.
      if (current && looksLikeTitle(line)) { current = null; pageStart = false; continue; }
      if (!current) { pageStart = false; continue; }
      // A self-evaluation form holds narrative cells and may run over a page: it ends after its grade.
      const openForm = current.kind.layout === 'performance' && !formClosed(gradePrinted, line);
      if (pageStart && current.lines.length > 0 && !openForm) {
        // A table goes on over the page only if the page opens with table rows (header or values).
        const head = lines.slice(i, i + 14);
        if (!head.some(hasValues) || head.slice(0, 2).some(isNarrative)) { current = null; pageStart = false; continue; }
      }
      pageStart = false;
      const unitLine = parseUnitLine(line.tokens.map((t) => t.text).join(' '));
      if (unitLine && inTitleBlock && continuing && unitLine.entity && current.entityLine && compact(unitLine.entity) !== compact(current.entityLine)) {
        // Another unit's table under the same title: a table of its own.
        current = newRegion(continuing.title, continuing.tableNo, continuing.page);
        regions.push(current);
        gradePrinted = false;
      }
      if (unitLine && (inTitleBlock || !hasValues(line))) {
        if (unitLine.unit) current.unit = unitLine.unit;
        if (unitLine.entity && !current.entityLine) current.entityLine = unitLine.entity;
        continue;
      }
      inTitleBlock = false;
      continuing = null;
      if (EMPTY_TABLE.test(line.text)) { current.notes.push(line.text); continue; }
      if (NOTE.test(line.text)) { current.notes.push(line.text); current = null; continue; }
      if (SECTION.test(line.text) || (isNarrative(line) && !openForm)) { current = null; continue; }
      // A heading of the text that reads like a title (一、机关运行经费) is followed by its paragraph.
      if (current.lines.length === 0 && current.kind.layout !== 'performance' && isSentence(line)) { regions.pop(); current = null; continue; }
      current.lines.push(line);
      if (GRADE_LABEL.test(line.text)) gradePrinted = true;
      if (!current.pages.includes(line.page)) current.pages.push(line.page);
    }
  }
  // A table printed with its header and no rows (an empty table) is still found; a contents entry has no header.
  const hasHeader = (r: Region) => r.lines.length >= 2 && r.lines.some((l) => /项目|科目|金额|预算数|决算数|合计|小计/u.test(l.text));
  return regions.filter((r) => r.lines.some(hasValues) || r.notes.some((n) => EMPTY_TABLE.test(n)) || hasHeader(r) || (r.kind.layout === 'performance' && r.lines.length > 3));
}

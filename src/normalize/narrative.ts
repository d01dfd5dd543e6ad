/**
 * The 情况说明 text against the tables: figures the text states (catalogue/narrative-claims.ts) are
 * read from the lines outside table regions and compared with the cells they describe. Reports only.
 */
import { NARRATIVE_CLAIMS, type NarrativeClaim } from '../catalogue/narrative-claims.js';
import { TOLERANCE_PER_TERM } from '../catalogue/identities.js';
import type { DocKind, Source } from '../model/document.js';
import type { Fact } from '../model/fact.js';
import type { Line } from '../model/line.js';
import type { ValidationRow } from '../model/validation.js';
import { compact } from '../util/text.js';
import type { Region } from './regions.js';

const MAX_SENTENCE = 300;

const STATED_FIGURE_RULES = new Set(NARRATIVE_CLAIMS.map((c) => c.id));
/** A validation row comparing a figure of the text with its cell (the text is not in the outputs: it cannot be re-checked from them). */
export const isStatedFigureRow = (row: Pick<ValidationRow, 'rule'>): boolean => STATED_FIGURE_RULES.has(row.rule);

export interface StatedFigure {
  claim: NarrativeClaim;
  /** Plain decimal in 万元, as the text prints it (separators removed). */
  value: string;
  page: number;
}

/** The first statement of each claim in the document's running text (tables' own lines excluded). */
export function readStatedFigures(pages: readonly Line[][], regions: readonly Region[], docKind: DocKind, claims: readonly NarrativeClaim[] = NARRATIVE_CLAIMS): StatedFigure[] {
  const inTables = new Set<Line>(regions.flatMap((r) => r.lines));
  // One text with a page index, so a sentence wrapped over a page break still matches.
  let text = '';
  const pageAt: { offset: number; page: number }[] = [];
  for (const lines of pages) {
    for (const line of lines) {
      if (inTables.has(line)) continue;
      pageAt.push({ offset: text.length, page: line.page });
      text += compact(line.text);
    }
  }
  const out: StatedFigure[] = [];
  for (const claim of claims) {
    if (claim.docKind !== docKind) continue;
    const anchor = new RegExp(claim.anchor.source, `${claim.anchor.flags.replace('g', '')}g`);
    for (const m of text.matchAll(anchor)) {
      const start = m.index + m[0].length;
      const sentence = text.slice(start, start + MAX_SENTENCE).split('。')[0]!;
      const found = claim.figure.exec(sentence);
      if (!found) continue;
      let page = pageAt[0]?.page ?? 1;
      for (const p of pageAt) if (p.offset <= start) page = p.page;
      out.push({ claim, value: found[1]!.replace(/,/g, ''), page });
      break;
    }
  }
  return out;
}

/**
 * One validation row per stated figure whose cell the tables hold. The text may print fewer decimals
 * than the table (`4.5万元` for 4.50): half a unit of its last printed digit is allowed, at least the
 * usual per-term rounding.
 */
export function checkStatedFigures(source: Source, stated: readonly StatedFigure[], facts: readonly Fact[]): ValidationRow[] {
  const rows: ValidationRow[] = [];
  for (const { claim, value } of stated) {
    const fact = facts.find((f) => f.table_kind === claim.cell.table && f.row_key === claim.cell.row && f.column_key === claim.cell.column);
    if (!fact || !Number.isFinite(Number(fact.value))) continue;
    const decimals = value.split('.')[1]?.length ?? 0;
    const tolerance = Math.max(TOLERANCE_PER_TERM, 0.5 * 10 ** -decimals);
    const difference = Number(fact.value) - Number(value);
    rows.push({
      source_sha256: source.sha256, source: source.source, table_kind: claim.cell.table, table_instance: fact.table_instance,
      rule: claim.id, expected: value, found: fact.value, difference: String(Math.round(difference * 1e6) / 1e6),
      pass: Math.abs(difference) <= tolerance + 1e-9,
      cells: [{ table_kind: fact.table_kind, table_instance: fact.table_instance, row_key: fact.row_key, column_key: fact.column_key }],
    });
  }
  return rows;
}

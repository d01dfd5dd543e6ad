/**
 * Figures the 情况说明 text states about a table, as data: where the text says it, and which cell it
 * must agree with (OUTPUT.md: "fa09 actual figures agree with the 情况说明 text"). Patterns run on the
 * document's non-table text, NFKC with whitespace removed, so wrapped and spaced sentences match.
 */
import type { CellRef } from './identities.js';

export interface NarrativeClaim {
  id: string;
  /** Only documents of this kind state it (a budget's 三公 sentence is about the budget table). */
  docKind: 'final_account' | 'budget';
  /** Where to look: a sentence opening, and how far after it the figure may stand. */
  anchor: RegExp;
  window: number;
  /** Run inside the window; group 1 is the amount in 万元. */
  figure: RegExp;
  cell: CellRef;
}

const AMOUNT = String.raw`(\d[\d,]*(?:\.\d+)?)`;
const THREE_PUBLIC_ACTUAL = /三公.{0,2}经费(?:财政拨款)?支出决算(?:数)?为/u;
const THREE_PUBLIC_BREAKDOWN = /三公.{0,2}经费财政拨款支出决算中/u;

export const NARRATIVE_CLAIMS: readonly NarrativeClaim[] = [
  { id: 'fa09.narrative.actual_total', docKind: 'final_account', anchor: THREE_PUBLIC_ACTUAL, window: 20, figure: new RegExp(`^${AMOUNT}万元`, 'u'), cell: { table: 'fa09_three_public', row: 'total', column: 'actual_total' } },
  { id: 'fa09.narrative.budget_total', docKind: 'final_account', anchor: THREE_PUBLIC_ACTUAL, window: 60, figure: new RegExp(`^[\\d,.]+万元[,，;；]?完成(?:全年|年初)?预算(?:数)?(?:的)?${AMOUNT}万元`, 'u'), cell: { table: 'fa09_three_public', row: 'total', column: 'budget_total' } },
  { id: 'fa09.narrative.actual_abroad', docKind: 'final_account', anchor: THREE_PUBLIC_BREAKDOWN, window: 120, figure: new RegExp(`因公出国\\(境\\)费(?:用)?(?:支出)?(?:决算)?(?:为)?${AMOUNT}万元`, 'u'), cell: { table: 'fa09_three_public', row: 'total', column: 'actual_abroad' } },
  { id: 'fa09.narrative.actual_vehicle_total', docKind: 'final_account', anchor: THREE_PUBLIC_BREAKDOWN, window: 160, figure: new RegExp(`公务用车购置及运行(?:维护)?费(?:支出)?(?:决算)?(?:为)?${AMOUNT}万元`, 'u'), cell: { table: 'fa09_three_public', row: 'total', column: 'actual_vehicle_total' } },
  { id: 'fa09.narrative.actual_reception', docKind: 'final_account', anchor: THREE_PUBLIC_BREAKDOWN, window: 220, figure: new RegExp(`公务接待费(?:支出)?(?:决算)?(?:为)?${AMOUNT}万元`, 'u'), cell: { table: 'fa09_three_public', row: 'total', column: 'actual_reception' } },
];

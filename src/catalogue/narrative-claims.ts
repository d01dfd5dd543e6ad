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
  /** Where a sentence about the figure starts; the sentence runs to the next 。 (at most 300 characters). */
  anchor: RegExp;
  /** Searched in the sentence after the anchor; group 1 is the amount in 万元. */
  figure: RegExp;
  cell: CellRef;
}

const AMOUNT = String.raw`(\d[\d,]*(?:\.\d+)?)`;
/** 三公 sentences of final accounts: 财政拨款支出决算为…, 财政拨款支出年初预算为…, 财政拨款支出决算中，因公出国… */
const THREE_PUBLIC = /三公.{0,2}经费财政拨款支出/u;
/** Item names end in 费: a total is stated before any item is named. */
const BEFORE_ITEMS = '^[^费]*?';
const ITEM = (name: string) => new RegExp(`${name}(?:支出)?(?:决算(?:数)?)?(?:为)?${AMOUNT}万元`, 'u');

export const NARRATIVE_CLAIMS: readonly NarrativeClaim[] = [
  { id: 'fa09.narrative.actual_total', docKind: 'final_account', anchor: THREE_PUBLIC, figure: new RegExp(`${BEFORE_ITEMS}决算(?:数)?为${AMOUNT}万元`, 'u'), cell: { table: 'fa09_three_public', row: 'total', column: 'actual_total' } },
  { id: 'fa09.narrative.budget_total', docKind: 'final_account', anchor: THREE_PUBLIC, figure: new RegExp(`${BEFORE_ITEMS}(?:预算(?:数)?为|完成(?:全年|年初)?预算(?:数)?的?)${AMOUNT}万元`, 'u'), cell: { table: 'fa09_three_public', row: 'total', column: 'budget_total' } },
  { id: 'fa09.narrative.actual_abroad', docKind: 'final_account', anchor: THREE_PUBLIC, figure: ITEM('因公出国\\(境\\)费(?:用)?'), cell: { table: 'fa09_three_public', row: 'total', column: 'actual_abroad' } },
  { id: 'fa09.narrative.actual_vehicle_total', docKind: 'final_account', anchor: THREE_PUBLIC, figure: ITEM('公务用车购置及运行(?:维护)?费'), cell: { table: 'fa09_three_public', row: 'total', column: 'actual_vehicle_total' } },
  { id: 'fa09.narrative.actual_reception', docKind: 'final_account', anchor: THREE_PUBLIC, figure: ITEM('公务接待费'), cell: { table: 'fa09_three_public', row: 'total', column: 'actual_reception' } },
];

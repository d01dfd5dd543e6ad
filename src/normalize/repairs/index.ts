/** The registry of cell-text repairs, applied in this order. */
import { dashAsZero } from './dash-as-zero.js';
import { despaceLabel } from './despace-label.js';
import { despaceNumber } from './despace-number.js';
import { fullwidthToAscii } from './fullwidth-to-ascii.js';
import type { Repair } from './types.js';

export type { Repair } from './types.js';

export const TEXT_REPAIRS: readonly Repair[] = [fullwidthToAscii, despaceNumber, despaceLabel];
export const AMOUNT_REPAIRS: readonly Repair[] = [dashAsZero];

/** Codes of repairs applied elsewhere (grid and line building), listed so they are documented in one place. */
export const STRUCTURAL_REPAIRS = {
  join_wrapped_label: 'a label wrapped onto two lines inside a cell joined',
  split_spanning_run: 'one text run spanning two cells split at the cell boundary',
  join_split_code: 'codes printed in separate 类/款/项 columns joined',
  split_code_from_label: 'a code printed inside the label cell moved to the code',
  drop_page_furniture: 'page numbers and repeated running headers dropped',
} as const;

/** Applies the repairs in order; returns the final text and the codes that changed it. */
export function applyRepairs(text: string, repairs: readonly Repair[] = TEXT_REPAIRS): { text: string; codes: string[] } {
  let current = text;
  const codes: string[] = [];
  for (const repair of repairs) {
    const next = repair.apply(current);
    if (next !== null && next !== current) {
      current = next;
      codes.push(repair.code);
    }
  }
  return { text: current, codes };
}

/** What a token's text is once repaired: an amount, a code, a line number, or a label. */
import { applyRepairs, AMOUNT_REPAIRS } from './repairs/index.js';
import { AMOUNT_RE, PERCENT_RE } from '../util/text.js';

export type TokenKind = 'amount' | 'code' | 'int' | 'dash' | 'label';

const DASH = /^[-—–－―]$/u;
const CODE = /^(?:\d{3}|\d{5}|\d{7}|\d{9})$/u;
const BRACKET_CODE = /^[[【]\d{3,9}[\]】]/u;

export function repairedText(raw: string): { text: string; codes: string[] } {
  return applyRepairs(raw);
}

export function classify(raw: string): TokenKind {
  const { text } = repairedText(raw);
  if (DASH.test(text)) return 'dash';
  if (/^\d+$/u.test(text)) return CODE.test(text) ? 'code' : 'int';
  if (AMOUNT_RE.test(text) || PERCENT_RE.test(text)) return 'amount';
  if (BRACKET_CODE.test(text)) return 'label';
  return 'label';
}

/** A token that can be a table value (amount, integer, percentage or a dash for zero). */
export function isValueText(raw: string): boolean {
  const k = classify(raw);
  return k === 'amount' || k === 'dash' || (k === 'int' && raw.trim().length <= 12) || k === 'code';
}

/** An amount cell's value as `facts.csv` wants it: plain decimal, no separators. */
export function amountValue(text: string): { value: string; codes: string[] } | null {
  const dash = applyRepairs(text, AMOUNT_REPAIRS);
  const t = dash.text.replace(/,/gu, '').replace(/^\+/u, '');
  if (/^-?\d+(?:\.\d+)?$/u.test(t)) return { value: t, codes: dash.codes };
  if (/^-?\d+(?:\.\d+)?%$/u.test(t)) return { value: t, codes: dash.codes };
  return null;
}

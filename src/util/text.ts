/** Text helpers shared by the stages: normalisation, character classes, amount parsing. */

export const nfkc = (s: string): string => s.normalize('NFKC');

/** NFKC with all whitespace removed: the form labels and keys are compared in. */
export const compact = (s: string): string => nfkc(s).replace(/[\s\u200b\u3000]+/gu, '');

export const isCjk = (ch: string): boolean => /[\u3400-\u9fff\uf900-\ufaff（）【】、，：；“”]/u.test(ch);

export const hasCjk = (s: string): boolean => /[\u3400-\u9fff]/u.test(s);

/** A printed amount after repairs: optional sign, digits with optional thousands separators, decimals. */
export const AMOUNT_RE = /^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$/;
export const PERCENT_RE = /^[-+]?\d+(?:\.\d+)?%$/;

export const isAmount = (s: string): boolean => AMOUNT_RE.test(s);

/** `1,597.60` → `1597.60` (the value column keeps the printed decimals). */
export const plainAmount = (s: string): string => s.replace(/,/g, '').replace(/^\+/, '');

const ORDINAL_PREFIX = /^(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十百\d]+[)）][、.．]?|\d+[、.．](?!\d)|其中[:：]|指标\d+[:：])/u;

/**
 * Normalized label (OUTPUT.md): NFKC, whitespace removed, then leading ordinals or prefixes
 * (`一、` `（一）` `1.` `1、` `其中：` `指标1：`) removed.
 */
export function normalizeLabel(label: string): string {
  let s = compact(label);
  for (let i = 0; i < 3; i++) {
    const next = s.replace(ORDINAL_PREFIX, '');
    if (next === s) break;
    s = next;
  }
  return s;
}

/** Width in em of a string, for estimating where a character sits inside a run. */
export function emWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += isCjk(ch) || ch.codePointAt(0)! > 0x2e80 ? 1 : ch === ' ' ? 0.3 : 0.55;
  return w;
}

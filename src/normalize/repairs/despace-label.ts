import type { Repair } from './types.js';

/** `社会保障和就业支 出` → `社会保障和就业支出`: spaces between CJK characters are layout, not text. */
export const despaceLabel: Repair = {
  code: 'despace_label',
  description: 'spaces removed between CJK characters of a label',
  apply(text) {
    const out = text.replace(/([\u3400-\u9fff（）()、：:“”])\s+(?=[\u3400-\u9fff（）()、：:“”])/gu, '$1').trim();
    return out === text.trim() ? null : out;
  },
};

import type { Repair } from './types.js';

/** `２０２５` → `2025`, `１，２３４．５６` → `1,234.56`: full-width digits and punctuation folded by NFKC. */
export const fullwidthToAscii: Repair = {
  code: 'fullwidth_to_ascii',
  description: 'full-width digits, letters and number punctuation folded to ASCII',
  apply(text) {
    if (!/[\uff01-\uff5e\u3000]/u.test(text)) return null;
    // Only fold characters that take part in numbers; keep full-width brackets in labels as printed.
    const out = text.replace(/[\uff10-\uff19\uff0c\uff0e\uff05\uff0d\uff0b]/gu, (ch) => ch.normalize('NFKC')).replace(/\u3000/gu, ' ');
    return out === text ? null : out;
  },
};

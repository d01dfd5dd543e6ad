import type { Repair } from './types.js';

/**
 * `49, 644. 69` → `49,644.69`, `20. 00` → `20.00`, letter-spaced `2 0 2 5` → `2025`: stray spaces
 * inside a number from OCR layers and letter-spaced text.
 */
export const despaceNumber: Repair = {
  code: 'despace_number',
  description: 'spaces removed inside a number',
  apply(text) {
    const t = text.trim();
    if (!/\d\s+[\d,.]|[,.]\s+\d/u.test(t)) return null;
    if (!/^[-+]?[\d\s,.]+%?$/u.test(t)) return null;
    const joined = t.replace(/\s+/gu, '');
    if (!/^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$/u.test(joined)) return null;
    // Two complete amounts side by side (`0.00 0.00`) are two cells, not one spaced number.
    const parts = t.split(/\s+/u);
    const complete = parts.filter((p) => /^\d[\d,]*\.\d{2,}$/u.test(p));
    if (complete.length >= 2) return null;
    return joined;
  },
};

import type { Repair } from './types.js';

/** A lone `-` or `—` in an amount cell is how some templates print zero. */
export const dashAsZero: Repair = {
  code: 'dash_as_zero',
  description: 'a lone dash in an amount cell read as 0',
  apply(text) {
    return /^[-—–－―]$/u.test(text.trim()) ? '0' : null;
  },
};

/** Exact decimal scaling of printed amounts (no binary floating point in published values). */

/** `decimal` × 10^`power`, as a plain decimal string without trailing zeros after the point. */
export function shiftDecimal(decimal: string, power: number): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/u.exec(decimal);
  if (!m) throw new Error(`not a decimal: ${decimal}`);
  const [, sign, intPart, frac = ''] = m;
  let digits = intPart! + frac;
  let point = intPart!.length + power;
  if (point > digits.length) digits = digits.padEnd(point, '0');
  if (point < 0) { digits = '0'.repeat(-point) + digits; point = 0; }
  let int = digits.slice(0, point).replace(/^0+(?=\d)/u, '') || '0';
  const rest = digits.slice(point).replace(/0+$/u, '');
  if (!int) int = '0';
  const out = rest ? `${int}.${rest}` : int;
  return /^0(?:\.0*)?$/u.test(out) ? '0' : `${sign}${out}`;
}

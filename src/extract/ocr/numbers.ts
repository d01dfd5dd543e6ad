/**
 * Readings of numeric cells. OCR's usual slips on amounts are in the punctuation (`1,597.60` read
 * `1.597.60` or `1297.60`) and in look-alike letters (`l`, `O`, `]`); a doubtful reading is read
 * again alone, enlarged, and every distinct reading is kept as a candidate for later checks.
 */

/** A printed amount: thousands separators optional, decimals optional, a sign or a percent allowed. */
const WELL_FORMED = /^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,4})?%?$/u;

export const isWellFormedAmount = (s: string): boolean => WELL_FORMED.test(s);

const LOOK_ALIKES: Record<string, string> = {
  O: '0', o: '0', D: '0', Q: '0', '〇': '0',
  l: '1', I: '1', '|': '1', ']': '1', '[': '1', '!': '1', i: '1',
  Z: '2', z: '2', S: '5', s: '5', B: '8', g: '9', q: '9',
  '，': ',', '。': '.', '．': '.', '·': '.', '：': '.', ':': '.', ';': ',', '；': ',', '、': ',',
  '－': '-', '—': '-', '–': '-',
};

/** Whether a reading is mostly digits: a numeric cell, possibly misread. */
export function looksNumeric(text: string): boolean {
  const t = cleanNumeric(text);
  if (!t) return false;
  let digits = 0, others = 0;
  for (const ch of t) {
    if (/\d/u.test(ch)) digits++;
    else if (!/[,.%\-+]/u.test(ch)) others++;
  }
  return digits > 0 && others <= Math.max(1, digits / 3);
}

/** A numeric reading with spaces dropped and look-alike letters mapped to digits and separators. */
export function cleanNumeric(text: string): string {
  let t = text.normalize('NFKC').replace(/\s+/gu, '');
  t = [...t].map((ch) => LOOK_ALIKES[ch] ?? ch).join('');
  return t;
}

/**
 * Orders candidate readings: well-formed ones first, then by how many readings agree, then by
 * confidence. The first is the reading to use.
 */
export function rankReadings(readings: readonly { text: string; confidence: number }[]): { text: string; confidence: number; votes: number }[] {
  const byText = new Map<string, { text: string; confidence: number; votes: number }>();
  for (const r of readings) {
    if (!r.text) continue;
    const prev = byText.get(r.text);
    if (prev) { prev.votes++; prev.confidence = Math.max(prev.confidence, r.confidence); }
    else byText.set(r.text, { text: r.text, confidence: r.confidence, votes: 1 });
  }
  return [...byText.values()].sort((a, b) =>
    Number(isWellFormedAmount(b.text)) - Number(isWellFormedAmount(a.text)) || b.votes - a.votes || b.confidence - a.confidence);
}

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
  // Two characters of Chinese make it text (95%或以上 is a target, not an amount).
  if ((text.match(/[\u3400-\u9fff]/gu) ?? []).length >= 2) return false;
  const t = cleanNumeric(text);
  if (!t) return false;
  let digits = 0, others = 0;
  for (const ch of t) {
    if (/\d/u.test(ch)) digits++;
    else if (!/[,.%\-+]/u.test(ch)) others++;
  }
  return digits > 0 && others <= Math.max(1, digits / 3);
}

/** A comparison printed before a figure (≥95%, ＜1): the reading is a target, not an amount. */
export const QUALIFIED = /^[≥≤><＞＜≧≦]/u;

/** A numeric reading with spaces dropped and look-alike letters mapped to digits and separators. */
export function cleanNumeric(text: string): string {
  let t = text.normalize('NFKC').replace(/\s+/gu, '');
  t = [...t].map((ch) => LOOK_ALIKES[ch] ?? ch).join('');
  return t;
}

/**
 * Orders candidate readings: well-formed ones first, and among them those that fit the image (as
 * many separators as it shows specks on the baseline, as many digits as glyphs), then by how many
 * readings agree, then by confidence. The first is the reading to use.
 */
export function rankReadings(readings: readonly { text: string; confidence: number }[], image: { separators?: number; glyphs?: number } = {}): { text: string; confidence: number; votes: number }[] {
  const byText = new Map<string, { text: string; confidence: number; votes: number }>();
  for (const r of readings) {
    if (!r.text) continue;
    const prev = byText.get(r.text);
    if (prev) { prev.votes++; prev.confidence = Math.max(prev.confidence, r.confidence); }
    else byText.set(r.text, { text: r.text, confidence: r.confidence, votes: 1 });
  }
  const { separators, glyphs } = image;
  const score = (t: string) => (isWellFormedAmount(t) ? 2 : 0)
    + (separators === undefined || t.includes('%') || (t.match(/[.,]/gu) ?? []).length === separators ? 1 : 0)
    + (glyphs === undefined || t.replace(/[^\d%]/gu, '').length === glyphs ? 1 : 0);
  return [...byText.values()].sort((a, b) => score(b.text) - score(a.text) || b.votes - a.votes || b.confidence - a.confidence);
}

/** Where an amount's digits and separators lie on the image, left to right. */
export interface FigureLayout {
  /** Digit-sized glyphs. */
  glyphs: number;
  /** Separators, each after so many glyphs: a comma descends below the digits, a point does not. */
  separators: { after: number; kind: '.' | ',' }[];
}

/**
 * The figure's layout from its ink components (snippet coordinates): parts at least half a
 * character high are glyphs (parts above each other are one), specks on the baseline separators.
 */
export function figureLayout(parts: readonly { x0: number; x1: number; y0: number; y1: number }[], charHeight: number): FigureLayout | null {
  const isSpeck = (p: { x0: number; x1: number; y0: number; y1: number }) => Math.max(p.x1 - p.x0, p.y1 - p.y0) < 0.3 * charHeight;
  const merged: { x0: number; x1: number; y0: number; y1: number }[] = [];
  for (const p of parts.filter((q) => !isSpeck(q)).sort((a, b) => a.x0 - b.x0)) {
    const last = merged[merged.length - 1];
    if (last && Math.min(last.x1, p.x1) - Math.max(last.x0, p.x0) > 0.5 * Math.min(last.x1 - last.x0, p.x1 - p.x0)) {
      last.x0 = Math.min(last.x0, p.x0); last.x1 = Math.max(last.x1, p.x1); last.y0 = Math.min(last.y0, p.y0); last.y1 = Math.max(last.y1, p.y1);
    } else merged.push({ ...p });
  }
  const glyphs = merged.filter((g) => g.y1 - g.y0 >= 0.4 * charHeight);
  if (glyphs.length === 0) return null;
  const baseline = Math.max(...glyphs.map((g) => g.y1));
  const specks = parts.filter((p) => isSpeck(p) && (p.y0 + p.y1) / 2 > baseline - 0.35 * charHeight);
  const separators = specks.sort((a, b) => a.x0 - b.x0).map((p) => {
    const mid = (p.x0 + p.x1) / 2;
    const after = glyphs.filter((g) => (g.x0 + g.x1) / 2 < mid).length;
    const comma = p.y1 > baseline + 0.08 * charHeight || p.y1 - p.y0 >= 1.5 * (p.x1 - p.x0);
    return { after, kind: comma ? ',' as const : '.' as const };
  })
    // A separator takes its own room: the glyphs around it stand apart by a quarter character or
    // more (a speck in the usual gap between two digits is dirt, not a point).
    .filter((s) => s.after > 0 && s.after < glyphs.length && glyphs[s.after]!.x0 - glyphs[s.after - 1]!.x1 >= 0.25 * charHeight);
  return { glyphs: glyphs.length, separators };
}

/**
 * Whether a snippet's ink (parts in snippet coordinates) is shaped like a printed figure, before it is
 * read: every glyph narrow and digit-high (digits stand about 0.75–0.9 of a Chinese character's
 * height, half as wide), all of one height, and nothing else but specks. A Chinese character nearly
 * always has a part as wide as it is high, or as high as the line, so few labels pass; one that does
 * is caught by its reading.
 */
export function looksLikeFigure(parts: readonly { x0: number; x1: number; y0: number; y1: number }[], charHeight: number): boolean {
  // Specks and separators (a comma is a third of a character high) aside.
  const glyphs = parts.filter((p) => p.y1 - p.y0 >= 0.4 * charHeight);
  if (glyphs.length === 0) return false;
  const heights = glyphs.map((g) => g.y1 - g.y0);
  const tallest = Math.max(...heights);
  return tallest <= 0.92 * charHeight && glyphs.every((g, k) => heights[k]! >= 0.85 * tallest
    && g.x1 - g.x0 >= 0.2 * charHeight && g.x1 - g.x0 <= 0.75 * heights[k]!);
}

/**
 * Whether the marks on the image's baseline fit a reading's decimal point, which sets the amount's
 * scale: the point where the image has a mark, and every other mark where a thousands comma can be
 * (a multiple of three digits before the point). The marks' kinds are not compared: a blurred point can
 * descend like a comma, a faint comma leave no mark at all, and a well-formed amount's commas follow
 * from its digits anyway.
 */
export function pointAgrees(reading: string, layout: FigureLayout): boolean {
  const digitsAndPoint = reading.replace(/[^\d.]/gu, '');
  const point = digitsAndPoint.indexOf('.');
  if (point >= 0 && digitsAndPoint.indexOf('.', point + 1) >= 0) return false;
  // Digits before the point.
  const whole = point < 0 ? digitsAndPoint.length : point;
  const marks = [...new Set(layout.separators.map((s) => s.after))];
  if (point >= 0 && !marks.includes(whole)) return false;
  return marks.every((after) => (point >= 0 && after === whole) || (after < whole && (whole - after) % 3 === 0));
}

/** A reading's digits with the separators put where the image shows them; null if the digits do not fit the glyphs. */
export function placeSeparators(reading: string, layout: FigureLayout): string | null {
  const sign = /^[-+]/u.test(reading) ? reading[0]! : '';
  const digits = reading.replace(/[^\d]/gu, '');
  if (digits.length !== layout.glyphs) return null;
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    out += digits[i];
    const sep = layout.separators.find((s) => s.after === i + 1);
    if (sep) out += sep.kind;
  }
  return sign + out;
}

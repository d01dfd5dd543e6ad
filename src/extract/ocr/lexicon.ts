/**
 * Dictionary-guided correction of OCR'd labels. Tables print a known vocabulary (line items,
 * class names); a reading of the same length one or two characters away from exactly one known
 * phrase (年未 for 年末, 投款 for 拨款), or carrying stray marks before its ordinal (`:十一、`, `=十四、`),
 * or an ordinal that lost its 、 (`二十五债务付息支出`), is put back to the printed phrase. Anything
 * farther, or longer or shorter (the lines of a wrapped label), is left as read.
 */

export interface Lexicon {
  /** The corrected reading, or null when the reading is fine as it is or matches nothing closely. */
  correct(reading: string): string | null;
  /** Whether the reading is a known phrase, as printed or once corrected (an ordinal before it allowed). */
  knows(reading: string): boolean;
}

const CJK = /[\u3400-\u9fff]/u;
const ORDINAL = /^(?:([一二三四五六七八九十]{1,3})[、.．,，:：;；]?|[（(]([一二三四五六七八九十\d]{1,3})[)）][、.．]?|(\d{1,2})[.、．])/u;
/** What a misread ordinal (十二、) comes out as: only these are dropped to find a phrase. */
const ORDINAL_LOOK_ALIKES = '一二三四五六七八九十下上干千于士土工廿卄';
/** Marks a speck or a cell's edge leaves before or after the text. */
const JUNK_PREFIX = /^[^\u3400-\u9fff\d（(]+/u;
const JUNK_SUFFIX = /[^\u3400-\u9fff\d）)%]+$/u;

const compact = (s: string): string => s.normalize('NFKC').replace(/[\s\u3000]+/gu, '');

/**
 * Characters Tesseract takes for one another in these documents: swapping them costs half an
 * error, so that 年未 is nearer 年末 than 年初.
 */
const LOOK_ALIKE_PAIRS = ['未末', '己已', '已巳', '土士', '拨拔', '拨投', '人入', '日曰', '干千', '于干', '末米', '斤斥', '支文', '补朴'];
const LOOK_ALIKE = new Set(LOOK_ALIKE_PAIRS.flatMap(([a, b]) => [`${a}${b}`, `${b}${a}`]));
const substitution = (x: string, y: string): number => (x === y ? 0 : LOOK_ALIKE.has(x + y) ? 0.5 : 1);

/** Edit distance (insertions, deletions, substitutions; look-alikes cost half), giving up above `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  const x = [...a], y = [...b];
  if (Math.abs(x.length - y.length) > limit) return limit + 1;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= y.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + substitution(x[i - 1]!, y[j - 1]!));
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > limit) return limit + 1;
    prev = cur;
  }
  return prev[y.length]!;
}

/** Errors tolerated in a phrase of `length` characters. */
const allowed = (length: number): number => (length <= 3 ? 0 : length <= 6 ? 1 : length <= 12 ? 2 : 3);

export function createLexicon(phrases: Iterable<string>): Lexicon {
  const known = new Set<string>();
  for (const p of phrases) { const c = compact(p); if (CJK.test(c) && [...c].length >= 3) known.add(c); }
  const list = [...known];

  /** The one phrase closest to `core` within tolerance, and its distance; null if none or a tie. */
  const nearest = (core: string): { phrase: string; distance: number } | null => {
    if (known.has(core)) return { phrase: core, distance: 0 };
    const n = [...core].length;
    let best: string | null = null, bestD = Infinity, tie = false;
    for (const p of list) {
      const limit = allowed([...p].length);
      const m = [...p].length;
      // Misreadings swap characters; a character more or less is more often a wrapped label's line
      // (本支出 of 其中：基 / 本支出, 算财政拨款 of 一般公共预 / 算财政拨款) than a slip.
      if (m !== n) continue;
      const d = editDistance(core, p, limit);
      if (d > limit) continue;
      if (d < bestD) { best = p; bestD = d; tie = false; }
      else if (d === bestD && p !== best) tie = true;
    }
    return best && !tie ? { phrase: best, distance: bestD } : null;
  };

  const isKnown = (reading: string): boolean => {
    const text = compact(reading).replace(JUNK_PREFIX, '').replace(JUNK_SUFFIX, '');
    const m = ORDINAL.exec(text);
    return known.has(text) || (!!m && known.has(text.slice(m[0].length)));
  };

  return {
    knows: (reading: string) => isKnown(reading) || correct(reading) !== null,
    correct,
  };

  /** The corrected reading, or null when the reading is fine as it is or matches nothing closely. */
  function correct(reading: string): string | null {
    const text = compact(reading);
    if (!CJK.test(text) || known.has(text)) return null;
    const clean = text.replace(JUNK_PREFIX, '').replace(JUNK_SUFFIX, '');
    if (known.has(clean)) return clean;
    const m = ORDINAL.exec(clean);
    const tries: { prefix: string; core: string; exactOnly: boolean; dropped: number }[] = [];
    tries.push({ prefix: '', core: clean, exactOnly: false, dropped: 0 });
    if (m) {
      const ordinal = m[1] ? `${m[1]}、` : m[0];
      tries.push({ prefix: ordinal, core: clean.slice(m[0].length).replace(JUNK_PREFIX, ''), exactOnly: false, dropped: 0 });
    }
    // A misread ordinal (十二、 read 下): up to two leading characters go when the rest is a phrase exactly.
    const head = [...clean];
    for (const k of [1, 2]) {
      if (head.length - k >= 4 && head.slice(0, k).every((ch) => ORDINAL_LOOK_ALIKES.includes(ch))) tries.push({ prefix: '', core: head.slice(k).join(''), exactOnly: true, dropped: k });
    }
    // The closest reading wins (a dropped character counts as an error); on a tie the reading as printed does.
    let best: { text: string; distance: number } | null = null;
    for (const t of tries) {
      if ([...t.core].length < 3) continue;
      const hit = nearest(t.core);
      if (!hit || (t.exactOnly && hit.distance > 0)) continue;
      const distance = hit.distance + t.dropped;
      if (!best || distance < best.distance) best = { text: t.prefix + hit.phrase, distance };
    }
    if (best) return best.text === text ? null : best.text;
    return null;
  }
}

/**
 * The literal strings a simple pattern matches: characters, alternatives (a|b) and optional groups
 * ((明细)?), anchors ignored; null when it has anything else (wildcards, classes, repeats). Used to
 * turn the catalogue's title patterns into phrases.
 */
export function literalVariants(pattern: RegExp, limit = 32): string[] | null {
  const src = pattern.source.replace(/^\^|\$$/gu, '');
  let pos = 0;
  const alternatives = (): string[] | null => {
    let out: string[] = [];
    let branch: string[] | null = [''];
    const close = () => { if (branch) out = out.concat(branch); };
    while (pos < src.length && src[pos] !== ')') {
      const ch = src[pos]!;
      if (ch === '|') { close(); branch = ['']; pos++; continue; }
      let piece: string[] | null;
      if (ch === '(') {
        pos++;
        piece = alternatives();
        if (src[pos] !== ')') return null;
        pos++;
      } else if (/[\\.[\]{}*+?^$]/u.test(ch)) return null;
      else { piece = [ch]; pos++; }
      if (!piece) return null;
      if (src[pos] === '?') { piece = ['', ...piece]; pos++; }
      if (/[*+{]/u.test(src[pos] ?? '')) return null;
      branch = branch!.flatMap((b) => piece!.map((p) => b + p));
      if (branch.length > limit) return null;
    }
    close();
    return out;
  };
  const out = alternatives();
  return out && pos === src.length ? [...new Set(out)] : null;
}

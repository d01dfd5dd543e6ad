/**
 * Dictionary-guided correction of OCR'd labels. Tables print a known vocabulary (line items,
 * class names); a reading one or two characters away from exactly one known phrase (年未 for 年末,
 * 投款 for 拨款), or carrying stray marks before its ordinal (`:十一、`, `=十四、`), or an ordinal that
 * lost its 、 (`二十五债务付息支出`), is put back to the printed phrase. Anything farther is left as read.
 */

export interface Lexicon {
  /** The corrected reading, or null when the reading is fine as it is or matches nothing closely. */
  correct(reading: string): string | null;
}

const CJK = /[\u3400-\u9fff]/u;
const ORDINAL = /^(?:([一二三四五六七八九十]{1,3})[、.．,，:：;；]?|[（(]([一二三四五六七八九十\d]{1,3})[)）][、.．]?|(\d{1,2})[.、．])/u;
/** Marks a speck or a cell's edge leaves before the text. */
const JUNK_PREFIX = /^[^\u3400-\u9fff\d（(]+/u;

const compact = (s: string): string => s.normalize('NFKC').replace(/[\s\u3000]+/gu, '');

/** Edit distance (insertions, deletions, substitutions), giving up above `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  const x = [...a], y = [...b];
  if (Math.abs(x.length - y.length) > limit) return limit + 1;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= y.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
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
      if (Math.abs([...p].length - n) > limit) continue;
      const d = editDistance(core, p, limit);
      if (d > limit) continue;
      if (d < bestD) { best = p; bestD = d; tie = false; }
      else if (d === bestD && p !== best) tie = true;
    }
    return best && !tie ? { phrase: best, distance: bestD } : null;
  };

  return {
    correct(reading: string): string | null {
      const text = compact(reading);
      if (!CJK.test(text) || known.has(text)) return null;
      const clean = text.replace(JUNK_PREFIX, '');
      const m = ORDINAL.exec(clean);
      const tries: { prefix: string; core: string; exactOnly: boolean; dropped: number }[] = [];
      tries.push({ prefix: '', core: clean, exactOnly: false, dropped: 0 });
      if (m) {
        const ordinal = m[1] ? `${m[1]}、` : m[0];
        tries.push({ prefix: ordinal, core: clean.slice(m[0].length), exactOnly: false, dropped: 0 });
      }
      // A misread ordinal (十二、 read 下): up to two leading characters go when the rest is a phrase exactly.
      for (const k of [1, 2]) if ([...clean].length - k >= 4) tries.push({ prefix: '', core: [...clean].slice(k).join(''), exactOnly: true, dropped: k });
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
    },
  };
}

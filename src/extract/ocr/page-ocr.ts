/**
 * One scanned page → the positioned-text model (runs and ruling segments, points, top-left origin),
 * as the text layer would give it, so that table detection and everything after is one code path.
 *
 *   raster → straightened (skew from the projection profile) → ruling lines found on the ink and
 *   erased → snippets (one line of one cell each) → read in mosaics by the engine (figure-shaped ones by
 *   the small Latin model, the rest by chi_sim) → runs;
 *   numeric readings in doubt are read again alone, enlarged, as one line, keeping every reading.
 *
 * Coordinates are those of the straightened page (turned about its centre by under a degree or
 * two), which is the frame the rules are straight in.
 */
import type { Segment, TextRun } from '../../model/page.js';
import type { OcrEngine, OcrLanguage, OcrRequest, OcrWord } from './engine.js';
import { connectedComponents, findSnippets, inkParts, splitLines, typicalCharHeight, type Component, type Snippet } from './layout.js';
import { buildMosaics, wordsByPlacement } from './mosaic.js';
import type { GlyphBook } from './glyph-book.js';
import type { Lexicon } from './lexicon.js';
import { cleanNumeric, figureLayout, type FigureLayout, isWellFormedAmount, looksLikeFigure, looksNumeric, placeSeparators, pointAgrees, QUALIFIED, rankReadings } from './numbers.js';
import { binarize, crop, otsuThreshold, rotate, type GreyImage } from './raster.js';
import { detectRules, eraseRules, type PixelRule } from './rules.js';
import { estimateSkew } from './skew.js';
import { leadingComparator, restoreCheckBoxes, withComparator } from './symbols.js';

/** A rendered page: grey pixels and pixels per PDF point. */
export interface PageImage extends GreyImage {
  scale: number;
}

export interface PageAnalysis {
  /** The straightened page with its rules erased. */
  image: GreyImage;
  scale: number;
  /** Radians the page was turned by to straighten it. */
  skew: number;
  rules: PixelRule[];
  snippets: Snippet[];
  /** Typical character height, pixels. */
  charHeight: number;
  /** Grey level under which a pixel is ink. */
  threshold: number;
}

/** Skew smaller than this (radians, about 0.02°) is left alone: it moves no pixel on an A4 page. */
const NEGLIGIBLE_SKEW = 0.00035;

/** The image work on a page (no OCR): straighten, find and erase rules, cut the ink into snippets. */
export function analysePage(page: PageImage): PageAnalysis {
  const threshold = otsuThreshold(page.data);
  // One page of ink, written over by each binarisation in turn (fewer page-sized allocations, fewer
  // collections): the page's, the straightened page's, the erased page's.
  const pageInk = binarize(page, threshold);
  const skew = estimateSkew(pageInk, page.width, page.height);
  const straight = Math.abs(skew) > NEGLIGIBLE_SKEW ? rotate(page, skew) : page;
  const rules = detectRules(straight === page ? pageInk : binarize(straight, threshold, pageInk), straight.width, straight.height, { scale: page.scale });
  // The straightened copy is this function's own: its rules are erased in place. The page is the caller's.
  const image = eraseRules(straight, rules, 1, straight !== page);
  // Cutting into snippets wants glyphs whole: a lighter threshold keeps faint thin strokes joined.
  const ink = binarize(image, Math.min(250, threshold + 25), pageInk);
  const components = connectedComponents(ink, image.width, image.height);
  const charHeight = typicalCharHeight(components, page.scale);
  const snippets = splitLines(findSnippets(components, rules, { scale: page.scale }), ink, image.width, charHeight);
  return { image, scale: page.scale, skew, rules, snippets, charHeight, threshold };
}

export interface ReadOptions {
  /** A numeric reading under this confidence (0..1), or not a well-formed amount, is read again. Default 0.85. */
  rereadBelow?: number;
  /** A label reading under this confidence that the lexicon does not know is read again. Default 0.75. */
  labelRereadBelow?: number;
  /** Enlargement of a cell read again. Default 2. */
  rereadZoom?: number;
  /** Known phrases (line items, class names): a label read close to exactly one of them is put back to it. */
  lexicon?: Lexicon;
  /**
   * The document's digit samples: figures it reads surely (from the samples of `readFrom` pages) skip
   * the model; the page's sure readings feed it (as `page`), and then check the model's other readings.
   */
  glyphs?: { book: GlyphBook; page: number; readFrom: readonly number[] };
}

export interface OcrPageResult {
  runs: TextRun[];
  segments: Segment[];
  /** How the page was read: snippets, those read from the glyph book, and those read again. */
  stats: { snippets: number; fromBook: number; rereadNumbers: number; rereadLabels: number };
}

interface Reading { text: string; confidence: number }

/** Reads the snippets of an analysed page with the engine. */
export async function readPage(analysis: PageAnalysis, engine: OcrEngine, options: ReadOptions = {}): Promise<OcrPageResult> {
  const { image, snippets, charHeight, scale } = analysis;
  const rereadBelow = options.rereadBelow ?? 0.85;
  const labelRereadBelow = options.labelRereadBelow ?? 0.75;
  const zoom = options.rereadZoom ?? 2;
  const lineGap = Math.max(8, Math.round(0.8 * charHeight));
  const first: Reading[] = snippets.map(() => ({ text: '', confidence: 0 }));
  // Figures whose every glyph the document's own samples tell surely are read from them, not by the model.
  const glyphs = options.glyphs;
  const fromBook = new Set<number>();
  if (glyphs) snippets.forEach((s, i) => {
    if (s.y1 - s.y0 > charHeight) return;
    const r = glyphs.book.read(image, analysis.threshold, s, charHeight, glyphs.readFrom);
    if (r) { first[i] = r; fromBook.add(i); }
  });
  const toRead = snippets.map((_, i) => i).filter((i) => !fromBook.has(i));
  const partsCache = new Map<number, Component[]>();
  const snippetParts = (i: number) => {
    let parts = partsCache.get(i);
    if (!parts) {
      parts = inkParts(image, analysis.threshold, snippets[i]!);
      partsCache.set(i, parts);
    }
    return parts;
  };
  const layouts = new Map<number, FigureLayout | null>();
  const layoutOf = (i: number) => {
    if (!layouts.has(i)) layouts.set(i, figureLayout(snippetParts(i), charHeight));
    return layouts.get(i)!;
  };
  /** As many digits in `text` as the snippet has digit glyphs (or no figure layout to tell). */
  const digitsFitGlyphs = (i: number, text: string) => {
    const layout = layoutOf(i);
    return !layout || text.replace(/[^\d%]/gu, '').length === layout.glyphs;
  };
  // Snippets shaped like figures are read by the small Latin model (a fraction of chi_sim's cost per
  // line: its output layer has about 110 classes, not 6,000), the rest by chi_sim; a figure-shaped
  // snippet the Latin model does not read as a figure (a label whose strokes stand apart) by chi_sim after all.
  const figureShaped = toRead.filter((i) => looksLikeFigure(snippetParts(i), charHeight));
  const figureShapedSet = new Set(figureShaped);
  const others = toRead.filter((i) => !figureShapedSet.has(i));
  const readInMosaics = async (groups: readonly { indexes: readonly number[]; language: OcrLanguage }[]) => {
    const batches = groups.map(({ indexes, language }) => ({ indexes, language, mosaics: buildMosaics(image, indexes.map((i) => snippets[i]!), { pad: lineGap, lineGap, wordGap: 0, maxWidth: 0 }) }));
    const requests = batches.flatMap((b) => b.mosaics.map((m) => ({ image: m.image, psm: 6, language: b.language })));
    const results = requests.length ? await engine.recognize(requests) : [];
    let r = 0;
    for (const b of batches) for (const m of b.mosaics) {
      for (const [k, words] of wordsByPlacement(results[r]!.words, m)) first[b.indexes[k]!] = joinWords(words, charHeight);
      r++;
    }
  };
  await readInMosaics([{ indexes: figureShaped, language: 'eng' }, { indexes: others, language: 'chi_sim' }]);
  // The Latin model reads a Chinese character as letters (目 as E11, 川 as III): only a reading of
  // digits and separators as printed, one digit to a glyph, stands.
  const readAsFigure = (i: number) => {
    const text = first[i]!.text.normalize('NFKC').replace(/\s+/gu, '');
    return FIGURE_CHARACTERS.test(text) && digitsFitGlyphs(i, text);
  };
  const notFigures = figureShaped.filter((i) => !readAsFigure(i));
  for (const i of notFigures) first[i] = { text: '', confidence: 0 };
  await readInMosaics([{ indexes: notFigures, language: 'chi_sim' }]);

  // A figure led by a sign the model cannot read (≥ read 二, 人, 2): the sign is taken from the image.
  first.forEach((r, i) => {
    if (!/^(?:[^\d\s]{1,2}|2)\d/u.test(r.text.trim())) return;
    const sign = leadingComparator(image, analysis.threshold, snippets[i]!, charHeight);
    if (sign) first[i] = { text: withComparator(r.text, sign), confidence: r.confidence };
  });

  // Readings in doubt are read again alone, enlarged, as one line: numbers by the Latin model, labels by
  // chi_sim. (A second reading of each number by chi_sim too took about 9% of the model time on a scanned
  // budget, and left out it changed two cells of the dev scans, both for the better.)
  const digitHigh = (s: Snippet) => s.y1 - s.y0 <= 0.92 * charHeight;
  const numeric = first.map((r, i) => !QUALIFIED.test(r.text.trim())
    && (looksNumeric(r.text) || (digitHigh(snippets[i]!) && [...r.text].length <= 2 && r.confidence < rereadBelow)));
  // The image has a say too: an amount has its decimal point where the figure shows one (without a
  // figure layout to tell, as many separators as there are specks on its baseline).
  const separatorsAgree = (i: number) => {
    const t = cleanNumeric(first[i]!.text);
    const layout = layoutOf(i);
    return t.includes('%') || (layout ? pointAgrees(t, layout) : (t.match(/[.,]/gu) ?? []).length === snippets[i]!.dots);
  };
  // ... and as many digits as it has glyphs (221 read 2211).
  const glyphsAgree = (i: number) => digitsFitGlyphs(i, cleanNumeric(first[i]!.text));
  const doubtfulNumbers = first.map((_, i) => i).filter((i) => numeric[i] && !fromBook.has(i)
    && (first[i]!.confidence < rereadBelow || !isWellFormedAmount(cleanNumeric(first[i]!.text)) || !separatorsAgree(i) || !glyphsAgree(i)));
  // Sure readings teach the book; then the book, now knowing this page's print too, checks the rest:
  // where it reads a figure surely and otherwise, the model's reading is in doubt and the book's counts.
  const bookSays = new Map<number, Reading>();
  if (glyphs) {
    for (const i of toRead) {
      const r = first[i]!;
      if (numeric[i] && r.confidence >= 0.9 && !doubtfulNumbers.includes(i)) glyphs.book.learn(glyphs.page, image, analysis.threshold, snippets[i]!, charHeight, cleanNumeric(r.text));
    }
    for (const i of toRead) {
      if (!numeric[i] || snippets[i]!.y1 - snippets[i]!.y0 > charHeight) continue;
      const r = glyphs.book.read(image, analysis.threshold, snippets[i]!, charHeight, [...glyphs.readFrom, glyphs.page]);
      if (!r || r.text === cleanNumeric(first[i]!.text)) continue;
      bookSays.set(i, r);
      if (!doubtfulNumbers.includes(i)) doubtfulNumbers.push(i);
    }
  }
  // Labels, not prose: a long line read again costs as much as the first reading and seldom gains.
  const cellSized = (s: Snippet) => s.x1 - s.x0 <= 10 * charHeight;
  const doubtfulLabels = first.map((_, i) => i).filter((i) => !numeric[i] && cellSized(snippets[i]!) && CJK.test(first[i]!.text) && first[i]!.confidence < labelRereadBelow
    && !options.lexicon?.knows(first[i]!.text));
  // White space around a cell read alone matters to Tesseract: half a character is enough for it.
  const pad = Math.round(0.5 * charHeight);
  const enlarged = (i: number): GreyImage => {
    const s = snippets[i]!;
    const cell = crop(image, { x0: s.x0, y0: s.y0, x1: s.x1, y1: s.y1 }, pad);
    return buildMosaics(cell, [{ x0: 0, y0: 0, x1: cell.width, y1: cell.height }], { pad: 0, lineGap: 0, wordGap: 0, zoom })[0]!.image;
  };
  const requests: OcrRequest[] = [
    ...doubtfulNumbers.map((i) => ({ image: enlarged(i), psm: 7, language: 'eng' as const })),
    ...doubtfulLabels.map((i) => ({ image: enlarged(i), psm: 7, language: 'chi_sim' as const })),
  ];
  const again = requests.length ? (await engine.recognize(requests)).map((r) => joinWords(r.words, charHeight * zoom)) : [];
  const candidates = new Map<number, { text: string; confidence: number }[]>();
  doubtfulNumbers.forEach((index, k) => {
    const book = bookSays.get(index);
    // The book's reading counts twice: its samples are this document's own print.
    const readings = [first[index]!, again[k]!, ...(book ? [book, book] : [])]
      .map((r) => ({ text: cleanNumeric(r.text), confidence: r.confidence }))
      .filter((r) => looksNumeric(r.text));
    // The separators the model dropped or misplaced, put back where the image shows them.
    const layout = layoutOf(index);
    if (layout) for (const r of [...readings]) {
      const placed = placeSeparators(r.text, layout);
      if (placed && placed !== r.text) readings.push({ text: placed, confidence: r.confidence });
    }
    const ranked = rankReadings(readings, { separators: snippets[index]!.dots, ...(layout ? { glyphs: layout.glyphs } : {}) });
    if (ranked.length) candidates.set(index, ranked);
  });
  const labels = new Map<number, Reading>();
  doubtfulLabels.forEach((index, k) => {
    const second = again[doubtfulNumbers.length + k]!;
    // A reading the lexicon knows wins; otherwise the surer one, as long as it is Chinese too.
    const knows = (r: Reading) => options.lexicon?.knows(r.text) ?? false;
    if (knows(first[index]!) || !CJK.test(second.text)) return;
    if (knows(second) || second.confidence > first[index]!.confidence + 0.05) labels.set(index, second);
  });

  // Final texts, before the lexicon: a label wrapped over lines is checked as a whole further down.
  const texts: (string | null)[] = snippets.map((s, i) => {
    const ranked = candidates.get(i);
    const reading = ranked ? { text: ranked[0]!.text, confidence: ranked[0]!.confidence } : labels.get(i) ?? first[i]!;
    const text = restoreCheckBoxes(tidy(reading.text));
    if (!text) return null;
    // A speck read as a character: one unsure glyph in a box smaller than a character.
    if ([...text].length === 1 && reading.confidence < 0.4 && Math.max(s.x1 - s.x0, s.y1 - s.y0) < 0.6 * charHeight) return null;
    // What the model could not read at all (a page number between dashes read 到要, a blot): one or two
    // characters it is unsure of are left out rather than let a stray token into a table.
    if (!ranked && [...text].length <= 2 && reading.confidence < 0.35 && !options.lexicon?.knows(text)) return null;
    // A short reading the model gave no confidence at all (a page number between dashes read 本:癌): left
    // out. Longer lines are prose, whose confidence is that of their least sure word.
    if (!ranked && reading.confidence < 0.05 && s.x1 - s.x0 < 3 * charHeight && !options.lexicon?.knows(text)) return null;
    // One or two unsure characters from a snippet at least three characters wide: the model lost that line
    // (二、外交支出 read 1 in a mosaic). Left out, figure or label: a stray token in a label column can
    // throw a whole side of a table, and a figure left unread may still follow from an identity.
    if ([...text].length <= 2 && reading.confidence < 0.35 && s.x1 - s.x0 >= 3 * charHeight) return null;
    // Marks alone are specks (a dot in a header made 一般公共预.算财政拨款); a dash alone is a printed zero.
    if (!/[\p{L}\p{N}]/u.test(text) && !/^[-—–－―]{1,2}$/u.test(text)) return null;
    return text;
  });
  const corrected = options.lexicon ? correctLabels(snippets, texts, candidates, analysis.rules, charHeight, options.lexicon) : texts;

  const runs: TextRun[] = [];
  snippets.forEach((s, i) => {
    const text = corrected[i];
    if (!text) return;
    const ranked = candidates.get(i);
    const reading = ranked ? ranked[0]! : labels.get(i) ?? first[i]!;
    runs.push({
      ...runBox(s, text, scale, charHeight),
      text,
      method: 'ocr',
      confidence: round2(reading.confidence),
      ...(ranked && ranked.length > 1 ? { candidates: ranked.map((r) => r.text) } : {}),
    });
  });
  return {
    runs,
    segments: analysis.rules.map((r) => toSegment(r, scale)),
    stats: { snippets: snippets.length, fromBook: fromBook.size, rereadNumbers: doubtfulNumbers.length, rereadLabels: doubtfulLabels.length },
  };
}

/**
 * Labels put back to the lexicon's phrases: each line alone, and the lines of one cell together (a
 * header wrapped as 上缴上 / 级支出 is checked as 上缴上级支出, and split back where it was wrapped).
 */
export function correctLabels(snippets: readonly Snippet[], texts: readonly (string | null)[], numbers: ReadonlyMap<number, unknown>, rules: readonly PixelRule[], charHeight: number, lexicon: Lexicon): (string | null)[] {
  const out = texts.map((t, i) => (t && !numbers.has(i) ? lexicon.correct(t) ?? t : t));
  const isLabel = (i: number) => !!out[i] && !numbers.has(i) && CJK.test(out[i]!);
  const ruleBetween = (a: Snippet, b: Snippet) => rules.some((r) => r.orientation === 'h' && r.y0 >= a.y1 - 1 && r.y1 <= b.y0 + 1 && r.x0 <= Math.max(a.x0, b.x0) && r.x1 >= Math.min(a.x1, b.x1));
  // The line under a snippet in the same cell: overlapping it across, close below, no rule between.
  const below = (i: number): number => {
    const a = snippets[i]!;
    let best = -1;
    snippets.forEach((b, j) => {
      if (j === i || !isLabel(j) || b.y0 < a.y1 - 0.2 * charHeight || b.y0 - a.y1 > 0.8 * charHeight) return;
      const overlap = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
      if (overlap < 0.5 * Math.min(a.x1 - a.x0, b.x1 - b.x0) || ruleBetween(a, b)) return;
      if (best < 0 || b.y0 < snippets[best]!.y0) best = j;
    });
    return best;
  };
  snippets.forEach((_, i) => {
    if (!isLabel(i) || lexicon.knows(out[i]!)) return;
    const chain = [i];
    for (let j = below(i); j >= 0 && chain.length < 3 && !chain.includes(j); j = below(j)) chain.push(j);
    for (let n = chain.length; n >= 2; n--) {
      const parts = chain.slice(0, n).map((k) => compactText(out[k]!));
      const joined = parts.join('');
      const fixed = lexicon.correct(joined);
      if (!fixed || [...fixed].length !== [...joined].length) continue;
      const chars = [...fixed];
      let at = 0;
      chain.slice(0, n).forEach((k, m) => { const len = [...parts[m]!].length; out[k] = chars.slice(at, at + len).join(''); at += len; });
      return;
    }
  });
  return out;
}

const compactText = (s: string): string => s.normalize('NFKC').replace(/\s+/gu, '');

/** Analyses and reads one rendered page. */
export async function ocrPage(page: PageImage, engine: OcrEngine, options: ReadOptions = {}): Promise<OcrPageResult & { skew: number }> {
  const analysis = analysePage(page);
  return { ...(await readPage(analysis, engine, options)), skew: analysis.skew };
}

/** Words of one line as text: a gap of half a character or more is a space. Confidence is the least. */
export function joinWords(words: readonly OcrWord[], charHeight: number): Reading {
  if (words.length === 0) return { text: '', confidence: 0 };
  const sorted = [...words].sort((a, b) => a.x0 - b.x0);
  let text = sorted[0]!.text;
  for (let i = 1; i < sorted.length; i++) {
    const gap = sorted[i]!.x0 - sorted[i - 1]!.x1;
    // Chinese is printed without spaces: a gap between two characters is no word break.
    const cjkBoth = CJK.test(text.slice(-1)) && CJK.test(sorted[i]!.text.charAt(0));
    text += (gap >= 0.5 * charHeight && !cjkBoth ? ' ' : '') + sorted[i]!.text;
  }
  return { text, confidence: Math.min(...sorted.map((w) => w.confidence)) };
}

/**
 * A lone quote mark at either end of a reading is a scan speck, not print (a printed quote has its
 * pair), and so is a point or comma before Chinese text or a dash after it; angle brackets are how Tesseract often reads the round full-width ones (〈本级) for （本级）).
 */
export function tidy(reading: string): string {
  let s = reading.trim();
  const quotes = s.match(/["'“”‘’`]/gu) ?? [];
  if (quotes.length === 1) s = s.replace(/^["'“”‘’`]\s*|\s*["'“”‘’`]$/gu, '');
  // A speck before Chinese text read as a point or a comma.
  s = s.replace(/^[.,·、。，:：;；]+\s*(?=[\u3400-\u9fff])/u, '');
  // A speck after Chinese text read as a dash (解答率-): no label ends in one.
  s = s.replace(/(?<=[\u3400-\u9fff])\s*[-_~]+$/u, '');
  // A unit in brackets after a label holds no figure: (9%) is the % sign's ring read as a digit.
  s = s.replace(/(?<=[\u3400-\u9fff])([（(])\d([%％])([)）])/u, '$1$2$3');
  // A closing quote whose opening one was lost (三公”经费): the quote opens the two characters before it.
  if (!s.includes('“') && (s.match(/”/gu) ?? []).length === 1) s = s.replace(/([\u3400-\u9fff]{2})”/u, '“$1”');
  return s.replace(/〈/gu, '（').replace(/〉/gu, '）');
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

const CJK = /[\u3400-\u9fff]/u;
const FIGURE_CHARACTERS = /^[-+]?[\d.,]*\d[\d.,]*%?$/u;

/**
 * The run's box as the text layer would give it: the font's em box, not the ink. CJK glyphs fill
 * about 0.92 of the em and sit a little below the baseline; digits rise about 0.72 of it.
 */
function runBox(s: Snippet, text: string, scale: number, charHeight: number): Pick<TextRun, 'x0' | 'x1' | 'top' | 'bottom' | 'fontSize'> {
  const inkHeight = (s.y1 - s.y0) / scale;
  const cjk = CJK.test(text);
  // Flat glyphs (一, -) say nothing of the font's size: the page's usual size stands in.
  const usual = charHeight / scale / 0.92;
  const fontSize = Math.min(3 * usual, Math.max(0.75 * usual, cjk ? inkHeight / 0.92 : inkHeight / 0.72));
  const bottom = s.y1 / scale + (cjk ? 0.12 : 0.2) * fontSize;
  return { x0: s.x0 / scale, x1: s.x1 / scale, top: bottom - 1.05 * fontSize, bottom, fontSize };
}

function toSegment(r: PixelRule, scale: number): Segment {
  if (r.orientation === 'h') {
    const y = (r.y0 + r.y1) / 2 / scale;
    return { orientation: 'h', x0: r.x0 / scale, x1: r.x1 / scale, top: y, bottom: y };
  }
  const x = (r.x0 + r.x1) / 2 / scale;
  return { orientation: 'v', x0: x, x1: x, top: r.y0 / scale, bottom: r.y1 / scale };
}

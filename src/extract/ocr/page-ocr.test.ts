/**
 * readPage's judgement of the engine's readings, with a scripted engine: the page is white with
 * dark bands where the snippets are, and the engine answers each band of a mosaic (and each snippet
 * read again alone, told apart by its width) with the reading the case gives.
 */
import { describe, expect, it } from 'vitest';
import type { OcrEngine, OcrRequest, OcrResult } from './engine.js';
import type { Snippet } from './layout.js';
import { createLexicon } from './lexicon.js';
import { readPage, type PageAnalysis } from './page-ocr.js';

const CHAR = 24;

interface Case { snippet: Snippet; text: string; confidence: number }

function page(cases: readonly Case[]): PageAnalysis {
  const width = 1200, height = 100 + cases.length * 60;
  const data = new Uint8Array(width * height).fill(255);
  for (const { snippet: s } of cases) for (let y = s.y0; y < s.y1; y++) data.fill(40, y * width + s.x0, y * width + s.x1);
  return { image: { width, height, data }, scale: 200 / 72, skew: 0, rules: [], snippets: cases.map((c) => c.snippet), charHeight: CHAR, threshold: 128 };
}

/** The rows of ink in a mosaic, top to bottom, each with its horizontal extent. */
function bands(request: OcrRequest): { y0: number; y1: number; x0: number; x1: number }[] {
  const { width, height, data } = request.image;
  const out: { y0: number; y1: number; x0: number; x1: number }[] = [];
  for (let y = 0; y < height; y++) {
    let x0 = -1, x1 = -1;
    for (let x = 0; x < width; x++) if (data[y * width + x]! < 128) { if (x0 < 0) x0 = x; x1 = x + 1; }
    const last = out[out.length - 1];
    if (x0 < 0) continue;
    if (last && last.y1 === y) { last.y1 = y + 1; last.x0 = Math.min(last.x0, x0); last.x1 = Math.max(last.x1, x1); } else out.push({ y0: y, y1: y + 1, x0, x1 });
  }
  return out;
}

/** Answers mosaic bands in the cases' order (equal heights: the mosaic keeps snippet order), and single snippets by width. */
function scriptedEngine(cases: readonly Case[]): OcrEngine {
  return {
    async recognize(requests: readonly OcrRequest[]): Promise<OcrResult[]> {
      return requests.map((request) => {
        const found = bands(request);
        if (request.psm !== 7) {
          return { words: found.map((b, k) => ({ text: cases[k]!.text, confidence: cases[k]!.confidence, x0: b.x0, x1: b.x1, y0: b.y0, y1: b.y1, line: k })) };
        }
        const b = found[0]!;
        const alone = cases.reduce((best, c) => (Math.abs(c.snippet.x1 - c.snippet.x0 - (b.x1 - b.x0) / 2) < Math.abs(best.snippet.x1 - best.snippet.x0 - (b.x1 - b.x0) / 2) ? c : best));
        return { words: [{ text: alone.text, confidence: alone.confidence, x0: b.x0, x1: b.x1, y0: b.y0, y1: b.y1, line: 0 }] };
      });
    },
    async close() {},
  };
}

const at = (row: number, x0: number, widthInChars: number, dots = 0): Snippet =>
  ({ x0, x1: x0 + Math.round(widthInChars * CHAR), y0: 50 + row * 60, y1: 50 + row * 60 + CHAR - 4, parts: Math.max(1, Math.round(widthInChars)), dots });

describe('readPage', () => {
  it('leaves out one or two unsure characters read from a snippet several characters wide (a line the model lost), and keeps narrow cells and sure readings', async () => {
    const cases: Case[] = [
      { snippet: at(0, 100, 6), text: '1', confidence: 0.04 }, // 二、外交支出 lost in the mosaic, read as a figure
      { snippet: at(1, 100, 8), text: '一般公共服务支出', confidence: 0.93 },
      { snippet: at(2, 600, 1.2), text: '12', confidence: 0.3 }, // as wide as it reads: kept, unsure
    ];
    const result = await readPage(page(cases), scriptedEngine(cases));
    expect(result.stats.rereadNumbers).toBe(2); // both figures were read again, and still unsure
    expect(result.runs.map((r) => r.text)).toEqual(['一般公共服务支出', '12']);
  });
});

describe('readPage, readings in doubt', () => {
  it('reads a doubtful amount again alone by the Latin model only, and a doubtful label by chi_sim', async () => {
    const cases: Case[] = [
      { snippet: at(0, 100, 3), text: '1,234.5', confidence: 0.5 },
      { snippet: at(1, 100, 5), text: '一般公共服', confidence: 0.5 },
      { snippet: at(2, 100, 4), text: '本年收入', confidence: 0.95 },
    ];
    const engine = scriptedEngine(cases);
    const alone: OcrRequest[] = [];
    const watched: OcrEngine = { recognize: (requests) => { alone.push(...requests.filter((r) => r.psm === 7)); return engine.recognize(requests); }, close: () => engine.close() };
    const result = await readPage(page(cases), watched);
    expect(alone.map((r) => r.language)).toEqual(['eng', 'chi_sim']);
    expect(result.stats).toMatchObject({ rereadNumbers: 1, rereadLabels: 1 });
  });
});

describe('readPage, readings with no confidence at all', () => {
  it('leaves out a short one (a page number between dashes read 本:癌) and keeps a line of prose, whose confidence is its least sure word', async () => {
    const cases: Case[] = [
      { snippet: at(0, 500, 2), text: '本:癌', confidence: 0 },
      { snippet: at(1, 100, 20), text: '注：本表反映单位本年度的总收支和年末结转结余情况。', confidence: 0 },
      { snippet: at(2, 100, 2.5), text: '总合计', confidence: 0 }, // known to the lexicon: kept
    ];
    const lexicon = createLexicon(['总合计']);
    const result = await readPage(page(cases), scriptedEngine(cases), { lexicon });
    expect(result.runs.map((r) => r.text)).toEqual(['注：本表反映单位本年度的总收支和年末结转结余情况。', '总合计']);
  });
});

describe('readPage, the model for each snippet', () => {
  // Snippets drawn as glyphs: `glyphs` digit-shaped blocks (0.55 as wide as high, 0.83 of a character high)
  // or one band as wide as `glyphs` characters; each case's ink is of a width no other case has.
  interface Drawn { row: number; glyphs: number; digitShaped: boolean; readings: Partial<Record<'eng' | 'chi_sim', string>> }
  const GLYPH_W = 11, GAP = 4, HIGH = 20;
  const inkWidth = (d: Drawn) => (d.digitShaped ? d.glyphs * (GLYPH_W + GAP) - GAP : d.glyphs * CHAR);

  function drawnPage(cases: readonly Drawn[]): PageAnalysis {
    const width = 1200, height = 100 + cases.length * 60;
    const data = new Uint8Array(width * height).fill(255);
    const snippets = cases.map((d) => {
      const x0 = 100, y0 = 50 + d.row * 60;
      const blocks = d.digitShaped ? Array.from({ length: d.glyphs }, (_, k) => [x0 + k * (GLYPH_W + GAP), GLYPH_W] as const) : [[x0, inkWidth(d)] as const];
      for (const [bx, bw] of blocks) for (let y = y0; y < y0 + HIGH; y++) data.fill(40, y * width + bx, y * width + bx + bw);
      return { x0, x1: x0 + inkWidth(d), y0, y1: y0 + HIGH, parts: blocks.length, dots: 0 };
    });
    return { image: { width, height, data }, scale: 200 / 72, skew: 0, rules: [], snippets, charHeight: CHAR, threshold: 128 };
  }

  /** Answers each band by its width with the case's reading for the request's language, and notes who was asked. */
  function languageEngine(cases: readonly Drawn[], asked: string[]): OcrEngine {
    return {
      async recognize(requests: readonly OcrRequest[]): Promise<OcrResult[]> {
        return requests.map((request) => {
          const language = request.language ?? 'chi_sim';
          const zoom = request.psm === 7 ? 2 : 1;
          return {
            words: bands(request).flatMap((b, line) => {
              const d = cases.find((c) => Math.abs(inkWidth(c) * zoom - (b.x1 - b.x0)) <= 2);
              if (!d) return [];
              asked.push(`${language}:${d.row}`);
              const text = d.readings[language];
              return text ? [{ text, confidence: 0.95, x0: b.x0, x1: b.x1, y0: b.y0, y1: b.y1, line }] : [];
            }),
          };
        });
      },
      async close() {},
    };
  }

  it('reads figure-shaped snippets with the Latin model and the rest with chi_sim; a figure-shaped snippet not read as a figure goes to chi_sim after all', async () => {
    const cases: Drawn[] = [
      { row: 0, glyphs: 4, digitShaped: true, readings: { eng: '1234', chi_sim: '1Z34' } },
      { row: 1, glyphs: 2, digitShaped: true, readings: { eng: 'E11', chi_sim: '川目' } }, // a label whose strokes stand apart
      { row: 2, glyphs: 5, digitShaped: false, readings: { eng: 'AAAAA', chi_sim: '外交支出' } },
      { row: 3, glyphs: 3, digitShaped: true, readings: { eng: 'III', chi_sim: '三川' } }, // letters, though they would clean to 111
    ];
    const asked: string[] = [];
    const result = await readPage(drawnPage(cases), languageEngine(cases, asked));
    expect(result.runs.map((r) => r.text)).toEqual(['1234', '川目', '外交支出', '三川']);
    expect(asked.filter((a) => a.startsWith('eng')).sort()).toEqual(['eng:0', 'eng:1', 'eng:3']);
    expect(asked.filter((a) => a.startsWith('chi_sim')).sort()).toEqual(['chi_sim:1', 'chi_sim:2', 'chi_sim:3']);
  });
});

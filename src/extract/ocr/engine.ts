/**
 * The OCR engine boundary. Requests and results are plain structured-cloneable data, so one engine
 * (a pool of tesseract.js workers on the main thread) can serve documents processed on other
 * threads through a message port. All image work happens on the caller's side; the engine only reads.
 */
import { z } from 'zod';

/** Languages whose data ships in node_modules (@tesseract.js-data/*). */
export const OCR_LANGUAGES = ['chi_sim', 'eng'] as const;
export type OcrLanguage = (typeof OCR_LANGUAGES)[number];

export const OcrRequestSchema = z.object({
  /** Grey image, 0 = black, row-major. */
  image: z.object({ width: z.number().int().positive(), height: z.number().int().positive(), data: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'image data must be a Uint8Array') }),
  /** Tesseract page segmentation mode: 6 a block of lines, 7 one line, 11 sparse text. */
  psm: z.number().int().min(3).max(13),
  language: z.enum(OCR_LANGUAGES).default('chi_sim'),
  /** Resolution of the image, for Tesseract's size heuristics. */
  dpi: z.number().positive().optional(),
}).refine((r) => r.image.data.length >= r.image.width * r.image.height, 'image data shorter than width × height');

export type OcrRequest = z.input<typeof OcrRequestSchema>;

/** One recognised word, its box in the request image's pixels. */
export interface OcrWord {
  text: string;
  /** 0..1 */
  confidence: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Index of the text line the word is on (words of one line share it, in reading order). */
  line: number;
}

export interface OcrResult {
  words: OcrWord[];
}

export interface OcrEngine {
  /** Reads each image; results in the order of the requests. Images may be read in parallel. */
  recognize(requests: readonly OcrRequest[]): Promise<OcrResult[]>;
  close(): Promise<void>;
}

/** Parses Tesseract's TSV output (level 5 rows are words) into words with line indexes. */
export function wordsFromTsv(tsv: string): OcrWord[] {
  const words: OcrWord[] = [];
  let lastLineKey = '';
  let line = -1;
  for (const row of tsv.split('\n')) {
    const f = row.split('\t');
    if (f.length < 12 || f[0] !== '5') continue;
    const text = f.slice(11).join('\t').trim();
    if (!text) continue;
    const lineKey = `${f[2]}:${f[3]}:${f[4]}`;
    if (lineKey !== lastLineKey) { line++; lastLineKey = lineKey; }
    const left = Number(f[6]), top = Number(f[7]), width = Number(f[8]), height = Number(f[9]);
    const conf = Number(f[10]);
    words.push({ text, confidence: Math.max(0, Math.min(1, conf / 100)), x0: left, y0: top, x1: left + width, y1: top + height, line });
  }
  return words;
}

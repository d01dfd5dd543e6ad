/** The tesseract.js engine: language data from node_modules, results in request order, recycling, closing. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makePdf } from '../../../test/support/make-pdf.js';
import { openPdf } from '../pdfjs.js';
import { analysePage, joinWords } from './page-ocr.js';
import { crop, type GreyImage } from './raster.js';
import { createTesseractEngine } from './tesseract-engine.js';

/** The worker script as built (`npm test` builds first): the sources run under vitest cannot be a worker. */
const BUILT_WORKER = fileURLToPath(new URL('../../../dist/extract/ocr/tesseract-worker.js', import.meta.url));

/** Crops of a generated page, one per printed line, top to bottom. */
async function printedLines(lines: string[]): Promise<{ crops: GreyImage[]; charHeight: number }> {
  const pdf = await openPdf(new Uint8Array(await makePdf({ blocks: [{ kind: 'text', lines: lines.map((text) => ({ text, size: 12 })) }] })));
  const analysis = analysePage(await pdf.renderPage(1, 200));
  await pdf.close();
  const pad = analysis.charHeight;
  return { crops: analysis.snippets.map((s) => crop(analysis.image, s, pad)), charHeight: analysis.charHeight };
}

describe('createTesseractEngine', () => {
  let crops: GreyImage[];
  let charHeight: number;
  beforeAll(async () => ({ crops, charHeight } = await printedLines(['行政运行', '1,597.60', '645.88'])));

  const engine = createTesseractEngine({ workers: 1, recycleAfterJobs: 2 });
  afterAll(() => engine.close());

  it('reads a batch in order, each language on its own workers, recycling after the given jobs', async () => {
    const results = await engine.recognize([
      { image: crops[0]!, psm: 7 },
      { image: crops[1]!, psm: 7, language: 'eng' },
      { image: crops[2]!, psm: 7, language: 'chi_sim' },
      { image: crops[1]!, psm: 7 },
    ]);
    expect(results.map((r) => joinWords(r.words, charHeight).text)).toEqual(['行政运行', '1,597.60', '645.88', '1,597.60']);
    for (const w of results.flatMap((r) => r.words)) {
      expect(w.confidence).toBeGreaterThan(0.5);
      expect(w.x1).toBeGreaterThan(w.x0);
    }
    // chi_sim: 3 jobs with a fresh worker every 2, the second started while the first still had
    // chi_sim work queued, and the first worker's second job handed to it while it read its first; eng: 1.
    expect(engine.stats()).toEqual({ jobs: 4, workersStarted: 3, startedAhead: 1, handedAhead: 1 });
  }, 60_000);

  it('starts a replacement ahead only while work for it is queued', async () => {
    const ahead = createTesseractEngine({ workers: 1, recycleAfterJobs: 2 });
    try {
      const five = await ahead.recognize(Array.from({ length: 5 }, () => ({ image: crops[1]!, psm: 7 })));
      expect(five.map((r) => joinWords(r.words, charHeight).text)).toEqual(Array(5).fill('1,597.60'));
      // Workers for jobs 1-2, 3-4 and 5; the last two started ahead. None is left waiting for work
      // that never comes: the last job found the queue empty. Jobs 2 and 4 waited in their worker.
      expect(ahead.stats()).toEqual({ jobs: 5, workersStarted: 3, startedAhead: 2, handedAhead: 2 });
    } finally {
      await ahead.close();
    }
  }, 60_000);

  it('refuses malformed requests and work after closing', async () => {
    await expect(engine.recognize([{ image: { width: 10, height: 10, data: new Uint8Array(5) }, psm: 7 }])).rejects.toThrow(/shorter/);
    const closing = createTesseractEngine({ workers: 1 });
    await closing.close();
    await expect(closing.recognize([{ image: crops[0]!, psm: 7 }])).rejects.toThrow(/closed/);
  });

  it('loads the LSTM-only core through its own worker script, and reads as tesseract.js\'s own worker does', async () => {
    expect(existsSync(BUILT_WORKER), 'build first: npm run build').toBe(true);
    const stderr: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true));
    const ours = createTesseractEngine({ workers: 1, workerScript: BUILT_WORKER });
    const theirs = createTesseractEngine({ workers: 1, workerScript: null });
    try {
      const requests = [{ image: crops[0]!, psm: 7 }, { image: crops[1]!, psm: 7, language: 'eng' as const }];
      const [a, b] = await Promise.all([ours.recognize(requests), theirs.recognize(requests)]);
      expect(a.map((r) => joinWords(r.words, charHeight).text)).toEqual(['行政运行', '1,597.60']);
      expect(a).toEqual(b);
      expect(ours.stats().core).toMatch(/^tesseract-core-(relaxed)?simd-lstm\.js$|^tesseract-core-lstm\.js$/);
      // tesseract.js's own script says nothing of its core (the larger one, with the legacy engine).
      expect(theirs.stats().core).toBeUndefined();
      // The models' settings for the legacy engine, unknown to the LSTM-only core, are not warned about.
      expect(stderr.join('')).not.toMatch(/Parameter not found/);
    } finally {
      write.mockRestore();
      await Promise.all([ours.close(), theirs.close()]);
    }
  }, 60_000);
});

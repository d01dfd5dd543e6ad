/**
 * The OcrEngine over tesseract.js: a pool of WASM workers, one job at a time each, language data
 * read from node_modules (no network, nothing written to the working directory). WASM memory only
 * grows, so a worker is replaced after `recycleAfterJobs` jobs.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import Tesseract from 'tesseract.js';
import { OcrRequestSchema, wordsFromTsv, type OcrEngine, type OcrLanguage, type OcrRequest, type OcrResult } from './engine.js';
import { encodePgm } from './raster.js';

const require = createRequire(import.meta.url);

/** The folder holding `<lang>.traineddata.gz` (the LSTM "best_int" models, as tesseract.js uses by default). */
export function languageDataPath(language: OcrLanguage): string {
  return path.join(path.dirname(require.resolve(`@tesseract.js-data/${language}/package.json`)), '4.0.0_best_int');
}

export interface TesseractEngineOptions {
  /** Workers running at once (each about 100–300 MB). */
  workers: number;
  /** Jobs after which a worker is replaced by a fresh one. Default 400. */
  recycleAfterJobs?: number;
}

interface Slot {
  language: OcrLanguage;
  worker: Promise<Tesseract.Worker>;
  jobs: number;
  busy: boolean;
}

interface Job {
  request: ReturnType<typeof OcrRequestSchema.parse>;
  resolve: (r: OcrResult) => void;
  reject: (e: Error) => void;
}

async function startWorker(language: OcrLanguage): Promise<Tesseract.Worker> {
  const worker = await Tesseract.createWorker(language, Tesseract.OEM.LSTM_ONLY, {
    langPath: languageDataPath(language),
    gzip: true,
    cacheMethod: 'none',
  });
  // Without it Tesseract puts spaces between Chinese characters.
  await worker.setParameters({ preserve_interword_spaces: '1' });
  return worker;
}

export function createTesseractEngine(options: TesseractEngineOptions): OcrEngine {
  const size = Math.max(1, Math.floor(options.workers));
  const recycleAfter = Math.max(1, options.recycleAfterJobs ?? 400);
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let closed = false;

  const retire = (slot: Slot) => {
    slots.splice(slots.indexOf(slot), 1);
    void slot.worker.then((w) => w.terminate()).catch(() => undefined);
  };

  const run = async (slot: Slot, job: Job) => {
    slot.busy = true;
    slot.jobs++;
    try {
      const worker = await slot.worker;
      const { image, psm, dpi } = job.request;
      const params: Record<string, string> = { tessedit_pageseg_mode: String(psm) };
      if (dpi) params.user_defined_dpi = String(Math.round(dpi));
      const out = await worker.recognize(Buffer.from(encodePgm(image).buffer), params as Partial<Tesseract.RecognizeOptions>, { text: false, tsv: true });
      job.resolve({ words: wordsFromTsv(out.data.tsv ?? '') });
    } catch (err) {
      job.reject(err instanceof Error ? err : new Error(String(err)));
      // A worker that failed may be in any state: start afresh.
      slot.jobs = recycleAfter;
    } finally {
      slot.busy = false;
      if (slot.jobs >= recycleAfter) retire(slot);
      dispatch();
    }
  };

  function dispatch(): void {
    if (closed) return;
    // Idle workers take the oldest job in their language.
    for (const slot of slots) {
      if (slot.busy) continue;
      const k = queue.findIndex((j) => j.request.language === slot.language);
      if (k >= 0) void run(slot, queue.splice(k, 1)[0]!);
    }
    // Jobs no worker speaks: start one, in place of an idle worker of the other language if need be.
    while (queue.length) {
      const job = queue[0]!;
      if (slots.length >= size) {
        const idle = slots.find((s) => !s.busy);
        if (!idle) return;
        retire(idle);
      }
      const slot: Slot = { language: job.request.language, worker: startWorker(job.request.language), jobs: 0, busy: false };
      slot.worker.catch(() => undefined);
      slots.push(slot);
      void run(slot, queue.shift()!);
    }
  }

  return {
    recognize(requests: readonly OcrRequest[]): Promise<OcrResult[]> {
      if (closed) return Promise.reject(new Error('OCR engine is closed'));
      const parsed = requests.map((r) => OcrRequestSchema.parse(r));
      const results = parsed.map((request) => new Promise<OcrResult>((resolve, reject) => queue.push({ request, resolve, reject })));
      dispatch();
      return Promise.all(results);
    },
    async close(): Promise<void> {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error('OCR engine closed'));
      await Promise.all(slots.splice(0).map((s) => s.worker.then((w) => w.terminate()).catch(() => undefined)));
    },
  };
}

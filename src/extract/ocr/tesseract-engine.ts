/**
 * The OcrEngine over tesseract.js: a pool of WASM workers, language data read from node_modules (no
 * network, nothing written to the working directory). A language's only worker is handed its next
 * job while it reads the current one, so it never waits for this thread between jobs. WASM memory
 * only grows, so a worker is replaced after `recycleAfterJobs` jobs (its replacement loads beside it).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Tesseract from 'tesseract.js';
import { OcrRequestSchema, wordsFromTsv, type OcrEngine, type OcrLanguage, type OcrRequest, type OcrResult } from './engine.js';
import { encodePgm } from './raster.js';

const require = createRequire(import.meta.url);

/** The folder holding `<lang>.traineddata.gz` (the LSTM "best_int" models, as tesseract.js uses by default). */
export function languageDataPath(language: OcrLanguage): string {
  return path.join(path.dirname(require.resolve(`@tesseract.js-data/${language}/package.json`)), '4.0.0_best_int');
}

/**
 * The worker script loading the LSTM-only core (tesseract-worker.ts), once built: it runs from dist/, not
 * from the TypeScript sources (tests), nor with a tesseract.js whose internals it does not find. Then
 * undefined: tesseract.js's own worker script, which reads the same with the larger core.
 */
export function tesseractWorkerScript(): string | undefined {
  if (!import.meta.url.endsWith('.js')) return undefined;
  const script = fileURLToPath(new URL('./tesseract-worker.js', import.meta.url));
  try {
    for (const internal of ['worker-script/index.js', 'worker-script/node/getCore.js', 'worker-script/node/gunzip.js', 'worker-script/node/cache.js', 'constants/OEM.js']) require.resolve(`tesseract.js/src/${internal}`);
  } catch {
    return undefined;
  }
  return existsSync(script) ? script : undefined;
}

export interface TesseractEngineOptions {
  /** chi_sim workers running at once (each about 100–300 MB); eng, which reads the figures, gets a quarter as many (at least one). */
  workers: number;
  /** Jobs after which a worker is replaced by a fresh one. Default 400. */
  recycleAfterJobs?: number;
  /** The workers' script: default tesseractWorkerScript(); null for tesseract.js's own. */
  workerScript?: string | null;
}

interface Slot {
  language: OcrLanguage;
  worker: Promise<Tesseract.Worker>;
  jobs: number;
  /** Jobs handed to the worker and not yet answered. */
  pending: number;
}

interface Job {
  request: ReturnType<typeof OcrRequestSchema.parse>;
  resolve: (r: OcrResult) => void;
  reject: (e: Error) => void;
}

async function startWorker(language: OcrLanguage, workerScript: string | undefined, onCore: (file: string) => void): Promise<Tesseract.Worker> {
  const worker = await Tesseract.createWorker(language, Tesseract.OEM.LSTM_ONLY, {
    langPath: languageDataPath(language),
    gzip: true,
    cacheMethod: 'none',
    ...(workerScript ? { workerPath: workerScript } : {}),
    logger: (m: { status?: string; core?: unknown }) => {
      if (m.status === 'tesseract core' && typeof m.core === 'string') onCore(m.core);
    },
  });
  // Without preserve_interword_spaces Tesseract puts spaces between Chinese characters. Our snippets are
  // dark ink on white by construction (a filled cell is a blot, not a snippet), so a line read with low
  // confidence is not read again inverted: about 4% of the reading time.
  await worker.setParameters({ preserve_interword_spaces: '1', tessedit_do_invert: '0' });
  return worker;
}

/** Counts for logs and benchmarks. */
export interface TesseractEngineStats {
  jobs: number;
  workersStarted: number;
  /** Of those, replacements started ahead, beside the worker they replace. */
  startedAhead: number;
  /** Jobs handed to a worker while it was still reading another. */
  handedAhead: number;
  /** The WebAssembly core file the workers loaded, when their script reports it (tesseract-worker.ts). */
  core?: string;
}

export function createTesseractEngine(options: TesseractEngineOptions): OcrEngine & { stats(): TesseractEngineStats } {
  const size = Math.max(1, Math.floor(options.workers));
  const recycleAfter = Math.max(1, options.recycleAfterJobs ?? 400);
  const workerScript = options.workerScript === undefined ? tesseractWorkerScript() : options.workerScript ?? undefined;
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let closed = false;
  const counts: TesseractEngineStats = { jobs: 0, workersStarted: 0, startedAhead: 0, handedAhead: 0 };
  // A worker near its replacement, with more of its language's work queued, gets the replacement
  // started beside it: loading a model takes 2-3 s, which the swap then does not wait for.
  const standby = new Map<OcrLanguage, Promise<Tesseract.Worker>>();
  const standbyLead = Math.max(1, Math.round(recycleAfter / 20));
  const start = (language: OcrLanguage): Promise<Tesseract.Worker> => {
    counts.workersStarted++;
    const worker = startWorker(language, workerScript, (core) => (counts.core = core));
    worker.catch(() => undefined);
    return worker;
  };

  const terminate = (worker: Promise<Tesseract.Worker>) => worker.then((w) => w.terminate()).catch(() => undefined);
  const retire = (slot: Slot) => {
    slots.splice(slots.indexOf(slot), 1);
    void terminate(slot.worker);
  };

  const run = async (slot: Slot, job: Job) => {
    if (slot.pending > 0) counts.handedAhead++;
    slot.pending++;
    slot.jobs++;
    counts.jobs++;
    if (slot.jobs >= recycleAfter - standbyLead && !standby.has(slot.language) && queue.some((j) => j.request.language === slot.language)) {
      standby.set(slot.language, start(slot.language));
      counts.startedAhead++;
    }
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
      slot.pending--;
      if (slot.jobs >= recycleAfter && slot.pending === 0) retire(slot);
      dispatch();
    }
  };

  // Each language has its own workers, so that mixed requests never swap models back and forth:
  // chi_sim reads the labels, the costlier three quarters of the work, and gets `workers`; eng reads the figures and gets a quarter.
  const budget = (language: OcrLanguage) => (language === 'chi_sim' ? size : Math.max(1, Math.round(size / 4)));
  // Jobs a worker holds at once. A language's only worker also holds the next, waiting in its own message
  // queue (a tesseract.js worker reads a job from start to end with no await inside, so two jobs'
  // parameters cannot mix). With several workers a job held by a busy one could wait while another
  // frees up: measured 3% slower with 2 chi_sim workers.
  const jobsPerWorker = (language: OcrLanguage) => (budget(language) === 1 ? 2 : 1);

  function dispatch(): void {
    if (closed) return;
    for (let k = 0; k < queue.length;) {
      const language = queue[k]!.request.language;
      // An idle worker first, then a new one within the budget, then one with room for a next job.
      // A worker due for replacement takes no more, and its replacement may start while it finishes.
      const open = slots.filter((s) => s.language === language && s.jobs < recycleAfter);
      let slot = open.find((s) => s.pending === 0);
      if (!slot && open.length < budget(language)) {
        const ready = standby.get(language);
        standby.delete(language);
        slot = { language, worker: ready ?? start(language), jobs: 0, pending: 0 };
        slots.push(slot);
      }
      slot ??= open.find((s) => s.pending < jobsPerWorker(language));
      if (slot) void run(slot, queue.splice(k, 1)[0]!);
      else k++;
    }
  }

  return {
    async recognize(requests: readonly OcrRequest[]): Promise<OcrResult[]> {
      if (closed) throw new Error('OCR engine is closed');
      const parsed = requests.map((r) => OcrRequestSchema.parse(r));
      const results = parsed.map((request) => new Promise<OcrResult>((resolve, reject) => queue.push({ request, resolve, reject })));
      dispatch();
      return Promise.all(results);
    },
    stats: () => ({ ...counts }),
    async close(): Promise<void> {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error('OCR engine closed'));
      const workers = [...slots.splice(0).map((s) => s.worker), ...standby.values()];
      standby.clear();
      await Promise.all(workers.map(terminate));
    },
  };
}

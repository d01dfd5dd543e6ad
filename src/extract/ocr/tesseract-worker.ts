/**
 * The tesseract.js worker thread, as its own Node worker script (worker-script/node/index.js) sets it
 * up, with one difference: the WebAssembly core is the LSTM-only build when the worker asks for LSTM
 * only. tesseract.js 7's Node adapter passes that wish to getCore as a boolean where getCore expects an
 * OEM number (naptha/tesseract.js#1034), so it always loads the core with the legacy engine too: 20%
 * larger, slower to compile, and measured here 1.5-2% more CPU per page with the same readings.
 *
 * Runs only as a worker script, built (dist/); see tesseractWorkerScript in tesseract-engine.ts.
 */
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';

const require = createRequire(import.meta.url);

type Progress = { progress(data: Record<string, unknown>): void };
type Core = (options: Record<string, unknown>) => Promise<unknown>;
type GetCore = (mode: unknown, corePath: unknown, res: Progress) => Promise<Core>;

const worker = require('tesseract.js/src/worker-script') as {
  dispatchHandlers(packet: unknown, send: (message: unknown) => void): void;
  setAdapter(adapter: Record<string, unknown>): void;
};
const getCore = require('tesseract.js/src/worker-script/node/getCore') as GetCore;
const gunzip = require('tesseract.js/src/worker-script/node/gunzip') as unknown;
const cache = require('tesseract.js/src/worker-script/node/cache') as Record<string, unknown>;
const OEM = require('tesseract.js/src/constants/OEM') as { LSTM_ONLY: number; TESSERACT_LSTM_COMBINED: number };

/** getCore's mode from what the worker passes: an OEM number as getCore expects, or the boolean it gets. */
const coreMode = (mode: unknown): unknown => (typeof mode === 'boolean' ? (mode ? OEM.LSTM_ONLY : OEM.TESSERACT_LSTM_COMBINED) : mode);

/** Which core file a loaded core came from (the require cache holds the one getCore chose), for the record only. */
function coreFile(core: unknown): string | undefined {
  try {
    const fromTesseract = createRequire(require.resolve('tesseract.js/package.json'));
    const dir = fromTesseract.resolve('tesseract.js-core/package.json').replace(/package\.json$/, '');
    const module = Object.values(require.cache).find((m) => m?.filename.startsWith(dir) && m.exports === core);
    return module?.filename.slice(dir.length);
  } catch {
    return undefined;
  }
}

/**
 * The core, started with a stderr that drops the warnings of the language data's settings for the legacy
 * engine (the models' config sets them; the LSTM-only core has no such parameter, and reads the same).
 */
const withoutLegacyWarnings = (core: Core): Core => (options) =>
  core({
    ...options,
    printErr: (text: string) => {
      if (!text.startsWith('Warning: Parameter not found: ')) console.error(text);
    },
  });

const port = parentPort;
if (port) {
  port.on('message', (packet) => worker.dispatchHandlers(packet, (message) => port.postMessage(message)));
  worker.setAdapter({
    getCore: async (mode: unknown, corePath: unknown, res: Progress) => {
      const core = await getCore(coreMode(mode), corePath, res);
      res.progress({ status: 'tesseract core', core: coreFile(core) });
      return withoutLegacyWarnings(core);
    },
    gunzip,
    fetch: globalThis.fetch,
    ...cache,
  });
}

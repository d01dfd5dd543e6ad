// Part of the build: compiles the patched pdf.js worker code (src/extract/pdfjs-worker.ts) once and
// writes V8's compiled code beside the built module, so that each document worker loads it instead
// of compiling 2 MB of JavaScript. The code is first run over the text of the sample PDFs in corpus/
// (when there), so that the cache also holds the functions text extraction calls, which V8 compiles
// only at their first call: measured on the real disclosures, 2-5% less CPU for a run. The cache is
// keyed to this script and this Node; any other runtime compiles from source as before. Without a
// patched build (another pdfjs-dist), no cache.
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// As in the program: Node's built-ins saved before pdf.js's code runs (see native-builtins.ts).
await import('../dist/extract/native-builtins.js');
const { CODE_CACHE_FILE, codeCacheBytes, compileScript, patchedWorkerScript } = await import('../dist/extract/pdfjs-worker.js');

rmSync(CODE_CACHE_FILE, { force: true });
const patched = patchedWorkerScript();
if ('unpatched' in patched) {
  console.warn(`pdfjs code cache: not built (${patched.unpatched})`);
} else {
  const { script } = compileScript(patched.script, patched.url, undefined);
  // Run once, so that the functions its top level calls are compiled and kept too; the adapter
  // then takes this very module (globalThis.pdfjsWorker) for the samples' text and rules.
  globalThis.pdfjsWorker = script.runInThisContext()();
  const corpus = path.join(path.dirname(fileURLToPath(import.meta.url)), '../corpus');
  let samples = [];
  try {
    samples = readdirSync(corpus).filter((f) => f.toLowerCase().endsWith('.pdf')).map((f) => path.join(corpus, f));
  } catch {
    // No corpus: the cache holds what the top level compiled.
  }
  if (samples.length) {
    const { openPdf } = await import('../dist/extract/pdfjs.js');
    for (const file of samples) {
      try {
        const pdf = await openPdf(new Uint8Array(readFileSync(file)));
        for (let n = 1; n <= Math.min(pdf.numPages, 6); n++) {
          await pdf.readPage(n);
          await pdf.readSegments(n);
        }
        await pdf.close();
      } catch (err) {
        console.warn(`pdfjs code cache: sample ${path.basename(file)} not read (${err.message})`);
      }
    }
  }
  const tmp = `${CODE_CACHE_FILE}.${process.pid}.tmp`;
  writeFileSync(tmp, codeCacheBytes(patched.script, script));
  renameSync(tmp, CODE_CACHE_FILE);
}

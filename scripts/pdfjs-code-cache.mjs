// Part of the build: compiles the patched pdf.js worker code (src/extract/pdfjs-worker.ts) once and
// writes V8's compiled code beside the built module, so that each document worker loads it instead
// of compiling 2 MB of JavaScript. The cache is keyed to this script and this Node; any other
// runtime compiles from source as before. Without a patched build (another pdfjs-dist), no cache.
import { renameSync, rmSync, writeFileSync } from 'node:fs';

const { CODE_CACHE_FILE, codeCacheBytes, compileScript, patchedWorkerScript } = await import('../dist/extract/pdfjs-worker.js');

rmSync(CODE_CACHE_FILE, { force: true });
const patched = patchedWorkerScript();
if ('unpatched' in patched) {
  console.warn(`pdfjs code cache: not built (${patched.unpatched})`);
} else {
  const { script } = compileScript(patched.script, patched.url, undefined);
  // Run once, so that the functions its top level calls are compiled and kept too.
  script.runInThisContext()();
  const tmp = `${CODE_CACHE_FILE}.${process.pid}.tmp`;
  writeFileSync(tmp, codeCacheBytes(patched.script, script));
  renameSync(tmp, CODE_CACHE_FILE);
}

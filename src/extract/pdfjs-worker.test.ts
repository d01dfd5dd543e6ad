import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { pdfjsWorkerPatches } from './pdfjs.js';
import { patchSource, WORKER_PATCHES, type SourcePatch } from './pdfjs-worker.js';

const require = createRequire(import.meta.url);
const WORKER_FILE = require.resolve('pdfjs-dist/legacy/build/pdf.worker.mjs');
const original = readFileSync(WORKER_FILE, 'utf8');
const URL_OF_FILE = 'file:///somewhere/pdf.worker.mjs';

describe('patches of pdf.js worker code', () => {
  it('all fit the installed pdfjs-dist build (an upgrade that breaks one fails here, to be looked at)', () => {
    const patched = patchSource(original, WORKER_PATCHES, URL_OF_FILE);
    expect(patched.unpatched).toBeUndefined();
    expect(patched.applied).toEqual(WORKER_PATCHES.map((p) => p.name));
    for (const p of WORKER_PATCHES) {
      expect(patched.source.includes(p.find), p.name).toBe(p.replace.includes(p.find));
      expect(patched.source.includes(p.replace), p.name).toBe(true);
    }
    // The WebAssembly loaders still find their files next to the original module.
    expect(patched.source).not.toContain('import.meta.url');
    expect(patched.source).toContain(`var _scriptName = ${JSON.stringify(URL_OF_FILE)};`);
  });

  it('are what this process runs with', () => {
    expect(pdfjsWorkerPatches.applied).toEqual(WORKER_PATCHES.map((p) => p.name));
  });

  it('are applied all or none: a patch that does not fit leaves the source as published, and says which', () => {
    const stray: SourcePatch = { name: 'stray', why: 'test', find: 'this text is in no pdf.js build', replace: 'x' };
    const none = patchSource(original, [...WORKER_PATCHES, stray], URL_OF_FILE);
    expect(none.applied).toEqual([]);
    expect(none.source).toBe(original);
    expect(none.unpatched).toMatch(/patch stray: its text occurs nowhere/);

    const twice: SourcePatch = { name: 'twice', why: 'test', find: 'return builder.toArray();', replace: 'x' };
    const ambiguous = patchSource(original, [twice], URL_OF_FILE);
    expect(ambiguous.applied).toEqual([]);
    expect(ambiguous.unpatched).toMatch(/patch twice: its text occurs more than once/);
  });

  it('refuse patches whose texts overlap', () => {
    const a: SourcePatch = { name: 'a', why: 'test', find: 'let x = 1;', replace: 'let x = 2;' };
    const b: SourcePatch = { name: 'b', why: 'test', find: '1;\nlet y', replace: '3;\nlet y' };
    const out = patchSource('let x = 1;\nlet y = 0;\n', [a, b], 'file:///f.mjs');
    expect(out.applied).toEqual([]);
    expect(out.unpatched).toMatch(/overlaps/);
  });

  it('replace the matched text only, once, even when the replacement holds $ patterns', () => {
    const dollar: SourcePatch = { name: 'dollar', why: 'test', find: 'let x = 1;', replace: "let x = '$&$1';" };
    const later: SourcePatch = { name: 'later', why: 'test', find: 'c();', replace: 'd();' };
    const out = patchSource('a();\nlet x = 1;\nb(import.meta.url);\nc();\n', [later, dollar], 'file:///f.mjs');
    expect(out.source).toBe('a();\nlet x = \'$&$1\';\nb("file:///f.mjs");\nd();\n');
    expect(out.applied).toEqual(['later', 'dollar']);
  });
});

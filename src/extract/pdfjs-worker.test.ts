import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
// The adapter first: it must load before pdf.js (see native-builtins.ts).
import { pdfjsWorkerPatches } from './pdfjs.js';
import { Util } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { codeCacheBytes, compileScript, patchedWorkerScript, patchSource, WORKER_PATCHES, type SourcePatch } from './pdfjs-worker.js';

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

/** A function's text in pdf.js's source, from `function name(` at the given indent to its closing brace. */
function functionText(source: string, name: string, indent: string): string {
  const start = source.indexOf(`\n${indent}function ${name}(`);
  const end = source.indexOf(`\n${indent}}\n`, start);
  if (start < 0 || end < 0) throw new Error(`${name} not found`);
  return source.slice(start, end + indent.length + 2);
}

type SanitizeGlyphLocations = (
  loca: { data: Uint8Array }, glyf: { data: Uint8Array }, numGlyphs: number, isLong: boolean, hintsValid: boolean, dupFirstEntry: boolean, maxSizeOfInstructions: number,
) => { missingGlyphs: Record<number, unknown>; maxSizeOfInstructions: number };

/** sanitizeGlyphLocations of a pdf.js source, with the helpers it calls, as a standalone function. */
function sanitizerOf(source: string): SanitizeGlyphLocations {
  const helpers = ['signedInt16', 'writeSignedInt16'].map((name) => functionText(source, name, '')).join('\n');
  const body = `${helpers}\n${functionText(source, 'sanitizeGlyph', '    ')}\n${functionText(source, 'sanitizeGlyphLocations', '    ')}\nreturn sanitizeGlyphLocations;`;
  return new Function(body)() as SanitizeGlyphLocations;
}

/** A font's loca and glyf tables with glyphs of every kind the sanitizer tells apart, in random order or not. */
function randomTables(random: () => number, numGlyphs: number, isLong: boolean, inOrder: boolean) {
  const glyphs: Uint8Array[] = [];
  for (let g = 0; g < numGlyphs; g++) {
    const kind = random();
    if (kind < 0.5) { glyphs.push(new Uint8Array(0)); continue; } // empty slot, as in subset fonts
    if (kind < 0.6) { glyphs.push(new Uint8Array(8)); continue; } // too short to be a glyph
    const contours = kind < 0.7 ? -1 : kind < 0.75 ? -3 : 1 + Math.floor(random() * 3);
    const instructions = Math.floor(random() * 20);
    const glyph = new Uint8Array(10 + Math.max(contours, 0) * 2 + 2 + instructions + 12 + Math.floor(random() * 30));
    for (let k = 0; k < glyph.length; k++) glyph[k] = Math.floor(random() * 256);
    glyph[0] = (contours >> 8) & 0xff; glyph[1] = contours & 0xff;
    for (let c = 0; c < contours; c++) { glyph[10 + 2 * c] = 0; glyph[11 + 2 * c] = 2 * c + 1; } // contour end points: few points
    const at = 10 + Math.max(contours, 0) * 2;
    glyph[at] = 0; glyph[at + 1] = instructions;
    glyphs.push(glyph.length % 2 ? Uint8Array.from([...glyph, 0]) : glyph); // short loca counts 2-byte words
  }
  const order = glyphs.map((_, g) => g);
  if (!inOrder) order.sort(() => random() - 0.5);
  const offsets: number[] = new Array(numGlyphs + 1);
  let at = 0;
  const glyf = new Uint8Array(glyphs.reduce((n, g) => n + g.length, 0));
  for (const g of order) { offsets[g] = at; glyf.set(glyphs[g]!, at); at += glyphs[g]!.length; }
  offsets[numGlyphs] = random() < 0.2 ? glyf.length + 40 : glyf.length; // sometimes past the table's end
  if (!inOrder && numGlyphs > 2) offsets[1] = offsets[0]!; // ties in the sort
  const size = isLong ? 4 : 2;
  const loca = new Uint8Array((numGlyphs + 1) * size);
  offsets.forEach((offset, g) => {
    if (isLong) { loca[g * 4] = offset >>> 24; loca[g * 4 + 1] = (offset >> 16) & 0xff; loca[g * 4 + 2] = (offset >> 8) & 0xff; loca[g * 4 + 3] = offset & 0xff; }
    else { loca[g * 2] = (offset >> 9) & 0xff; loca[g * 2 + 1] = (offset >> 1) & 0xff; }
  });
  return { loca, glyf };
}

describe('patch glyph-locations-typed', () => {
  const stock = sanitizerOf(original);
  const patched = sanitizerOf(patchSource(original, WORKER_PATCHES, URL_OF_FILE).source);

  it('repairs glyph tables byte for byte as pdf.js does, and reports the same empty glyphs', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const cases = [];
    for (let n = 0; n < 400; n++) {
      const numGlyphs = 1 + Math.floor(random() * 120);
      const isLong = random() < 0.5, inOrder = random() < 0.5, dupFirstEntry = random() < 0.3, hintsValid = random() < 0.5;
      const { loca, glyf } = randomTables(random, numGlyphs, isLong, inOrder);
      if (random() < 0.2) loca.fill(0, 0, (isLong ? 4 : 2) * Math.min(3, numGlyphs)); // leading empty entries
      const run = (sanitize: SanitizeGlyphLocations) => {
        const tables = { loca: { data: loca.slice() }, glyf: { data: glyf.slice() } };
        const out = sanitize(tables.loca, tables.glyf, numGlyphs, isLong, hintsValid, dupFirstEntry, 0);
        const missing = Array.from({ length: numGlyphs + 2 }, (_, g) => (out.missingGlyphs[g] ? 'm' : '.')).join('');
        const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
        return { loca: hex(tables.loca.data), glyf: hex(tables.glyf.data), missing, max: out.maxSizeOfInstructions };
      };
      const expected = run(stock);
      expect(run(patched), `case ${n}: ${numGlyphs} glyphs, ${isLong ? 'long' : 'short'} loca, ${inOrder ? 'in order' : 'shuffled'}`).toEqual(expected);
      cases.push({ inOrder, missing: expected.missing.split('m').length - 1 });
    }
    // The cases cover both paths and fonts with and without empty glyphs.
    expect(cases.filter((c) => c.inOrder).length).toBeGreaterThan(100);
    expect(cases.filter((c) => !c.inOrder).length).toBeGreaterThan(100);
    expect(cases.filter((c) => c.missing > 0).length).toBeGreaterThan(100);
  });

  it('fails a font without glyphs as pdf.js does', () => {
    const tables = () => [{ data: new Uint8Array(4) }, { data: new Uint8Array(0) }] as const;
    expect(() => stock(...tables(), 0, false, true, false, 0)).toThrow(TypeError);
    expect(() => patched(...tables(), 0, false, true, false, 0)).toThrow(TypeError);
  });
});

describe('patch text-transform-inline', () => {
  const patch = WORKER_PATCHES.find((p) => p.name === 'text-transform-inline')!;
  // The patched function's tail, as a function of the text state and the text-space matrix.
  const inline = new Function('textState', 'tsm', patch.replace) as (state: { textMatrix: number[]; ctm: number[] }, tsm: number[]) => number[];

  it('gives the very doubles of pdf.js\'s two Util.transform products', () => {
    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    // Matrices as text extraction meets them: scales, rotations, zeros (signed), fractions and large offsets.
    const entry = () => [0, -0, 1, -1, 0.001, 1e6, (random() - 0.5) * 40, Math.fround((random() - 0.5) * 3000)][Math.floor(random() * 8)]!;
    const matrix = () => Array.from({ length: 6 }, entry);
    for (let n = 0; n < 2000; n++) {
      const state = { textMatrix: matrix(), ctm: matrix() };
      const fontSize = entry(), hScale = entry(), rise = entry();
      const tsm = [fontSize * hScale, 0, 0, fontSize, 0, rise];
      const expected = Util.transform(state.ctm, Util.transform(state.textMatrix, tsm));
      // Object.is: the same doubles, signed zeros included.
      inline(state, tsm).forEach((v, k) => expect(Object.is(v, expected[k]), `case ${n}, entry ${k}: ${v} for ${expected[k]}`).toBe(true));
    }
  });
});

describe('code cache of the patched worker code', () => {
  it('is used for the script and runtime it was made for, and for no other script', () => {
    const patched = patchedWorkerScript();
    if ('unpatched' in patched) throw new Error(patched.unpatched);
    expect(patched.script.startsWith('(function () {')).toBe(true);
    expect(patched.script).toContain('\nreturn { WorkerMessageHandler };\n');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fh-code-cache-'));
    try {
      const file = path.join(dir, 'cache');
      writeFileSync(file, codeCacheBytes(patched.script, compileScript(patched.script, patched.url, undefined).script));
      expect(compileScript(patched.script, patched.url, file).fromCache).toBe(true);
      // Same length, other text: V8 alone would take the cache (it checks the length); the key refuses it.
      const other = patched.script.replace('return { WorkerMessageHandler };', 'return { WorkerMessageHandlex };');
      expect(other.length).toBe(patched.script.length);
      expect(compileScript(other, patched.url, file).fromCache).toBe(false);
      expect(compileScript(patched.script, patched.url, path.join(dir, 'missing')).fromCache).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

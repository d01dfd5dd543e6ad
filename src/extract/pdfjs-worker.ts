/**
 * pdf.js's worker code (its core: parsing, fonts, text extraction), loaded with three changes that
 * make text extraction cheaper without changing what it returns: text states cloned without
 * prototype chains, font files built for rendering only when rendering reads them, and Flate streams
 * inflated by Node's zlib (pdf.js's JS decoder for what zlib refuses). In Node the
 * worker code runs in the same thread as the API, from the module handed over in `globalThis.pdfjsWorker`.
 *
 * The patches are plain text edits of the pinned pdfjs-dist build, listed below with the reason
 * for each. Every edit must match its text exactly once; if any does not (another pdfjs-dist
 * version), none is applied and the stock module is used: slower, never wrong. The patched source
 * runs from memory as a script (see asScript), with `import.meta.url` kept pointing at the original
 * file, which pdf.js's bundled WebAssembly loaders resolve paths against.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

const require = createRequire(import.meta.url);
const WORKER_FILE = require.resolve('pdfjs-dist/legacy/build/pdf.worker.mjs');

export interface SourcePatch {
  name: string;
  /** Why the edit is safe and what it saves (measured on the real disclosures). */
  why: string;
  find: string;
  replace: string;
}

export const WORKER_PATCHES: readonly SourcePatch[] = [
  {
    name: 'text-state-clone',
    why:
      'TextState.clone (run on every q save inside text) made each clone the prototype of the next, so V8 ' +
      'rebuilt a prototype map per save: 8% of text-extraction CPU. All of its fields are own properties ' +
      '(class fields, copied by Object.assign), so the class prototype gives the same object.',
    find: '    const clone = Object.assign(Object.create(this), this);\n    clone.textMatrix = this.textMatrix.slice();',
    replace: '    const clone = Object.assign(Object.create(TextState.prototype), this);\n    clone.textMatrix = this.textMatrix.slice();',
  },
  {
    name: 'text-transform-inline',
    why:
      'getCurrentTextTransform runs two to three times per glyph in text extraction and built three arrays ' +
      'each time (the text-space matrix and two Util.transform products): 3% of text-extraction CPU, plus ' +
      'their garbage. The two products are now computed term by term in the same order (so to the same ' +
      'doubles), the inner one into locals: one array fewer and no calls.',
    find: '      return Util.transform(textState.ctm, Util.transform(textState.textMatrix, tsm));\n',
    replace:
      '      const t = textState.textMatrix, c = textState.ctm;\n' +
      '      const i0 = t[0] * tsm[0] + t[2] * tsm[1], i1 = t[1] * tsm[0] + t[3] * tsm[1];\n' +
      '      const i2 = t[0] * tsm[2] + t[2] * tsm[3], i3 = t[1] * tsm[2] + t[3] * tsm[3];\n' +
      '      const i4 = t[0] * tsm[4] + t[2] * tsm[5] + t[4], i5 = t[1] * tsm[4] + t[3] * tsm[5] + t[5];\n' +
      '      return [c[0] * i0 + c[2] * i1, c[1] * i0 + c[3] * i1, c[0] * i2 + c[2] * i3, c[1] * i2 + c[3] * i3, c[0] * i4 + c[2] * i5 + c[4], c[1] * i4 + c[3] * i5 + c[5]];\n',
  },
  {
    name: 'lazy-cff-compile',
    why:
      'Every CFF font (Type1C, CIDFontType0C, OpenType with a CFF table: most CJK fonts in these PDFs) was ' +
      'recompiled into an OpenType file at load: about 10% of text-extraction CPU. Text extraction reads ' +
      'the parsed font (encoding, widths, glyph mapping), never the compiled bytes, which only rendering ' +
      'reads (font.data). The compile now runs at the first read of the data.',
    find:
      '    try {\n      this.data = compiler.compile();\n    } catch {\n      warn("Failed to compile font " + properties.loadedName);\n      this.data = file;\n    }\n    this._createBuiltInEncoding();',
    replace:
      '    let data;\n    Object.defineProperty(this, "data", {\n      configurable: true,\n      enumerable: true,\n      get() {\n        if (data === undefined) {\n          try {\n            data = compiler.compile();\n          } catch {\n            warn("Failed to compile font " + properties.loadedName);\n            data = file;\n          }\n        }\n        return data;\n      }\n    });\n    this._createBuiltInEncoding();',
  },
  {
    name: 'lazy-cff-font-file',
    why: 'The OpenType file around a CFF font (Font.convert) is assembled when rendering first reads it, so that the CFF compile above stays lazy; its other tables are still built at once.',
    find:
      '    builder.addTable("CFF ", font.data);\n    builder.addTable("OS/2", createOS2Table(properties, newCharCodeToGlyphId));',
    replace: '    builder.addTable("OS/2", createOS2Table(properties, newCharCodeToGlyphId));',
  },
  {
    name: 'lazy-cff-font-file-return',
    why: 'See lazy-cff-font-file: convert returns a function that builds the file.',
    find: '    builder.addTable("post", createPostTable(properties));\n    return builder.toArray();\n  }',
    replace: '    builder.addTable("post", createPostTable(properties));\n    return () => {\n      builder.addTable("CFF ", font.data);\n      return builder.toArray();\n    };\n  }',
  },
  {
    name: 'deferrable-cff-charstrings',
    why:
      "CFFParser.parse checks every glyph's charstring (parseCharStrings). Its results (the charstrings with broken ones " +
      'replaced, widths, accent compositions) stay inside the CFF object: the font matrix, bounding box, charset and ' +
      'encoding, which text extraction reads, come from the parts parsed before. A parser with deferCharStrings set ' +
      'leaves that step to cff.parseCharStrings(); the default is unchanged. See lazy-opentype-charstrings.',
    find: `    cff.charset = charset;
    cff.encoding = encoding;
    const charStringsAndSeacs = this.parseCharStrings({
      charStrings: charStringIndex,
      localSubrIndex: topDict.privateDict.subrsIndex,
      globalSubrIndex: globalSubrIndex.obj,
      fdSelect: cff.fdSelect,
      fdArray: cff.fdArray,
      privateDict: topDict.privateDict
    });
    cff.charStrings = charStringsAndSeacs.charStrings;
    cff.seacs = charStringsAndSeacs.seacs;
    cff.widths = charStringsAndSeacs.widths;
    return cff;
`,
    replace: `    cff.charset = charset;
    cff.encoding = encoding;
    const parseCharStrings = () => {
      const charStringsAndSeacs = this.parseCharStrings({
        charStrings: charStringIndex,
        localSubrIndex: topDict.privateDict.subrsIndex,
        globalSubrIndex: globalSubrIndex.obj,
        fdSelect: cff.fdSelect,
        fdArray: cff.fdArray,
        privateDict: topDict.privateDict
      });
      cff.charStrings = charStringsAndSeacs.charStrings;
      cff.seacs = charStringsAndSeacs.seacs;
      cff.widths = charStringsAndSeacs.widths;
    };
    if (this.deferCharStrings) {
      cff.parseCharStrings = parseCharStrings;
      return cff;
    }
    parseCharStrings();
    return cff;
`,
  },
  {
    name: 'lazy-opentype-charstrings',
    why:
      "An OpenType font with a CFF table had its charstrings checked at load, only for the recompiled CFF that rendering " +
      'reads: 0.2 s of one worker on the real disclosures. The check and the first-glyph copy now run, in the same ' +
      'order, when the font file is built (see lazy-opentype-cff-compile). The glyph count comes from the charstring ' +
      'index, as before; only a font whose charstrings make the check throw (none seen: it returns false on bad data) ' +
      "would keep that count where pdf.js fell back to maxp's.",
    find: `        const parser = new CFFParser(new Stream(tables["CFF "].data), properties, SEAC_ANALYSIS_ENABLED);
        const cff = parser.parse();
        cff.duplicateFirstGlyph();
`,
    replace: `        const parser = new CFFParser(new Stream(tables["CFF "].data), properties, SEAC_ANALYSIS_ENABLED);
        parser.deferCharStrings = true;
        const cff = parser.parse();
`,
  },
  {
    name: 'lazy-opentype-cff-compile',
    why:
      'An OpenType font with a CFF table (the CJK fonts of most Word and WPS exports) had its CFF recompiled ' +
      'at load: about 10% of text-extraction CPU on the real disclosures. The parse, which gives the glyph ' +
      'count, stays; the charstring check (see lazy-opentype-charstrings), the first-glyph copy and the compile run when the ' +
      'font file is built (see lazy-opentype-file).',
    find:
      '        const compiler = new CFFCompiler(cff);\n        tables["CFF "].data = compiler.compile();\n        numGlyphsFromCFF = cff.charStringCount;\n      } catch {',
    replace:
      '        const compiler = new CFFCompiler(cff);\n        numGlyphsFromCFF = cff.charStringCount;\n        compileCff = () => {\n          try {\n            cff.parseCharStrings();\n            cff.duplicateFirstGlyph();\n            tables["CFF "].data = compiler.compile();\n          } catch {\n            warn("Failed to compile font " + properties.loadedName);\n          }\n        };\n      } catch {',
  },
  {
    name: 'lazy-opentype-cff-declare',
    why: 'See lazy-opentype-cff-compile: the deferred compile, declared beside the glyph count.',
    find: '    let numGlyphsFromCFF;\n    if (!isTrueType) {',
    replace: '    let numGlyphsFromCFF,\n      compileCff = null;\n    if (!isTrueType) {',
  },
  {
    name: 'lazy-opentype-file',
    why: 'The repaired TrueType/OpenType file (Font.checkAndRepair) is assembled when rendering first reads it; the tables, glyph mapping and metrics that text extraction reads are still computed at once.',
    find:
      '    const builder = new OpenTypeFileBuilder(header.version);\n    for (const tableTag in tables) {\n      builder.addTable(tableTag, tables[tableTag].data);\n    }\n    return builder.toArray();\n  }',
    replace:
      '    return () => {\n      compileCff?.();\n      const builder = new OpenTypeFileBuilder(header.version);\n      for (const tableTag in tables) {\n        builder.addTable(tableTag, tables[tableTag].data);\n      }\n      return builder.toArray();\n    };\n  }',
  },
  {
    name: 'lazy-font-data',
    why: 'See lazy-cff-font-file and lazy-opentype-file: a Font whose file is a function builds it at the first read of font.data (export to the display side, glyph paths).',
    find: '    amendFallbackToUnicode(properties);\n    this.data = data;',
    replace:
      '    amendFallbackToUnicode(properties);\n    if (typeof data === "function") {\n      const build = data;\n      let built;\n      Object.defineProperty(this, "data", {\n        configurable: true,\n        enumerable: true,\n        get: () => built ??= build(),\n        set: value => {\n          built = value;\n        }\n      });\n    } else {\n      this.data = data;\n    }',
  },
  {
    name: 'glyph-locations-typed',
    why:
      "TrueType fonts' glyph locations (Font.checkAndRepair's sanitizeGlyphLocations) were sorted twice as one " +
      'object per glyph, each slot went through sanitizeGlyph, and the empty glyphs were kept as keys of a dictionary. ' +
      'Subset CJK fonts keep every one of their 20,000-30,000 glyph slots, nearly all empty: 0.3-0.4 s of the ' +
      '3.4 s that extracting the real disclosures takes. The same locations now sit in typed arrays, sorted ' +
      '(stably, as before) only when out of order; slots too short to hold a glyph skip sanitizeGlyph, which ' +
      'returns at once for them; the empty glyphs are flags in a byte array, read the same way ' +
      '(missingGlyphs[id], undefined past the end). ' +
      "The repaired tables are byte for byte the same (see this patch's test).",
    find: `      const locaEntries = [];
      for (i = 0, j = 0; i < numGlyphs + 1; i++, j += itemSize) {
        let offset = itemDecode(locaData, j);
        if (offset > oldGlyfDataLength) {
          offset = oldGlyfDataLength;
        }
        locaEntries.push({
          index: i,
          offset,
          endOffset: 0
        });
      }
      locaEntries.sort((a, b) => a.offset - b.offset);
      for (i = 0; i < numGlyphs; i++) {
        locaEntries[i].endOffset = locaEntries[i + 1].offset;
      }
      locaEntries.sort((a, b) => a.index - b.index);
      for (i = 0; i < numGlyphs; i++) {
        const {
          offset,
          endOffset
        } = locaEntries[i];
        if (offset !== 0 || endOffset !== 0) {
          break;
        }
        const nextOffset = locaEntries[i + 1].offset;
        if (nextOffset === 0) {
          continue;
        }
        locaEntries[i].endOffset = nextOffset;
        break;
      }
      const last = locaEntries.at(-2);
      if (last.offset !== 0 && last.endOffset === 0) {
        last.endOffset = oldGlyfDataLength;
      }
      const missingGlyphs = Object.create(null);
      let writeOffset = 0;
      itemEncode(locaData, 0, writeOffset);
      for (i = 0, j = itemSize; i < numGlyphs; i++, j += itemSize) {
        const glyphProfile = sanitizeGlyph(oldGlyfData, locaEntries[i].offset, locaEntries[i].endOffset, newGlyfData, writeOffset, hintsValid);
        const newLength = glyphProfile.length;
        if (newLength === 0) {
          missingGlyphs[i] = true;
        }
        if (glyphProfile.sizeOfInstructions > maxSizeOfInstructions) {
          maxSizeOfInstructions = glyphProfile.sizeOfInstructions;
        }
        writeOffset += newLength;
        itemEncode(locaData, j, writeOffset);
      }
`,
    replace: `      const numEntries = numGlyphs + 1;
      const entryOffsets = new Int32Array(numEntries);
      const entryEnds = new Int32Array(numEntries);
      let inOrder = true;
      for (i = 0, j = 0; i < numEntries; i++, j += itemSize) {
        let offset = itemDecode(locaData, j);
        if (offset > oldGlyfDataLength) {
          offset = oldGlyfDataLength;
        }
        entryOffsets[i] = offset;
        if (i > 0 && offset < entryOffsets[i - 1]) {
          inOrder = false;
        }
      }
      if (inOrder) {
        for (i = 0; i < numGlyphs; i++) {
          entryEnds[i] = entryOffsets[i + 1];
        }
      } else {
        const byOffset = Array.from({
          length: numEntries
        }, (_, k) => k).sort((a, b) => entryOffsets[a] - entryOffsets[b]);
        for (i = 0; i < numGlyphs; i++) {
          entryEnds[byOffset[i]] = entryOffsets[byOffset[i + 1]];
        }
      }
      for (i = 0; i < numGlyphs; i++) {
        if (entryOffsets[i] !== 0 || entryEnds[i] !== 0) {
          break;
        }
        const nextOffset = entryOffsets[i + 1];
        if (nextOffset === 0) {
          continue;
        }
        entryEnds[i] = nextOffset;
        break;
      }
      if (numGlyphs < 1) {
        throw new TypeError("Cannot read properties of undefined (reading 'offset')");
      }
      if (entryOffsets[numGlyphs - 1] !== 0 && entryEnds[numGlyphs - 1] === 0) {
        entryEnds[numGlyphs - 1] = oldGlyfDataLength;
      }
      const missingGlyphs = new Uint8Array(numGlyphs);
      let writeOffset = 0;
      itemEncode(locaData, 0, writeOffset);
      for (i = 0, j = itemSize; i < numGlyphs; i++, j += itemSize) {
        const start = entryOffsets[i],
          end = entryEnds[i];
        if (start < 0 || start >= oldGlyfDataLength || end > oldGlyfDataLength || end - start <= 12) {
          missingGlyphs[i] = 1;
          itemEncode(locaData, j, writeOffset);
          continue;
        }
        const glyphProfile = sanitizeGlyph(oldGlyfData, start, end, newGlyfData, writeOffset, hintsValid);
        const newLength = glyphProfile.length;
        if (newLength === 0) {
          missingGlyphs[i] = 1;
        }
        if (glyphProfile.sizeOfInstructions > maxSizeOfInstructions) {
          maxSizeOfInstructions = glyphProfile.sizeOfInstructions;
        }
        writeOffset += newLength;
        itemEncode(locaData, j, writeOffset);
      }
`,
  },
  {
    name: 'native-inflate-import',
    why:
      "See native-inflate: Node's zlib, taken at the module's top level (beside the Stream class). Not an import " +
      'statement, so that the module also compiles as a script (see asScript).',
    find: '\nclass Stream extends BaseStream {\n',
    replace: '\nconst { inflateRawSync: nativeInflateRaw } = process.getBuiltinModule("node:zlib");\nclass Stream extends BaseStream {\n',
  },
  {
    name: 'native-inflate',
    why:
      "Flate streams (content streams, fonts, xref and object streams) were inflated by pdf.js's JS decoder, " +
      "block by block: 6% of text-extraction CPU on the real disclosures. A stream read straight from the file's bytes " +
      "(a plain Stream: not a range-loaded one, whose bytes may not all be there yet) " +
      "is now inflated whole by Node's zlib, which decodes valid deflate data to the same bytes. Whatever zlib " +
      "refuses (truncated, damaged, or only leniently valid data) goes to the JS decoder from its first byte, as before.",
    find: '  readBlock() {\n    let buffer, hdr, len;\n    const str = this.stream;\n',
    replace:
      '  readBlock() {\n' +
      '    if (this.bufferLength === 0 && this.codeSize === 0 && !this.nativeInflateFailed && this.stream?.constructor === Stream) {\n' +
      '      const input = this.stream;\n' +
      '      let inflated = null;\n' +
      '      try {\n' +
      '        inflated = nativeInflateRaw(input.bytes.subarray(input.pos, input.end));\n' +
      '      } catch {\n' +
      '        this.nativeInflateFailed = true;\n' +
      '      }\n' +
      '      if (inflated) {\n' +
      '        input.pos = input.end;\n' +
      "        // A copy: zlib's result may sit in Node's shared buffer pool, which a transfer would detach.\n" +
      '        this.buffer = new Uint8Array(inflated);\n' +
      '        this.bufferLength = inflated.length;\n' +
      '        this.eof = true;\n' +
      '        return;\n' +
      '      }\n' +
      '    }\n' +
      '    let buffer, hdr, len;\n    const str = this.stream;\n',
  },
];

export interface PatchedSource {
  source: string;
  /** The patches applied: all of them, or none (with the reason in `unpatched`). */
  applied: string[];
  unpatched?: string;
}

/** Applies every patch, or none when one of them does not match exactly once. */
export function patchSource(source: string, patches: readonly SourcePatch[], moduleUrl: string): PatchedSource {
  const found: { at: number; patch: SourcePatch }[] = [];
  for (const patch of patches) {
    const at = source.indexOf(patch.find);
    const again = at < 0 ? -1 : source.indexOf(patch.find, at + 1);
    if (at < 0 || again >= 0) return { source, applied: [], unpatched: `patch ${patch.name}: its text occurs ${at < 0 ? 'nowhere' : 'more than once'} in this pdfjs-dist build` };
    found.push({ at, patch });
  }
  // One pass over the 2 MB source: a String.replace per patch copied it each time (40 ms).
  found.sort((a, b) => a.at - b.at);
  const parts: string[] = [];
  let from = 0;
  for (const { at, patch } of found) {
    if (at < from) return { source, applied: [], unpatched: `patch ${patch.name}: its text overlaps another patch's` };
    parts.push(source.slice(from, at), patch.replace);
    from = at + patch.find.length;
  }
  parts.push(source.slice(from));
  // The module's own URL, for the WebAssembly loaders that resolve files against it.
  const out = parts.join('').replaceAll('import.meta.url', JSON.stringify(moduleUrl));
  return { source: out, applied: patches.map((p) => p.name) };
}

export interface LoadedWorker {
  module: unknown;
  applied: string[];
  unpatched?: string;
  /** How the patched code was compiled: from the code cache built with the project, or from source. */
  compiled?: 'code-cache' | 'source';
}

/** Set to `off`, runs pdf.js's worker code as published: the way to rule the patches out when a document reads oddly. */
export const PATCHES_ENV = 'FISCAL_HARVEST_PDFJS_PATCHES';

/** V8's compiled code for the patched worker code, written by the build (scripts/pdfjs-code-cache.mjs) beside this module. */
export const CODE_CACHE_FILE = fileURLToPath(new URL('./pdf.worker.v8-cache', import.meta.url));

const EXPORT_LINE = '\nexport { WorkerMessageHandler };\n';

/**
 * The patched module as a classic script: a function returning the module's one export. V8 keeps
 * compiled code of scripts (vm.Script's cachedData), which spares each document worker most of the
 * module's compile (~0.1 s of its start). Undefined when the module's shape is not the expected one.
 */
export function asScript(moduleSource: string): string | undefined {
  const at = moduleSource.indexOf(EXPORT_LINE);
  if (at < 0 || moduleSource.indexOf(EXPORT_LINE, at + 1) >= 0) return undefined;
  return `(function () {\n'use strict';\n${moduleSource.slice(0, at)}\nreturn { WorkerMessageHandler };\n${moduleSource.slice(at + EXPORT_LINE.length)}\n})`;
}

/**
 * The cache's key: the script and the runtime it was compiled by. V8 itself checks its version and
 * flags but, of the source, only its length.
 */
function cacheKey(script: string): Buffer {
  return createHash('sha256').update(`${process.version} ${process.arch}\n`).update(script).digest();
}

/** Compiles the script, with the cached code when it was made for this very script and runtime. */
export function compileScript(script: string, url: string, cacheFile: string | undefined): { script: vm.Script; fromCache: boolean } {
  const key = cacheKey(script);
  let cachedData: Buffer | undefined;
  try {
    const file = cacheFile ? readFileSync(cacheFile) : undefined;
    if (file && file.subarray(0, key.length).equals(key)) cachedData = file.subarray(key.length);
  } catch {
    // No cache (tests run from sources; a build without it): compiled from source.
  }
  const compiled = new vm.Script(script, {
    filename: `${url}#patched-by-fiscal-harvest`,
    ...(cachedData ? { cachedData } : {}),
    // pdf.js's one dynamic import (a JPEG 2000 fallback) resolves as it would from the module.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  return { script: compiled, fromCache: !!cachedData && !compiled.cachedDataRejected };
}

/** The cache file's bytes for a compiled (and run) script: its key, then V8's data. */
export function codeCacheBytes(script: string, compiled: vm.Script): Buffer {
  return Buffer.concat([cacheKey(script), compiled.createCachedData()]);
}

/** The patched worker code's script form and its module URL; undefined when unpatched or not convertible. */
export function patchedWorkerScript(patches: readonly SourcePatch[] = WORKER_PATCHES): { script: string; url: string; applied: string[] } | { unpatched: string } {
  const url = pathToFileURL(WORKER_FILE).href;
  if (process.env[PATCHES_ENV] === 'off') return { unpatched: `${PATCHES_ENV}=off` };
  const patched = patchSource(readFileSync(WORKER_FILE, 'utf8'), patches, url);
  if (!patched.applied.length) return { unpatched: patched.unpatched ?? 'no patch applied' };
  const script = asScript(patched.source);
  if (!script) return { unpatched: 'the worker module does not end in its one export' };
  return { script, url, applied: patched.applied };
}

/**
 * pdf.js's worker module, patched when the installed build is the one the patches were written for,
 * and run as a script compiled from the build's code cache when there is one for this runtime.
 * Nothing is written at run time.
 */
export async function loadPdfjsWorker(patches: readonly SourcePatch[] = WORKER_PATCHES, cacheFile: string | undefined = CODE_CACHE_FILE): Promise<LoadedWorker> {
  const patched = patchedWorkerScript(patches);
  if ('unpatched' in patched) return { module: await import(pathToFileURL(WORKER_FILE).href), applied: [], unpatched: patched.unpatched };
  const { script, fromCache } = compileScript(patched.script, patched.url, cacheFile);
  const run = script.runInThisContext() as () => unknown;
  return { module: run(), applied: patched.applied, compiled: fromCache ? 'code-cache' : 'source' };
}

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
 * is imported from memory, with `import.meta.url` kept pointing at the original file, which pdf.js's
 * bundled WebAssembly loaders resolve paths against.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

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
    name: 'lazy-opentype-cff-compile',
    why:
      'An OpenType font with a CFF table (the CJK fonts of most Word and WPS exports) had its CFF recompiled ' +
      'at load: about 10% of text-extraction CPU on the real disclosures. The parse, which gives the glyph ' +
      'count, stays; the compile runs when the font file is built (see lazy-opentype-file).',
    find:
      '        const compiler = new CFFCompiler(cff);\n        tables["CFF "].data = compiler.compile();\n        numGlyphsFromCFF = cff.charStringCount;\n      } catch {',
    replace:
      '        const compiler = new CFFCompiler(cff);\n        numGlyphsFromCFF = cff.charStringCount;\n        compileCff = () => {\n          try {\n            tables["CFF "].data = compiler.compile();\n          } catch {\n            warn("Failed to compile font " + properties.loadedName);\n          }\n        };\n      } catch {',
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
    name: 'native-inflate-import',
    why: "See native-inflate: Node's zlib, imported at the module's top level (beside the Stream class).",
    find: '\nclass Stream extends BaseStream {\n',
    replace: '\nimport { inflateRawSync as nativeInflateRaw } from "node:zlib";\nclass Stream extends BaseStream {\n',
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
}

/** Set to `off`, runs pdf.js's worker code as published: the way to rule the patches out when a document reads oddly. */
export const PATCHES_ENV = 'FISCAL_HARVEST_PDFJS_PATCHES';

/**
 * pdf.js's worker module, patched when the installed build is the one the patches were written for.
 * The patched source is imported from a data: URL (nothing is written to disk); its sourceURL names
 * the original file, marked as patched, in stack traces and profiles.
 */
export async function loadPdfjsWorker(patches: readonly SourcePatch[] = WORKER_PATCHES): Promise<LoadedWorker> {
  const url = pathToFileURL(WORKER_FILE).href;
  if (process.env[PATCHES_ENV] === 'off') return { module: await import(url), applied: [], unpatched: `${PATCHES_ENV}=off` };
  const patched = patchSource(readFileSync(WORKER_FILE, 'utf8'), patches, url);
  if (!patched.applied.length) return { module: await import(url), applied: [], ...(patched.unpatched ? { unpatched: patched.unpatched } : {}) };
  const source = `${patched.source}\n//# sourceURL=${url}#patched-by-fiscal-harvest\n`;
  return { module: await import(`data:text/javascript;base64,${Buffer.from(source, 'utf8').toString('base64')}`), applied: patched.applied };
}

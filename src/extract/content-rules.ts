/**
 * Ruling segments read straight from the pages' content streams: only the path and graphics-state
 * operators are interpreted (q Q cm, m l c v y h re, the painting operators, Do of form XObjects).
 *
 * pdf.js gives the same paths through its operator list, but builds that list for everything on
 * the page, the text included (fonts loaded, every glyph made an object and copied between its
 * threads): that cost as much as the text extraction itself. The objects are parsed with pdf-lib;
 * the geometry is the one pdf.js's list goes through (rules-geometry.ts).
 *
 * Anything this reader does not handle (an encrypted file: the streams are ciphertext to it, an
 * unknown filter, a broken object) makes it give up, and the page's rules are read from pdf.js.
 *
 * It also tells a page that is one JPEG image and nothing else (a scan) and gives that image, so that
 * the page can be rendered for OCR by a native decoder (see page-image.ts).
 */
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import type * as PdfLib from 'pdf-lib';
import type { Segment } from '../model/page.js';
import { DRAW, multiply, pathToSegments, type Matrix } from './rules-geometry.js';

// pdf-lib's single-file build: its package entry is a tree of ~200 CommonJS files, which took
// 150-250 ms to load in every document worker; the bundle is the same code and loads in ~50 ms.
const { decodePDFRawStream, ParseSpeeds, PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFObjectParser, PDFRawStream, PDFRef, PDFStreamParsingError } = createRequire(import.meta.url)('pdf-lib/dist/pdf-lib.min.js') as typeof PdfLib;
type PDFDict = PdfLib.PDFDict;
type PDFDocument = PdfLib.PDFDocument;
type PDFNumber = PdfLib.PDFNumber;
type PDFObject = PdfLib.PDFObject;
type PDFRawStream = PdfLib.PDFRawStream;

/**
 * pdf-lib finds where a stream ends, when its /Length is an indirect object (Word's and WPS's PDFs) or
 * wrong, by trying its keywords at every byte in JS: about 40% of pdf-lib's time on those files, fonts
 * included. The same rule with a native search: every `stream` counts one more level, every `endstream`
 * one less; the end is the byte before `endstream`, or before the end of line just ahead of it.
 */
const STREAM = Buffer.from('stream', 'latin1');
const CR = 0x0d, LF = 0x0a;
function findEndOfStream(this: { bytes: { bytes: Uint8Array; offset(): number; moveTo(offset: number): void } }, startPos: ConstructorParameters<typeof PdfLib.PDFStreamParsingError>[0]): number {
  const data = this.bytes.bytes;
  const haystack = Buffer.from(data.buffer, data.byteOffset, data.length);
  const from = this.bytes.offset();
  let at = from;
  let nesting = 1;
  for (;;) {
    const k = haystack.indexOf(STREAM, at);
    if (k < 0) throw new PDFStreamParsingError(startPos);
    at = k + STREAM.length;
    const e = k - 3; // where `end` starts, if this is `endstream`
    if (!(e >= from && data[e] === 0x65 && data[e + 1] === 0x6e && data[e + 2] === 0x64)) { nesting++; continue; }
    if (--nesting > 0) continue;
    this.bytes.moveTo(at);
    if (e - 2 >= from && data[e - 2] === CR && data[e - 1] === LF) return e - 2;
    if (e - 1 >= from && (data[e - 1] === CR || data[e - 1] === LF)) return e - 1;
    return e;
  }
}
(PDFObjectParser.prototype as unknown as { findEndOfStreamFallback: typeof findEndOfStream }).findEndOfStreamFallback = findEndOfStream;

export interface ContentRules {
  pageCount: number;
  /** The rules of page `index` (0-based) in the frame `viewportTransform` maps user space to. Throws on what it cannot read. */
  segments(index: number, viewportTransform: readonly number[]): Segment[];
  /** The JPEG image that is all page `index` (0-based) draws; null when the page draws anything else or more, or another kind of image. */
  soleJpeg(index: number): SoleJpeg | null;
}

/** A page's only drawing: one baseline 8-bit grey or RGB JPEG, as pdf.js would draw it. */
export interface SoleJpeg {
  /** The JPEG file (the stream's bytes, which DCTDecode decodes). */
  data: Uint8Array;
  /** Pixels, as the image dictionary gives them. */
  width: number;
  height: number;
  /** The transform in force at Do: the image's unit square to user space. */
  matrix: Matrix;
  interpolate: boolean;
}

/** Null when the file cannot be read this way (encrypted, or not parsed by pdf-lib). */
export async function openContentRules(bytes: Uint8Array): Promise<ContentRules | null> {
  let doc: PDFDocument;
  try {
    // Fastest: no pause every 100 objects (pdf-lib yields to the event loop for browsers' sake).
    doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: true, parseSpeed: ParseSpeeds.Fastest });
  } catch {
    return null;
  }
  if (doc.isEncrypted) return null;
  const pages = doc.getPages();
  const decoded = new Map<PDFRawStream, Uint8Array>();
  const lookup = (obj: PDFObject | undefined): PDFObject | undefined => (obj instanceof PDFRef ? doc.context.lookup(obj) : obj);
  const bytesOf = (stream: PDFRawStream): Uint8Array => {
    let data = decoded.get(stream);
    if (!data) {
      data = decodeStream(stream);
      decoded.set(stream, data);
    }
    return data;
  };
  /** Page `index`'s content, its parts joined; `whole` is false when an entry of /Contents is not a stream (and was left out). */
  const pageContent = (index: number): { content: Uint8Array; whole: boolean } => {
    const contents = lookup(pages[index]!.node.get(PDFName.of('Contents')));
    const streams = contents instanceof PDFArray ? contents.asArray().map(lookup) : [contents];
    const parts = streams.filter((s): s is PDFRawStream => s instanceof PDFRawStream).map(bytesOf);
    // The parts of a page's content are one stream cut anywhere (between two tokens): joined by a space.
    return { content: parts.length === 1 ? parts[0]! : joinParts(parts), whole: parts.length === streams.length };
  };
  return {
    pageCount: pages.length,
    segments(index, viewportTransform) {
      const node = pages[index]!.node;
      const { content } = pageContent(index);
      const out: Segment[] = [];
      const resources = node.Resources();
      interpret(content, viewportTransform.slice(0, 6) as Matrix, resources, out, {
        form(name, res) {
          const xobjects = lookup(res?.get(PDFName.of('XObject')));
          const xobject = xobjects instanceof PDFDict ? lookup(xobjects.get(PDFName.of(name))) : undefined;
          if (!(xobject instanceof PDFRawStream) || xobject.dict.get(PDFName.of('Subtype')) !== PDFName.of('Form')) return null;
          const m = lookup(xobject.dict.get(PDFName.of('Matrix')));
          const matrix = m instanceof PDFArray && m.size() === 6 ? (m.asArray().map((v) => (lookup(v) as PDFNumber).asNumber()) as Matrix) : null;
          const own = lookup(xobject.dict.get(PDFName.of('Resources')));
          return { id: xobject, content: bytesOf(xobject), matrix, resources: own instanceof PDFDict ? own : res };
        },
      }, [], 0);
      return out;
    },
    soleJpeg(index) {
      const { content, whole } = pageContent(index);
      const draw = whole ? soleDraw(content) : null;
      if (!draw) return null;
      const xobjects = lookup(pages[index]!.node.Resources()?.get(PDFName.of('XObject')));
      const image = xobjects instanceof PDFDict ? lookup(xobjects.get(PDFName.of(draw.name))) : undefined;
      return image instanceof PDFRawStream ? jpegOf(image.dict, image.contents, lookup, draw.matrix) : null;
    },
  };
}

const name = (s: string) => PDFName.of(s);

/** The image if pdf.js would draw it straight from its JPEG data: no mask, no decode array, no colour transform, grey or RGB. */
function jpegOf(dict: PDFDict, data: Uint8Array, lookup: (o: PDFObject | undefined) => PDFObject | undefined, matrix: Matrix): SoleJpeg | null {
  const get = (key: string) => lookup(dict.get(name(key)));
  if (get('Subtype') !== name('Image')) return null;
  const filter = get('Filter');
  const dct = name('DCTDecode');
  if (!(filter === dct || (filter instanceof PDFArray && filter.size() === 1 && lookup(filter.get(0)) === dct))) return null;
  if (get('DecodeParms') !== undefined || get('Decode') !== undefined || get('SMask') !== undefined || get('Mask') !== undefined) return null;
  if (get('ImageMask') !== undefined && String(get('ImageMask')) !== 'false') return null;
  const space = get('ColorSpace');
  if (space !== name('DeviceGray') && space !== name('DeviceRGB')) return null;
  const bpc = get('BitsPerComponent'), width = get('Width'), height = get('Height');
  if (!(bpc instanceof PDFNumber) || bpc.asNumber() !== 8) return null;
  if (!(width instanceof PDFNumber) || !(height instanceof PDFNumber)) return null;
  const w = width.asNumber(), h = height.asNumber();
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1) return null;
  return { data, width: w, height: h, matrix, interpolate: String(get('Interpolate')) === 'true' };
}

/**
 * The one XObject a content stream draws and the transform it is drawn with, when the stream does
 * nothing else: only q, Q, cm and a single Do (comments and white space aside). Null otherwise.
 */
function soleDraw(data: Uint8Array): { name: string; matrix: Matrix } | null {
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  const stack: Matrix[] = [];
  const numbers: number[] = [];
  let operandName: string | undefined;
  let draw: { name: string; matrix: Matrix } | null = null;
  const n = data.length;
  for (let i = 0; i < n;) {
    const c = data[i]!;
    if (WHITE[c]) { i++; continue; }
    if (c === 0x25) { while (i < n && data[i] !== 0x0a && data[i] !== 0x0d) i++; continue; }
    let j = i + (c === 0x2f ? 1 : 0);
    while (j < n && !TOKEN_END[data[j]!]) j++;
    if (c === 0x2f) {
      if (operandName !== undefined || numbers.length) return null;
      operandName = decodeName(data, i + 1, j);
    } else if (DELIM[c]) {
      return null; // a string, an array, a dictionary: an operator this reader does not take
    } else if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e) {
      const v = parseNumber(data, i, j);
      if (!Number.isFinite(v) || operandName !== undefined) return null;
      numbers.push(v);
    } else {
      const op = j - i <= 3 ? opCode(data, i, j) : -1;
      if (op === OP.q && !numbers.length && operandName === undefined) stack.push(ctm);
      else if (op === OP.Q && !numbers.length && operandName === undefined && stack.length) ctm = stack.pop()!;
      else if (op === OP.cm && numbers.length === 6 && operandName === undefined) ctm = multiply(ctm, numbers as Matrix);
      else if (op === OP.Do && !numbers.length && operandName !== undefined && !draw) draw = { name: operandName, matrix: ctm };
      else return null;
      numbers.length = 0;
      operandName = undefined;
    }
    i = j;
  }
  return numbers.length || operandName !== undefined ? null : draw;
}

function decodeStream(stream: PDFRawStream): Uint8Array {
  const filter = stream.dict.get(PDFName.of('Filter'));
  const params = stream.dict.get(PDFName.of('DecodeParms'));
  if (filter === undefined) return stream.contents;
  // One Flate filter, alone or as a one-element array (as some producers write it), without parameters.
  const flate = PDFName.of('FlateDecode');
  const onlyFlate = filter === flate || (filter instanceof PDFArray && filter.size() === 1 && filter.get(0) === flate);
  if (onlyFlate && params === undefined) {
    try {
      return zlib.inflateSync(stream.contents);
    } catch {
      // A damaged stream: pdf-lib's inflater below, else the caller falls back to pdf.js.
    }
  }
  return decodePDFRawStream(stream).decode();
}

function joinParts(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    out[at + p.length] = 0x20;
    at += p.length + 1;
  }
  return out;
}

interface Form { id: object; content: Uint8Array; matrix: Matrix | null; resources: PDFDict | undefined }
interface Host { form(name: string, resources: PDFDict | undefined): Form | null }

const MAX_FORM_DEPTH = 12;

// Byte classes of the content-stream syntax.
const WHITE = new Uint8Array(256);
for (const c of [0, 9, 10, 12, 13, 32]) WHITE[c] = 1;
const DELIM = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;
/** White space or a delimiter: where a regular token (a number, an operator, a name's text) ends. */
const TOKEN_END = WHITE.map((w, c) => w | DELIM[c]!);

/**
 * The operand stack keeps the last OPERAND_SLOTS operands in a ring (no operator reads more than six),
 * in typed arrays: a plain array of numbers and markers boxed every number, and its reset was a slow builtin.
 * A number is kept as where its token lies and parsed only when an operator reads it: most operands
 * (of text, colour and line-style operators) are never read here.
 */
const OPERAND_SLOTS = 8;
const SLOT = OPERAND_SLOTS - 1;
const NUMBER = 1;
/** A name: only Do reads one, so its text is made then, from where the last name was. */
const NAME = 2;
/** An operand this reader does not keep (a string, an array, a dictionary). */
const OTHER = 3;

/** Interprets one content stream (a page's or a form's), appending the rules of what it paints. */
function interpret(data: Uint8Array, ctmIn: Matrix, resources: PDFDict | undefined, out: Segment[], host: Host, active: object[], depth: number): void {
  let ctm = ctmIn;
  const stack: Matrix[] = [];
  const operandKinds = new Uint8Array(OPERAND_SLOTS);
  const operandFrom = new Int32Array(OPERAND_SLOTS);
  const operandTo = new Int32Array(OPERAND_SLOTS);
  let operandCount = 0;
  const push = (kind: number, from: number, to: number) => {
    operandKinds[operandCount & SLOT] = kind;
    operandFrom[operandCount & SLOT] = from;
    operandTo[operandCount & SLOT] = to;
    operandCount++;
  };
  let path: number[] = [];
  let cx = 0, cy = 0;
  let nesting = 0; // inside [ ] or << >>: operands there belong to the array or dict
  const n = data.length;
  let i = 0;
  const num = (k: number): number => {
    const slot = (operandCount - k) & SLOT;
    if (operandCount < k || operandKinds[slot] !== NUMBER) throw new Error('content stream: operand is not a number');
    // pdf.js keeps path coordinates as 32-bit floats: the same rounding gives the same rules.
    const v = Math.fround(parseNumber(data, operandFrom[slot]!, operandTo[slot]!));
    if (!Number.isFinite(v)) throw new Error('content stream: operand is not a number');
    return v;
  };
  const paint = (stroked: boolean, filled: boolean) => {
    if ((stroked || filled) && path.length) pathToSegments(path, ctm, stroked, out);
    path = [];
  };
  while (i < n) {
    const c = data[i]!;
    if (WHITE[c]) { i++; continue; }
    if (c === 0x25) { while (i < n && data[i] !== 0x0a && data[i] !== 0x0d) i++; continue; } // % comment
    if (c === 0x28) { i = skipString(data, i); if (!nesting) push(OTHER, 0, 0); continue; }
    if (c === 0x3c) {
      if (data[i + 1] === 0x3c) { nesting++; i += 2; continue; }
      while (i < n && data[i] !== 0x3e) i++;
      i++;
      if (!nesting) push(OTHER, 0, 0);
      continue;
    }
    if (c === 0x3e) { if (data[i + 1] === 0x3e) { nesting = Math.max(0, nesting - 1); i += 2; if (!nesting) push(OTHER, 0, 0); continue; } i++; continue; }
    if (c === 0x5b) { nesting++; i++; continue; }
    if (c === 0x5d) { nesting = Math.max(0, nesting - 1); i++; if (!nesting) push(OTHER, 0, 0); continue; }
    if (c === 0x7b || c === 0x7d) { i++; continue; }
    if (c === 0x2f) { // /Name
      let j = i + 1;
      while (j < n && !TOKEN_END[data[j]!]) j++;
      if (!nesting) push(NAME, i + 1, j);
      i = j;
      continue;
    }
    // A regular token: a number or an operator.
    let j = i;
    while (j < n && !TOKEN_END[data[j]!]) j++;
    const first = data[i]!;
    if ((first >= 0x30 && first <= 0x39) || first === 0x2d || first === 0x2b || first === 0x2e) {
      if (!nesting) push(NUMBER, i, j);
      i = j;
      continue;
    }
    // Operators are one to three bytes: compared as a number, no string made.
    const op = j - i <= 3 ? opCode(data, i, j) : -1;
    i = j;
    if (nesting) continue;
    switch (op) {
      case OP.q: stack.push(ctm); break;
      case OP.Q: ctm = stack.pop() ?? ctm; break;
      case OP.cm: ctm = multiply(ctm, [num(6), num(5), num(4), num(3), num(2), num(1)]); break;
      case OP.m: cx = num(2); cy = num(1); path.push(DRAW.moveTo, cx, cy); break;
      case OP.l: cx = num(2); cy = num(1); path.push(DRAW.lineTo, cx, cy); break;
      // num() parses its operand: each is read once, the end point kept as the current point.
      case OP.c: { const x1 = num(6), y1 = num(5), x2 = num(4), y2 = num(3); cx = num(2); cy = num(1); path.push(DRAW.curveTo, x1, y1, x2, y2, cx, cy); break; }
      case OP.v: { const x0 = cx, y0 = cy, x2 = num(4), y2 = num(3); cx = num(2); cy = num(1); path.push(DRAW.curveTo, x0, y0, x2, y2, cx, cy); break; }
      case OP.y: { const x1 = num(4), y1 = num(3); cx = num(2); cy = num(1); path.push(DRAW.curveTo, x1, y1, cx, cy, cx, cy); break; }
      case OP.h: path.push(DRAW.closePath); break;
      case OP.re: {
        const x = num(4), y = num(3), w = num(2), h = num(1);
        cx = x; cy = y;
        if (w === 0 || h === 0) path.push(DRAW.moveTo, x, y, DRAW.lineTo, x + w, y + h, DRAW.closePath);
        else path.push(DRAW.moveTo, x, y, DRAW.lineTo, x + w, y, DRAW.lineTo, x + w, y + h, DRAW.lineTo, x, y + h, DRAW.closePath);
        break;
      }
      // Which painting counts as stroked or filled: as the operator-list reader has it.
      case OP.S: case OP.s: case OP.B: case OP.b: paint(true, false); break;
      case OP.f: case OP.F: case OP.fStar: case OP.BStar: paint(false, true); break;
      case OP.bStar: case OP.n: paint(false, false); break;
      case OP.Do: {
        const slot = (operandCount - 1) & SLOT;
        if (operandCount === 0 || operandKinds[slot] !== NAME || depth >= MAX_FORM_DEPTH) break;
        const form = host.form(decodeName(data, operandFrom[slot]!, operandTo[slot]!), resources);
        if (!form || active.includes(form.id)) break;
        const inner = form.matrix ? multiply(ctm, form.matrix) : ctm;
        interpret(form.content, inner, form.resources, out, host, [...active, form.id], depth + 1);
        break;
      }
      case OP.BI: i = skipInlineImage(data, i); break;
      default: break;
    }
    operandCount = 0;
  }
}

const latin1 = (data: Uint8Array, from: number, to: number): string => String.fromCharCode(...data.subarray(from, to));

const code = (op: string): number => [...op].reduce((n, ch, k) => n | (ch.charCodeAt(0) << (8 * k)), 0);
const opCode = (data: Uint8Array, from: number, to: number): number => {
  let n = 0;
  for (let k = from; k < to; k++) n |= data[k]! << (8 * (k - from));
  return n;
};
const OP = {
  q: code('q'), Q: code('Q'), cm: code('cm'), m: code('m'), l: code('l'), c: code('c'), v: code('v'), y: code('y'), h: code('h'), re: code('re'),
  S: code('S'), s: code('s'), B: code('B'), b: code('b'), f: code('f'), F: code('F'), fStar: code('f*'), BStar: code('B*'), bStar: code('b*'), n: code('n'),
  Do: code('Do'), BI: code('BI'),
} as const;

/**
 * A PDF number (`-12.5`, `.5`, `3.`); NaN for a malformed one, which then fails as an operand.
 * Mantissa over a power of ten: both exact in a double, so the quotient is rounded once, as Number() does.
 */
function parseNumber(data: Uint8Array, from: number, to: number): number {
  let k = from;
  let sign = 1;
  if (data[k] === 0x2d) { sign = -1; k++; } else if (data[k] === 0x2b) k++;
  let mantissa = 0;
  let digits = 0;
  let decimals = 0;
  for (; k < to && data[k]! >= 0x30 && data[k]! <= 0x39; k++, digits++) mantissa = mantissa * 10 + (data[k]! - 0x30);
  if (k < to && data[k] === 0x2e) {
    for (k++; k < to && data[k]! >= 0x30 && data[k]! <= 0x39; k++, digits++, decimals++) mantissa = mantissa * 10 + (data[k]! - 0x30);
  }
  if (k !== to || digits === 0) return NaN;
  if (digits > 15 || decimals > 22) return Number(String.fromCharCode(...data.subarray(from, to)));
  return (sign * mantissa) / 10 ** decimals;
}

/** A name's characters, #xx escapes decoded (the key it has in a resource dictionary). */
function decodeName(data: Uint8Array, from: number, to: number): string {
  const raw = latin1(data, from, to);
  return raw.includes('#') ? raw.replace(/#([0-9a-fA-F]{2})/gu, (_, h: string) => String.fromCharCode(parseInt(h, 16))) : raw;
}

/** Past a literal string `( … )`: balanced parentheses, backslash escapes. */
function skipString(data: Uint8Array, at: number): number {
  let depth = 0;
  for (let i = at; i < data.length; i++) {
    const c = data[i];
    if (c === 0x5c) { i++; continue; }
    if (c === 0x28) depth++;
    else if (c === 0x29 && --depth === 0) return i + 1;
  }
  return data.length;
}

/** Past an inline image (BI … ID <binary> EI): the binary data ends at an EI between white space. */
function skipInlineImage(data: Uint8Array, at: number): number {
  let i = at;
  // The dictionary up to ID.
  for (; i + 1 < data.length; i++) {
    if (data[i] === 0x49 && data[i + 1] === 0x44 && WHITE[data[i - 1]!] && (i + 2 >= data.length || WHITE[data[i + 2]!])) { i += 3; break; }
  }
  for (; i + 1 < data.length; i++) {
    if (data[i] === 0x45 && data[i + 1] === 0x49 && WHITE[data[i - 1]!] && (i + 2 >= data.length || WHITE[data[i + 2]!] || DELIM[data[i + 2]!])) return i + 2;
  }
  return data.length;
}

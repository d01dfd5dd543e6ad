import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeGreyPng } from './png.js';

/** CRC-32 (ISO-HDLC), bit by bit: independent of the encoder's zlib.crc32. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunks(png: Buffer): { type: string; data: Buffer; crcOk: boolean }[] {
  const out = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    out.push({ type, data, crcOk: png.readUInt32BE(at + 8 + length) === crc32(png.subarray(at + 4, at + 8 + length)) });
    at += 12 + length;
  }
  return out;
}

describe('encodeGreyPng', () => {
  const width = 5, height = 3;
  const data = Uint8Array.from({ length: width * height }, (_, i) => (i * 17) % 256);
  const png = encodeGreyPng({ width, height, data });

  it('writes the signature and IHDR, IDAT, IEND with valid CRCs', () => {
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const list = chunks(png);
    expect(list.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(list.every((c) => c.crcOk)).toBe(true);
    const ihdr = list[0]!.data;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ...ihdr.subarray(8)]).toEqual([width, height, 8, 0, 0, 0, 0]);
  });

  it('stores each row after a filter byte 0, pixels unchanged', () => {
    const raw = inflateSync(chunks(png)[1]!.data);
    expect(raw.length).toBe((width + 1) * height);
    for (let y = 0; y < height; y++) {
      expect(raw[y * (width + 1)]).toBe(0);
      expect([...raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1))]).toEqual([...data.subarray(y * width, (y + 1) * width)]);
    }
  });

  it('refuses a size that does not match the pixels', () => {
    expect(() => encodeGreyPng({ width: 4, height: 3, data })).toThrow(/needs 12/u);
    expect(() => encodeGreyPng({ width: 0, height: 0, data: new Uint8Array(0) })).toThrow(/positive/u);
  });
});

import { describe, expect, it } from 'vitest';
import { copyMessage, ThreadPort } from './pdfjs-port.js';

/** Messages of the shapes pdf.js sends: text-content chunks, page info, font exports, odd values. */
const textChunk = () => ({
  sourceName: 'd0_worker', targetName: 'd0', stream: 4, streamId: 3,
  chunk: {
    items: [{ str: '社会保障和就业支出', dir: 'ltr', width: 84.5, height: 10.5, transform: [10.5, 0, 0, 10.5, 72, 700], fontName: 'g_d0_f1', hasEOL: false }, { str: '', dir: 'ltr', width: 0, height: 0, transform: [1, 0, 0, 1, 0, 0], fontName: 'g_d0_f1', hasEOL: true }],
    styles: Object.assign(Object.create(null) as object, { g_d0_f1: { fontFamily: 'sans-serif', ascent: 0.88, descent: -0.12, vertical: false } }),
    lang: null,
  },
});

describe('copyMessage', () => {
  it('copies plain data as structuredClone does: equal values, nothing shared with the sender', () => {
    const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const samples: unknown[] = [
      textChunk(),
      { view: [0, 0, 595.28, 841.89], rotate: 0, userUnit: 1, ref: { num: 3, gen: 0 } },
      { data: [new Float32Array([1.5, 2.5]), new Uint8Array([1, 2, 3]).subarray(1), new BigInt64Array([5n])], nan: NaN, negZero: -0, undef: undefined, nil: null, big: 12n },
      { sparse, nested: [[[[{ deep: 'x' }]]]] },
      'just a string', 42, null, undefined,
    ];
    for (const sample of samples) {
      const ours = copyMessage(sample);
      expect(ours).toStrictEqual(structuredClone(sample));
      if (typeof sample === 'object' && sample !== null) expect(ours).not.toBe(sample);
    }
    // The chunk's containers are the sender's to reuse: the copy keeps what was sent.
    const chunk = textChunk();
    const copy = copyMessage(chunk) as ReturnType<typeof textChunk>;
    chunk.chunk.items.length = 0;
    chunk.chunk.items = [];
    expect(copy.chunk.items).toHaveLength(2);
    expect(copy.chunk.items[0]!.transform).not.toBe(textChunk().chunk.items[0]!.transform);
  });

  it('leaves what is not plain data to structuredClone: the same result, or the same error', () => {
    class Point { constructor(readonly x = 1) {} }
    const map = new Map([['a', { b: 1 }]]);
    for (const sample of [{ point: new Point() }, { map }, { when: new Date(0) }, { error: new Error('broken') }, { buffer: Buffer.from('ab') }]) {
      expect(copyMessage(sample)).toStrictEqual(structuredClone(sample));
    }
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const copied = copyMessage(cyclic) as Record<string, unknown>;
    expect(copied.self).toBe(copied);
    expect(() => copyMessage({ f: () => 1 })).toThrow(/could not be cloned/u);
    expect(() => copyMessage({ s: Symbol('x') })).toThrow(/could not be cloned/u);
  });

  it('moves transferred buffers, as a transfer does', () => {
    const pixels = new Uint8Array([1, 2, 3, 4]);
    const copy = copyMessage({ pixels }, [pixels.buffer]) as { pixels: Uint8Array };
    expect([...copy.pixels]).toEqual([1, 2, 3, 4]);
    expect(pixels.byteLength).toBe(0); // detached
  });
});

describe('ThreadPort', () => {
  it('delivers copies to the other end, later and in order, and stops when its listener is aborted', async () => {
    const [a, b] = ThreadPort.pair();
    const seen: unknown[] = [];
    const stop = new AbortController();
    b.addEventListener('message', (event) => seen.push(event.data), { signal: stop.signal });
    const sent = { n: 1, list: [1, 2] };
    a.postMessage(sent);
    a.postMessage({ n: 2 });
    sent.list.push(3);
    expect(seen).toEqual([]); // not yet: delivery is asynchronous
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toEqual([{ n: 1, list: [1, 2] }, { n: 2 }]);
    stop.abort();
    a.postMessage({ n: 3 });
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toHaveLength(2);
  });
});

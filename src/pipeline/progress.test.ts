import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, duration, progressLine } from './progress.js';

describe('progress', () => {
  it('shows documents, pages, rate and an ETA from the documents still to do', () => {
    expect(progressLine({ total: 40, finished: 10, pages: 250, elapsedMs: 10_000 })).toBe('10/40 documents · 250 pages · 25.0 pages/s · ETA 30s');
    expect(progressLine({ total: 4, finished: 4, pages: 9, elapsedMs: 3000 })).toBe('4/4 documents · 9 pages · 3.0 pages/s');
    expect(progressLine({ total: 3, finished: 0, pages: 0, elapsedMs: 0 })).toBe('0/3 documents · 0 pages · 0.0 pages/s');
  });

  it('formats durations in s, m and h', () => {
    expect([duration(5), duration(65), duration(3725)]).toEqual(['5s', '1m05s', '1h02m']);
  });

  it('writes nothing when the stream is not a terminal', () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    const chunks: string[] = [];
    (stream as unknown as PassThrough).on('data', (c: Buffer) => chunks.push(c.toString()));
    const p = createProgress({ stream });
    p.add(2); p.done(3); p.stop();
    expect(chunks).toEqual([]);
  });

  it('redraws one line on a terminal', () => {
    const written: string[] = [];
    const stream = { isTTY: true, write: (s: string) => (written.push(s), true) } as unknown as NodeJS.WriteStream;
    let t = 0;
    const p = createProgress({ stream, now: () => t, intervalMs: 0 });
    p.add(2); t = 1000; p.done(4); p.stop();
    expect(written.at(-2)).toContain('1/2 documents · 4 pages · 4.0 pages/s · ETA 1s');
    expect(written.every((w) => w === '\n' || w.startsWith('\r\x1b[K'))).toBe(true);
  });
});

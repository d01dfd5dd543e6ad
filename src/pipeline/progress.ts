/**
 * A one-line progress display on a terminal: documents done of total, pages, pages/s and ETA.
 * Off when stderr is not a TTY (cron, CI, pipes), so logs stay clean JSON there.
 */
export interface Progress {
  /** More documents became known (sources are fetched and counted as the run goes). */
  add(documents: number): void;
  /** A document finished (processed, skipped or failed) with this many pages read. */
  done(pages: number): void;
  stop(): void;
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  now?: () => number;
  /** Fewest milliseconds between redraws. */
  intervalMs?: number;
}

const silent: Progress = { add() {}, done() {}, stop() {} };

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (!stream.isTTY) return silent;
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 200;
  const started = now();
  let total = 0, finished = 0, pages = 0, lastDraw = 0;
  const draw = (force = false) => {
    const t = now();
    if (!force && t - lastDraw < interval) return;
    lastDraw = t;
    stream.write(`\r\x1b[K${progressLine({ total, finished, pages, elapsedMs: t - started })}`);
  };
  return {
    add(documents) { total += documents; draw(); },
    done(p) { finished++; pages += p; draw(); },
    stop() { draw(true); stream.write('\n'); },
  };
}

/** The line shown, e.g. `12/40 documents · 310 pages · 24.1 pages/s · ETA 1m05s`. */
export function progressLine({ total, finished, pages, elapsedMs }: { total: number; finished: number; pages: number; elapsedMs: number }): string {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? pages / seconds : 0;
  const parts = [`${finished}/${total} documents`, `${pages} pages`, `${rate.toFixed(1)} pages/s`];
  if (finished > 0 && finished < total) parts.push(`ETA ${duration((seconds / finished) * (total - finished))}`);
  return parts.join(' · ');
}

export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

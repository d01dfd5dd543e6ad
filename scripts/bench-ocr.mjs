#!/usr/bin/env node
// OCR speed and memory: the built CLI over scanned PDFs with 1 and 2 OCR workers (pages/min, peak RSS),
// beside the native `tesseract` CLI (Debian tesseract-ocr + chi_sim, OMP_THREAD_LIMIT=1) on the same page
// images (rendered by pdftoppm at the resolution our OCR renders at), one page at a time and 2 at a time.
// Also CPU seconds per page (user + system), which do not depend on spare cores. Writes out/bench-ocr.json.
// With --repeat N, rounds interleave the two tools and each row is the round of median wall time.
// Usage: node scripts/bench-ocr.mjs [--docs N] [--dpi 200] [--repeat N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEV = path.resolve(ROOT, '../shared/eval/dev');
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const docs = Number(opt('--docs', '2'));
const dpi = Number(opt('--dpi', '200'));
const repeat = Math.max(1, Number(opt('--repeat', '1')));
if (!fs.existsSync(path.join(ROOT, 'dist/cli.js'))) { console.error('bench-ocr: run `npm run build` first'); process.exit(1); }

const files = fs.existsSync(DEV) ? fs.readdirSync(DEV).filter((f) => f.endsWith('.scanned.pdf')).sort().slice(0, docs).map((f) => path.join(DEV, f)) : [];
if (!files.length) { console.log('bench-ocr: no scanned PDFs in ../shared/eval/dev'); process.exit(0); }
const works = (cmd, a) => { try { return spawnSync(cmd, a, { stdio: 'ignore' }).status === 0; } catch { return false; } };
const haveTime = works('/usr/bin/time', ['-f', '%M', '-o', '/dev/null', 'true']);
const haveTesseract = works('tesseract', ['--version']) && works('pdftoppm', ['-v']);

function timed(cmd, argv, opts = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'inherit'], ...opts });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, wall: Number(process.hrtime.bigint() - t0) / 1e9 }));
  });
}

/** The numbers GNU time wrote to `file` (its last line: a failed command adds a line before it). */
const timeFields = (file) => fs.readFileSync(file, 'utf8').trim().split('\n').pop().split(/\s+/).map(Number);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-bench-ocr-'));
const samples = new Map(); // what → one measurement a round
const record = (row) => { if (!samples.has(row.what)) samples.set(row.what, []); samples.get(row.what).push(row); };
try {
  const corpus = path.join(tmp, 'scanned');
  fs.mkdirSync(corpus);
  for (const f of files) fs.copyFileSync(f, path.join(corpus, path.basename(f)));

  const measureOurs = async (workers) => {
    const out = path.join(tmp, `out-${workers}`);
    const rss = path.join(tmp, `rss-${workers}`);
    fs.rmSync(out, { recursive: true, force: true });
    const cli = ['bin/fiscal-harvest.js', 'run', corpus, '--out', out, '--ocr-workers', String(workers), '--concurrency', String(workers), '--log-level', 'silent'];
    const [cmd, argv] = haveTime ? ['/usr/bin/time', ['-o', rss, '-f', '%M %U %S', process.execPath, ...cli]] : [process.execPath, cli];
    console.log(`$ ${[cmd, ...argv].join(' ')}`);
    const { wall } = await timed(cmd, argv, { cwd: ROOT });
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    const pagesOcr = report.documents.reduce((a, d) => a + (d.pages_ocr?.length ?? 0), 0);
    const [peakKb, user, sys] = haveTime ? timeFields(rss) : [];
    record({ what: `fiscal-harvest, ${workers} OCR worker(s)`, pages: pagesOcr, wall_s: wall, pages_per_min: (pagesOcr / wall) * 60, peak_rss_mb: haveTime ? peakKb / 1024 : undefined, cpu_s_per_page: haveTime ? (user + sys) / pagesOcr : undefined });
  };

  // The same page images for native tesseract: every page of the scanned PDFs at our OCR resolution, grey.
  const images = [];
  if (haveTesseract) {
    for (const f of files) {
      const prefix = path.join(tmp, 'img', path.basename(f, '.pdf'));
      fs.mkdirSync(path.dirname(prefix), { recursive: true });
      spawnSync('pdftoppm', ['-r', String(dpi), '-gray', '-png', f, prefix]);
    }
    for (const n of fs.readdirSync(path.join(tmp, 'img')).sort()) images.push(path.join(tmp, 'img', n));
  }
  const measureNative = async (parallel) => {
    const queue = [...images];
    const t0 = process.hrtime.bigint();
    const env = { ...process.env, OMP_THREAD_LIMIT: '1' };
    let cpu = 0;
    await Promise.all(Array.from({ length: parallel }, async (_, k) => {
      const times = path.join(tmp, `native-cpu-${k}`);
      const argv = (img) => [img, 'stdout', '-l', 'chi_sim', '--psm', '4'];
      for (let img; (img = queue.shift()); ) {
        if (!haveTime) { await timed('tesseract', argv(img), { env, stdio: 'ignore' }); continue; }
        await timed('/usr/bin/time', ['-o', times, '-f', '%U %S', 'tesseract', ...argv(img)], { env, stdio: 'ignore' });
        const [user, sys] = timeFields(times);
        cpu += user + sys;
      }
    }));
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    record({ what: `native tesseract --psm 4, ${parallel} at a time`, pages: images.length, wall_s: wall, pages_per_min: (images.length / wall) * 60, cpu_s_per_page: haveTime ? cpu / images.length : undefined });
  };

  // Rounds interleave the two tools, so that a slow spell of the machine falls on both.
  for (let round = 1; round <= repeat; round++) {
    if (repeat > 1) console.log(`round ${round} of ${repeat}`);
    for (const n of [1, 2]) {
      await measureOurs(n);
      if (haveTesseract) await measureNative(n);
    }
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

// Each row the round of median wall time.
const rows = [...samples.values()].map((list) => [...list].sort((a, b) => a.wall_s - b.wall_s)[(list.length - 1) >> 1]);

const f = (x, d = 1) => (x === undefined ? '-' : x.toFixed(d));
console.log(`\n${files.length} scanned document(s), ${os.availableParallelism()} cpus, render ${dpi} dpi${repeat > 1 ? `, median of ${repeat} interleaved rounds` : ''}`);
console.log(`${'what'.padEnd(44)}${'pages'.padStart(7)}${'wall s'.padStart(9)}${'pages/min'.padStart(11)}${'CPU s/page'.padStart(12)}${'peak MB'.padStart(9)}`);
for (const r of rows) console.log(`${r.what.padEnd(44)}${String(r.pages).padStart(7)}${f(r.wall_s).padStart(9)}${f(r.pages_per_min).padStart(11)}${f(r.cpu_s_per_page, 2).padStart(12)}${f(r.peak_rss_mb, 0).padStart(9)}`);
const ours = (w) => rows.find((r) => r.what.startsWith(`fiscal-harvest, ${w}`));
const native = (p) => rows.find((r) => r.what.includes(`${p} at a time`));
const ratios = {};
for (const w of [1, 2]) if (ours(w) && native(w)) ratios[`workers_${w}`] = ours(w).pages_per_min / native(w).pages_per_min;
if (Object.keys(ratios).length) console.log(`ours / native (same parallelism): ${Object.entries(ratios).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}  (≥ 1: at least as fast per page)`);
// With one OCR worker ours still uses more than one core (the eng worker beside chi_sim, the document's
// image work on its own thread): CPU per page is the comparison that does not depend on spare cores.
const cpuRatio = ours(2)?.cpu_s_per_page && native(1)?.cpu_s_per_page ? native(1).cpu_s_per_page / ours(2).cpu_s_per_page : undefined;
if (cpuRatio !== undefined) { ratios.cpu_per_page = cpuRatio; console.log(`native CPU per page / ours (2 workers): ${cpuRatio.toFixed(2)}  (≥ 1: ours spends no more CPU on a page)`); }
const outFile = path.join(ROOT, 'out/bench-ocr.json');
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, JSON.stringify({ at: new Date().toISOString(), dpi, repeat, documents: files.map((f) => path.basename(f)), rows, ratios, rounds: Object.fromEntries(samples) }, null, 1) + '\n');
console.log(`wrote ${path.relative(ROOT, outFile)}`);

#!/usr/bin/env node
// Speed and memory of the text-layer path (--ocr off: scans are measured by bench-ocr.mjs): runs the built CLI as a child over a temp copy of each
// corpus set, and measures wall time, the child's peak RSS and pages/s; when poppler's pdftotext
// is installed, times it on the same files as a yardstick. Writes out/bench.json.
//   Usage: node scripts/bench.mjs [--concurrency N] [--repeat N]
// --repeat N runs ours and pdftotext N times each, in turn, and reports the medians: on a shared
// machine single timings vary by 20-30%.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEV = path.resolve(ROOT, '../shared/eval/dev');
const REAL = path.resolve(ROOT, '../shared/real');

const args = process.argv.slice(2);
let concurrency;
let repeat = 1;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--concurrency' && /^\d+$/.test(args[i + 1] ?? '')) concurrency = args[++i];
  else if (args[i].startsWith('--concurrency=')) concurrency = args[i].split('=')[1];
  else if (args[i] === '--repeat' && /^[1-9]\d*$/.test(args[i + 1] ?? '')) repeat = Number(args[++i]);
  else if (args[i] === '--no-ocr' || args[i] === '--no-distributed') continue;
  else { console.error(`bench: unknown argument ${args[i]}\nusage: node scripts/bench.mjs [--concurrency N] [--repeat N] [--no-ocr] [--no-distributed]`); process.exit(2); }
}
if (!fs.existsSync(path.join(ROOT, 'dist/cli.js'))) { console.error('bench: dist/cli.js missing: run `npm run build` first'); process.exit(1); }

const pdfsIn = (dir, re) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => path.join(dir, f)) : []);
// Shared sets when present (scanned PDFs excluded: they measure OCR, not the text layer), else corpus/.
let sets = [
  { name: 'dev', files: pdfsIn(DEV, /\.(ruled|plain|spaced)\.pdf$/) },
  { name: 'real', files: pdfsIn(REAL, /\.pdf$/i) },
].filter((s) => s.files.length);
if (!sets.length) sets = [{ name: 'corpus', files: pdfsIn(path.join(ROOT, 'corpus'), /\.pdf$/i) }].filter((s) => s.files.length);
if (!sets.length) { console.log('bench: no PDFs found (../shared/eval/dev, ../shared/real, corpus/)'); process.exit(0); }

const works = (cmd, a) => { try { return spawnSync(cmd, a, { stdio: 'ignore' }).status === 0; } catch { return false; } };
// GNU time gives the child's peak RSS directly; else a preload records process.resourceUsage().maxRSS.
const haveTime = works('/usr/bin/time', ['-f', '%M', '-o', '/dev/null', 'true']);
const havePdftotext = works('pdftotext', ['-v']);

// Runs cmd to completion; resolves with wall seconds (stdout/stderr discarded unless shown).
function timed(cmd, argv, opts = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(cmd, argv, { stdio: ['ignore', 'ignore', opts.showErr ? 'inherit' : 'ignore'], ...opts });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, wall: Number(process.hrtime.bigint() - t0) / 1e9 }));
  });
}

async function runOurs(set, tmp, round) {
  const corpus = path.join(tmp, set.name);
  if (!fs.existsSync(corpus)) {
    fs.mkdirSync(corpus);
    for (const f of set.files) fs.copyFileSync(f, path.join(corpus, path.basename(f))); // the CLI walks regular files only
  }
  const out = path.join(tmp, `${set.name}-out-${round}`); // a fresh output and run state each round
  const rssFile = path.join(tmp, `${set.name}-${round}.rss`);
  const cli = ['bin/fiscal-harvest.js', 'run', corpus, '--out', out, '--ocr', 'off', ...(concurrency ? ['--concurrency', concurrency] : [])];
  const [cmd, argv] = haveTime
    ? ['/usr/bin/time', ['-o', rssFile, '-f', '%M', process.execPath, ...cli]]
    : [process.execPath, ['--require', path.join(ROOT, 'scripts/rss-preload.cjs'), ...cli]];
  console.log(`$ ${[cmd, ...argv].join(' ')}`);
  const { code, wall } = await timed(cmd, argv, { cwd: ROOT, env: { ...process.env, BENCH_RSS_FILE: rssFile }, showErr: true });
  const reportFile = path.join(out, 'report.json');
  if (!fs.existsSync(reportFile)) throw new Error(`CLI exited ${code} without writing ${reportFile}`);
  const { summary } = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  const rssKiB = Number(fs.readFileSync(rssFile, 'utf8').trim().split(/\s+/).pop()); // GNU time may prefix a status line
  // The nightly case: the same sources again, nothing changed. Only the run state is consulted.
  console.log(`$ (again) ${[process.execPath, ...cli].join(' ')}`);
  const again = await timed(process.execPath, cli, { cwd: ROOT, showErr: true });
  return { docs: summary.documents, failed: summary.failed, pages: summary.pages, wall_s: wall, peak_rss_mb: rssKiB / 1024, pages_per_s: summary.pages / wall, rerun_wall_s: again.wall, rerun_fraction: again.wall / wall };
}

// pdftotext -layout on the same files, one after another and 2 at a time.
async function runPdftotext(files, parallel) {
  const t0 = process.hrtime.bigint();
  const queue = [...files];
  const worker = async () => { for (let f; (f = queue.shift()); ) await timed('pdftotext', ['-layout', f, '/dev/null']); };
  await Promise.all(Array.from({ length: parallel }, worker));
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-bench-'));
const results = [];
try {
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
  for (const set of sets) {
    const rounds = [];
    for (let round = 1; round <= repeat; round++) {
      const ours = await runOurs(set, tmp, round);
      // In turn with ours, so that both see the machine in the same state.
      const seq = havePdftotext ? await runPdftotext(set.files, 1) : undefined;
      const par = havePdftotext ? await runPdftotext(set.files, 2) : undefined;
      rounds.push({ ours, seq, par });
    }
    const first = rounds[0].ours;
    const wall = median(rounds.map((x) => x.ours.wall_s));
    const rerun = median(rounds.map((x) => x.ours.rerun_wall_s));
    const r = {
      set: set.name, files: set.files.length, bytes: set.files.reduce((a, f) => a + fs.statSync(f).size, 0),
      ...first, wall_s: wall, pages_per_s: first.pages / wall, peak_rss_mb: Math.max(...rounds.map((x) => x.ours.peak_rss_mb)),
      rerun_wall_s: rerun, rerun_fraction: rerun / wall, rounds: rounds.length,
      ...(repeat > 1 ? { walls_s: rounds.map((x) => x.ours.wall_s) } : {}),
    };
    if (havePdftotext) {
      // Page count from our report: both tools read the same files.
      const seq = median(rounds.map((x) => x.seq)), par = median(rounds.map((x) => x.par));
      r.pdftotext = { seq_s: seq, seq_pages_per_s: r.pages / seq, par2_s: par, par2_pages_per_s: r.pages / par, ...(repeat > 1 ? { seq_walls_s: rounds.map((x) => x.seq) } : {}) };
      r.ratio_vs_seq = r.pages_per_s / r.pdftotext.seq_pages_per_s;
      r.ratio_vs_par2 = r.pages_per_s / r.pdftotext.par2_pages_per_s;
    }
    results.push(r);
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

const f = (x, d = 1) => (x === undefined ? '-' : x.toFixed(d));
console.log(`\nnode ${process.version}, ${os.availableParallelism()} cpus, CLI concurrency ${concurrency ?? 'default'}, RSS via ${haveTime ? '/usr/bin/time' : 'preload'}${havePdftotext ? '' : ', pdftotext not installed'}${repeat > 1 ? `, medians of ${repeat} rounds` : ''}`);
const head = ['set', 'docs', 'failed', 'pages', 'wall s', 'peak MB', 'pages/s', 'pdftt/s', 'pdftt2/s', 'ours/seq', 'ours/par2', 'rerun s', 'rerun/1st'];
console.log(head.map((h, i) => (i ? h.padStart(10) : h.padEnd(8))).join(''));
for (const r of results) {
  const v = [r.docs, r.failed, r.pages, f(r.wall_s), f(r.peak_rss_mb, 0), f(r.pages_per_s), f(r.pdftotext?.seq_pages_per_s), f(r.pdftotext?.par2_pages_per_s), f(r.ratio_vs_seq, 3), f(r.ratio_vs_par2, 3), f(r.rerun_wall_s, 2), f(r.rerun_fraction, 3)];
  console.log(r.set.padEnd(8) + v.map((x) => String(x).padStart(10)).join(''));
}

const outFile = path.join(ROOT, 'out/bench.json');
fs.mkdirSync(path.dirname(outFile), { recursive: true });
const meta = { at: new Date().toISOString(), node: process.version, cpus: os.availableParallelism(), concurrency: concurrency ? Number(concurrency) : null, repeat, rss_method: haveTime ? 'gnu-time' : 'preload', pdftotext: havePdftotext };
fs.writeFileSync(outFile, JSON.stringify({ ...meta, sets: results }, null, 1) + '\n');
console.log(`wrote ${path.relative(ROOT, outFile)}`);

// The other measurements `npm run bench` reports: OCR (pages/min vs native tesseract) and the distributed
// mode (documents/min with 1 and 2 queue workers). Skip with --no-ocr / --no-distributed.
for (const [flag, script] of [['--no-ocr', 'bench-ocr.mjs'], ['--no-distributed', 'bench-distributed.mjs']]) {
  if (process.argv.includes(flag) || !fs.existsSync(path.join(ROOT, 'scripts', script))) continue;
  console.log(`\n$ node scripts/${script}`);
  const forwarded = script === 'bench-ocr.mjs' && repeat > 1 ? ['--repeat', String(repeat)] : [];
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', script), ...forwarded], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) console.log(`bench: ${script} exited ${r.status}`);
}

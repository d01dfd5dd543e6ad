#!/usr/bin/env node
// Accuracy gate: runs the built CLI on the dev PDFs of ../shared/eval (text-layer styles only),
// scores facts.csv with ../shared/eval/score.mjs and fails when a figure is below its floor in
// scripts/eval-floors.json.   Usage: node scripts/eval.mjs [--real] [--scanned]
//   --real     also runs all of ../shared/real and scores the PDFs that have truth (gated only if
//              the floors file has a "real" entry), and checks every real document's entity, year
//              and kind against ../shared/real/LABELS.tsv.
//   --scanned  also the dev `scanned` style (read by OCR: minutes, not seconds).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EVAL = path.resolve(ROOT, '../shared/eval');
const REAL = path.resolve(ROOT, '../shared/real');
const TEXT_STYLES = ['ruled', 'plain', 'spaced'];
// floor key -> field of score.mjs's aggregate
const FIELDS = { cell_recall: 'cell_recall', cell_precision: 'cell_precision', tables_found: 'tables_found_rate', entity: 'entity_acc', fiscal_year: 'fiscal_year_acc', doc_kind: 'doc_kind_acc' };

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--real' && a !== '--scanned');
if (unknown.length) { console.error(`eval: unknown argument ${unknown[0]}\nusage: node scripts/eval.mjs [--real] [--scanned]`); process.exit(2); }
const withReal = args.includes('--real');
const STYLES = args.includes('--scanned') ? [...TEXT_STYLES, 'scanned'] : TEXT_STYLES;

// Developers without the shared data still get a green `npm run eval`.
if (!fs.existsSync(EVAL)) { console.log(`eval: ${EVAL} not found, nothing to evaluate`); process.exit(0); }
if (!fs.existsSync(path.join(ROOT, 'dist/cli.js'))) { console.error('eval: dist/cli.js missing: run `npm run build` first'); process.exit(1); }

const floors = JSON.parse(fs.readFileSync(path.join(ROOT, 'scripts/eval-floors.json'), 'utf8'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-eval-'));

// Copies (not symlinks: the CLI's directory walk only takes regular files) into a fresh dir.
function copyInto(dir, files) {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of files) fs.copyFileSync(f, path.join(dir, path.basename(f)));
  return dir;
}

// Runs the CLI; its exit 1 only means some document failed, so we judge by facts.csv alone.
function harvest(corpus, out) {
  console.log(`$ node bin/fiscal-harvest.js run ${corpus} --out ${out}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['bin/fiscal-harvest.js', 'run', corpus, '--out', out], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  const facts = path.join(out, 'facts.csv');
  if (!fs.existsSync(facts)) throw new Error(`CLI exited ${r.status ?? r.signal} without writing ${facts}`);
  const rep = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
  console.log(`  ${rep.summary.documents} docs, ${rep.summary.failed} failed, ${rep.summary.pages} pages, ${rep.summary.cells} cells in ${((Date.now() - t0) / 1000).toFixed(1)} s (exit ${r.status})`);
  for (const d of rep.documents) if (d.status !== 'ok') console.log(`  failed: ${path.basename(d.source)}: ${d.error}`);
  return facts;
}

function score(truth, corpus, facts) {
  const r = spawnSync(process.execPath, [path.join(EVAL, 'score.mjs'), '--truth', truth, '--corpus', corpus, '--facts', facts, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`score.mjs exited ${r.status}: ${r.stderr}`);
  const res = JSON.parse(r.stdout);
  // layout.json truth files (not cell truth) are expected to be skipped; other warnings matter.
  for (const w of res.warnings) if (!/\.layout\.json/.test(w) && !/source_sha256 values of no PDF/.test(w)) console.log(`  warning: ${w}`);
  return res;
}

// A scored document in the same shape as score.mjs's per-style aggregate, to print both alike.
const docAsAgg = (d) => ({ docs: 1, truth_cells: d.truth_cells, output_cells: d.output_cells, cell_recall: d.cell_recall, cell_precision: d.cell_precision, tables_found_rate: d.tables_total ? d.tables_found / d.tables_total : 0, entity_acc: +d.entity_ok, fiscal_year_acc: +d.fiscal_year_ok, doc_kind_acc: +d.doc_kind_ok });

function printTable(rows) {
  const w = Math.max(8, ...rows.map(([n]) => n.length)) + 1;
  const cols = ['docs', 'truth', 'out', 'recall', 'prec', 'tables', 'entity', 'year', 'kind'];
  console.log(['', ...cols].map((c, i) => (i ? c.padStart(8) : c.padEnd(w))).join(''));
  for (const [name, s] of rows) {
    const v = [s.docs, s.truth_cells, s.output_cells, s.cell_recall.toFixed(4), s.cell_precision.toFixed(4), s.tables_found_rate.toFixed(2), s.entity_acc.toFixed(2), s.fiscal_year_acc.toFixed(2), s.doc_kind_acc.toFixed(2)];
    console.log(name.padEnd(w) + v.map((x) => String(x).padStart(8)).join(''));
  }
}

// Compares one aggregate with one floors entry; returns [passed, failures].
function gate(label, agg, floor) {
  const failures = [];
  let passed = 0;
  for (const [k, field] of Object.entries(FIELDS)) {
    if (floor[k] === undefined) continue;
    const v = agg ? agg[field] : undefined;
    if (v === undefined) failures.push(`${label} ${k}: no documents scored (floor ${floor[k]})`);
    else if (v + 1e-9 < floor[k]) failures.push(`${label} ${k} = ${v.toFixed(4)} < floor ${floor[k]}`);
    else passed++;
  }
  return [passed, failures];
}

// Every real document (truth or not) against LABELS.tsv: entity, fiscal year and doc kind.
async function checkLabels(labelsFile, documentsCsv) {
  if (!fs.existsSync(labelsFile)) return [0, []];
  const [labelHead, ...labelRows] = fs.readFileSync(labelsFile, 'utf8').trim().split('\n').map((l) => l.split('\t'));
  const labels = new Map(labelRows.map((r) => [r[0], Object.fromEntries(r.map((v, i) => [labelHead[i], v]))]));
  // documents.csv through the project's own CSV reader (quoted fields).
  const { readCsvRecords } = await import(path.join(ROOT, 'dist/export/csvw/csv-reader.js'));
  const records = [];
  for await (const r of readCsvRecords(documentsCsv)) records.push(r);
  const [head, ...body] = records;
  const docs = body.map((r) => Object.fromEntries(r.map((v, i) => [head[i], v])));
  let ok = 0;
  const failures = [];
  for (const d of docs) {
    const label = labels.get(path.basename(d.source));
    if (!label) continue;
    const wrong = ['entity', 'fiscal_year', 'doc_kind'].filter((k) => d[k] !== label[k]).map((k) => `${k} ${JSON.stringify(d[k])} (label ${JSON.stringify(label[k])})`);
    if (wrong.length) failures.push(`labels ${path.basename(d.source)}: ${wrong.join(', ')}`);
    else ok++;
  }
  console.log(`labels (LABELS.tsv): ${ok} of ${docs.length} documents with entity, year and kind right`);
  return [ok, failures];
}

// The output folder against its own metadata.json (CSVW schemas, keys, checksums, page links), as `validate` checks it.
async function checkConformance(label, outDir) {
  const { checkOutputFolder, formatProblem } = await import(path.join(ROOT, 'dist/export/csvw/index.js'));
  const problems = await checkOutputFolder(outDir);
  console.log(`${label} outputs against metadata.json: ${problems.length ? `${problems.length} problem(s)` : 'conform'}`);
  return problems.length ? [0, problems.slice(0, 5).map((p) => `${label} metadata: ${formatProblem(p)}`)] : [1, []];
}

let passed = 0;
const failures = [];
try {
  // --- dev set: <id>.<style>.pdf, one row per style
  const devDir = path.join(EVAL, 'dev');
  const pdfs = fs.readdirSync(devDir).filter((f) => STYLES.some((s) => f.endsWith(`.${s}.pdf`))).sort().map((f) => path.join(devDir, f));
  const corpus = copyInto(path.join(tmp, 'dev'), pdfs);
  const res = score(path.join(devDir, 'truth'), corpus, harvest(corpus, path.join(tmp, 'dev-out')));
  console.log('\ndev set (../shared/eval/dev)');
  printTable(Object.entries(res.styles));
  console.log(res.overall.line);
  for (const [style, floor] of Object.entries(floors)) {
    if (style === 'real' || style.startsWith('_') || !STYLES.includes(style)) continue;
    const [p, f] = gate(style, res.styles[style], floor);
    passed += p; failures.push(...f);
  }
  {
    const [p, f] = await checkConformance('dev', path.join(tmp, 'dev-out'));
    passed += p; failures.push(...f);
  }

  // --- real set: run every PDF (as users would), score the few that have truth
  if (withReal) {
    if (!fs.existsSync(REAL)) console.log(`\neval: ${REAL} not found, --real skipped`);
    else {
      const all = fs.readdirSync(REAL).filter((f) => f.endsWith('.pdf')).sort().map((f) => path.join(REAL, f));
      const truthDir = path.join(REAL, 'truth');
      const ids = new Set(fs.readdirSync(truthDir).filter((f) => /^[^.]+\.json$/.test(f)).map((f) => f.slice(0, -5)));
      const corpus = copyInto(path.join(tmp, 'real'), all);
      const facts = harvest(corpus, path.join(tmp, 'real-out'));
      const scored = copyInto(path.join(tmp, 'real-truth'), all.filter((f) => ids.has(path.basename(f, '.pdf'))));
      const rr = score(truthDir, scored, facts);
      console.log(`\nreal set (../shared/real: ${all.length} run, ${rr.docs.length} with truth)`);
      printTable([...rr.docs.map((d) => [d.file, docAsAgg(d)]), ['overall', rr.overall]]);
      console.log(rr.overall.line);
      if (floors.real) { const [p, f] = gate('real', rr.overall, floors.real); passed += p; failures.push(...f); }
      const [p, f] = await checkLabels(path.join(REAL, 'LABELS.tsv'), path.join(tmp, 'real-out', 'documents.csv'));
      passed += p; failures.push(...f);
      const [pc, fc] = await checkConformance('real', path.join(tmp, 'real-out'));
      passed += pc; failures.push(...fc);
    }
  }
} catch (e) {
  console.error(`eval: ${e.message}`);
  process.exitCode = 1;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

if (process.exitCode !== 1) {
  console.log('');
  for (const f of failures) console.log(`BELOW FLOOR: ${f}`);
  // Plain closing line so CI logs count the floor checks like tests.
  console.log(`eval: ${passed} passed, ${failures.length} failed`);
  process.exitCode = failures.length ? 1 : 0;
}

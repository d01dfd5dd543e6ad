/** The command line: parses arguments, calls the pipeline, maps outcomes to exit codes. Nothing else. */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkOutputFolder, formatProblem } from './export/csvw/index.js';
import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import { FactsFileError } from './export/read-facts.js';
import { InputError } from './fetch/local.js';
import { revalidate } from './pipeline/revalidate.js';
import { createLogger } from './pipeline/logger.js';
import { defaultConcurrency, run } from './pipeline/run.js';
import { VERSION } from './version.js';

const RunOptions = z.object({
  out: z.string().min(1).describe('output folder'),
  sources: z.string().min(1).optional(),
  state: z.string().min(1).optional(),
  cache: z.string().min(1).optional(),
  force: z.boolean().optional(),
  hostConcurrency: z.coerce.number().int().min(1).max(64),
  hostDelay: z.coerce.number().int().min(0).max(600_000),
  ocr: z.enum(['auto', 'off', 'force']),
  ocrWorkers: z.coerce.number().int().min(1).max(64),
  fetchConcurrency: z.coerce.number().int().min(1).max(256).describe('sources fetched at once'),
  concurrency: z.coerce.number().int().min(1).max(64).describe('documents processed at once'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).describe('log level'),
});

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name('fiscal-harvest')
    .description('Turns published Chinese government budget disclosures (部门预算, 部门决算, 绩效自评 PDFs) into clean, validated open data.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('run')
    .description('extract the tables of PDF disclosures into out/facts.csv, out/tables/*.csv and out/report.json')
    .argument('[inputs...]', 'PDF files and directories (searched recursively for *.pdf)')
    .option('-o, --out <dir>', 'output folder', 'out')
    .option('-s, --sources <file>', 'a sources list (CSV with a header, JSON array or NDJSON): columns url or path, optional entity, fiscal_year, doc_kind, id')
    .option('--state <db>', 'run state: a SQLite file or a postgres:// URL (default <out>/state.db)')
    .option('--cache <dir>', 'downloaded PDFs by sha256 (default <out>/cache)')
    .option('--force', 'download and process every source again, ignoring the run state')
    .option('--ocr <mode>', 'auto: OCR the pages without a usable text layer; off: never; force: every page', 'auto')
    .option('--ocr-workers <n>', 'OCR workers shared by all documents', String(os.availableParallelism()))
    .option('--fetch-concurrency <n>', 'sources fetched at once over all hosts', '8')
    .option('--host-concurrency <n>', 'requests to one host at once', '2')
    .option('--host-delay <ms>', 'least time between two requests to one host', '500')
    .option('-c, --concurrency <n>', 'documents processed at once, each on a worker thread (1: one at a time on the main thread)', String(defaultConcurrency()))
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent', 'warn')
    .addHelpText('after', '\nExit codes: 0 every document processed, 1 some document failed (the others are still written), 2 usage error.')
    .action(async (inputs: string[], raw: unknown) => {
      const parsed = RunOptions.safeParse(raw);
      if (!parsed.success) {
        process.stderr.write(`fiscal-harvest: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
        exitCode = 2;
        return;
      }
      const o = parsed.data;
      if (inputs.length === 0 && !o.sources) {
        process.stderr.write('fiscal-harvest: nothing to do: give PDF files or folders, or --sources <file>\n');
        exitCode = 2;
        return;
      }
      const logger = createLogger(o.logLevel);
      const started = Date.now();
      try {
        const summary = await run({
          inputs, outDir: o.out, concurrency: o.concurrency, logger, progress: true, fetchConcurrency: o.fetchConcurrency, ocr: o.ocr, ocrWorkers: o.ocrWorkers,
          fetchSettings: { perHostConcurrency: o.hostConcurrency, perHostDelayMs: o.hostDelay },
          ...(o.sources ? { sourcesFile: o.sources } : {}), ...(o.state ? { state: o.state } : {}), ...(o.cache ? { cacheDir: o.cache } : {}), ...(o.force ? { force: true } : {}),
        });
        for (const f of summary.failed) process.stderr.write(`fiscal-harvest: failed: ${f.source.source}: ${f.error}\n`);
        const failedSources = new Set(summary.failed.map((f) => f.source.source));
        for (const f of summary.fetchFailures) if (!failedSources.has(f.source)) process.stderr.write(`fiscal-harvest: fetch failed (last good version kept): ${f.source}: ${f.error}\n`);
        const c = summary.counts;
        process.stderr.write(`fiscal-harvest: ${summary.results.length} document(s), ${summary.failed.length} failed, ${summary.facts} cells → ${o.out}\n`);
        process.stderr.write(`fiscal-harvest: run ${summary.runId}: ${c.sources} source(s): ${c.downloaded} downloaded, ${c.notModified} unchanged, ${c.fetchFailed} fetch failed; ${c.processed} processed (${c.pages} pages), ${c.skipped} reused from the run state; ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
        exitCode = summary.failed.length || summary.fetchFailures.length ? 1 : 0;
      } catch (err) {
        if (err instanceof InputError) { process.stderr.write(`fiscal-harvest: ${err.message}\n`); exitCode = 2; return; }
        throw err;
      }
    });

  program
    .command('validate')
    .description('re-check the accounting identities of an output folder (its facts.csv and report.json) into its validation.csv')
    .argument('<out>', 'an output folder written by `run`')
    .option('--strict', 'exit 1 when any identity fails')
    .addHelpText('after', '\nExit codes: 0 checked (1 with --strict when an identity fails), 2 usage error or unreadable folder.')
    .action(async (out: string, opts: { strict?: boolean }) => {
      try {
        const summary = await revalidate(out);
        for (const f of summary.failed.slice(0, 20)) process.stderr.write(`fail: ${f.source}: ${f.table_kind} ${f.rule}: expected ${f.expected}, found ${f.found}\n`);
        if (summary.failed.length > 20) process.stderr.write(`… and ${summary.failed.length - 20} more in ${out}/validation.csv\n`);
        process.stderr.write(`fiscal-harvest: ${summary.documents} document(s): ${summary.passed} identities passed, ${summary.failed.length} failed → ${out}/validation.csv\n`);
        // The files against their metadata.json (CSVW schemas, keys, checksums, page links), when there is one.
        const problems = existsSync(path.join(out, 'metadata.json')) ? await checkOutputFolder(out) : [];
        for (const p of problems.slice(0, 50)) process.stderr.write(`metadata: ${formatProblem(p)}\n`);
        process.stderr.write(`fiscal-harvest: metadata.json: ${problems.length ? `${problems.length} problem(s)` : 'the files conform to their schemas'}\n`);
        exitCode = opts.strict && (summary.failed.length || problems.length) ? 1 : 0;
      } catch (err) {
        if (err instanceof FactsFileError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
          process.stderr.write(`fiscal-harvest: ${(err as Error).message}\n`);
          exitCode = 2;
          return;
        }
        throw err;
      }
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    // --help and --version exit 0; help shown because the command was missing is a usage error.
    if (err instanceof CommanderError) return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
    process.stderr.write(`fiscal-harvest: internal error (please report it): ${(err as Error).stack ?? err}\n`);
    return 70;
  }
  return exitCode;
}

/** The command line: parses arguments, calls the pipeline, maps outcomes to exit codes. Nothing else. */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import { InputError } from './fetch/local.js';
import { compileOnDocumentThreads } from './pipeline/compile-threads.js';
import { createLogger } from './pipeline/logger.js';
import { defaultConcurrency, run, RunInterruptedError, type RunSummary } from './pipeline/run.js';
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
  redis: z.string().min(1).optional(),
  db: z.string().min(1).optional(),
  detach: z.boolean().optional(),
  queuePrefix: z.string().regex(/^[A-Za-z0-9_.-]+$/u, 'letters, digits, _ . - only').optional(),
});

const LOG_LEVEL = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const QUEUE_PREFIX = z.string().regex(/^[A-Za-z0-9_.-]+$/u, 'letters, digits, _ . - only');

const WorkerOptions = z.object({
  redis: z.string().min(1),
  db: z.string().min(1),
  cache: z.string().min(1),
  stages: z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)).pipe(z.array(z.enum(['fetch', 'process'])).min(1)),
  concurrency: z.coerce.number().int().min(1).max(64),
  fetchConcurrency: z.coerce.number().int().min(1).max(256),
  ocrWorkers: z.coerce.number().int().min(1).max(64),
  hostConcurrency: z.coerce.number().int().min(1).max(64),
  hostDelay: z.coerce.number().int().min(0).max(600_000),
  fetchRate: z.coerce.number().int().min(1).max(10_000).optional(),
  queuePrefix: QUEUE_PREFIX.optional(),
  name: z.string().min(1).optional(),
  lockDuration: z.coerce.number().int().min(1_000).max(3_600_000),
  stalledInterval: z.coerce.number().int().min(500).max(3_600_000),
  logLevel: LOG_LEVEL,
});

const StatusOptions = z.object({
  redis: z.string().min(1),
  db: z.string().min(1).optional(),
  queuePrefix: QUEUE_PREFIX.optional(),
  json: z.boolean().optional(),
});

/** The shell's convention for a process ended by a signal: 128 + its number (SIGINT 130, SIGTERM 143). */
const signalExitCode = (signal: NodeJS.Signals) => 128 + (os.constants.signals[signal] ?? 2);

/** Options that do not parse: one line naming each, and exit code 2. */
function usageError(error: z.ZodError): number {
  process.stderr.write(`fiscal-harvest: ${error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
  return 2;
}

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
    .option('--redis <url>', 'distributed: queue the run for `fiscal-harvest worker`s on this Redis (redis://host:6379), wait, then write the outputs')
    .option('--db <url>', 'distributed: the store the workers share (postgres://…); the same as --state')
    .option('--detach', 'distributed: queue the run and return at once (run again without it to wait and write the outputs)')
    .option('--queue-prefix <prefix>', 'distributed: Redis key prefix of the queues (default fiscal-harvest)')
    .addHelpText('after', '\nSIGINT or SIGTERM: the documents being processed finish and are kept in the run state, no outputs are written; run again to go on. A second signal exits at once.\nExit codes: 0 every document processed, 1 some document failed (the others are still written), 2 usage error, 130/143 interrupted by SIGINT/SIGTERM.')
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
      if (o.db && o.state && o.db !== o.state) {
        process.stderr.write('fiscal-harvest: --db and --state name the same store: give one of them\n');
        exitCode = 2;
        return;
      }
      if (!o.redis && (o.detach || o.queuePrefix)) {
        process.stderr.write('fiscal-harvest: --detach and --queue-prefix are for a distributed run: give --redis <url> too\n');
        exitCode = 2;
        return;
      }
      if (o.redis && (!(o.db ?? o.state) || !o.cache)) {
        process.stderr.write('fiscal-harvest: a distributed run (--redis) needs the store and the cache directory the workers share: --db postgres://… --cache <dir>\n');
        exitCode = 2;
        return;
      }
      const logger = createLogger(o.logLevel);
      const started = Date.now();
      const stop = new AbortController();
      let stopSignal: NodeJS.Signals | undefined;
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopSignal) {
          process.stderr.write(`fiscal-harvest: ${signal} again: exiting now (what is stored is kept)\n`);
          process.exit(signalExitCode(signal));
        }
        stopSignal = signal;
        process.stderr.write(`fiscal-harvest: ${signal}: ${o.redis ? 'no longer waiting for the workers' : 'finishing the documents under way, starting no more'}\n`);
        stop.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      // Documents are processed here only without --redis (one at a time on this thread at --concurrency 1).
      if (!o.redis) compileOnDocumentThreads(o.concurrency);
      try {
        const summary = o.redis ? await runOnQueues(inputs, { ...o, redis: o.redis, db: (o.db ?? o.state)!, cache: o.cache! }, logger, stop.signal) : await run({
          inputs, outDir: o.out, concurrency: o.concurrency, logger, progress: true, fetchConcurrency: o.fetchConcurrency, ocr: o.ocr, ocrWorkers: o.ocrWorkers, signal: stop.signal,
          fetchSettings: { perHostConcurrency: o.hostConcurrency, perHostDelayMs: o.hostDelay },
          ...(o.sources ? { sourcesFile: o.sources } : {}), ...(o.state ?? o.db ? { state: (o.state ?? o.db)! } : {}), ...(o.cache ? { cacheDir: o.cache } : {}), ...(o.force ? { force: true } : {}),
        });
        if (typeof summary === 'number') { exitCode = summary; return; } // distributed: detached, or could not start
        for (const f of summary.failed) process.stderr.write(`fiscal-harvest: failed: ${f.source.source}: ${f.error}\n`);
        const failedSources = new Set(summary.failed.map((f) => f.source.source));
        for (const f of summary.fetchFailures) if (!failedSources.has(f.source)) process.stderr.write(`fiscal-harvest: fetch failed (last good version kept): ${f.source}: ${f.error}\n`);
        const c = summary.counts;
        process.stderr.write(`fiscal-harvest: ${summary.results.length} document(s), ${summary.failed.length} failed, ${summary.facts} cells → ${o.out}\n`);
        process.stderr.write(`fiscal-harvest: run ${summary.runId}: ${c.sources} source(s): ${c.downloaded} downloaded, ${c.notModified} unchanged, ${c.fetchFailed} fetch failed; ${c.processed} processed (${c.pages} pages), ${c.skipped} reused from the run state; ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
        exitCode = summary.failed.length || summary.fetchFailures.length ? 1 : 0;
      } catch (err) {
        if (err instanceof InputError) { process.stderr.write(`fiscal-harvest: ${err.message}\n`); exitCode = 2; return; }
        if (err instanceof RunInterruptedError) {
          process.stderr.write(`fiscal-harvest: ${err.message}; run again to go on\n`);
          exitCode = signalExitCode(stopSignal ?? 'SIGINT');
          return;
        }
        throw err;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });

  program
    .command('validate')
    .description('re-check the accounting identities of an output folder (its facts.csv and report.json) into its validation.csv (figures stated in the documents\' text stay as the run checked them; metadata.json follows the new file), then the folder against metadata.json')
    .argument('<out>', 'an output folder written by `run`')
    .option('--strict', 'exit 1 when any identity fails')
    .addHelpText('after', '\nExit codes: 0 checked (1 with --strict when an identity fails), 2 usage error or unreadable folder.')
    .action(async (out: string, opts: { strict?: boolean }) => {
      // This command's modules (CSV reading, metadata) are loaded by it alone: `run` starts sooner without them.
      const [{ revalidate }, { FactsFileError }] = await Promise.all([import('./pipeline/revalidate.js'), import('./export/read-facts.js')]);
      try {
        const summary = await revalidate(out);
        for (const f of summary.failed.slice(0, 20)) process.stderr.write(`fail: ${f.source}: ${f.table_kind} ${f.rule}: expected ${f.expected}, found ${f.found}\n`);
        if (summary.failed.length > 20) process.stderr.write(`… and ${summary.failed.length - 20} more in ${out}/validation.csv\n`);
        process.stderr.write(`fiscal-harvest: ${summary.documents} document(s): ${summary.passed} identities passed, ${summary.failed.length} failed → ${out}/validation.csv\n`);
        // The files against their metadata.json (CSVW schemas, keys, checksums, page links), when there is one.
        // The CSVW checker (and jsonld) loaded only for this command: `run` does not need them.
        const { checkOutputFolder, formatProblem } = await import('./export/csvw/index.js');
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

  program
    .command('worker')
    .description('run stage workers of the distributed mode: take fetch and process jobs queued by `run --redis` (see docs/distributed.md)')
    .requiredOption('--redis <url>', 'the Redis of the queues (redis://host:6379)')
    .requiredOption('--db <url>', 'the store shared by all workers and the coordinator (postgres://user:password@host/db)')
    .requiredOption('--cache <dir>', 'the PDF cache directory shared by all machines (the same path or mount on each)')
    .option('--stages <list>', 'which queues to work on: fetch, process or both', 'fetch,process')
    .option('-c, --concurrency <n>', 'documents processed at once, each on a worker thread', String(defaultConcurrency()))
    .option('--fetch-concurrency <n>', 'sources fetched at once', '8')
    .option('--ocr-workers <n>', 'OCR workers shared by this worker\'s documents', String(os.availableParallelism()))
    .option('--host-concurrency <n>', 'requests to one host at once (per worker process)', '2')
    .option('--host-delay <ms>', 'least time between two requests to one host (per worker process)', '500')
    .option('--fetch-rate <n>', 'at most n fetch jobs started per second over all workers (give every worker the same)')
    .option('--queue-prefix <prefix>', 'Redis key prefix of the queues (default fiscal-harvest)')
    .option('--name <name>', 'this worker\'s name in `status` and the stage records (default <host>:<pid>)')
    .option('--lock-duration <ms>', 'a job whose lock is not renewed for this long (dead worker) is taken back by another worker', '30000')
    .option('--stalled-interval <ms>', 'how often to look for jobs of dead workers', '30000')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent', 'info')
    .addHelpText('after', '\nSIGTERM or SIGINT: finish the running jobs, take no new ones, exit 0; a second signal exits at once (the other workers take the jobs back).\nExit codes: 0 stopped by a signal, 1 could not start (Redis or the store unreachable), 2 usage error.')
    .action(async (raw: unknown) => {
      const parsed = WorkerOptions.safeParse(raw);
      if (!parsed.success) { exitCode = usageError(parsed.error); return; }
      const o = parsed.data;
      const logger = createLogger(o.logLevel);
      const { startWorker } = await import('./pipeline/distributed/worker.js');
      if (o.stages.includes('process')) compileOnDocumentThreads(o.concurrency);
      let worker;
      try {
        worker = await startWorker({
          redis: o.redis, db: o.db, cacheDir: o.cache, stages: o.stages, concurrency: o.concurrency, fetchConcurrency: o.fetchConcurrency, ocrWorkers: o.ocrWorkers,
          fetchSettings: { perHostConcurrency: o.hostConcurrency, perHostDelayMs: o.hostDelay }, logger,
          lockDurationMs: o.lockDuration, stalledIntervalMs: o.stalledInterval, ...(o.fetchRate ? { fetchRate: { max: o.fetchRate, durationMs: 1000 } } : {}),
          ...(o.queuePrefix ? { prefix: o.queuePrefix } : {}), ...(o.name ? { name: o.name } : {}),
        });
      } catch (err) {
        process.stderr.write(`fiscal-harvest: worker: ${(err as Error).message}\n`);
        exitCode = 1;
        return;
      }
      const running = worker;
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        if (++signals > 1) {
          process.stderr.write(`fiscal-harvest: worker ${running.name}: ${signal} again: exiting now; the running jobs go back to the queue when their locks expire\n`);
          process.exit(1);
        }
        process.stderr.write(`fiscal-harvest: worker ${running.name}: ${signal}: finishing the running jobs, taking no new ones\n`);
        void running.close();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      process.stderr.write(`fiscal-harvest: worker ${running.name} ready (${o.stages.join(', ')}; concurrency ${o.concurrency})\n`);
      try {
        await running.closed;
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
      process.stderr.write(`fiscal-harvest: worker ${running.name} stopped\n`);
    });

  program
    .command('status')
    .description('the distributed mode\'s queues: depths, workers, running and failed jobs, throughput')
    .requiredOption('--redis <url>', 'the Redis of the queues')
    .option('--db <url>', 'the shared store: also show the runs of the queued and running jobs')
    .option('--queue-prefix <prefix>', 'Redis key prefix of the queues (default fiscal-harvest)')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExit codes: 0 shown, 1 Redis or the store unreachable, 2 usage error.')
    .action(async (raw: unknown) => {
      const parsed = StatusOptions.safeParse(raw);
      if (!parsed.success) { exitCode = usageError(parsed.error); return; }
      const o = parsed.data;
      const { formatStatus, queueStatus } = await import('./pipeline/distributed/status.js');
      try {
        const report = await queueStatus({ redis: o.redis, ...(o.db ? { db: o.db } : {}), ...(o.queuePrefix ? { prefix: o.queuePrefix } : {}) });
        process.stdout.write(o.json ? `${JSON.stringify(report, null, 1)}\n` : formatStatus(report));
      } catch (err) {
        process.stderr.write(`fiscal-harvest: status: ${(err as Error).message}\n`);
        exitCode = 1;
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

/**
 * A distributed run (`run --redis`): queued for the workers, awaited, outputs written here. An exit code
 * instead when detached (the jobs are queued and the run id printed) or when Redis or the store cannot be
 * reached.
 */
async function runOnQueues(inputs: string[], o: z.infer<typeof RunOptions> & { redis: string; db: string; cache: string }, logger: ReturnType<typeof createLogger>, signal: AbortSignal): Promise<RunSummary | number> {
  const { runDistributed } = await import('./pipeline/distributed/coordinator.js');
  let outcome;
  try {
    outcome = await runDistributed({
      inputs, outDir: o.out, redis: o.redis, db: o.db, cacheDir: o.cache, ocr: o.ocr, logger, progress: true, detach: !!o.detach, signal,
      ...(o.sources ? { sourcesFile: o.sources } : {}), ...(o.force ? { force: true } : {}), ...(o.queuePrefix ? { prefix: o.queuePrefix } : {}),
    });
  } catch (err) {
    if (err instanceof InputError || !/^cannot (reach Redis|open the store)/u.test((err as Error).message)) throw err;
    process.stderr.write(`fiscal-harvest: ${(err as Error).message}\n`);
    return 1;
  }
  if (!outcome.detached) return outcome;
  process.stderr.write(`fiscal-harvest: run ${outcome.runId}: ${outcome.sources} source(s) queued; follow it with \`fiscal-harvest status --redis …\`; run the same command without --detach to wait for it and write the outputs\n`);
  return 0;
}

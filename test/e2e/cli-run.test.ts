/**
 * End to end through the CLI entry point main(argv): a folder holding one good generated
 * disclosure and every kind of bad input (test/support/bad-inputs.ts). Run-level behaviour:
 * exit codes, report.json, facts.csv.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { FACT_COLUMNS } from '../../src/model/fact.js';
import { corruptPdf, emptyFile, htmlSavedAsPdf, ownerPasswordOnlyPdf, truncatedPdf, userPasswordPdf } from '../support/bad-inputs.js';
import { incomeTable, withCover } from '../support/fixtures.js';
import { makePdf, type DocSpec } from '../support/make-pdf.js';

const GOOD_DOC: DocSpec = withCover(['2024年度某市某局部门决算'], incomeTable({
  rows: [
    ['', '合计', '1,617.60', '1,597.60', '20.00'],
    ['201', '一般公共服务支出', '645.88', '645.88', '0.00'],
    ['2010301', '行政运行', '645.88', '645.88', '0.00'],
    ['206', '科学技术支出', '971.72', '951.72', '20.00'],
  ],
}));

interface ReportDoc { source: string; status: string; error: string | null; cells: number; entity: string | null; fiscal_year: string | null; doc_kind: string | null; pages: number }
interface Report { summary: { documents: number; ok: number; failed: number; cells: number }; documents: ReportDoc[] }

let tmp: string;
let inDir: string;
let stderr: string[];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'fiscal-harvest-e2e-'));
  inDir = path.join(tmp, 'in');
  await mkdir(path.join(inDir, 'sub'), { recursive: true });
  const files: Record<string, Uint8Array> = {
    'good.pdf': await makePdf(GOOD_DOC),
    'corrupt.pdf': corruptPdf(),
    'truncated.pdf': await truncatedPdf(),
    'empty.pdf': emptyFile(),
    'html-page.pdf': htmlSavedAsPdf(),
    'sub/user-password.pdf': await userPasswordPdf(),
    'sub/owner-password-only.PDF': await ownerPasswordOnlyPdf(),
    // not a .pdf: never read
    'readme.txt': Buffer.from('not an input'),
  };
  for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(inDir, name), bytes);
}, 30_000);

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

beforeEach(() => {
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { stderr.push(String(chunk)); return true; });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => {
  vi.restoreAllMocks();
});

const at = (name: string) => path.join(inDir, name);

describe('fiscal-harvest run over good and bad files', { timeout: 60_000 }, () => {
  let code: number;
  let outDir: string;
  let report: Report;
  let runStderr: string;

  beforeAll(async () => {
    outDir = path.join(tmp, 'out');
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { stderr.push(String(chunk)); return true; });
    stderr = [];
    code = await main(['run', inDir, '--out', outDir, '--log-level', 'silent', '--concurrency', '2']);
    runStderr = stderr.join('');
    spy.mockRestore();
    report = JSON.parse(await readFile(path.join(outDir, 'report.json'), 'utf8')) as Report;
  }, 60_000);

  const doc = (name: string): ReportDoc => {
    const d = report.documents.find((x) => x.source === at(name));
    if (!d) throw new Error(`${name} not in report.json: ${report.documents.map((x) => x.source).join(', ')}`);
    return d;
  };

  it('exits 1 because some documents failed', () => {
    expect(code).toBe(1);
  });

  it('reports every .pdf (any case, recursively) and nothing else', () => {
    expect(report.documents.map((d) => path.relative(inDir, d.source)).sort()).toEqual([
      'corrupt.pdf', 'empty.pdf', 'good.pdf', 'html-page.pdf', 'sub/owner-password-only.PDF', 'sub/user-password.pdf', 'truncated.pdf',
    ]);
    expect(report.summary).toMatchObject({ documents: 7, ok: 2, failed: 5 });
  });

  it.each([
    ['empty.pdf', /empty/i],
    ['html-page.pdf', /not a PDF.*HTML/i],
    ['corrupt.pdf', /corrupt/i],
    ['truncated.pdf', /corrupt|truncated/i],
    ['sub/user-password.pdf', /encrypted|password/i],
  ])('%s failed with a clear reason (%s)', (name, reason) => {
    const d = doc(name);
    expect(d.status).toBe('failed');
    expect(d.error).toMatch(reason);
    expect(d.cells).toBe(0);
    // the user sees it too
    expect(runStderr).toContain(`failed: ${at(name)}: ${d.error}`);
  });

  it('gives each kind of failure its own message', () => {
    const errors = ['empty.pdf', 'html-page.pdf', 'corrupt.pdf', 'sub/user-password.pdf'].map((n) => doc(n).error);
    expect(new Set(errors).size).toBe(errors.length);
  });

  it('reads the good document: meta and cells', () => {
    expect(doc('good.pdf')).toMatchObject({ status: 'ok', error: null, entity: '某市某局', fiscal_year: '2024', doc_kind: 'final_account', pages: 2, cells: 12 });
  });

  it('reads the owner-password-only (copy-restricted) document: it opens without a password', () => {
    const d = doc('sub/owner-password-only.PDF');
    expect(d.status).toBe('ok');
    expect(d.cells).toBeGreaterThan(0);
  });

  it('writes facts.csv with the contract columns and the facts of the readable documents only', async () => {
    const csv = await readFile(path.join(outDir, 'facts.csv'), 'utf8');
    const lines = csv.trimEnd().split(/\r?\n/);
    expect(lines[0]).toBe(FACT_COLUMNS.join(','));
    expect(lines.length - 1).toBe(report.summary.cells);
    const sources = new Set(lines.slice(1).map((l) => l.split(',')[1]));
    expect([...sources].sort()).toEqual([at('good.pdf'), at('sub/owner-password-only.PDF')].sort());
    // one known cell of the good document
    const row = lines.find((l) => l.includes(at('good.pdf')) && l.includes(',fa02_income,,2010301,') && l.includes(',fiscal_appropriation,'));
    expect(row, 'good.pdf 2010301/fiscal_appropriation in facts.csv').toBeDefined();
    expect(row).toContain(',645.88,6458800,');
  });

  it('writes documents.csv: one row per source, failed ones with their error', async () => {
    const lines = (await readFile(path.join(outDir, 'documents.csv'), 'utf8')).trimEnd().split(/\r?\n/);
    expect(lines[0]).toBe('sha256,source,entity,fiscal_year,doc_kind,pages,pages_ocr,tables,cells,identities_passed,identities_failed,status,error');
    expect(lines).toHaveLength(8);
    const good = lines.find((l) => l.includes(`,${at('good.pdf')},`))!;
    expect(good).toMatch(/,某市某局,2024,final_account,2,0,1,\d+,\d+,\d+,ok,$/);
    expect(lines.filter((l) => /,failed,.+$/.test(l))).toHaveLength(5);
  });

  it('writes validation.csv: the identities of the good document hold, its missing standard tables are findings', async () => {
    const rows = (await readFile(path.join(outDir, 'validation.csv'), 'utf8')).trimEnd().split(/\r?\n/).slice(1);
    const good = rows.filter((l) => l.includes(`,${at('good.pdf')},`));
    // 合计 = 201 + 206 in every column, and 本年收入合计 = 财政拨款收入 + 其他收入 in every row
    expect(good.filter((l) => l.includes('fa02_income.total_of_classes@') && l.endsWith(',pass'))).toHaveLength(3);
    expect(good.filter((l) => l.includes('fa02.total_column@') && l.endsWith(',pass')).length).toBeGreaterThanOrEqual(4);
    // a final account prints nine tables; this one prints only 收入决算表
    expect(good.filter((l) => l.includes(',completeness,') && l.endsWith(',fail'))).toHaveLength(8);
  });

  it('writes the wide table of each kind found', () => {
    expect(existsSync(path.join(outDir, 'tables', 'fa02_income.csv'))).toBe(true);
  });

  it('prints a one-line summary', () => {
    expect(runStderr).toMatch(/7 document\(s\), 5 failed/);
  });
});

describe('fiscal-harvest exit codes', { timeout: 30_000 }, () => {
  it('exits 0 when every document is read', async () => {
    const out = path.join(tmp, 'out-good');
    expect(await main(['run', at('good.pdf'), '--out', out, '--log-level', 'silent'])).toBe(0);
    expect(existsSync(path.join(out, 'facts.csv'))).toBe(true);
  });

  it.each([
    [['run'], 'missing inputs'],
    [['frobnicate'], 'unknown command'],
    [['run', '/nonexistent/fiscal-harvest-input', '--log-level', 'silent'], 'input not found'],
    [['run', '.', '--concurrency', '0', '--log-level', 'silent'], 'concurrency out of range'],
    [['run', '.', '--concurrency', 'many', '--log-level', 'silent'], 'concurrency not a number'],
    [['run', '.', '--log-level', 'loud'], 'unknown log level'],
    [['run', '.', '--no-such-option'], 'unknown option'],
  ])('usage error %j (%s) exits 2 and says why on stderr', async (argv, _why) => {
    expect(await main(argv)).toBe(2);
    expect(stderr.join('')).not.toBe('');
  });

  // A bare `fiscal-harvest` (no command) prints the help as an error. The CLI help promises
  // "2 usage error", but cli.ts maps commander's 'commander.help' code to 0.
  it('no command at all is a usage error: exit 2', async () => {
    expect(await main([])).toBe(2);
  });

  it.each([[['--help']], [['--version']], [['run', '--help']]])('%j exits 0', async (argv) => {
    expect(await main(argv)).toBe(0);
  });
});

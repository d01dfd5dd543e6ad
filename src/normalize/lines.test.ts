import { describe, expect, it } from 'vitest';
import type { Page, TextRun } from '../model/page.js';
import { dropPageFurniture, pageLines, runsToTokens, tokensToLines } from './lines.js';

/** A text run of 9pt text whose box spans [x0, x1] on the line with its top at `top`. */
function run(text: string, x0: number, x1: number, top = 100, extra: Partial<TextRun> = {}): TextRun {
  return { text, x0, x1, top, bottom: top + 9.45, fontSize: 9, method: 'text', confidence: 1, ...extra };
}

const texts = (runs: TextRun[]) => runsToTokens(runs, 1).map((t) => t.text);

describe('runsToTokens: one text run spanning several cells is split', () => {
  // Each string below is one pdf.js text item from a published PDF (REAL-DOCUMENTS.md:
  // "One text item can span two table cells").
  it.each([
    // r28.pdf p6 (Guangzhou 2026 budget, 收支总体情况表)
    ['9,433.72 一、一般公共服务支出', ['9,433.72', '一、一般公共服务支出']],
    ['0.00 结转结余下年', ['0.00', '结转结余下年']],
    // seed 000 / 001 收入支出决算总表: the label and its 行次
    ['二十二、灾害防治及应急管理支出 52', ['二十二、灾害防治及应急管理支出', '52']],
    // r06.pdf p10, r12.pdf p8 (Shanghai Putuo, amounts in 元)
    ['96,282,213.44 一、公共安全支出', ['96,282,213.44', '一、公共安全支出']],
    ['1,867,397.54 66,410,000.00', ['1,867,397.54', '66,410,000.00']],
    ['82,096,797.42 82,096,797.42', ['82,096,797.42', '82,096,797.42']],
    ['一、一般公共预算资金 91,016,775.35 一、一般公共服务支出', ['一、一般公共预算资金', '91,016,775.35', '一、一般公共服务支出']],
    // r23.pdf (Beijing: 万元 with six decimals)
    ['44,156.640120 一、一般公共服务支出', ['44,156.640120', '一、一般公共服务支出']],
    ['12.717412 年终结转结余', ['12.717412', '年终结转结余']],
    // r18.pdf (Jiangsu)
    ['13,907.78 一、基本支出', ['13,907.78', '一、基本支出']],
    // two zero cells side by side are never one number
    ['0.00 0.00', ['0.00', '0.00']],
    ['0. 00 0. 00', ['0. 00', '0. 00']],
    // a wide gap always separates cells
    ['项目     行次', ['项目', '行次']],
  ])('%j → %j', (text, expected) => {
    expect(texts([run(text, 100, 300)])).toEqual(expected);
  });

  it('marks split tokens and estimates their x-ranges inside the run', () => {
    const tokens = runsToTokens([run('9,433.72 一、一般公共服务支出', 100, 300)], 1);
    expect(tokens).toHaveLength(2);
    const [amount, label] = tokens as [typeof tokens[0], typeof tokens[0]];
    for (const t of tokens) {
      expect(t.repairs).toEqual(['split_spanning_run']);
      expect(t.page).toBe(1);
      expect(t.top).toBe(100);
      expect(t.bottom).toBeCloseTo(109.45);
    }
    expect(amount.x0).toBe(100);
    expect(label.x1).toBeCloseTo(300);
    expect(amount.x1).toBeGreaterThan(amount.x0);
    expect(label.x0).toBeGreaterThan(amount.x1);
    // the label (10 CJK em) is much wider than the amount (8 narrow characters)
    expect(label.x1 - label.x0).toBeGreaterThan(2 * (amount.x1 - amount.x0));
  });
});

describe('runsToTokens: one cell printed with stray spaces stays one token', () => {
  it.each([
    // OCR layers and letter-spaced numbers (seed 001 text layer; dev spaced PDFs)
    '1, 597. 60',
    '49, 644. 69',
    '20. 00',
    '11, 294.54',
    '34,950. 13',
    '0. 00',
    '2 0 2 5',
    // labels broken mid-word
    '社会保障和就业支 出',
    '二十二、灾害防治及 应急管理支出',
    '其他政府办公厅 (室)及相关机构事 务支出',
  ])('%j', (text) => {
    const tokens = runsToTokens([run(text, 100, 200)], 1);
    expect(tokens.map((t) => t.text)).toEqual([text]);
    expect(tokens[0]!.repairs).toEqual([]);
    expect(tokens[0]!.x0).toBe(100);
    expect(tokens[0]!.x1).toBe(200);
  });

  // r06.pdf p10 / r09.pdf p10 (Shanghai budgets): an income line with an arabic ordinal is one
  // label cell. It comes out as two tokens '1.' and '一般公共预算' marked split_spanning_run.
  it('an ordinal `1. ` and its label are one cell (r06: "1. 一般公共预算")', () => {
    const tokens = runsToTokens([run('1. 一般公共预算', 100, 200)], 1);
    expect(tokens.map((t) => t.text)).toEqual(['1. 一般公共预算']);
    expect(tokens[0]!.repairs).toEqual([]);
  });
});

// r23.pdf (Beijing 2026): one pdf.js item spans the function cell and the economic cell.
it('runsToTokens: two code-prefixed label cells in one run are two tokens (r23)', () => {
  expect(texts([run('2080505-机关事业单位基本养老保险缴费支出 50102-社会保障缴费', 100, 400)])).toEqual([
    '2080505-机关事业单位基本养老保险缴费支出',
    '50102-社会保障缴费',
  ]);
});

describe('runsToTokens: merging touching runs', () => {
  it('joins runs on one baseline that touch', () => {
    const tokens = runsToTokens([run('行政', 100, 118), run('运行', 118.5, 136)], 1);
    expect(tokens.map((t) => t.text)).toEqual(['行政运行']);
    expect(tokens[0]!.x0).toBe(100);
    expect(tokens[0]!.x1).toBe(136);
  });

  it('joins a number broken into touching runs', () => {
    expect(texts([run('49,644', 200, 227), run('.69', 227.2, 240)])).toEqual(['49,644.69']);
  });

  it('keeps runs apart when there is a gap of a fifth of the font size or more', () => {
    expect(texts([run('行政运行', 100, 136), run('3,268.06', 140, 180)])).toEqual(['行政运行', '3,268.06']);
  });

  it('keeps runs on different lines apart', () => {
    expect(texts([run('行政', 100, 118, 100), run('运行', 118.5, 136, 118)])).toEqual(['行政', '运行']);
  });

  it('takes the lowest confidence and keeps the method of OCR runs', () => {
    const tokens = runsToTokens([
      run('49, 644', 200, 230, 100, { method: 'ocr', confidence: 0.9 }),
      run('. 69', 230.5, 245, 100, { method: 'ocr', confidence: 0.6 }),
    ], 3);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ text: '49, 644. 69', method: 'ocr', confidence: 0.6, page: 3 });
  });

  it('drops whitespace-only runs', () => {
    expect(texts([run('   ', 100, 110)])).toEqual([]);
  });
});

describe('tokensToLines', () => {
  it('groups tokens by baseline and orders them left to right', () => {
    const tokens = runsToTokens([
      run('34,970.13', 400, 440, 120.5),
      run('201', 60, 75, 120),
      run('一般公共服务支出', 120, 192, 120.3),
      run('2010301', 60, 90, 138),
      run('行政运行', 120, 156, 138),
    ], 1);
    const lines = tokensToLines(tokens, 1);
    expect(lines.map((l) => l.text)).toEqual(['201一般公共服务支出34,970.13', '2010301行政运行']);
    expect(lines[0]!.tokens.map((t) => t.text)).toEqual(['201', '一般公共服务支出', '34,970.13']);
    expect(lines[0]!.top).toBe(120);
    expect(lines[0]!.bottom).toBeCloseTo(120.5 + 9.45);
  });

  it('compacts the line text (NFKC, no whitespace)', () => {
    const lines = tokensToLines(runsToTokens([run('２０２５ 年度 部门 决算', 100, 300)], 1), 1);
    expect(lines.map((l) => l.text)).toEqual(['2025年度部门决算']);
  });
});

describe('page furniture', () => {
  const page = (runs: TextRun[]): Page => ({ number: 2, width: 595.28, height: 841.89, runs, segments: [], needsOcr: false });
  const body = [run('行政运行', 60, 96, 300), run('3,268.06', 400, 440, 300)];

  it('drops a bare page number at the bottom edge', () => {
    expect(pageLines(page([...body, run('3', 295, 300, 810)])).map((l) => l.text)).toEqual(['行政运行3,268.06']);
  });

  it('drops a bare page number at the top edge', () => {
    expect(pageLines(page([run('12', 290, 300, 30), ...body])).map((l) => l.text)).toEqual(['行政运行3,268.06']);
  });

  it('keeps a number that is not at an edge', () => {
    expect(pageLines(page([...body, run('52', 295, 305, 400)])).map((l) => l.text)).toEqual(['行政运行3,268.06', '52']);
  });

  it('dropPageFurniture keeps table rows near the bottom', () => {
    const lines = tokensToLines(runsToTokens([run('合计', 60, 78, 800), run('49,664.69', 400, 445, 800)], 1), 1);
    expect(dropPageFurniture(lines, 841.89)).toHaveLength(1);
  });

  // `- 1 -` is how make-pdf (and r22/r26, Beijing/Shenzhen) print page numbers: one pdf.js item,
  // which runsToTokens splits into three tokens ('-', '1', '-'); a '-' left behind would read as
  // a dash (zero) in a table. OCR may lose one of its dashes (`-1`).
  it.each([['- 1 -'], ['- 12 -'], ['第 3 页'], ['-1'], ['7 -']])('drops the page number %j printed as one run', (pn) => {
    expect(pageLines(page([...body, run(pn, 285, 310, 810)])).map((l) => l.text)).toEqual(['行政运行3,268.06']);
  });
});

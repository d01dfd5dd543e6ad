/** OCR text handling: Tesseract TSV, numeric readings, dictionary correction of labels. */
import { describe, expect, it } from 'vitest';
import { wordsFromTsv } from './engine.js';
import { createLexicon, editDistance, literalVariants } from './lexicon.js';
import { cleanNumeric, figureLayout, isWellFormedAmount, looksLikeFigure, looksNumeric, placeSeparators, pointAgrees, rankReadings } from './numbers.js';
import { correctLabels, joinWords, tidy } from './page-ocr.js';

describe('wordsFromTsv', () => {
  it('reads level-5 rows as words with boxes, confidences 0..1 and line indexes', () => {
    const tsv = [
      'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext',
      '1\t1\t0\t0\t0\t0\t0\t0\t500\t100\t-1\t',
      '4\t1\t1\t1\t1\t0\t10\t10\t200\t20\t-1\t',
      '5\t1\t1\t1\t1\t1\t10\t10\t80\t20\t91.5\t一般公共',
      '5\t1\t1\t1\t1\t2\t100\t10\t60\t20\t88\t1,597.60',
      '5\t1\t1\t1\t2\t1\t10\t50\t40\t20\t12\t ',
      '5\t1\t1\t1\t2\t2\t60\t50\t40\t20\t40\t0.00',
    ].join('\n');
    expect(wordsFromTsv(tsv)).toEqual([
      { text: '一般公共', confidence: 0.915, x0: 10, y0: 10, x1: 90, y1: 30, line: 0 },
      { text: '1,597.60', confidence: 0.88, x0: 100, y0: 10, x1: 160, y1: 30, line: 0 },
      { text: '0.00', confidence: 0.4, x0: 60, y0: 50, x1: 100, y1: 70, line: 1 },
    ]);
  });
});

describe('joinWords', () => {
  it('joins Chinese without spaces and keeps wide gaps between other words', () => {
    const w = (text: string, x0: number, x1: number, confidence = 0.9) => ({ text, confidence, x0, x1, y0: 0, y1: 20, line: 0 });
    expect(joinWords([w('支出', 60, 100), w('一般', 0, 40)], 20)).toEqual({ text: '一般支出', confidence: 0.9 });
    expect(joinWords([w('注:1.', 0, 40, 0.5), w('本表', 60, 100)], 20)).toEqual({ text: '注:1. 本表', confidence: 0.5 });
    expect(joinWords([], 20)).toEqual({ text: '', confidence: 0 });
  });
});

describe('tidy', () => {
  it('drops specks read as marks and restores what the model gets wrong about brackets and quotes', () => {
    expect(tidy('”一般公共服务支出')).toBe('一般公共服务支出');
    expect(tidy('. 算财政拨款')).toBe('算财政拨款');
    expect(tidy('单位：广州市荔湾区政务服务数据管理局〈本级)')).toBe('单位：广州市荔湾区政务服务数据管理局（本级)');
    expect(tidy('三公”经费')).toBe('“三公”经费');
    expect(tidy('“三公”经费')).toBe('“三公”经费');
    expect(tidy('0.00')).toBe('0.00');
    // seed001's self-evaluation forms, scanned
    expect(tidy('群众咨询事项一次性的解答率-')).toBe('群众咨询事项一次性的解答率');
    expect(tidy('年度业务增长率(9%)')).toBe('年度业务增长率(%)');
    expect(tidy('-')).toBe('-');
    expect(tidy('≥90%')).toBe('≥90%');
    expect(tidy('(12%)')).toBe('(12%)');
  });
});

describe('numeric readings', () => {
  it('tells amounts from misread amounts and from labels', () => {
    expect(['1,597.60', '0.00', '645.88', '-3.5', '12%', '1597.60'].every(isWellFormedAmount)).toBe(true);
    expect(['1.597.60', '0645.88x', '1,59,7.60', ''].some(isWellFormedAmount)).toBe(false);
    expect(looksNumeric('1.597.60')).toBe(true);
    expect(looksNumeric('0:00')).toBe(true);
    expect(looksNumeric('l]2')).toBe(true);
    expect(looksNumeric('一般公共服务支出')).toBe(false);
    expect(looksNumeric('2024年度')).toBe(false);
  });

  it('maps look-alike letters and marks to digits and separators', () => {
    expect(cleanNumeric('0:00')).toBe('0.00');
    expect(cleanNumeric('l]2')).toBe('112');
    expect(cleanNumeric('1，597。60')).toBe('1,597.60');
    expect(cleanNumeric(' 6 45.8B')).toBe('645.88');
  });

  it('ranks well-formed readings first, then agreement, then confidence', () => {
    const ranked = rankReadings([
      { text: '1.597.60', confidence: 0.95 },
      { text: '1297.60', confidence: 0.6 },
      { text: '1,597.60', confidence: 0.7 },
      { text: '1,597.60', confidence: 0.5 },
    ]);
    expect(ranked.map((r) => r.text)).toEqual(['1,597.60', '1297.60', '1.597.60']);
    expect(ranked[0]).toMatchObject({ votes: 2, confidence: 0.7 });
    // Two specks on the baseline: the reading with two separators wins over a surer one with one.
    expect(rankReadings([{ text: '255', confidence: 0.95 }, { text: '2.55', confidence: 0.6 }], { separators: 1 })[0]!.text).toBe('2.55');
    expect(rankReadings([{ text: '1597.60', confidence: 0.95 }, { text: '1,597.60', confidence: 0.6 }], { separators: 2 })[0]!.text).toBe('1,597.60');
    // Three glyphs on the image: 221, not 2211.
    expect(rankReadings([{ text: '2211', confidence: 0.9 }, { text: '221', confidence: 0.7 }], { glyphs: 3 })[0]!.text).toBe('221');
  });
});

describe('separators from the image', () => {
  const digit = (x: number) => ({ x0: x, x1: x + 10, y0: 2, y1: 20 });
  const speck = (x: number, y1 = 20) => ({ x0: x, x1: x + 3, y0: y1 - 3, y1 });

  it('finds points on the baseline and commas below it, between digit glyphs', () => {
    // 1,597.60 : a comma after the first glyph, a point after the fourth, each in a gap of its own.
    const parts = [digit(0), speck(13, 24), digit(18), digit(30), digit(42), speck(56), digit(62), digit(74)];
    const layout = figureLayout(parts, 24)!;
    expect(layout).toEqual({ glyphs: 6, separators: [{ after: 1, kind: ',' }, { after: 4, kind: '.' }] });
    expect(placeSeparators('1297.60', layout)).toBe('1,297.60');
    expect(placeSeparators('159760', layout)).toBe('1,597.60');
    expect(placeSeparators('06451.88', layout)).toBeNull();
  });

  it('joins the broken parts of a glyph and ignores specks outside the figure', () => {
    const parts = [digit(0), { x0: 14, x1: 24, y0: 2, y1: 10 }, { x0: 14, x1: 24, y0: 11, y1: 20 }, speck(25), digit(32), digit(44), speck(60)];
    expect(figureLayout(parts, 24)).toEqual({ glyphs: 4, separators: [{ after: 2, kind: '.' }] });
    // Dirt in the narrow gap between two digits is no point: 20699, not 206.99.
    expect(figureLayout([digit(0), digit(12), digit(24), speck(35), digit(38), digit(50)], 24)).toEqual({ glyphs: 5, separators: [] });
    expect(placeSeparators('575', { glyphs: 3, separators: [{ after: 1, kind: '.' }] })).toBe('5.75');
  });

  it('doubts a reading whose decimal point the image does not show, not one whose commas the scan lost or blurred', () => {
    // 6,705.89 printed with a comma too faint to see: the point is where the reading has it.
    const faintComma = figureLayout([digit(0), digit(18), digit(30), digit(42), speck(56), digit(62), digit(74)], 24)!;
    expect(faintComma).toEqual({ glyphs: 6, separators: [{ after: 4, kind: '.' }] });
    expect(pointAgrees('6,705.89', faintComma)).toBe(true);
    expect(pointAgrees('6705.89', faintComma)).toBe(true);
    expect(pointAgrees('670589', faintComma)).toBe(false); // the point lost
    expect(pointAgrees('67,058.9', faintComma)).toBe(false);
    // A point blurred into a comma's shape; a comma that does not descend.
    expect(pointAgrees('0.00', { glyphs: 3, separators: [{ after: 1, kind: ',' }] })).toBe(true);
    expect(pointAgrees('3,703.83', { glyphs: 6, separators: [{ after: 1, kind: '.' }, { after: 4, kind: '.' }] })).toBe(true);
    // An integer with no mark, and one with its point unseen.
    expect(pointAgrees('20699', { glyphs: 5, separators: [] })).toBe(true);
    expect(pointAgrees('206.99', { glyphs: 5, separators: [] })).toBe(false);
    // A mark where no comma can be, beside the point or in an integer: which is the point is in doubt.
    expect(pointAgrees('376.23', { glyphs: 5, separators: [{ after: 3, kind: '.' }, { after: 4, kind: '.' }] })).toBe(false);
    expect(pointAgrees('613.00', { glyphs: 5, separators: [{ after: 2, kind: '.' }, { after: 3, kind: '.' }] })).toBe(false);
    expect(pointAgrees('61300', { glyphs: 5, separators: [{ after: 3, kind: '.' }] })).toBe(false);
  });
});

describe('lexicon', () => {
  const lexicon = createLexicon(['年末结转和结余', '年末财政拨款结转和结余', '年初财政拨款结转和结余', '农林水支出', '债务付息支出', '国有资本经营预算支出', '一般公共服务支出', '其他收入', '其他支出', '社会保障和就业支出']);

  it('puts near readings back to the one known phrase', () => {
    expect(lexicon.correct('年未结转和结余')).toBe('年末结转和结余');
    expect(lexicon.correct('年初财政投款结转和结余')).toBe('年初财政拨款结转和结余');
    expect(lexicon.correct('年未财政拨款结转和结余')).toBe('年末财政拨款结转和结余');
  });

  it('restores ordinals: stray marks before them, a lost 、, a misread one', () => {
    expect(lexicon.correct(':十一、国有资本经营预算支出')).toBe('十一、国有资本经营预算支出');
    expect(lexicon.correct('=十五、债务付息支出')).toBe('十五、债务付息支出');
    expect(lexicon.correct('二十五债务付息支出')).toBe('二十五、债务付息支出');
    expect(lexicon.correct('八”社会保障和就业支出')).toBe('八、社会保障和就业支出');
    expect(lexicon.correct('下农林水支出')).toBe('农林水支出');
  });

  it('leaves alone what is fine, what is far, and what two phrases are equally near', () => {
    expect(lexicon.correct('一般公共服务支出')).toBeNull();
    expect(lexicon.correct('一、一般公共服务支出')).toBeNull();
    expect(lexicon.correct('行政运行')).toBeNull();
    // Lines of a wrapped header: 一般公共预 / 算财政拨款 are not misreadings of 一般公共预算 and 财政拨款.
    expect(createLexicon(['一般公共预算', '财政拨款']).correct('算财政拨款')).toBeNull();
    expect(createLexicon(['一般公共预算', '财政拨款']).correct('一般公共预')).toBeNull();
    expect(createLexicon(['本年支出']).correct('本支出')).toBeNull();
    expect(lexicon.correct('1,597.60')).toBeNull();
    expect(lexicon.knows('十二、农林水支出')).toBe(true);
    expect(lexicon.knows('年未结转和结余')).toBe(true);
    expect(lexicon.knows('行政运行')).toBe(false);
    // 其他收出 is one edit from both 其他收入 and 其他支出.
    expect(lexicon.correct('其他收出')).toBeNull();
    expect(lexicon.correct('其它收支')).toBeNull();
  });

  it('turns simple title patterns into phrases', () => {
    expect(literalVariants(/基本支出决算(明细)?表/u)).toEqual(['基本支出决算表', '基本支出决算明细表']);
    expect(literalVariants(/收支总体情况表|收支(预算)?总表/u)).toEqual(['收支总体情况表', '收支总表', '收支预算总表']);
    expect(literalVariants(/^基本支出(预算|总)表$/u)).toEqual(['基本支出预算表', '基本支出总表']);
    expect(literalVariants(/三公.{0,4}经费/u)).toBeNull();
    // A reading with a stray mark after it is still the phrase.
    expect(createLexicon(['支出决算表']).correct('文出决算表，')).toBe('支出决算表');
  });

  it('measures edit distance with a limit', () => {
    expect(editDistance('年未结转', '年初结转')).toBe(1);
    // Look-alikes cost half: 年未 is nearer 年末 than 年初.
    expect(editDistance('年未结转', '年末结转')).toBe(0.5);
    expect(editDistance('abc', 'abcdef', 1)).toBe(2);
  });
});

describe('correctLabels', () => {
  const lexicon = createLexicon(['上缴上级支出', '年末结转和结余']);
  const box = (x0: number, y0: number, x1: number, y1: number) => ({ x0, y0, x1, y1, parts: 1, dots: 0 });
  // A header wrapped in its cell: 止缴上 over 级支出, 24 px characters.
  const snippets = [box(100, 100, 172, 124), box(100, 128, 172, 152), box(300, 100, 468, 124)];

  it('checks each line, and the lines of one cell together, splitting the fix where the label wrapped', () => {
    expect(correctLabels(snippets, ['止缴上', '级支出', '年未结转和结余'], new Map(), [], 24, lexicon)).toEqual(['上缴上', '级支出', '年末结转和结余']);
  });

  it('does not join lines a rule separates, nor touch figures', () => {
    const rule = { orientation: 'h' as const, x0: 90, x1: 200, y0: 125, y1: 127 };
    expect(correctLabels(snippets, ['止缴上', '级支出', null], new Map(), [rule], 24, lexicon)).toEqual(['止缴上', '级支出', null]);
    expect(correctLabels(snippets, ['止缴上', '级支出', '1.00'], new Map([[2, []]]), [], 24, lexicon)).toEqual(['上缴上', '级支出', '1.00']);
  });
});

describe('figure shapes before reading', () => {
  const glyph = (x: number, w = 11, h = 20) => ({ x0: x, x1: x + w, y0: 24 - h, y1: 24 });
  const speck = (x: number) => ({ x0: x, x1: x + 3, y0: 21, y1: 27 });
  it('takes narrow glyphs of one digit height (separators aside) for a figure', () => {
    expect(looksLikeFigure([glyph(0, 8), glyph(15), speck(28), glyph(33), glyph(48)], 24)).toBe(true); // 1,597 with a comma
    expect(looksLikeFigure([glyph(0), glyph(15), { x0: 29, x1: 32, y0: 21, y1: 24 }, glyph(35), glyph(50)], 24)).toBe(true);
  });
  it('takes a wide part, a part as high as a Chinese character, mixed heights or hairline strokes for text', () => {
    expect(looksLikeFigure([glyph(0, 22)], 24)).toBe(false); // 目 or 口: as wide as high
    expect(looksLikeFigure([glyph(0, 10, 23), glyph(12, 12, 23)], 24)).toBe(false); // 们: parts as high as the line
    expect(looksLikeFigure([glyph(0), glyph(15, 11, 12)], 24)).toBe(false); // a low part beside a tall one
    expect(looksLikeFigure([glyph(0, 3), glyph(8, 3), glyph(16, 3)], 24)).toBe(false); // 川's strokes
    expect(looksLikeFigure([speck(0), speck(5)], 24)).toBe(false);
  });
});

/** OCR text handling: Tesseract TSV, numeric readings, dictionary correction of labels. */
import { describe, expect, it } from 'vitest';
import { wordsFromTsv } from './engine.js';
import { createLexicon, editDistance } from './lexicon.js';
import { cleanNumeric, isWellFormedAmount, looksNumeric, rankReadings } from './numbers.js';
import { joinWords } from './page-ocr.js';

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
  });
});

describe('lexicon', () => {
  const lexicon = createLexicon(['年末结转和结余', '年初财政拨款结转和结余', '农林水支出', '债务付息支出', '国有资本经营预算支出', '一般公共服务支出', '其他收入', '其他支出', '社会保障和就业支出']);

  it('puts near readings back to the one known phrase', () => {
    expect(lexicon.correct('年未结转和结余')).toBe('年末结转和结余');
    expect(lexicon.correct('年初财政投款结转和结余')).toBe('年初财政拨款结转和结余');
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
    expect(lexicon.correct('1,597.60')).toBeNull();
    // 其他收出 is one edit from both 其他收入 and 其他支出.
    expect(lexicon.correct('其他收出')).toBeNull();
    expect(lexicon.correct('其它收支')).toBeNull();
  });

  it('measures edit distance with a limit', () => {
    expect(editDistance('年未结转', '年末结转')).toBe(1);
    expect(editDistance('abc', 'abcdef', 1)).toBe(2);
  });
});

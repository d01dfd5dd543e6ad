import { describe, expect, it } from 'vitest';
import { compact, emWidth, hasCjk, isAmount, normalizeLabel, plainAmount } from './text.js';

// Labels copied from the seed text layers (../shared/seeds/*.txt) and the dev PDFs' artifacts.

describe('normalizeLabel (OUTPUT.md: NFKC, whitespace removed, leading ordinal or prefix removed)', () => {
  it.each([
    // ordinals 一、 … 二十六、
    ['一、一般公共服务支出', '一般公共服务支出'],
    ['二十二、灾害防治及应急管理支出', '灾害防治及应急管理支出'],
    ['二十六、抗疫特别国债安排的支出', '抗疫特别国债安排的支出'],
    ['一、一般公共预算财政拨款收入', '一般公共预算财政拨款收入'],
    // whitespace inside the label (letter-spaced and OCR breaks) goes
    ['社会保障和就业支 出', '社会保障和就业支出'],
    ['十七、援助其他地区 支出', '援助其他地区支出'],
    ['二十二、灾害防治及 应急管理支出', '灾害防治及应急管理支出'],
    ['项 目', '项目'],
    ['栏 次', '栏次'],
    ['  行政运行\u3000', '行政运行'],
    // （一） (1) 1. 1、 其中： 指标1：
    ['（一）行政运行', '行政运行'],
    ['(一)行政运行', '行政运行'],
    ['（1）基本工资', '基本工资'],
    ['1. 一般公共预算', '一般公共预算'],
    ['2. 政府性基金预算', '政府性基金预算'],
    ['1、基本支出', '基本支出'],
    ['其中：财政拨款', '财政拨款'],
    ['其中:财政拨款', '财政拨款'],
    ['指标1：服务对象满意度', '服务对象满意度'],
    ['指标12：工单转派及时率', '工单转派及时率'],
    // stacked prefixes
    ['其中：1.人员经费', '人员经费'],
    ['一、（一）行政运行', '行政运行'],
    // NFKC: full-width digits and brackets fold
    ['２０２５年度', '2025年度'],
    ['使用非财政拨款结余（含专用结余）', '使用非财政拨款结余(含专用结余)'],
    ['产出指标（50分）', '产出指标(50分)'],
    ['１．一般公共预算', '一般公共预算'],
  ])('%j → %j', (label, norm) => {
    expect(normalizeLabel(label)).toBe(norm);
  });

  it.each([
    // labels that begin with a numeral character but carry no ordinal
    '一般公共服务支出',
    '一般公共预算财政拨款收入',
    '十三五规划项目',
    '三公经费',
    '“三公”经费',
    // codes and numbers are not ordinals
    '2010301',
    '1.5万元',
    '[2080505]机关事业单位基本养老保险缴费支出',
    '第一部分',
    '合计',
    '总计',
    '',
  ])('keeps %j', (label) => {
    expect(normalizeLabel(label)).toBe(label);
  });

  it('is idempotent', () => {
    for (const l of ['一、一般公共服务支出', '其中：1.人员经费', '社会保障和就业支 出', '（一）行政运行']) {
      expect(normalizeLabel(normalizeLabel(l))).toBe(normalizeLabel(l));
    }
  });
});

describe('compact', () => {
  it('applies NFKC and removes all whitespace', () => {
    expect(compact('2 0 2 5 年度')).toBe('2025年度');
    expect(compact('２０２５')).toBe('2025');
    expect(compact('部门预 算')).toBe('部门预算');
    expect(compact('单位：\u3000万元\u200b')).toBe('单位:万元');
  });
});

describe('amount helpers', () => {
  it.each(['49,644.69', '0.00', '1,597.60', '-3.5', '96,282,213.44', '44,156.640120', '2025'])('%j is an amount', (s) => {
    expect(isAmount(s)).toBe(true);
  });

  it.each(['49, 644. 69', '1,59,7.60', '0.00 0.00', '一、一般公共服务支出', '--', '-', '99.43%', ''])('%j is not an amount', (s) => {
    expect(isAmount(s)).toBe(false);
  });

  it('strips thousands separators and a plus sign', () => {
    expect(plainAmount('49,644.69')).toBe('49644.69');
    expect(plainAmount('96,282,213.44')).toBe('96282213.44');
    expect(plainAmount('+3.50')).toBe('3.50');
    expect(plainAmount('0.00')).toBe('0.00');
  });
});

describe('character helpers', () => {
  it('tells CJK from other text', () => {
    expect(hasCjk('二十二、灾害防治及应急管理支出 52')).toBe(true);
    expect(hasCjk('49, 644. 69')).toBe(false);
  });

  it('measures CJK wider than digits, spaces narrowest', () => {
    expect(emWidth('支出')).toBe(2);
    expect(emWidth('52')).toBeCloseTo(1.1);
    expect(emWidth(' ')).toBeLessThan(emWidth('5'));
  });
});

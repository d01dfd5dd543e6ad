import { describe, expect, it } from 'vitest';
import { fullwidthToAscii } from './fullwidth-to-ascii.js';

// Full-width digits as found in real text layers (REAL-DOCUMENTS.md: `２０２５`).

describe('fullwidth_to_ascii', () => {
  it('has a stable code and a description', () => {
    expect(fullwidthToAscii.code).toBe('fullwidth_to_ascii');
    expect(fullwidthToAscii.description.length).toBeGreaterThan(0);
  });

  it.each([
    ['２０２５', '2025'],
    ['２０２５年度', '2025年度'],
    ['１，２３４．５６', '1,234.56'],
    ['４９，６４４．６９', '49,644.69'],
    ['－４５．１０', '-45.10'],
    ['＋３．５', '+3.5'],
    ['９９．４３％', '99.43%'],
    ['２０１０３０１', '2010301'],
    // the ideographic space becomes an ordinary space (despace repairs then deal with it)
    ['１，５９７．６０\u3000', '1,597.60 '],
  ])('%j → %j', (before, after) => {
    expect(fullwidthToAscii.apply(before)).toBe(after);
  });

  it('keeps full-width brackets and colons of labels as printed', () => {
    expect(fullwidthToAscii.apply('（一）行政运行')).toBeNull();
    expect(fullwidthToAscii.apply('单位：万元')).toBeNull();
    expect(fullwidthToAscii.apply('其他政府办公厅（室）及相关机构事务支出')).toBeNull();
    // only the digits change, the brackets stay
    expect(fullwidthToAscii.apply('指标１：服务对象满意度（％）')).toBe('指标1：服务对象满意度（%）');
  });

  it.each(['2025', '49,644.69', '一般公共服务支出', '', '2 0 2 5'])('leaves ASCII/CJK text %j alone', (text) => {
    expect(fullwidthToAscii.apply(text)).toBeNull();
  });
});

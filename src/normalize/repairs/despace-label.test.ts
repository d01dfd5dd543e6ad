import { describe, expect, it } from 'vitest';
import { despaceLabel } from './despace-label.js';

// Labels broken by a stray space, copied from the seed text layers (../shared/seeds/001_*.txt) and
// the dev PDFs' artifacts (kinds label_space and wrap_space).

describe('despace_label', () => {
  it('has a stable code and a description', () => {
    expect(despaceLabel.code).toBe('despace_label');
    expect(despaceLabel.description.length).toBeGreaterThan(0);
  });

  it.each([
    ['社会保障和就业支 出', '社会保障和就业支出'],
    ['三、国防 支出', '三、国防支出'],
    ['六、经 营收入', '六、经营收入'],
    ['本年支 出合计', '本年支出合计'],
    ['公用经 费合计', '公用经费合计'],
    ['二十二、灾害防治及 应急管理支出', '二十二、灾害防治及应急管理支出'],
    ['行政事业单位养老 支出', '行政事业单位养老支出'],
    ['离退休人员管理机 构', '离退休人员管理机构'],
    // ASCII brackets as printed in seed 001
    ['政府办公厅(室)及 相关机构事务', '政府办公厅(室)及相关机构事务'],
    ['其他政府办公厅 (室)及相关机构事 务支出', '其他政府办公厅(室)及相关机构事务支出'],
    // full-width brackets
    ['其他政府 办公厅（室）及相关机构事务支出', '其他政府办公厅（室）及相关机构事务支出'],
    ['系统并发数（ 量）', '系统并发数（量）'],
    ['年度业务增长率 （%）', '年度业务增长率（%）'],
    // the code in brackets keeps its own space; only the break inside the name goes
    ['[2080505] 机关事业单位基 本养老保险缴费支出', '[2080505] 机关事业单位基本养老保险缴费支出'],
    ['[302]商品和 服务支出', '[302]商品和服务支出'],
    ['95%或以 上', '95%或以上'],
    ['工单转派及时 率.', '工单转派及时率.'],
    // several spaces, and an ideographic space
    ['住房改   革支出', '住房改革支出'],
    ['住房改\u3000革支出', '住房改革支出'],
    ['“三公” 经费', '“三公”经费'],
  ])('%j → %j', (before, after) => {
    expect(despaceLabel.apply(before)).toBe(after);
  });

  it.each([
    '一般公共服务支出',
    '  行政运行  ',
    // numbers and mixed text are not labels broken between CJK characters
    '49, 644. 69',
    '0.00 0.00',
    '2 0 2 5 年度',
    '第 3 页',
    'GB/T 39786—2021',
    '二十二、灾害防治及应急管理支出 52',
    '9,433.72 一、一般公共服务支出',
    '',
  ])('leaves %j alone', (text) => {
    expect(despaceLabel.apply(text)).toBeNull();
  });
});

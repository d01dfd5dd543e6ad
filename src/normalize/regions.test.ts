import { describe, expect, it } from 'vitest';
import type { Line } from '../model/line.js';
import { findRegions, isContentsPage, parseUnitLine } from './regions.js';

describe('parseUnitLine', () => {
  it('reads the entity and the unit, in any order and form', () => {
    expect(parseUnitLine('单位：广州市荔湾区政务服务数据管理局（本级） 单位：万元')).toEqual({ entity: '广州市荔湾区政务服务数据管理局（本级）', unit: '万元' });
    expect(parseUnitLine('单位名称：广州市统计局 单位：万元')).toEqual({ entity: '广州市统计局', unit: '万元' });
    expect(parseUnitLine('编制单位：上海市普陀区司法局 单位：元')).toEqual({ entity: '上海市普陀区司法局', unit: '元' });
    expect(parseUnitLine('部门：国家信访局 金额单位：万元')).toEqual({ entity: '国家信访局', unit: '万元' });
  });

  it('splits a running header printed as one run (单位：万元单位：清远市…)', () => {
    expect(parseUnitLine('单位：万元单位：清远市政务服务数据管理局本级')).toEqual({ entity: '清远市政务服务数据管理局本级', unit: '万元' });
  });

  it('is null for lines without a 单位 field', () => {
    expect(parseUnitLine('注：本表反映单位本年度取得的各项收入情况。')).toBeNull();
  });
});

/** One page of lines, a line per entry, each entry's cells as tokens (the shape pageLines gives). */
function page(number: number, rows: string[][], method: 'text' | 'ocr' = 'text'): Line[] {
  return rows.map((cells, i) => {
    const top = 80 + i * 20;
    const tokens = cells.map((text, k) => ({ text, x0: 60 + k * 120, x1: 160 + k * 120, top, bottom: top + 10, page: number, method, confidence: 1, repairs: [] }));
    return { page: number, top, bottom: top + 10, tokens, text: cells.join('').replace(/\s+/gu, '') };
  });
}

describe('contents pages', () => {
  // r24 (Beijing, a scan): its 目录 lists the tables, which are only announced as an attachment.
  const contents = page(1, [['目录'], ['第二部分2026年度部门预算报表'], ['一、收支总表'], ['二、收入总表'], ['三、支出总表'], ['四、财政拨款收支总表'], ['八、国有资本经营预算支出表'], ['-1']], 'ocr');

  it('open no table, even when a stray number follows the last entry', () => {
    expect(isContentsPage(contents)).toBe(true);
    expect(findRegions([contents])).toEqual([]);
  });

  it('with leaders and page numbers are still contents', () => {
    expect(isContentsPage(page(2, [['一、收支总表……………', '5'], ['二、收入总表……………', '6'], ['三、支出总表……………', '7'], ['四、财政拨款收支总表……', '8']]))).toBe(true);
  });

  it('a page of tables is not contents, and its table is found', () => {
    const tables = page(3, [['收支总表'], ['单位：万元'], ['项目', '预算数'], ['一般公共预算拨款收入', '1,200.00'], ['本年收入合计', '1,200.00']]);
    expect(isContentsPage(tables)).toBe(false);
    expect(findRegions([contents, tables]).map((r) => r.kind.id)).toEqual(['bu01_summary']);
  });
});

describe('headings of the text', () => {
  it('a heading worded like a title (一、机关运行经费) followed by its paragraph opens no table', () => {
    // r26 (Shenzhen), 其他需要说明情况: the heading, then sentences with amounts in them.
    const text = page(12, [['第八部分', '其他需要说明情况'], ['一、机关运行经费'], ['2026', '年本单位机关运行经费财政拨款预算', '2,719.55', '万元，'],
      ['较', '2025', '年年初预算减少', '956.74', '万元，下降', '26.0%。主要是：'], ['二、国有资产占用情况'], ['截至', '2025', '年', '10', '月，深圳市财政局（本级）共有车辆', '3', '辆，']]);
    expect(findRegions([text])).toEqual([]);
    // As pageLines gives it: NFKC text, where the full-width comma is an ASCII one.
    const nfkc = text.map((l) => ({ ...l, text: l.text.normalize('NFKC') }));
    expect(nfkc[2]!.text).toBe('2026年本单位机关运行经费财政拨款预算2,719.55万元,');
    expect(findRegions([nfkc])).toEqual([]);
  });

  it('the same words as a table title, with a header under them, are a table', () => {
    const table = page(11, [['一般公共预算机关运行经费支出预算表'], ['部门：江苏省人大常委会办公厅', '单位：万元'], ['科目编码', '科目名称', '机关运行经费支出'], ['', '合计', '1,642.08'], ['30201', '办公费', '570.00']]);
    expect(findRegions([table]).map((r) => [r.kind.id, r.lines.length])).toEqual([['bu15_operating_costs', 3]]);
  });
});

describe('a title repeated atop the next page', () => {
  const tablePage = (n: number, entity: string, rows: string[][]) =>
    page(n, [['表1'], ['收支总表'], [`部门名称：${entity}`, '单位：万元'], ['收入', '支出'], ['项目', '2026年预算数', '项目', '2026年预算数'], ...rows]);

  it('goes on with the same table when the unit is the same', () => {
    const regions = findRegions([
      tablePage(16, '深圳市财政局（本级）', [['一、财政拨款', '36,989.05', '一、一般公共服务支出', '20,563.76']]),
      tablePage(17, '深圳市财政局（本级）', [['', '', '四、卫生健康支出', '254.79']]),
    ]);
    expect(regions.map((r) => [r.kind.id, r.tableNo, r.pages, r.entityLine])).toEqual([['bu01_summary', '表1', [16, 17], '深圳市财政局（本级）']]);
  });

  it('starts a table of its own when the lines under it name another unit', () => {
    const regions = findRegions([
      tablePage(16, '某市某局（本级）', [['一、财政拨款', '100.00', '一、一般公共服务支出', '100.00']]),
      tablePage(17, '某市某局下属中心', [['一、财政拨款', '50.00', '一、一般公共服务支出', '50.00']]),
    ]);
    expect(regions.map((r) => [r.kind.id, r.pages, r.entityLine])).toEqual([['bu01_summary', [16], '某市某局（本级）'], ['bu01_summary', [17], '某市某局下属中心']]);
  });
});

describe('notes under a table', () => {
  it('end the table, also with the colon read by OCR as ; or >', () => {
    for (const note of ['注：本表反映单位本年度的总收支情况。', '注>1.本表反映单位本年度的总收支情况。', '注;本表反映单位本年度的总收支情况。']) {
      const regions = findRegions([page(5, [['收支总表'], ['单位：万元'], ['项目', '预算数'], ['一般公共预算拨款收入', '1,200.00'], ['本年收入合计', '1,200.00'], [note]], 'ocr')]);
      expect(regions.map((r) => [r.kind.id, r.lines.length, r.notes])).toEqual([['bu01_summary', 3, [note]]]);
    }
  });
});

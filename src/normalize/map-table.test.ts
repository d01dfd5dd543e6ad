import { describe, expect, it } from 'vitest';
import { TABLE_KINDS } from '../catalogue/table-kinds.js';
import type { GridCell, GridColumn, GridRow } from '../model/grid.js';
import { closeSides, columnKey, mapTable, newMappingState } from './map-table.js';

const FA06 = TABLE_KINDS.find((k) => k.id === 'fa06_basic_expenditure_detail')!;

const cell = (text: string): GridCell => ({ text, raw: text, page: 12, bbox: [0, 0, 1, 1], method: 'text', confidence: 1, repairs: [] });

// fa06 in three side-by-side blocks (人员经费 | 公用经费 | 公用经费 continued), as the central template prints it.
const columns: GridColumn[] = [0, 1, 2].flatMap((block) => [
  { x0: block * 180, x1: block * 180 + 30, path: ['科目代码'], role: 'code' as const, block },
  { x0: block * 180 + 30, x1: block * 180 + 120, path: ['科目名称'], role: 'label' as const, block },
  { x0: block * 180 + 120, x1: block * 180 + 170, path: ['决算数'], role: 'value' as const, block },
]);
const row = (...texts: string[]): GridRow => ({ cells: texts.map((t) => (t ? cell(t) : null)), indent: null });

describe('mapTable: side-by-side blocks', () => {
  it('a block total in a cell merged to the right takes the amount printed under the last block', () => {
    // r39 p.12: 人员经费合计 7,967.72 | 公用经费合计 (merged over block 2's value and block 3) 2,266.65
    const rows = [
      row('301', '工资福利支出', '6,982.75', '302', '商品和服务支出', '2,239.41', '310', '资本性支出', '27.24'),
      row('', '人员经费合计', '7,967.72', '', '公用经费合计', '', '', '', '2,266.65'),
    ];
    const got = Object.fromEntries(mapTable(FA06, columns, rows).map((c) => [c.row_key, c.value]));
    expect(got).toEqual({ '301': '6982.75', personnel_total: '7967.72', '302': '2239.41', public_total: '2266.65', '310': '27.24' });
  });

  it('an amount under a block of its own row label stays there', () => {
    const rows = [row('', '人员经费合计', '7,967.72', '', '公用经费合计', '2,266.65', '399', '其他支出', '1.00')];
    const got = Object.fromEntries(mapTable(FA06, columns, rows).map((c) => [c.row_key, c.value]));
    expect(got).toEqual({ personnel_total: '7967.72', public_total: '2266.65', '399': '1.00' });
  });
});

describe('mapTable + closeSides: a three-block summary (收入 | 功能分类 | 支出用途)', () => {
  // r18 (Jiangsu 2019 公开表一): the bottom lines span both expenditure blocks and print one amount,
  // under the 支出用途 block; 当年收入小计 and 收入合计 are both income_total by the appendix.
  const BU01 = TABLE_KINDS.find((k) => k.id === 'bu01_summary')!;
  const cols: GridColumn[] = [
    { x0: 44, x1: 146, path: ['收入', '项目名称'], role: 'label', block: 0 },
    { x0: 271, x1: 318, path: ['收入', '金额'], role: 'value', block: 0 },
    { x0: 319, x1: 457, path: ['支出', '功能分类', '功能科目名称'], role: 'label', block: 1 },
    { x0: 536, x1: 580, path: ['支出', '功能分类', '金额'], role: 'value', block: 1 },
    { x0: 581, x1: 679, path: ['支出', '支出用途', '项目名称'], role: 'label', block: 2 },
    { x0: 767, x1: 811, path: ['支出', '支出用途', '金额'], role: 'value', block: 2 },
  ];
  const at = (top: number, ...texts: string[]): GridRow => ({ cells: texts.map((t) => (t ? { ...cell(t), bbox: [0, top, 1, top + 9] as [number, number, number, number] } : null)), indent: null });
  const rows = [
    at(100, '一、财政拨款', '18,330.37', '一、一般公共服务支出', '13,907.78', '一、基本支出', '9,312.90'),
    at(115, '1.一般公共预算', '18,330.37', '八、社会保障和就业支出', '1,121.39', '二、项目支出', '6,459.58'),
    at(130, '', '', '十八、住房保障支出', '3,301.20', '三、单位预留机动经费', '2,557.89'),
    at(400, '当年收入小计', '18,330.37', '当年支出小计', '', '', '18,330.37'),
    at(415, '上年结转资金', '', '结转下年资金', '', '', ''),
    at(430, '收入合计', '18,330.37', '支出合计', '', '', '18,330.37'),
  ];

  it('keys the subtotal and the closing total apart, on both sides', () => {
    const got = closeSides(mapTable(BU01, cols, rows)).filter((c) => /total/u.test(c.row_key)).map((c) => [c.row_key, c.row_label, c.value]);
    expect(got.sort()).toEqual([
      ['expenditure:expenditure_total', '当年支出小计', '18330.37'],
      ['expenditure:grand_total', '支出合计', '18330.37'],
      ['income:grand_total', '收入合计', '18330.37'],
      ['income:income_total', '当年收入小计', '18330.37'],
    ]);
  });

  it('a side whose only total is not its last line keeps it as income_total', () => {
    const subtotalThenCarryover = [at(100, '当年收入小计', '18,330.37', '', '', '', ''), at(115, '上年结转资金', '5.00', '', '', '', '')];
    const got = closeSides(mapTable(BU01, cols, subtotalThenCarryover)).filter((c) => c.row_key.startsWith('income:')).map((c) => c.row_key);
    expect(got).toContain('income:income_total');
    expect(got).not.toContain('income:grand_total');
  });
});

describe('mapTable: fund sub-lines of a carry-over', () => {
  // r26 (Shenzhen 财政拨款收支总表): the sub-lines repeat the parent's words after the fund.
  const BU04 = TABLE_KINDS.find((k) => k.id === 'bu04_fiscal_summary')!;
  const cols: GridColumn[] = [
    { x0: 29, x1: 200, path: ['收入', '项目'], role: 'label', block: 0 },
    { x0: 440, x1: 490, path: ['收入', '2026年预算数'], role: 'value', block: 0 },
    { x0: 543, x1: 720, path: ['支出', '项目'], role: 'label', block: 1 },
    { x0: 1000, x1: 1045, path: ['支出', '2026年预算数'], role: 'value', block: 1 },
  ];
  const keysOf = (rows: GridRow[]) => mapTable(BU04, cols, rows).map((c) => [c.row_key, c.value]);

  it('一般公共预算拨款结余、结转 under 上年结余、结转 is carryover_begin.general_budget', () => {
    expect(keysOf([
      row('上年结余、结转', '396.83', '', ''),
      row('1.一般公共预算拨款结余、结转', '396.83', '', ''),
      row('2.政府性基金预算拨款结余、结转', '0.00', '', ''),
      row('3.国有资本经营预算拨款结余、结转', '0.00', '', ''),
    ])).toEqual([
      ['income:carryover_begin', '396.83'],
      ['income:carryover_begin.general_budget', '396.83'],
      ['income:carryover_begin.gov_fund', '0.00'],
      ['income:carryover_begin.state_capital', '0.00'],
    ]);
  });

  it('Chongqing names the income sources with 资金 after them (五、事业收入资金)', () => {
    expect(keysOf([row('一、一般公共预算资金', '18,417.70', '', ''), row('五、事业收入资金', '812.48', '', ''), row('八、其他收入资金', '1.00', '', '')])).toEqual([
      ['income:general_budget', '18417.70'], ['income:business_income', '812.48'], ['income:other_income', '1.00'],
    ]);
  });

  it('the same words without a carry-over above are not sub-lines', () => {
    expect(keysOf([row('一般公共预算拨款结余、结转', '396.83', '', '')])).toEqual([['income:label:一般公共预算拨款结余、结转', '396.83']]);
  });
});

describe('columnKey: a fund under the carry-over', () => {
  // r23 (Beijing 预算02表 收入总表): 本年收入 and 上年结转结余 each split by fund.
  const BU02 = TABLE_KINDS.find((k) => k.id === 'bu02_income')!;
  const col = (...path: string[]): GridColumn => ({ x0: 0, x1: 1, path, role: 'value', block: 0 });

  it('is the carry-over\'s fund, not the year\'s income', () => {
    expect(columnKey(col('本年收入', '一般公共预算资金'), BU02.columns)).toBe('general_budget');
    expect(columnKey(col('上年结转结余', '小计'), BU02.columns)).toBe('carryover_begin');
    expect(columnKey(col('上年结转结余', '一般公共预算资金'), BU02.columns)).toBe('carryover_begin.general_budget');
    expect(columnKey(col('上年结转结余', '政府性基金预算资金'), BU02.columns)).toBe('carryover_begin.gov_fund');
    expect(columnKey(col('上年结转结余', '财政专户管理资金'), BU02.columns)).toBe('carryover_begin.special_account');
    expect(columnKey(col('本年收入', '财政专户管理资金'), BU02.columns)).toBe('special_account');
  });
});

describe('columnKey: the fiscal subtotal of a by-unit table', () => {
  // r26 (Shenzhen 基本支出总表): 财政拨款 | 小计, then its funds; r28 (Guangdong) prints 财政拨款合计.
  const BU11 = TABLE_KINDS.find((k) => k.id === 'bu11_basic_by_unit')!;
  const col = (...path: string[]): GridColumn => ({ x0: 0, x1: 1, path, role: 'value', block: 0 });

  it('财政拨款 | 小计 and 财政拨款合计 are fiscal_total; the funds under it keep their keys', () => {
    expect(columnKey(col('财政拨款', '小计'), BU11.columns)).toBe('fiscal_total');
    expect(columnKey(col('财政拨款合计'), BU11.columns)).toBe('fiscal_total');
    expect(columnKey(col('财政拨款', '一般公共预算'), BU11.columns)).toBe('general_budget');
    expect(columnKey(col('总计'), BU11.columns)).toBe('total');
  });
});

describe('mapTable: a 三公 table with the categories as columns', () => {
  // r23 (Beijing 预算09表): the total column is headed “三公”经费财政拨款预算总额.
  const BU08 = TABLE_KINDS.find((k) => k.id === 'bu08_admin_and_three_public')!;
  const heads = [['“三公”经费财政拨款预算总额'], ['因公出国（境）费用'], ['公务接待费'], ['公务用车购置及运行维护费', '小计'], ['公务用车购置及运行维护费', '公务用车购置费'], ['公务用车购置及运行维护费', '公务用车运行维护费']];
  const cols: GridColumn[] = heads.map((path, i) => ({ x0: i * 60, x1: i * 60 + 50, path, role: 'value', block: 0 }));

  it('keys every category, the total included', () => {
    const got = Object.fromEntries(mapTable(BU08, cols, [row('223.799250', '127.737000', '11.642250', '84.420000', '44.920000', '39.500000')]).map((c) => [`${c.row_key}|${c.column_key}`, c.value]));
    expect(got).toEqual({
      'total|budget_total': '223.799250', 'total|budget_abroad': '127.737000', 'total|budget_reception': '11.642250',
      'total|budget_vehicle_total': '84.420000', 'total|budget_vehicle_purchase': '44.920000', 'total|budget_vehicle_operation': '39.500000',
    });
  });
});

describe('mapTable: 三公 categories split by fund, a row per year', () => {
  // r26 (Shenzhen 表9 财政拨款“三公”经费支出表): each category over 一般公共预算 | 政府性基金预算 | 国有资本经营预算;
  // rows 2025 年 | 2026 年 | 增减变化金额 under the unit, the year printed as 2025 and 年 in two cells.
  const BU08 = TABLE_KINDS.find((k) => k.id === 'bu08_admin_and_three_public')!;
  const funds = ['一般公共预算', '政府性基金预算', '国有资本经营预算'];
  const categories = [['总计'], ['因公出国(境)费'], ['公务接待费'], ['公务用车购置及运行维护费', '小计'], ['公务用车购置及运行维护费', '公务用车购置费'], ['公务用车购置及运行维护费', '公务用车运行维护费']];
  const cols: GridColumn[] = [
    { x0: 29, x1: 129, path: ['预算单位'], role: 'label', block: 0 },
    { x0: 233, x1: 253, path: ['年度'], role: 'value', block: 0 },
    { x0: 255, x1: 293, path: ['年度'], role: 'label', block: 0 },
    ...categories.flatMap((c, k) => funds.map((f, j) => ({ x0: 318 + (3 * k + j) * 62, x1: 368 + (3 * k + j) * 62, path: [...c, f], role: 'value' as const, block: 0 }))),
  ];
  const byFund = (...perCategory: string[][]) => perCategory.flat();
  const rows = [
    row('深圳市财政局（本级）', '2025', '年', ...byFund(['59.66', '0.00', '0.00'], ['41.60', '0.00', '0.00'], ['9.46', '0.00', '0.00'], ['8.60', '0.00', '0.00'], ['0.00', '0.00', '0.00'], ['8.60', '0.00', '0.00'])),
    row('', '2026', '年', ...byFund(['58.46', '0.00', '0.00'], ['41.60', '0.00', '0.00'], ['9.46', '0.00', '0.00'], ['7.40', '0.00', '0.00'], ['0.00', '0.00', '0.00'], ['7.40', '0.00', '0.00'])),
    row('', '', '增减变化金额', ...byFund(['-1.20', '0.00', '0.00'], ['0.00', '0.00', '0.00'], ['0.00', '0.00', '0.00'], ['-1.20', '0.00', '0.00'], ['0.00', '0.00', '0.00'], ['-1.20', '0.00', '0.00'])),
  ];
  const mapped = (rs: GridRow[]) => Object.fromEntries(mapTable(BU08, cols, rs, newMappingState('2026')).map((c) => [`${c.row_key}|${c.column_key}`, c.value]));

  it("takes the budget year's row, keyed by the unit above it, each category from its 一般公共预算 column", () => {
    expect(mapped(rows)).toEqual({
      'label:深圳市财政局(本级)|budget_total': '58.46', 'label:深圳市财政局(本级)|budget_abroad': '41.60', 'label:深圳市财政局(本级)|budget_reception': '9.46',
      'label:深圳市财政局(本级)|budget_vehicle_total': '7.40', 'label:深圳市财政局(本级)|budget_vehicle_purchase': '0.00', 'label:深圳市财政局(本级)|budget_vehicle_operation': '7.40',
    });
  });

  it('fund groups that are not 三公 categories are left to the items-as-rows reading', () => {
    const fundCols: GridColumn[] = [
      { x0: 29, x1: 129, path: ['项目'], role: 'label', block: 0 },
      ...['预算数', '执行数'].flatMap((g, k) => funds.slice(0, 2).map((f, j) => ({ x0: 200 + (2 * k + j) * 60, x1: 250 + (2 * k + j) * 60, path: [g, f], role: 'value' as const, block: 0 }))),
    ];
    const items = [row('因公出国(境)费', '1.00', '0.00', '0.90', '0.00'), row('公务接待费', '2.00', '0.00', '1.80', '0.00')];
    const got = mapTable(BU08, fundCols, items, newMappingState('2026')).map((c) => [c.row_key, c.column_key, c.value]);
    expect(got).toContainEqual(['label:因公出国(境)费', 'general_budget', '1.00']);
    expect(got).toContainEqual(['label:公务接待费', 'general_budget', '2.00']);
  });

  it('a category with money from another fund is not one printed figure: it is left out', () => {
    const withFund = [rows[0]!, row('', '2026', '年', ...byFund(['60.46', '2.00', '0.00'], ['41.60', '0.00', '0.00'], ['9.46', '2.00', '0.00'], ['7.40', '0.00', '0.00'], ['0.00', '0.00', '0.00'], ['7.40', '0.00', '0.00']))];
    const got = mapped(withFund);
    expect(got['label:深圳市财政局(本级)|budget_abroad']).toBe('41.60');
    expect(got).not.toHaveProperty('label:深圳市财政局(本级)|budget_total');
    expect(got).not.toHaveProperty('label:深圳市财政局(本级)|budget_reception');
  });
});

/**
 * End to end: 三公 tables whose categories are columns and which hold one row (OUTPUT.md: row
 * `total`). A budget's “三公”经费、会议费、培训费支出预算表 (bu08_admin_and_three_public): the
 * 小计 under “三公”经费 is `budget_total`, the one under 公务用车购置及运行维护费 is
 * `budget_vehicle_total`, and the 合计 beside 会议费 / 培训费 is `budget_total_with_meeting_training`.
 * Also the national final-account layout (fa09_three_public) with 预算数 and 决算数 column groups.
 */
import { describe, expect, it } from 'vitest';
import { cellMap, extractDoc, factAt } from '../support/extract.js';
import type { Block, DocSpec, TableSpec } from '../support/make-pdf.js';

function doc(cover: string, t: TableSpec): DocSpec {
  const blocks: Block[] = [
    { kind: 'text', lines: [{ text: cover, size: 22, align: 'center', y: 250 }] },
    { kind: 'pageBreak', landscape: true },
    { kind: 'table', table: t },
  ];
  return { info: { Title: cover }, blocks };
}

const BU08 = 'bu08_admin_and_three_public';

function bu08Table(ruled: boolean): TableSpec {
  return {
    tableNo: '表8',
    title: '“三公”经费、会议费、培训费支出预算表',
    entityLine: '单位：某局',
    unitLine: '单位：万元',
    header: [
      [{ text: '合计', rowspan: 3 }, { text: '“三公”经费', colspan: 6 }, { text: '会议费', rowspan: 3 }, { text: '培训费', rowspan: 3 }],
      [{ text: '小计', rowspan: 2 }, { text: '因公出国（境）费', rowspan: 2 }, { text: '公务用车购置及运行维护费', colspan: 3 }, { text: '公务接待费', rowspan: 2 }],
      [{ text: '小计' }, { text: '公务用车购置费' }, { text: '公务用车运行维护费' }],
    ],
    rows: [['20.50', '15.50', '2.00', '10.00', '0.00', '10.00', '3.50', '3.00', '2.00']],
    colWidths: [70, 70, 80, 70, 80, 90, 70, 70, 70],
    ruled,
  };
}

const BU08_EXPECTED = {
  'total|budget_total_with_meeting_training': '20.50',
  'total|budget_total': '15.50',
  'total|budget_abroad': '2.00',
  'total|budget_vehicle_total': '10.00',
  'total|budget_vehicle_purchase': '0.00',
  'total|budget_vehicle_operation': '10.00',
  'total|budget_reception': '3.50',
  'total|budget_meeting': '3.00',
  'total|budget_training': '2.00',
};

/** The same table with 公务用车购置及运行维护费 as one column (two header rows). */
function bu08TwoLevel(ruled: boolean): TableSpec {
  return {
    ...bu08Table(ruled),
    header: [
      [{ text: '合计', rowspan: 2 }, { text: '“三公”经费', colspan: 4 }, { text: '会议费', rowspan: 2 }, { text: '培训费', rowspan: 2 }],
      [{ text: '小计' }, { text: '因公出国（境）费' }, { text: '公务用车购置及运行维护费' }, { text: '公务接待费' }],
    ],
    rows: [['20.50', '15.50', '2.00', '10.00', '3.50', '3.00', '2.00']],
    colWidths: [70, 70, 80, 110, 70, 70, 70],
  };
}

const BU08_TWO_LEVEL_EXPECTED = Object.fromEntries(Object.entries(BU08_EXPECTED).filter(([k]) => !/vehicle_(?:purchase|operation)$/u.test(k)));

async function bu08(table: TableSpec) {
  const result = await extractDoc(doc('2019年某局部门预算', table), 'memory://bu08.pdf');
  expect(result.meta).toMatchObject({ docKind: 'budget', fiscalYear: '2019' });
  expect(result.tables.map((t) => [t.table_kind, t.pages])).toEqual([[BU08, [2]]]);
  return result;
}

describe('bu08: “三公”经费、会议费、培训费支出预算表, ruled', { timeout: 30_000 }, () => {
  it('one row total; 小计 and 合计 named by their parent columns', async () => {
    const result = await bu08(bu08Table(true));
    const got = cellMap(result.facts, BU08);
    expect(got['total|budget_total_with_meeting_training']).toBe('20.50');
    expect(got['total|budget_total']).toBe('15.50');
    expect(got['total|budget_vehicle_total']).toBe('10.00');
    expect(got).toEqual(BU08_EXPECTED);
    expect(factAt(result.facts, BU08, 'total', 'budget_vehicle_total')).toMatchObject({ column_label: '“三公”经费公务用车购置及运行维护费小计', value_cny: '100000', unit: '万元', page: 2 });
    expect(factAt(result.facts, BU08, 'total', 'budget_total').column_label).toBe('“三公”经费小计');
    expect(factAt(result.facts, BU08, 'total', 'budget_total_with_meeting_training').column_label).toBe('合计');
    expect(factAt(result.facts, BU08, 'total', 'budget_meeting').column_label).toBe('会议费');
  });

  it('公务用车购置及运行维护费 as one column is budget_vehicle_total', async () => {
    const result = await bu08(bu08TwoLevel(true));
    expect(cellMap(result.facts, BU08)).toEqual(BU08_TWO_LEVEL_EXPECTED);
  });
});

// Regression, fixed: unruled, grid.ts assignStream extends the top-row parent “三公”经费 over
// every neighbouring value column whose own header lies lower. 合计 / 会议费 / 培训费 span all
// header rows, so make-pdf centres them vertically, below the top row: they become children of
// “三公”经费 (column labels “三公”经费合计, “三公”经费会议费). The outer 合计 is then keyed
// budget_total (20.50, which includes 会议费 and 培训费), and the real “三公” 小计 (15.50), now a
// second budget_total, is dropped by blockValueColumns' first-key-wins. In the three-row header
// 公务用车购置及运行维护费 likewise swallows 小计 / 因公出国（境）费 / 公务接待费: 15.50 becomes
// budget_vehicle_total and the vehicle 小计 (10.00) is lost.
describe('bu08: “三公”经费、会议费、培训费支出预算表, unruled', { timeout: 30_000 }, () => {
  it('one row total; 小计 and 合计 named by their parent columns', async () => {
    const result = await bu08(bu08Table(false));
    expect(cellMap(result.facts, BU08)).toEqual(BU08_EXPECTED);
  });

  it('公务用车购置及运行维护费 as one column: the 合计 beside 会议费 / 培训费 is not the “三公” 小计', async () => {
    const result = await bu08(bu08TwoLevel(false));
    expect(cellMap(result.facts, BU08)).toEqual(BU08_TWO_LEVEL_EXPECTED);
  });
});

describe('fa09_three_public: 预算数 and 决算数 column groups (national final-account template)', { timeout: 30_000 }, () => {
  it('budget_* and actual_* of the one row total', async () => {
    const group = [{ text: '合计', rowspan: 2 }, { text: '因公出国（境）费', rowspan: 2 }, { text: '公务用车购置及运行费', colspan: 3 }, { text: '公务接待费', rowspan: 2 }];
    const leaves = [{ text: '小计' }, { text: '公务用车购置费' }, { text: '公务用车运行费' }];
    const table: TableSpec = {
      tableNo: '表9',
      title: '财政拨款“三公”经费支出决算表',
      entityLine: '部门：某市某局',
      unitLine: '单位：万元',
      header: [
        [{ text: '预算数', colspan: 6 }, { text: '决算数', colspan: 6 }],
        [...group, ...group],
        [...leaves, ...leaves],
      ],
      rows: [['12.00', '2.00', '8.00', '0.00', '8.00', '2.00', '10.61', '0.00', '7.81', '0.00', '7.81', '2.80']],
      colWidths: Array<number>(12).fill(62),
      ruled: true,
    };
    const result = await extractDoc(doc('2024年度某市某局部门决算', table), 'memory://fa09.pdf');
    expect(result.tables.map((t) => t.table_kind)).toEqual(['fa09_three_public']);
    const keys = ['total', 'abroad', 'vehicle_total', 'vehicle_purchase', 'vehicle_operation', 'reception'];
    const budget = ['12.00', '2.00', '8.00', '0.00', '8.00', '2.00'];
    const actual = ['10.61', '0.00', '7.81', '0.00', '7.81', '2.80'];
    expect(cellMap(result.facts, 'fa09_three_public')).toEqual(Object.fromEntries([
      ...keys.map((k, i) => [`total|budget_${k}`, budget[i]]),
      ...keys.map((k, i) => [`total|actual_${k}`, actual[i]]),
    ]));
  });
});

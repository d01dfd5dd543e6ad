/**
 * End to end: a 项目支出绩效自评表 (pe01_project_self_eval) appended to a final account.
 * The form is drawn as one table (ruled, and unruled as well) whose cells (colspan / rowspan) make
 * up the form: project name, a funds block, an indicator block (a 一级指标 cell merged over two
 * rows, 三级指标 and 二级指标 labels wrapped onto two lines), 总分 and the checked 评价等级.
 * make-pdf centres header text, so every cell of the form is centred, as on most real forms.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { DocumentResult } from '../../src/model/document.js';
import { cellMap, extractDoc, factAt } from '../support/extract.js';
import type { DocSpec, HeaderCell, TableSpec } from '../support/make-pdf.js';

const PROJECT = '2024年某市职业技能 提升培训项目';
const INSTANCE = '2024年某市职业技能提升培训项目';
const KIND = 'pe01_project_self_eval';

/** Noto Sans SC has no ☑ (U+2611): pdfkit prints a .notdef glyph the text layer cannot map. √ is in the font. */
const CHECK = '√';

// c0 section | c1 一级 | c2 二级 | c3 三级 | c4 年度指标值 | c5 实际完成值 | c6 分值 | c7 得分
const COL_WIDTHS = [62, 56, 64, 92, 62, 62, 50, 50];

interface FormOptions {
  project?: string;
  /** the grade line, after 评价等级 */
  grade?: string;
  /** weight / rate / score printed on the fund sub-lines (blank by default) */
  subLineMarks?: string;
  /** default true */
  ruled?: boolean;
}

/** The whole form: every row is a "header" row, so cells may span rows and columns. */
function formRows(o: FormOptions = {}): HeaderCell[][] {
  const grade = o.grade ?? `${CHECK}优 90分≤得分≤100分；□良 80分≤得分<90分；□中 60分≤得分<80分；□差 得分<60分`;
  const m = o.subLineMarks ?? '';
  return [
    [{ text: '项目名称' }, { text: o.project ?? PROJECT, colspan: 3 }, { text: '项目级次' }, { text: '市级', colspan: 3 }],
    [{ text: '主管部门' }, { text: '某市人力资源和社会保障局', colspan: 3 }, { text: '实施单位' }, { text: '某市职业技能鉴定中心', colspan: 3 }],
    // funds block
    [{ text: '项目资金（万元）', rowspan: 4 }, { text: '', colspan: 2 }, { text: '年度预算数' }, { text: '年度预算执行数' }, { text: '分值' }, { text: '预算完成率' }, { text: '得分' }],
    [{ text: '年度资金总额', colspan: 2 }, { text: '759.29' }, { text: '759.29' }, { text: '10' }, { text: '100%' }, { text: '10' }],
    [{ text: '其中：财政拨款', colspan: 2 }, { text: '759.29' }, { text: '759.29' }, { text: m }, { text: m }, { text: m }],
    [{ text: '其他资金', colspan: 2 }, { text: '0.00' }, { text: '0.00' }, { text: m }, { text: m }, { text: m }],
    // indicator block
    [{ text: '绩效指标', rowspan: 5 }, { text: '一级指标' }, { text: '二级指标' }, { text: '三级指标' }, { text: '年度指标值' }, { text: '实际完成指标值' }, { text: '分值（权重）' }, { text: '自评得分' }],
    [{ text: '产出指标', rowspan: 2 }, { text: '数量指标' }, { text: '培训人次' }, { text: '≥500人次' }, { text: '844人次' }, { text: '20' }, { text: '20' }],
    // the 三级指标 label is wider than its cell: printed on two lines
    [{ text: '质量指标' }, { text: '参训学员技能考核合格率' }, { text: '≥90%' }, { text: '96%' }, { text: '20' }, { text: '20' }],
    [{ text: '效益指标' }, { text: '社会效益指标' }, { text: '就业服务覆盖面' }, { text: '全市' }, { text: '全市' }, { text: '30' }, { text: '30' }],
    [{ text: '满意度指标' }, { text: '服务对象满意度' }, { text: '学员满意度' }, { text: '≥90%' }, { text: '95%' }, { text: '20' }, { text: '20' }],
    [{ text: '总分', colspan: 6 }, { text: '100' }, { text: '100' }],
    [{ text: '评价等级' }, { text: grade, colspan: 7 }],
  ];
}

function form(o: FormOptions = {}): TableSpec {
  return { title: '项目支出绩效自评表', unitLine: '单位：万元', header: formRows(o), rows: [], colWidths: COL_WIDTHS, ruled: o.ruled ?? true };
}

/** A cover page, then one form per page. */
function doc(...forms: FormOptions[]): DocSpec {
  return {
    info: { Title: '2024年度某市某局部门决算' },
    blocks: [
      { kind: 'text', lines: [{ text: '2024年度某市某局部门决算', size: 22, align: 'center', y: 250 }] },
      ...(forms.length ? forms : [{}]).flatMap((o) => [{ kind: 'pageBreak' as const }, { kind: 'table' as const, table: form(o) }]),
    ],
  };
}

for (const ruled of [true, false]) describe(`pe01_project_self_eval: a ${ruled ? 'ruled' : 'unruled'} 项目支出绩效自评表`, { timeout: 30_000 }, () => {
  let result: DocumentResult;
  beforeAll(async () => {
    result = await extractDoc(doc({ ruled }), 'memory://pe01.pdf');
  });

  it('is one pe01 table of a final account, its instance the project name (NFKC, no whitespace)', () => {
    expect(result.meta).toMatchObject({ docKind: 'final_account', fiscalYear: '2024' });
    expect(result.tables.map((t) => [t.table_kind, t.table_instance, t.pages])).toEqual([[KIND, INSTANCE, [2]]]);
    const facts = result.facts.filter((f) => f.table_kind === KIND);
    expect(facts.length).toBeGreaterThan(0);
    for (const f of facts) expect(f).toMatchObject({ table_instance: INSTANCE, doc_kind: 'final_account', page: 2 });
  });

  it('funds: 年度资金总额 budget, executed, weight, completion rate, score', () => {
    const got = cellMap(result.facts, KIND);
    expect({
      budget: got['funds:年度资金总额|budget'],
      executed: got['funds:年度资金总额|executed'],
      weight: got['funds:年度资金总额|weight'],
      completion_rate: got['funds:年度资金总额|completion_rate'],
      score: got['funds:年度资金总额|score'],
    }).toEqual({ budget: '759.29', executed: '759.29', weight: '10', completion_rate: '100', score: '10' });
    expect(factAt(result.facts, KIND, 'funds:年度资金总额', 'budget')).toMatchObject({ value_cny: '7592900', unit: '万元' });
    expect(factAt(result.facts, KIND, 'funds:年度资金总额', 'completion_rate')).toMatchObject({ unit: '%', value_cny: '' });
  });

  it('funds: 其中：财政拨款 and 其他资金 (prefix 其中： dropped from the key), blank cells give no fact', () => {
    const got = cellMap(result.facts, KIND);
    expect(got['funds:财政拨款|budget']).toBe('759.29');
    expect(got['funds:财政拨款|executed']).toBe('759.29');
    expect(got['funds:其他资金|budget']).toBe('0.00');
    expect(got['funds:其他资金|executed']).toBe('0.00');
    const fundsKeys = Object.keys(got).filter((k) => k.startsWith('funds:')).sort();
    expect(fundsKeys).toEqual([
      'funds:其他资金|budget', 'funds:其他资金|executed',
      'funds:财政拨款|budget', 'funds:财政拨款|executed',
      'funds:年度资金总额|budget', 'funds:年度资金总额|completion_rate', 'funds:年度资金总额|executed', 'funds:年度资金总额|score', 'funds:年度资金总额|weight',
    ].sort());
  });

  it('indicator 培训人次: level1, level2, target, actual, weight, score', () => {
    const got = cellMap(result.facts, KIND);
    const row = (label: string) => Object.fromEntries(
      ['level1', 'level2', 'target', 'actual', 'weight', 'score'].map((k) => [k, got[`indicator:${label}|${k}`]]),
    );
    expect(row('培训人次')).toEqual({ level1: '产出指标', level2: '数量指标', target: '≥500人次', actual: '844人次', weight: '20', score: '20' });
    expect(row('就业服务覆盖面')).toEqual({ level1: '效益指标', level2: '社会效益指标', target: '全市', actual: '全市', weight: '30', score: '30' });
    expect(row('学员满意度')).toEqual({ level1: '满意度指标', level2: '服务对象满意度', target: '≥90%', actual: '95%', weight: '20', score: '20' });
  });

  it('the 一级指标 cell merged over two rows is repeated on both', () => {
    const got = cellMap(result.facts, KIND);
    expect(got['indicator:培训人次|level1']).toBe('产出指标');
    expect(got['indicator:参训学员技能考核合格率|level1']).toBe('产出指标');
  });

  it('a 三级指标 label wrapped onto two lines is one row', () => {
    const got = cellMap(result.facts, KIND);
    expect(got['indicator:参训学员技能考核合格率|level2']).toBe('质量指标');
    expect(got['indicator:参训学员技能考核合格率|target']).toBe('≥90%');
    expect(got['indicator:参训学员技能考核合格率|actual']).toBe('96%');
    expect(got['indicator:参训学员技能考核合格率|weight']).toBe('20');
    expect(got['indicator:参训学员技能考核合格率|score']).toBe('20');
    expect(factAt(result.facts, KIND, 'indicator:参训学员技能考核合格率', 'score').row_label).toBe('参训学员技能考核合格率');
    // no row for either half of the label
    const indicators = [...new Set(Object.keys(got).filter((k) => k.startsWith('indicator:')).map((k) => k.split('|')[0]))].sort();
    expect(indicators).toEqual(['indicator:培训人次', 'indicator:参训学员技能考核合格率', 'indicator:就业服务覆盖面', 'indicator:学员满意度'].sort());
  });

  it('total_score and the checked grade', () => {
    const got = cellMap(result.facts, KIND);
    expect(got['total_score|value']).toBe('100');
    expect(got['grade|value']).toBe('优');
  });
});

describe('pe01_project_self_eval: two forms in one document', { timeout: 30_000 }, () => {
  // wider than its cell: printed on two lines
  const SECOND = '2024年某市老旧小区 综合改造及配套基础设施提升工程（一期）项目';
  const SECOND_INSTANCE = '2024年某市老旧小区综合改造及配套基础设施提升工程(一期)项目';
  let result: DocumentResult;
  beforeAll(async () => {
    result = await extractDoc(doc(
      {},
      { project: SECOND, grade: `□优 90分≤得分≤100分；${CHECK}良 80分≤得分<90分；□中 60分≤得分<80分；□差 得分<60分`, subLineMarks: '--' },
    ), 'memory://pe01-two.pdf');
  });

  it('one table per project, told apart by table_instance (wrapped name joined; NFKC: full-width brackets become ASCII)', () => {
    expect(result.tables.map((t) => [t.table_kind, t.table_instance, t.pages])).toEqual([
      [KIND, INSTANCE, [2]],
      [KIND, SECOND_INSTANCE, [3]],
    ]);
  });

  it('each project keeps its own facts; the same keys do not collide', () => {
    const first = cellMap(result.facts, KIND, INSTANCE);
    const second = cellMap(result.facts, KIND, SECOND_INSTANCE);
    expect(first['funds:年度资金总额|budget']).toBe('759.29');
    expect(second['funds:年度资金总额|budget']).toBe('759.29');
    expect(second['indicator:培训人次|actual']).toBe('844人次');
    expect(first['grade|value']).toBe('优');
  });

  it('the checked option decides the grade, not the first one printed', () => {
    expect(cellMap(result.facts, KIND, SECOND_INSTANCE)['grade|value']).toBe('良');
  });

  it('cells printed -- (not applicable) produce no fact', () => {
    const second = cellMap(result.facts, KIND, SECOND_INSTANCE);
    expect(second['funds:财政拨款|budget']).toBe('759.29');
    for (const row of ['funds:财政拨款', 'funds:其他资金']) {
      for (const col of ['weight', 'completion_rate', 'score']) expect(second[`${row}|${col}`], `${row}|${col}`).toBeUndefined();
    }
  });
});

for (const ruled of [true, false]) describe(`pe01_project_self_eval: a form over two pages, ${ruled ? 'ruled' : 'unruled'}`, { timeout: 30_000 }, () => {
  // The indicator rows are body rows that break onto page 3 (no header repeated); 一级指标 is printed
  // on the first row of its group only; 总分 and 评价等级 follow on page 3.
  it('reads the indicators on both pages, carries 一级指标 down, and closes at the grade', async () => {
    const all = formRows();
    const head = all.slice(0, 7).map((r, i) => (i === 6 ? [{ text: '绩效指标' }, ...r.slice(1)] : r));
    const body = [
      ['', '产出指标', '数量指标', '培训人次', '≥500人次', '844人次', '20', '20'],
      ['', '', '质量指标', '参训学员技能考核合格率', '≥90%', '96%', '20', '20'],
      ['', '效益指标', '社会效益指标', '就业服务覆盖面', '全市', '全市', '30', '30'],
      ['', '满意度指标', '服务对象满意度', '学员满意度', '≥90%', '95%', '20', '20'],
    ];
    const spec: DocSpec = {
      info: { Title: '2024年度某市某局部门决算' },
      blocks: [
        { kind: 'text', lines: [{ text: '2024年度某市某局部门决算', size: 22, align: 'center', y: 250 }] },
        { kind: 'pageBreak' },
        { kind: 'table', table: { title: '项目支出绩效自评表', unitLine: '单位：万元', header: head, rows: body, colWidths: COL_WIDTHS, ruled, maxRowsPerPage: 2 } },
        // 总分 and 评价等级 right under the last indicator row
        { kind: 'table', table: { title: '', header: all.slice(11), rows: [], colWidths: COL_WIDTHS, ruled } },
      ],
    };
    const result = await extractDoc(spec, 'memory://pe01-2p.pdf');
    expect(result.tables.map((t) => [t.table_kind, t.table_instance, t.pages])).toEqual([[KIND, INSTANCE, [2, 3]]]);
    const got = cellMap(result.facts, KIND);
    expect(got['indicator:参训学员技能考核合格率|level1']).toBe('产出指标');
    expect(got['indicator:就业服务覆盖面|level1']).toBe('效益指标');
    expect(got['indicator:学员满意度|score']).toBe('20');
    expect(factAt(result.facts, KIND, 'indicator:学员满意度', 'actual')).toMatchObject({ value: '95%', page: 3 });
    expect(got['funds:年度资金总额|budget']).toBe('759.29');
    expect(got['total_score|value']).toBe('100');
    expect(got['grade|value']).toBe('优');
    expect(Object.keys(got).filter((k) => k.startsWith('indicator:'))).toHaveLength(4 * 6);
  });
});

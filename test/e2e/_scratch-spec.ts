/**
 * End to end: a ruled 项目支出绩效自评表 (pe01_project_self_eval) appended to a final account.
 * The form is drawn as one ruled table whose cells (colspan / rowspan) make up the form: project
 * name, a funds block, an indicator block (a 一级指标 cell merged over two rows, a 三级指标 label
 * wrapped onto two lines), 总分 and the checked 评价等级.
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
    [{ text: '产出指标（40分）', rowspan: 2 }, { text: '数量指标' }, { text: '指标1：培训人次' }, { text: '≥500人次' }, { text: '844人次' }, { text: '20' }, { text: '20' }],
    // the 三级指标 label is wider than its cell: printed on two lines
    [{ text: '质量指标' }, { text: '参训学员技能考核合格率' }, { text: '≥90%' }, { text: '96%' }, { text: '20' }, { text: '20' }],
    [{ text: '效益指标' }, { text: '社会效益指标' }, { text: '就业服务覆盖面' }, { text: '全市' }, { text: '全市' }, { text: '30' }, { text: '30' }],
    [{ text: '满意度指标' }, { text: '服务对象满意度' }, { text: '学员满意度' }, { text: '≥90%' }, { text: '95%' }, { text: '20' }, { text: '20' }],
    [{ text: '总分', colspan: 6 }, { text: '100' }, { text: '98.5' }],
    [{ text: '评价等级' }, { text: grade, colspan: 7 }],
  ];
}

function form(o: FormOptions = {}): TableSpec {
  return { title: '项目支出绩效自评表', unitLine: '单位：万元', header: formRows(o), rows: [], colWidths: COL_WIDTHS, ruled: true };
}

/** A cover page, then one form per page. */
export function SCRATCH(...forms: FormOptions[]): DocSpec {
  return {
    info: { Title: '2024年度某市某局部门决算' },
    blocks: [
      { kind: 'text', lines: [{ text: '2024年度某市某局部门决算', size: 22, align: 'center', y: 250 }] },
      ...(forms.length ? forms : [{}]).flatMap((o) => [{ kind: 'pageBreak' as const }, { kind: 'table' as const, table: form(o) }]),
    ],
  };
}


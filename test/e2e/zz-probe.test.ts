import { it } from 'vitest';
import { makePdf, type DocSpec, type TableSpec } from '../support/make-pdf.js';
import { processDocument } from '../../src/pipeline/process-document.js';

const header = [
  [{ text: '项目', colspan: 2 }, { text: '本年收入合计', rowspan: 2 }, { text: '财政拨款收入', rowspan: 2 }, { text: '上级补助收入', rowspan: 2 }, { text: '事业收入', rowspan: 2 }, { text: '经营收入', rowspan: 2 }, { text: '附属单位上缴收入', rowspan: 2 }, { text: '其他收入', rowspan: 2 }],
  [{ text: '功能分类科目编码' }, { text: '科目名称' }],
];
const rows = [
  ['', '合计', '49,664.69', '49,644.69', '0.00', '0.00', '0.00', '0.00', '20.00'],
  ['201', '一般公共服务支出', '34,970.13', '34,950.13', '0.00', '0.00', '0.00', '0.00', '20.00'],
  ['20103', '政府办公厅（室）及相关机构事务', '34,950.13', '34,950.13', '0.00', '0.00', '0.00', '0.00', '0.00'],
  ['2010301', '行政运行', '3,268.06', '3,268.06', '0.00', '0.00', '0.00', '0.00', '0.00'],
  ['2010399', '其他政府办公厅（室）及相关机构事务支出', '25,842.38', '25,842.38', '0.00', '0.00', '0.00', '0.00', '0.00'],
  ['208', '社会保障和就业支出', '1,146.11', '1,146.11', '0.00', '0.00', '0.00', '0.00', '0.00'],
];
const table = (ruled: boolean): TableSpec => ({ tableNo: '表2', title: '收入决算表', entityLine: '单位：广州市政务服务数据管理局', unitLine: '单位：万元', header, rows, colWidths: [80, 150, 66, 66, 66, 66, 66, 58, 66], ruled, note: '注：本表反映部门本年度取得的各项收入情况。' });
for (const ruled of [true, false]) it('probe ' + ruled, async () => {
  const spec: DocSpec = { landscape: true, blocks: [{ kind: 'table', table: table(ruled) }] };
  const pdf = await makePdf(spec);
  const t0 = Date.now();
  const r = await processDocument({ source: 'x.pdf', sha256: 'x', bytes: pdf.length }, pdf);
  console.log(Date.now() - t0, JSON.stringify({ ...r, facts: undefined }, null, 0));
  for (const f of r.facts) console.log(f.row_key, '|', f.row_label, '|', f.column_key, '|', f.column_label, '|', f.value, f.value_cny, f.unit, f.repairs);
});

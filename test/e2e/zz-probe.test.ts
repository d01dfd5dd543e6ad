import { it } from 'vitest';
import { makePdf } from '../support/make-pdf.js';
import { processDocument } from '../../src/pipeline/process-document.js';
const header = [[{ text: '项目', colspan: 2 }, { text: '本年支出合计', rowspan: 2 }, { text: '基本支出', rowspan: 2 }, { text: '项目支出', rowspan: 2 }], [{ text: '功能分类科目编码' }, { text: '科目名称' }]];
const t = (rows: string[][]) => ({ title: '支出决算表', entityLine: '部门：某局', unitLine: '单位：万元', header, rows, colWidths: [80, 150, 80, 80, 80], ruled: true });
it('probe', async () => {
  const pdf = await makePdf({ blocks: [
    { kind: 'table', table: t([['', '合计', '30.00', '10.00', '20.00'], ['201', '一般公共服务支出', '10.00', '10.00', '0.00']]) },
    { kind: 'pageBreak' },
    { kind: 'table', table: t([['', '合计', '30.00', '10.00', '20.00'], ['206', '科学技术支出', '20.00', '0.00', '20.00']]) },
  ] });
  const r = await processDocument({ source: 'x', sha256: 'x', bytes: 1 }, pdf);
  console.log(JSON.stringify(r.tables));
  for (const f of r.facts) console.log(f.table_kind, JSON.stringify(f.table_instance), f.row_key, f.column_key, f.value, 'p' + f.page);
});

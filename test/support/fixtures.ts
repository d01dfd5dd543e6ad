/** Small disclosures shared by the end-to-end tests: a 收入决算表 and a cover page. */
import type { Block, DocSpec, TableSpec } from './make-pdf.js';

/** A ruled 收入决算表 (fa02_income) of 某市某局; `extra` overrides any field. */
export function incomeTable(extra: Partial<TableSpec> = {}): TableSpec {
  return {
    tableNo: '表2',
    title: '收入决算表',
    entityLine: '单位：某市某局',
    unitLine: '单位：万元',
    header: [
      [{ text: '项目', colspan: 2 }, { text: '本年收入合计', rowspan: 2 }, { text: '财政拨款收入', rowspan: 2 }, { text: '其他收入', rowspan: 2 }],
      [{ text: '功能分类科目编码' }, { text: '科目名称' }],
    ],
    rows: [
      ['', '合计', '1,617.60', '1,597.60', '20.00'],
      ['201', '一般公共服务支出', '645.88', '645.88', '0.00'],
      ['206', '科学技术支出', '971.72', '951.72', '20.00'],
    ],
    colWidths: [80, 130, 90, 90, 90],
    ruled: true,
    ...extra,
  };
}

/** A cover page with the given lines, then the table on the next page. */
export function withCover(cover: string[], table: TableSpec = incomeTable()): DocSpec {
  const blocks: Block[] = [
    { kind: 'text', lines: cover.map((text, i) => ({ text, size: 22, align: 'center' as const, ...(i === 0 ? { y: 250 } : {}) })) },
    { kind: 'pageBreak' },
    { kind: 'table', table },
  ];
  return { info: { Title: cover.join('') }, blocks };
}

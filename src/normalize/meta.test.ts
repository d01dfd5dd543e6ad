import { describe, expect, it } from 'vitest';
import type { Line } from '../model/line.js';
import { consensusSpelling, readMeta } from './meta.js';

function lines(number: number, texts: string[], method: 'text' | 'ocr'): Line[] {
  return texts.map((text, i) => ({
    page: number, top: 80 + i * 20, bottom: 90 + i * 20, text,
    tokens: [{ text, x0: 60, x1: 500, top: 80 + i * 20, bottom: 90 + i * 20, page: number, method, confidence: 0.8, repairs: [] }],
  }));
}

// The cover and body of r24 (Beijing, 144 dpi scan) as OCR reads them: 京 read as 系 on the cover,
// the year's digits doubled, 目录 read as 日.
const cover = ['北系市政务服务和数据管理局', '20256年度部门预算信息公开', '日', '第一部分2026年度部门预算情况说明', '一、部门情况说明'];
const body = ['北京市政务服务和数据管理局(以下简称:市政务和数', '北京市政务服务和数据管理局所属二级单位5个,即:', '2026年北京市政务服务和数据管理局政府采购预算总'];

describe('readMeta on OCR text', () => {
  it('takes the entity from the cover, not from the contents line, and spells it as the text does', () => {
    const meta = readMeta([lines(1, cover, 'ocr'), lines(3, body, 'ocr')], []);
    expect(meta).toEqual({ entity: '北京市政务服务和数据管理局', fiscalYear: '2026', docKind: 'budget' });
  });

  it('leaves a text-layer entity as printed, whatever the body says', () => {
    const meta = readMeta([lines(1, ['北系市政务服务和数据管理局2026年度部门预算'], 'text'), lines(3, body, 'text')], []);
    expect(meta.entity).toBe('北系市政务服务和数据管理局');
  });
});

describe('consensusSpelling', () => {
  it('keeps the given spelling on a tie or when nothing is near it', () => {
    expect(consensusSpelling('北系市政务服务和数据管理局', ['北系市政务服务和数据管理局', '北京市政务服务和数据管理局'])).toBe('北系市政务服务和数据管理局');
    expect(consensusSpelling('广州市统计局', ['本单位无政府性基金', '广州市统计局'])).toBe('广州市统计局');
  });

  it('does not take another body that differs in more than a misreading', () => {
    // 财政局 vs 税务局: two characters of six differ, more than one misreading allows.
    expect(consensusSpelling('上海市财政局', ['上海市税务局', '上海市税务局', '上海市税务局'])).toBe('上海市财政局');
  });
});

describe('readMeta in a file of tables only', () => {
  it('takes the entity from a 部门名称 form field when no title or unit line names it', () => {
    const page = (number: number, rows: string[][]): Line[] => rows.map((cells, i) => ({
      page: number, top: 80 + i * 20, bottom: 90 + i * 20, text: cells.join(''),
      tokens: cells.map((text, k) => ({ text, x0: 60 + k * 200, x1: 200 + k * 200, top: 80 + i * 20, bottom: 90 + i * 20, page: number, method: 'text' as const, confidence: 1, repairs: [] })),
    }));
    // r23 (Beijing 预算01-14表): no cover, 金额单位 lines without an entity, the name only in 预算13表.
    const pages = [
      page(1, [['预算01表 收支总表'], ['金额单位:万元'], ['项目', '预算数']]),
      page(2, [['预算13表 部门整体支出绩效目标表'], ['（2026年度）'], ['部门名称', '北京市财政局'], ['总体资金情况（万元）', '44,169.357532']]),
    ];
    expect(readMeta(pages, []).entity).toBe('北京市财政局');
  });
});

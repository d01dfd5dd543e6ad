import { describe, expect, it } from 'vitest';
import type { Line } from '../model/line.js';
import type { Segment } from '../model/page.js';
import { parseForm } from './form.js';

// Column x-ranges of the indicator block (as on r39 p.32, a 国家信访局 self-evaluation form).
const X: Record<string, [number, number]> = {
  section: [40, 90], level1: [97, 133], level2: [151, 187], level3: [205, 277], target: [300, 340], actual: [350, 390], weight: [410, 425], score: [440, 455],
};

function line(page: number, top: number, cells: [keyof typeof X, string][]): Line {
  const tokens = cells.map(([col, text]) => ({ text, x0: X[col]![0], x1: X[col]![1], top, bottom: top + 9, page, method: 'text' as const, confidence: 1, repairs: [] }));
  return { page, top, bottom: top + 9, tokens, text: cells.map(([, t]) => t).join('') };
}

const rule = (top: number, x0: number): Segment => ({ orientation: 'h', x0, x1: 530, top, bottom: top });

describe('parseForm: merged 一级/二级指标 cells', () => {
  it('a merged cell ruled above but running over the page break covers every row under its top rule', () => {
    const lines = [
      line(32, 560, [['section', '绩效指标'], ['level1', '一级指标'], ['level2', '二级指标'], ['level3', '三级指标'], ['target', '年度指标值'], ['actual', '实际完成值'], ['weight', '分值'], ['score', '得分']]),
      line(32, 604, [['level1', '成本指标'], ['level2', '经济成本指标'], ['level3', '每本刊物印刷成本'], ['target', '≤1.4元'], ['actual', '1.4元'], ['weight', '20'], ['score', '20']]),
      line(32, 626, [['level3', '形成的研究成果数'], ['target', '≥18个'], ['actual', '30个'], ['weight', '9'], ['score', '9']]),
      line(32, 648, [['level3', '出版图书'], ['target', '≥1本'], ['actual', '2本'], ['weight', '5'], ['score', '5']]),
      // 产出指标 / 数量指标 printed at the middle of their merged cell, which goes on to page 33
      line(32, 691, [['level1', '产出指标'], ['level2', '数量指标'], ['level3', '发行量(万册)'], ['target', '72万册'], ['actual', '72万册'], ['weight', '6'], ['score', '6']]),
      line(32, 740, [['level3', '微信发稿量(篇)'], ['target', '≥350篇'], ['actual', '335篇'], ['weight', '6'], ['score', '4']]),
    ];
    // Full-width rules close the header and the 成本指标 row; rules between the rows of a merged cell
    // start right of it (x0 199.6); no rule closes 产出指标 on this page.
    const segments = [rule(596, 91), rule(620, 91), rule(640, 199.6), rule(684, 199.6), rule(700, 199.6), rule(770, 199.6)];
    const { cells } = parseForm(lines, new Map([[32, segments]]));
    const level1 = Object.fromEntries(cells.filter((c) => c.column_key === 'level1').map((c) => [c.row_key, c.value]));
    expect(level1).toEqual({
      'indicator:每本刊物印刷成本': '成本指标',
      'indicator:形成的研究成果数': '产出指标',
      'indicator:出版图书': '产出指标',
      'indicator:发行量(万册)': '产出指标',
      'indicator:微信发稿量(篇)': '产出指标',
    });
    expect(cells.find((c) => c.row_key === 'indicator:出版图书' && c.column_key === 'level2')?.value).toBe('数量指标');
  });
});

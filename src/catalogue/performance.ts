/**
 * Performance self-evaluation forms (项目支出绩效自评表, 部门整体支出绩效自评表, 绩效目标表):
 * the header words that open each section and name its columns (OUTPUT.md, pe01).
 */
import type { ColumnRule } from './table-kinds.js';

/** The funds block: 年度资金总额 / 其中：财政拨款 / 其他资金 rows. */
export const FUNDS_HEADER = /分值|得分|执行数|执行率|完成率/u;
export const FUNDS_COLUMNS: readonly ColumnRule[] = [
  { key: 'completion_rate', pattern: /执行率|完成率/u },
  { key: 'executed', pattern: /执行数/u },
  { key: 'budget_initial', pattern: /年初预算/u },
  { key: 'budget', pattern: /预算数|全年预算|预算$/u },
  { key: 'weight', pattern: /分值|权重/u },
  { key: 'score', pattern: /得分/u },
];

/** The indicator block: 一级指标 | 二级指标 | 三级指标 | 指标值 … */
export const INDICATOR_HEADER = /三级指标/u;
export const INDICATOR_COLUMNS: readonly ColumnRule[] = [
  { key: 'level1', pattern: /一级指标/u },
  { key: 'level2', pattern: /二级指标/u },
  { key: 'label', pattern: /三级指标|指标名称/u },
  { key: 'actual', pattern: /实际|完成值|完成情况/u },
  { key: 'target', pattern: /指标值|目标值|年度指标/u },
  { key: 'weight', pattern: /分值|权重/u },
  { key: 'score', pattern: /得分/u },
  { key: 'deviation_reason', pattern: /偏差|原因/u },
];

/** Row labels that name the form's parts. */
export const PROJECT_NAME = /^项目名称$/u;
export const TOTAL_SCORE = /^总分$|^自评总分$/u;
export const GRADE = /评价等级|自评等级|绩效等级/u;
/** A checked option: ☑优. */
export const CHECKED_GRADE = /[☑■√✓✔]\s*(优秀|优|良好|良|中|合格|差|不合格)/u;
/** Not applicable. */
export const NOT_APPLICABLE = /^(?:-{1,2}|—{1,2}|／|\/)$/u;
/** Columns whose values are numbers without a unit (scores, weights). */
export const NUMBER_COLUMNS = ['weight', 'score'] as const;
/** Columns that are amounts in 万元. */
export const AMOUNT_COLUMNS = ['budget_initial', 'budget', 'executed'] as const;

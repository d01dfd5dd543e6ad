import { describe, expect, it } from 'vitest';
import { IDENTITIES, REQUIRED_TABLES } from './identities.js';
import { EXPENDITURE_ITEMS, INCOME_ITEMS } from './line-items.js';
import { kindForTitle, TABLE_KINDS } from './table-kinds.js';

// The table kinds of the output contract (OUTPUT.md), copied here: tests do not read ../shared.
const CONTRACT_KINDS = [
  'fa01_summary', 'fa02_income', 'fa03_expenditure', 'fa04_fiscal_summary', 'fa05_general_budget_expenditure',
  'fa06_basic_expenditure_detail', 'fa07_gov_fund', 'fa08_state_capital', 'fa09_three_public',
  'bu01_summary', 'bu02_income', 'bu03_expenditure', 'bu04_fiscal_summary', 'bu05_general_budget_by_function',
  'bu06_general_budget_basic_by_econ', 'bu07_general_budget_project_by_econ', 'bu08_admin_and_three_public',
  'bu09_gov_fund', 'bu10_state_capital', 'bu11_basic_by_unit', 'bu12_project_by_unit', 'bu13_fiscal_expenditure_by_function',
  'bu14_fiscal_basic_by_econ', 'bu15_operating_costs', 'bu16_procurement',
  'pe01_project_self_eval', 'pe02_department_self_eval', 'pg01_performance_targets',
];

describe('catalogue', () => {
  it('has unique kind ids, all in the contract', () => {
    const ids = TABLE_KINDS.map((k) => k.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(CONTRACT_KINDS).toContain(id);
  });

  it('has unique line-item labels per side', () => {
    for (const items of [INCOME_ITEMS, EXPENDITURE_ITEMS]) {
      const labels = items.flatMap((i) => [...i.labels]);
      expect(new Set(labels).size).toBe(labels.length);
    }
  });

  it('names only contract tables in identities and completeness', () => {
    for (const identity of IDENTITIES) {
      const tables = identity.kind === 'cells' ? [identity.target.table, ...identity.terms.map((t) => t.table)] : [identity.table];
      for (const t of tables) expect(CONTRACT_KINDS).toContain(t);
    }
    for (const t of REQUIRED_TABLES.final_account!) expect(CONTRACT_KINDS).toContain(t);
    expect(new Set(IDENTITIES.map((i) => i.id)).size).toBe(IDENTITIES.length);
  });
});

describe('kindForTitle: title variants printed in real disclosures', () => {
  it.each([
    ['收入支出决算总表', 'fa01_summary'],
    ['财政拨款收入支出决算总表', 'fa04_fiscal_summary'],
    ['一般公共预算财政拨款基本支出决算明细表', 'fa06_basic_expenditure_detail'],
    ['一般公共预算财政拨款基本支出决算表', 'fa06_basic_expenditure_detail'],
    ['国有资本经营预算财政拨款收入支出决算表', 'fa08_state_capital'],
    ['财政拨款“三公”经费支出决算表', 'fa09_three_public'],
    ['2026年部门财务收支预算总表', 'bu01_summary'],
    ['2025年预算单位支出预算总表', 'bu03_expenditure'],
    ['预算01表收支总表', 'bu01_summary'],
    ['预算04表财政拨款收支总表', 'bu04_fiscal_summary'],
    ['一般公共预算支出情况表（按功能分类科目）', 'bu05_general_budget_by_function'],
    ['2026年部门一般公共预算支出功能分类预算表', 'bu05_general_budget_by_function'],
    ['一般公共预算基本支出情况表（按经济分类科目）', 'bu06_general_budget_basic_by_econ'],
    ['财政拨款安排的行政经费及“三公”经费预算表', 'bu08_admin_and_three_public'],
    ['“三公”经费、会议费、培训费支出预算表', 'bu08_admin_and_three_public'],
    ['部门预算基本支出预算表', 'bu11_basic_by_unit'],
    ['部门预算项目支出及其他支出预算表', 'bu12_project_by_unit'],
    ['财政拨款支出预算表（功能科目）', 'bu13_fiscal_expenditure_by_function'],
    ['项目支出绩效自评表', 'pe01_project_self_eval'],
    ['信访干部培训专项项目绩效自评表', 'pe01_project_self_eval'],
  ])('%s → %s', (title, kind) => {
    expect(kindForTitle(title)?.id).toBe(kind);
  });

  it.each([
    '二、2022年度财政拨款收入支出总表说明',
    '第二部分2024年部门预算表',
    '本套报表金额单位转换时可能存在尾数误差。',
  ])('%s is not a table title', (text) => {
    expect(kindForTitle(text)).toBeNull();
  });
});

/**
 * Canonical table kinds (OUTPUT.md): how their titles are printed and what their columns mean.
 * Title patterns are tried in order against the compact title (NFKC, no whitespace); the first
 * kind whose pattern matches and whose `excludes` do not, wins. Column patterns are tried in
 * order against a column's header leaf, then against its whole header path.
 */
import type { DocKind } from '../model/document.js';

export type Layout =
  /** rows keyed by functional or economic code (or `total`, or `label:` for code-less rows) */
  | 'code_rows'
  /** 收入 | 支出 sides, rows keyed `income:<item>` / `expenditure:<item>` */
  | 'two_sided'
  /** rows keyed by unit and the categories or projects nested under it */
  | 'unit_rows'
  /** one row (`total`) of 三公 categories; 预算数 / 决算数 prefixes */
  | 'three_public'
  /** rows keyed `label:<label>` */
  | 'label_rows'
  /** performance self-evaluation forms */
  | 'performance';

export interface ColumnRule {
  key: string;
  /** Tested against the header leaf first, then the joined header path. */
  pattern: RegExp;
  /** Tested against the joined header path only, before any leaf: for a leaf that means another thing under this parent. */
  wholePath?: boolean;
}

export interface TableKind {
  id: string;
  docKinds: readonly DocKind[];
  title: RegExp;
  excludes?: RegExp;
  layout: Layout;
  /** Column rules in priority order; a layout with a single value column may use `amount`. */
  columns: readonly ColumnRule[];
  /** Row keys of totals in side-by-side blocks (fa06: personnel_total | public_total). */
  blockTotals?: readonly string[];
  /** Whether codes in this table are economic (30101) rather than functional (2010301). */
  economic?: boolean;
  /** Some templates print the table's columns as a vertical list of items with one 金额 column (Jiangsu's 收入预算总表). */
  verticalList?: boolean;
}

const FUND_SPLIT: readonly ColumnRule[] = [
  { key: 'general_budget', pattern: /一般公共预算/u },
  { key: 'gov_fund', pattern: /政府性基金/u },
  { key: 'state_capital', pattern: /国有资本/u },
  { key: 'total', pattern: /合计|小计|总计|^金额$|^预算数?$|^决算数?$/u },
];

const BASIC_PROJECT: readonly ColumnRule[] = [
  { key: 'personnel', pattern: /人员经费/u },
  { key: 'public', pattern: /公用经费/u },
  { key: 'basic', pattern: /基本支出/u },
  { key: 'project', pattern: /项目支出/u },
  { key: 'total', pattern: /合计|总计|小计|^金额$|本年支出$/u },
];

const CARRYOVER_COLUMNS: readonly ColumnRule[] = [
  { key: 'carryover_begin', pattern: /年初结转|上年结转|上年结余/u },
  { key: 'carryover_end', pattern: /年末结转|年终结转/u },
  { key: 'income', pattern: /本年收入/u },
  { key: 'basic', pattern: /基本支出/u },
  { key: 'project', pattern: /项目支出/u },
  { key: 'expenditure_total', pattern: /小计|本年支出合计|^本年支出$|合计/u },
];

/** How a fund is named in column headers. */
const FUND_WORDS = { general_budget: '一般公共预算', gov_fund: '政府性基金', state_capital: '国有资本', special_account: '财政专户' } as const;

const THREE_PUBLIC_COLUMNS: readonly ColumnRule[] = [
  { key: 'abroad', pattern: /出国/u },
  { key: 'reception', pattern: /接待/u },
  { key: 'meeting', pattern: /会议/u },
  { key: 'training', pattern: /培训/u },
  { key: 'vehicle_operation', pattern: /(?<!购置及)运行(维护|费)/u },
  { key: 'vehicle_purchase', pattern: /购置费?$|^购置/u },
  { key: 'vehicle_total', pattern: /购置及运行|小计|公务用车$/u },
  { key: 'total', pattern: /合计|总计|总额|^三公经费$/u },
];

const BY_UNIT_COLUMNS: readonly ColumnRule[] = [
  { key: 'performance_goal', pattern: /绩效目标/u },
  { key: 'general_budget', pattern: /一般公共预算/u },
  { key: 'gov_fund', pattern: /政府性基金/u },
  { key: 'state_capital', pattern: /国有资本/u },
  { key: 'special_account', pattern: /财政专户/u },
  { key: 'other_funds', pattern: /其他资金/u },
  { key: 'fiscal_total', pattern: /财政拨款.*(?:合计|小计)|^财政拨款$|^合计$/u },
  { key: 'total', pattern: /总计/u },
];

export const TABLE_KINDS: readonly TableKind[] = [
  // ---- final accounts (决算)
  { id: 'fa04_fiscal_summary', docKinds: ['final_account'], title: /财政拨款收入支出决算总表/u, layout: 'two_sided', columns: FUND_SPLIT },
  { id: 'fa01_summary', docKinds: ['final_account'], title: /收入支出决算总表/u, layout: 'two_sided', columns: [{ key: 'amount', pattern: /.*/u }] },
  { id: 'fa06_basic_expenditure_detail', docKinds: ['final_account'], title: /基本支出决算(明细)?表/u, layout: 'code_rows', economic: true,
    columns: [{ key: 'amount', pattern: /金额|决算数|合计/u }], blockTotals: ['personnel_total', 'public_total'] },
  { id: 'fa07_gov_fund', docKinds: ['final_account'], title: /政府性基金预算财政拨款(收入)?支出决算表/u, layout: 'code_rows', columns: CARRYOVER_COLUMNS },
  { id: 'fa08_state_capital', docKinds: ['final_account'], title: /国有资本经营预算财政拨款(收入)?支出决算表/u, layout: 'code_rows', columns: CARRYOVER_COLUMNS },
  { id: 'fa09_three_public', docKinds: ['final_account'], title: /三公.{0,4}经费.*决算表/u, layout: 'three_public', columns: THREE_PUBLIC_COLUMNS },
  { id: 'fa05_general_budget_expenditure', docKinds: ['final_account'], title: /一般公共预算财政拨款(支出)?决算表/u, layout: 'code_rows', columns: BASIC_PROJECT },
  { id: 'fa02_income', docKinds: ['final_account'], title: /收入决算表/u, layout: 'code_rows', columns: [
    { key: 'affiliated_remittance', pattern: /附属单位/u },
    { key: 'superior_subsidy', pattern: /上级补助/u },
    { key: 'operating_income', pattern: /经营收入/u },
    { key: 'business_income', pattern: /事业收入/u },
    { key: 'other_income', pattern: /其他收入/u },
    { key: 'fiscal_appropriation', pattern: /财政拨款/u },
    { key: 'total', pattern: /合计|总计/u },
  ] },
  { id: 'fa03_expenditure', docKinds: ['final_account'], title: /支出决算表/u, layout: 'code_rows', columns: [
    { key: 'subsidy_to_affiliates', pattern: /附属单位/u },
    { key: 'remit_to_superior', pattern: /上缴上级/u },
    { key: 'operating', pattern: /经营支出/u },
    { key: 'basic', pattern: /基本支出/u },
    { key: 'project', pattern: /项目支出/u },
    { key: 'total', pattern: /合计|总计/u },
  ] },

  // ---- performance
  { id: 'pe02_department_self_eval', docKinds: ['performance_eval', 'final_account'], title: /整体支出绩效自评/u, layout: 'performance', columns: [] },
  { id: 'pe01_project_self_eval', docKinds: ['performance_eval', 'final_account'], title: /项目(支出)?绩效自评表/u, layout: 'performance', columns: [] },

  // ---- budgets (预算)
  { id: 'bu08_admin_and_three_public', docKinds: ['budget'], title: /三公.{0,4}经费/u, layout: 'three_public', columns: [
    { key: 'admin_costs', pattern: /机关运行经费|行政经费/u },
    ...THREE_PUBLIC_COLUMNS,
  ] },
  { id: 'bu04_fiscal_summary', docKinds: ['budget'], title: /财政拨款收支(总体情况|预算总|总)表/u, layout: 'two_sided', columns: FUND_SPLIT },
  { id: 'bu01_summary', docKinds: ['budget'], title: /收支总体情况表|收支(预算)?总表/u, layout: 'two_sided', columns: [{ key: 'amount', pattern: /.*/u }] },
  { id: 'bu02_income', docKinds: ['budget'], title: /收入总体情况表|收入(预算)?总表/u, layout: 'code_rows', verticalList: true, columns: [
    // 上年结转结余 split by fund (Beijing 预算02表): the fund columns under it are the carry-over's.
    ...(['general_budget', 'gov_fund', 'state_capital', 'special_account'] as const).map((fund) => ({
      key: `carryover_begin.${fund}`, pattern: new RegExp(`(?:上年结转|上年结余).*${FUND_WORDS[fund]}`, 'u'), wholePath: true,
    })),
    { key: 'carryover_begin', pattern: /上年结转|上年结余/u },
    { key: 'edu_fee', pattern: /教育收费/u },
    { key: 'other_special_account', pattern: /其他(专户|财政专户)/u },
    { key: 'special_account', pattern: /财政专户/u },
    { key: 'general_budget', pattern: /一般公共预算/u },
    { key: 'gov_fund', pattern: /政府性基金/u },
    { key: 'state_capital', pattern: /国有资本/u },
    { key: 'business_fund_offset', pattern: /事业基金/u },
    { key: 'affiliated_remittance', pattern: /附属单位/u },
    { key: 'superior_subsidy', pattern: /上级补助/u },
    { key: 'operating_income', pattern: /经营收入/u },
    { key: 'business_income', pattern: /事业收入/u },
    { key: 'other_income', pattern: /其他收入/u },
    { key: 'income_subtotal', pattern: /本年收入(小计|合计)?$/u },
    { key: 'fiscal_appropriation', pattern: /财政拨款|预算拨款/u },
    { key: 'total', pattern: /合计|总计/u },
  ] },
  { id: 'bu11_basic_by_unit', docKinds: ['budget'], title: /基本支出(预算|总)表$/u, excludes: /一般公共预算|财政拨款|经济/u, layout: 'unit_rows', columns: BY_UNIT_COLUMNS },
  { id: 'bu12_project_by_unit', docKinds: ['budget'], title: /项目支出(及其他支出)?(预算|总)?表$/u, excludes: /一般公共预算|经济|绩效/u, layout: 'unit_rows', columns: BY_UNIT_COLUMNS },
  { id: 'bu03_expenditure', docKinds: ['budget'], title: /支出总体情况表|^支出(预算)?总表/u, layout: 'code_rows', columns: [
    { key: 'subsidy_to_affiliates', pattern: /附属单位/u },
    { key: 'remit_to_superior', pattern: /上缴上级/u },
    { key: 'operating', pattern: /经营支出/u },
    { key: 'carry_forward', pattern: /结转下年/u },
    ...BASIC_PROJECT,
  ] },
  { id: 'bu07_general_budget_project_by_econ', docKinds: ['budget'], title: /一般公共预算项目支出/u, layout: 'code_rows', economic: true, columns: [{ key: 'amount', pattern: /.*/u }] },
  { id: 'bu06_general_budget_basic_by_econ', docKinds: ['budget'], title: /一般公共预算基本支出|基本支出经济分类/u, layout: 'code_rows', economic: true, columns: [
    { key: 'personnel', pattern: /人员经费/u }, { key: 'public', pattern: /公用经费/u }, { key: 'amount', pattern: /.*/u },
  ] },
  { id: 'bu14_fiscal_basic_by_econ', docKinds: ['budget'], title: /财政拨款基本支出(预算)?表/u, layout: 'code_rows', economic: true, columns: [
    { key: 'personnel', pattern: /人员经费/u }, { key: 'public', pattern: /公用经费/u }, { key: 'amount', pattern: /.*/u },
  ] },
  { id: 'bu05_general_budget_by_function', docKinds: ['budget'], title: /一般公共预算支出(情况|功能分类(预算)?|预算)?表/u, excludes: /经济/u, layout: 'code_rows', columns: BASIC_PROJECT },
  { id: 'bu09_gov_fund', docKinds: ['budget'], title: /政府性基金(预算)?支出/u, layout: 'code_rows', columns: BASIC_PROJECT },
  { id: 'bu10_state_capital', docKinds: ['budget'], title: /国有资本经营预算支出/u, layout: 'code_rows', columns: BASIC_PROJECT },
  { id: 'bu13_fiscal_expenditure_by_function', docKinds: ['budget'], title: /财政拨款支出(预算)?表/u, layout: 'code_rows', columns: [...BASIC_PROJECT.slice(0, 4), ...FUND_SPLIT] },
  { id: 'bu15_operating_costs', docKinds: ['budget'], title: /机关运行经费(支出预算表)?$/u, layout: 'label_rows', columns: [{ key: 'amount', pattern: /.*/u }] },
  { id: 'bu16_procurement', docKinds: ['budget'], title: /政府采购(支出|预算)表/u, layout: 'label_rows', columns: [
    { key: 'goods', pattern: /货物/u }, { key: 'works', pattern: /工程/u }, { key: 'services', pattern: /服务/u }, { key: 'total', pattern: /合计|总计/u },
  ] },
  { id: 'pg01_performance_targets', docKinds: ['budget'], title: /绩效目标表/u, layout: 'performance', columns: [] },
];

/** Strips what varies around a title: year, 部门/单位 prefix, 表N numbering, trailing unit. */
export function titleCore(compactTitle: string): string {
  return compactTitle
    .replace(/^(?:预算\d+表|公开表[一二三四五六七八九十]+|表[一二三四五六七八九十\d]+|附表\d+)/u, '')
    .replace(/^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）])/u, '')
    .replace(/^\d{4}年度?/u, '')
    .replace(/^(?:预算单位|预算部门|部门|单位)/u, '')
    .replace(/[（(]单位[:：].*$/u, '');
}

/** The kind a printed title names, or null. `docKind` breaks ties between 决算 and 预算 families. */
export function kindForTitle(compactTitle: string): TableKind | null {
  const core = titleCore(compactTitle);
  if (!/表(?:[（(].*[)）])?$/u.test(core) && !/表$/u.test(core.replace(/[（(][^）)]*[)）]$/u, ''))) {
    if (!/机关运行经费$/u.test(core)) return null;
  }
  for (const kind of TABLE_KINDS) {
    if (kind.title.test(core) && !(kind.excludes && kind.excludes.test(core))) {
      const isFinal = /决算/u.test(core);
      if (isFinal && !kind.docKinds.includes('final_account')) continue;
      if (!isFinal && kind.docKinds.length === 1 && kind.docKinds[0] === 'final_account') continue;
      return kind;
    }
  }
  return null;
}

/**
 * Accounting identities (OUTPUT.md) as data. One validator (normalize/validate.ts) evaluates them;
 * none edits a value. Amounts are rounded when printed: each summed term may be 0.01 off.
 */

/** A cell of a document by its canonical keys. */
export interface CellRef { table: string; row: string; column: string }

export type Identity =
  /** In every row of `table`: `target` column = Σ `terms` columns (rows lacking the target are skipped). */
  | { id: string; kind: 'column_sum'; table: string; target: string; terms: readonly string[]; rows?: 'all' | 'expenditure' }
  /** In every value column of `table`: a code = Σ its direct children (201 = Σ 201xx, 20101 = Σ 20101xx). */
  | { id: string; kind: 'code_hierarchy'; table: string }
  /** In every value column of `table`: `total` = Σ class rows (three-digit codes). */
  | { id: string; kind: 'total_of_classes'; table: string }
  /** Across cells of one document: `target` = Σ `terms`. */
  | { id: string; kind: 'cells'; target: CellRef; terms: readonly CellRef[] };

const CODE_TABLES = [
  'fa02_income', 'fa03_expenditure', 'fa05_general_budget_expenditure', 'fa07_gov_fund', 'fa08_state_capital',
  'bu02_income', 'bu03_expenditure', 'bu05_general_budget_by_function', 'bu09_gov_fund', 'bu10_state_capital',
  'bu13_fiscal_expenditure_by_function', 'bu06_general_budget_basic_by_econ', 'bu07_general_budget_project_by_econ', 'bu14_fiscal_basic_by_econ',
] as const;

export const IDENTITIES: readonly Identity[] = [
  ...CODE_TABLES.map((table) => ({ id: `${table}.code_hierarchy`, kind: 'code_hierarchy' as const, table })),
  ...CODE_TABLES.map((table) => ({ id: `${table}.total_of_classes`, kind: 'total_of_classes' as const, table })),
  { id: 'fa02.total_column', kind: 'column_sum', table: 'fa02_income', target: 'total', terms: ['fiscal_appropriation', 'superior_subsidy', 'business_income', 'operating_income', 'affiliated_remittance', 'other_income'] },
  { id: 'fa03.total_column', kind: 'column_sum', table: 'fa03_expenditure', target: 'total', terms: ['basic', 'project', 'remit_to_superior', 'operating', 'subsidy_to_affiliates'] },
  { id: 'fa04.total_column', kind: 'column_sum', table: 'fa04_fiscal_summary', target: 'total', terms: ['general_budget', 'gov_fund', 'state_capital'], rows: 'expenditure' },
  { id: 'fa05.total_column', kind: 'column_sum', table: 'fa05_general_budget_expenditure', target: 'total', terms: ['basic', 'project'] },
  { id: 'fa07.expenditure_column', kind: 'column_sum', table: 'fa07_gov_fund', target: 'expenditure_total', terms: ['basic', 'project'] },
  { id: 'fa08.expenditure_column', kind: 'column_sum', table: 'fa08_state_capital', target: 'expenditure_total', terms: ['basic', 'project'] },
  { id: 'bu05.total_column', kind: 'column_sum', table: 'bu05_general_budget_by_function', target: 'total', terms: ['basic', 'project'] },
  { id: 'bu05.basic_column', kind: 'column_sum', table: 'bu05_general_budget_by_function', target: 'basic', terms: ['personnel', 'public'] },
  { id: 'bu09.total_column', kind: 'column_sum', table: 'bu09_gov_fund', target: 'total', terms: ['basic', 'project'] },
  { id: 'bu10.total_column', kind: 'column_sum', table: 'bu10_state_capital', target: 'total', terms: ['basic', 'project'] },
  { id: 'fa01.balance', kind: 'cells', target: { table: 'fa01_summary', row: 'income:grand_total', column: 'amount' }, terms: [{ table: 'fa01_summary', row: 'expenditure:grand_total', column: 'amount' }] },
  { id: 'fa04.balance', kind: 'cells', target: { table: 'fa04_fiscal_summary', row: 'income:grand_total', column: 'amount' }, terms: [{ table: 'fa04_fiscal_summary', row: 'expenditure:grand_total', column: 'total' }] },
  { id: 'bu01.balance', kind: 'cells', target: { table: 'bu01_summary', row: 'income:grand_total', column: 'amount' }, terms: [{ table: 'bu01_summary', row: 'expenditure:grand_total', column: 'amount' }] },
  { id: 'bu04.balance', kind: 'cells', target: { table: 'bu04_fiscal_summary', row: 'income:grand_total', column: 'amount' }, terms: [{ table: 'bu04_fiscal_summary', row: 'expenditure:grand_total', column: 'amount' }] },
  { id: 'fa01_fa02.income_total', kind: 'cells', target: { table: 'fa01_summary', row: 'income:income_total', column: 'amount' }, terms: [{ table: 'fa02_income', row: 'total', column: 'total' }] },
  { id: 'fa01_fa03.expenditure_total', kind: 'cells', target: { table: 'fa01_summary', row: 'expenditure:expenditure_total', column: 'amount' }, terms: [{ table: 'fa03_expenditure', row: 'total', column: 'total' }] },
  { id: 'fa04_fa05.general_budget', kind: 'cells', target: { table: 'fa04_fiscal_summary', row: 'expenditure:expenditure_total', column: 'general_budget' }, terms: [{ table: 'fa05_general_budget_expenditure', row: 'total', column: 'total' }] },
  { id: 'fa05_fa06.basic', kind: 'cells', target: { table: 'fa05_general_budget_expenditure', row: 'total', column: 'basic' }, terms: [{ table: 'fa06_basic_expenditure_detail', row: 'personnel_total', column: 'amount' }, { table: 'fa06_basic_expenditure_detail', row: 'public_total', column: 'amount' }] },
];

/** Rounding allowance per summed term. */
export const TOLERANCE_PER_TERM = 0.01;

/** Tables a document of a kind normally prints (an empty one says 本表无数据 or prints zeros); a missing one is a finding. */
export const REQUIRED_TABLES: Readonly<Record<string, readonly string[]>> = {
  final_account: [
    'fa01_summary', 'fa02_income', 'fa03_expenditure', 'fa04_fiscal_summary', 'fa05_general_budget_expenditure',
    'fa06_basic_expenditure_detail', 'fa07_gov_fund', 'fa08_state_capital', 'fa09_three_public',
  ],
};

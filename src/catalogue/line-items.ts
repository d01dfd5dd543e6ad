/** Canonical line items of two-sided summary tables (OUTPUT.md appendix), matched on normalized labels. */

export interface LineItem {
  item: string;
  /** Normalized labels (NFKC, no whitespace, no ordinal prefix), matched exactly. */
  labels: readonly string[];
}

export const INCOME_ITEMS = [
  { item: 'general_budget', labels: ['一般公共预算财政拨款收入', '一般公共预算财政拨款', '一般公共预算', '一般公共预算资金', '一般公共预算拨款', '一般公共预算拨款收入', '一般公共预算收入'] },
  { item: 'gov_fund', labels: ['政府性基金预算财政拨款收入', '政府性基金预算财政拨款', '政府性基金预算', '政府性基金预算拨款', '政府性基金预算拨款收入', '政府性基金预算资金', '政府性基金预算收入'] },
  { item: 'state_capital', labels: ['国有资本经营预算财政拨款收入', '国有资本经营预算财政拨款', '国有资本经营预算', '国有资本经营预算拨款', '国有资本经营预算拨款收入', '国有资本经营预算资金', '国有资本经营预算收入'] },
  { item: 'fiscal_appropriation', labels: ['财政拨款收入', '预算拨款', '财政拨款', '财政拨款资金'] },
  { item: 'special_account', labels: ['财政专户拨款', '财政专户管理资金', '财政专户管理资金收入'] },
  { item: 'other_funds', labels: ['其他资金'] },
  { item: 'superior_subsidy', labels: ['上级补助收入', '上级补助收入资金'] },
  { item: 'business_income', labels: ['事业收入', '事业收入资金'] },
  { item: 'operating_income', labels: ['经营收入', '事业单位经营收入', '经营收入资金', '事业单位经营收入资金'] },
  { item: 'affiliated_remittance', labels: ['附属单位上缴收入', '附属单位上缴收入资金'] },
  { item: 'other_income', labels: ['其他收入', '其他收入资金'] },
  { item: 'business_fund_offset', labels: ['用事业基金弥补收支差额'] },
  { item: 'income_total', labels: ['本年收入合计', '本年收入', '当年收入小计', '本年收入小计', '收入合计'] },
  { item: 'non_fiscal_balance_used', labels: ['使用非财政拨款结余（含专用结余）', '使用非财政拨款结余(含专用结余)', '使用非财政拨款结余'] },
  { item: 'carryover_begin', labels: ['年初结转和结余', '年初财政拨款结转和结余', '上年结转结余', '上年结转', '上年结转资金', '上年结转和结余', '上年结余结转', '上年结余、结转', '上年结余和结转'] },
  { item: 'grand_total', labels: ['总计', '收入总计'] },
] as const satisfies readonly LineItem[];

export const EXPENDITURE_ITEMS = [
  { item: 'basic', labels: ['基本支出'] },
  { item: 'project', labels: ['项目支出'] },
  { item: 'expenditure_total', labels: ['本年支出合计', '本年支出', '当年支出小计', '本年支出小计', '支出合计'] },
  { item: 'surplus_distribution', labels: ['结余分配'] },
  { item: 'carryover_end', labels: ['年末结转和结余', '年末财政拨款结转和结余', '年终结转结余'] },
  { item: 'carry_forward', labels: ['结转下年', '结转结余下年', '结转下年资金'] },
  { item: 'reserve_fund', labels: ['单位预留机动经费'] },
  { item: 'subsidy_to_affiliates', labels: ['对附属单位补助支出'] },
  { item: 'remit_to_superior', labels: ['上缴上级支出'] },
  { item: 'operating', labels: ['经营支出', '事业单位经营支出'] },
  { item: 'grand_total', labels: ['总计', '支出总计'] },
] as const satisfies readonly LineItem[];

/** Items whose lines are broken down by fund (the lines right after them are their sub-lines). */
export const ITEMS_WITH_FUND_SUBLINES = ['carryover_begin', 'carryover_end'] as const;
/** Sub-line items, keyed `<parent>.<fund>`. */
export const FUND_SUBLINES = ['general_budget', 'gov_fund', 'state_capital'] as const;
/** A fund sub-line may repeat its parent's words after the fund (Shenzhen: 一般公共预算拨款结余、结转). */
export const FUND_SUBLINE_SUFFIX = /(?:结余[、和]?结转|结转[、和]?结余|结转|结余)$/u;

/** Items that are totals: a total that closes a side is `grand_total`. */
export const SIDE_TOTALS: Record<'income' | 'expenditure', string> = { income: 'income_total', expenditure: 'expenditure_total' };

function index(items: readonly LineItem[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const { item, labels } of items) for (const l of labels) m.set(l.normalize('NFKC'), item);
  return m;
}

export const INCOME_BY_LABEL = index(INCOME_ITEMS);
export const EXPENDITURE_BY_LABEL = index(EXPENDITURE_ITEMS);

/**
 * Closing lines of a summary side (subtotal, carry-overs, totals): printed on a line of their own, so
 * a line holding one of them alone is never the wrapped tail of the row above, even without amounts.
 */
export const CLOSING_LINE_LABELS: ReadonlySet<string> = new Set(
  [...INCOME_ITEMS, ...EXPENDITURE_ITEMS]
    .filter(({ item }) => ['income_total', 'expenditure_total', 'grand_total', 'carryover_begin', 'carryover_end', 'carry_forward'].includes(item))
    .flatMap(({ labels }) => labels.map((l) => l.normalize('NFKC'))),
);

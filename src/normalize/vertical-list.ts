/**
 * A table printed as a vertical list of line items with one 金额 column (Jiangsu's 收入预算总表: the
 * income sources as rows, grouped under category cells merged over their rows), where the contract's
 * table has those items as columns of one row: each amount goes to row `total`, in the column its
 * item names (OUTPUT.md: "a vertical list of sources maps into row total").
 *
 *   项目名称                        金额
 *                  收入总计      18,330.37      → total
 *                  小计          18,330.37      → the category's column (一般公共预算资金 → general_budget)
 *   一般公共预算资金  公共财政拨款…  18,330.37      → the item's own column, if the catalogue has one
 *                  专项收入
 */
import type { TableKind } from '../catalogue/table-kinds.js';
import type { Line, Token } from '../model/line.js';
import type { Segment } from '../model/page.js';
import { compact } from '../util/text.js';
import { amountValue, isValueText } from './cells.js';
import { makeCell } from './grid.js';
import { columnKey, type MappedCell } from './map-table.js';

const vmid = (t: { top: number; bottom: number }) => (t.top + t.bottom) / 2;
const TOTAL = /^(?:收入|支出)?(?:总计|合计)$/u;
/** Columns that sum several sources: only a total or a category's 小计 line is one of them. */
const AGGREGATES = new Set(['total', 'fiscal_appropriation', 'income_subtotal']);

/** The cells of a vertical list, or null when the lines are not one (a header of one 金额 column, one amount a line). */
export function readVerticalList(kind: TableKind, lines: readonly Line[], segmentsByPage: ReadonlyMap<number, readonly Segment[]>): MappedCell[] | null {
  const headAt = lines.findIndex((l) => l.tokens.some((t) => compact(t.text) === '金额') && l.tokens.some((t) => /^项目(?:名称)?$/u.test(compact(t.text))));
  if (headAt < 0) return null;
  const head = lines[headAt]!;
  if (head.tokens.length !== 2) return null;
  const body = lines.slice(headAt + 1);
  const values = (l: Line) => l.tokens.filter((t) => isValueText(t.text));
  if (body.some((l) => values(l).length > 1) || !body.some((l) => values(l).length === 1)) return null;
  const itemX0 = head.tokens.find((t) => /^项目/u.test(compact(t.text)))!.x0 - 4;
  const isCategory = (t: Token) => t.x1 < itemX0 && !isValueText(t.text);
  const categories = body.flatMap((l) => l.tokens.filter(isCategory));

  /** The category cell a line lies in: on the line, else the one between the same two rules across the category column. */
  const categoryOf = (line: Line): string => {
    const own = line.tokens.filter(isCategory);
    if (own.length) return compact(own.map((t) => t.text).join(''));
    const y = vmid(line);
    const within = categories.filter((c) => {
      if (c.page !== line.page) return false;
      const x = (c.x0 + c.x1) / 2;
      const rules = (segmentsByPage.get(line.page) ?? []).filter((s) => s.orientation === 'h' && s.x0 <= x + 1 && s.x1 >= x - 1).map((s) => s.top);
      const above = Math.max(...rules.filter((r) => r < Math.min(y, vmid(c)) - 1));
      const below = Math.min(...rules.filter((r) => r > Math.max(y, vmid(c)) + 1));
      // Both in one ruled cell: no rule between them across the category column.
      return Number.isFinite(above) && Number.isFinite(below) && !rules.some((r) => r > Math.min(y, vmid(c)) + 1 && r < Math.max(y, vmid(c)) - 1);
    });
    return within.length === 1 ? compact(within[0]!.text) : '';
  };

  const out: MappedCell[] = [];
  const taken = new Set<string>();
  for (const line of body) {
    const [amount] = values(line);
    if (!amount) continue;
    const label = compact(line.tokens.filter((t) => t.x0 >= itemX0 && t !== amount).map((t) => t.text).join(''));
    // "Of which" lines are parts of the item above, not items of their own.
    if (!label || /^其中/u.test(label)) continue;
    const category = categoryOf(line);
    let key: string | null;
    if (TOTAL.test(label)) key = 'total';
    else if (label === '小计') key = category ? columnKey({ x0: 0, x1: 0, role: 'value', block: 0, path: [category, label] }, kind.columns) : null;
    else {
      // One source line is never an aggregate of sources (公共财政拨款(补助)资金 is not 财政拨款 as a whole).
      key = columnKey({ x0: 0, x1: 0, role: 'value', block: 0, path: [label] }, kind.columns);
      if (key && AGGREGATES.has(key)) key = null;
    }
    if (!key || taken.has(key)) continue;
    const value = amountValue(amount.text);
    if (!value) continue;
    taken.add(key);
    const cell = makeCell([amount]);
    out.push({
      row_key: 'total', row_label: '', column_key: key, column_label: category && label === '小计' ? `${category} ${label}` : label,
      value: value.value, type: 'amount', line_no: '', cell, repairs: [...cell.repairs, ...value.codes],
    });
  }
  return out;
}

/** The normalize stage: pages of positioned text → canonical tables of one document. Pure. */
import type { DocumentMeta } from '../model/document.js';
import type { Finding } from '../model/finding.js';
import type { Page, Segment } from '../model/page.js';
import { parseForm } from './form.js';
import { buildGrids } from './grid.js';
import { pageLines } from './lines.js';
import { closeSides, mapTable, newMappingState, type MappedCell } from './map-table.js';
import { readMeta } from './meta.js';
import { findRegions, type Region } from './regions.js';
import { readVerticalList } from './vertical-list.js';
import type { Line } from '../model/line.js';

export interface NormalizedTable {
  tableKind: string;
  tableInstance: string;
  title: string;
  tableNo: string;
  entity: string;
  unit: '万元' | '元';
  pages: number[];
  builder: 'lattice' | 'stream' | 'form' | 'vertical_list' | 'none';
  cells: MappedCell[];
}

export interface NormalizedDocument {
  meta: DocumentMeta;
  tables: NormalizedTable[];
  findings: Finding[];
}

/** A document's lines and table regions: they depend on the text alone, not on ruling lines. */
export interface LocatedTables {
  lines: Line[][];
  regions: Region[];
}

export function locateTables(pages: readonly Page[]): LocatedTables {
  const lines = pages.map(pageLines);
  return { lines, regions: findRegions(lines) };
}

/** Pages a table lies on: the ones whose ruling lines the grid builders need. */
export function tablePages(located: LocatedTables): number[] {
  return [...new Set(located.regions.flatMap((r) => r.pages))].sort((a, b) => a - b);
}

/** `located` may come from a `locateTables` of the same pages' text (it is reused, not recomputed). */
export function normalizeDocument(pages: readonly Page[], located: LocatedTables = locateTables(pages)): NormalizedDocument {
  const { lines, regions } = located;
  const meta = readMeta(lines, regions);
  const segmentsByPage = new Map<number, readonly Segment[]>(pages.map((p) => [p.number, p.segments]));
  const findings: Finding[] = [];
  const tables: NormalizedTable[] = [];
  for (const region of regions) {
    if (region.kind.layout === 'performance') {
      // Self-evaluation forms have a parser of their own; budget-stage target tables (pg01) are not read yet.
      if (!region.kind.id.startsWith('pe')) continue;
      const form = parseForm(region.lines, segmentsByPage);
      tables.push({
        tableKind: region.kind.id, tableInstance: region.kind.id === 'pe01_project_self_eval' ? form.instance : '', title: region.title, tableNo: region.tableNo,
        entity: region.entityLine || meta.entity, unit: region.unit, pages: region.pages, builder: 'form', cells: form.cells,
      });
      continue;
    }
    const list = region.kind.verticalList ? readVerticalList(region.kind, region.lines, segmentsByPage) : null;
    if (list) {
      tables.push({
        tableKind: region.kind.id, tableInstance: '', title: region.title, tableNo: region.tableNo,
        entity: region.entityLine || meta.entity, unit: region.unit, pages: region.pages, builder: 'vertical_list', cells: list,
      });
      continue;
    }
    const grids = buildGrids(region.lines, segmentsByPage);
    const state = newMappingState(meta.fiscalYear);
    const mapped = grids.flatMap((g) => mapTable(region.kind, g.columns, g.rows, state));
    const cells = region.kind.layout === 'two_sided' ? closeSides(mapped) : mapped;
    if (grids.length && cells.length === 0) {
      findings.push({ code: 'table_unmapped', severity: 'warning', page: region.pages[0], message: `table "${region.title}" (${region.kind.id}) found but no cell could be mapped` });
    }
    tables.push({
      tableKind: region.kind.id,
      tableInstance: '',
      title: region.title,
      tableNo: region.tableNo,
      entity: region.entityLine || meta.entity,
      unit: region.unit,
      pages: region.pages,
      builder: grids[0]?.builder ?? 'none',
      cells,
    });
  }
  return { meta, tables: dedupeKeys(tables), findings };
}

/**
 * One key per table: a table whose title is printed again on the next page is the same table,
 * so cells of one kind, instance and entity keep their first reading.
 */
function dedupeKeys(tables: NormalizedTable[]): NormalizedTable[] {
  const seen = new Set<string>();
  for (const t of tables) {
    t.cells = t.cells.filter((c) => {
      const k = [t.tableKind, t.tableInstance, t.entity, c.row_key, c.column_key].join('\u001f');
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }
  return tables;
}

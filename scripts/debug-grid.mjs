// Debug overlay in text: the regions, columns (role, block, header path) and first rows of each table.
//   node scripts/debug-grid.mjs <pdf> [table_kind-substring]
import fs from 'node:fs';
import { openPdf } from '../dist/extract/pdfjs.js';
import { pageLines } from '../dist/normalize/lines.js';
import { findRegions } from '../dist/normalize/regions.js';
import { buildGrids } from '../dist/normalize/grid.js';

const [file, filter = ''] = process.argv.slice(2);
const pdf = await openPdf(new Uint8Array(fs.readFileSync(file)));
const pages = [];
for (let n = 1; n <= pdf.numPages; n++) pages.push(await pdf.readPage(n));
const segs = new Map(pages.map((p) => [p.number, p.segments]));
for (const r of findRegions(pages.map(pageLines))) {
  if (!r.kind.id.includes(filter)) continue;
  for (const g of buildGrids(r.lines, segs)) {
  console.log(`== ${r.kind.id} "${r.title}" pages ${r.pages} unit ${r.unit} entity ${r.entityLine} builder ${g?.builder}`);
  g.columns.forEach((c, i) => console.log(`  col${i} [${c.x0.toFixed(0)}-${c.x1.toFixed(0)}] ${c.role} b${c.block} ${c.path.join('|')}`));
  for (const row of g.rows.slice(0, Number(process.env.ROWS ?? 6))) console.log('   ', row.indent?.toFixed(0), row.cells.map((c) => (c ? c.text : '·')).join(' ¦ '));
  }
}

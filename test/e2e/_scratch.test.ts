import { it } from 'vitest';
import { extractDoc } from '../support/extract.js';
import { makePdf } from '../support/make-pdf.js';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import { readFileSync } from 'node:fs';
it('dump', async () => {
  const mod = await import('./_scratch-spec.js');
  const spec = mod.SCRATCH();
  const pdf = await makePdf(spec);
  const d = await pdfjs.getDocument({ data: new Uint8Array(pdf) }).promise;
  for (let n = 1; n <= d.numPages; n++) {
    const p = await d.getPage(n);
    const tc = await p.getTextContent();
    console.log('PAGE', n, tc.items.map((i: any) => i.str).join('|'));
  }
  const r = await extractDoc(spec);
  console.log(JSON.stringify(r.tables), JSON.stringify(r.meta), JSON.stringify(r.findings));
  for (const f of r.facts) console.log([f.table_kind, f.table_instance, f.row_key, f.column_key, f.value, f.row_label, f.page].join(' | '));
}, 60000);

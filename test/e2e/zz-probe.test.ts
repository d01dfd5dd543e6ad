import { it } from 'vitest';
import { runsToTokens } from '../../src/normalize/lines.js';
it('probe', () => {
  for (const t of ['1. 一般公共预算', '2080505-机关事业单位基本养老保险缴费支出 50102-社会保障缴费'])
    console.log(JSON.stringify(runsToTokens([{ text: t, x0: 100, x1: 300, top: 100, bottom: 109, fontSize: 9, method: 'text', confidence: 1 }], 1).map((k) => [k.text, k.repairs, +k.x0.toFixed(1), +k.x1.toFixed(1)])));
});

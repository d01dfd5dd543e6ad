/**
 * Test-support: deliberately bad or awkward inputs, all generated deterministically in memory.
 */
import { makePdf, type DocSpec } from './make-pdf.js';

/** A small but complete document used as the basis of the "bad" variants. */
export const SAMPLE_DOC: DocSpec = {
  info: { Title: '临江市卫生健康局2023年度部门决算' },
  blocks: [
    { kind: 'text', lines: [{ text: '临江市卫生健康局2023年度部门决算', size: 16, align: 'center' }] },
    {
      kind: 'table',
      table: {
        tableNo: '表1',
        title: '收入支出决算总表',
        entityLine: '单位：临江市卫生健康局',
        unitLine: '单位：万元',
        header: [
          [{ text: '项目', rowspan: 2 }, { text: '决算数', colspan: 2 }],
          [{ text: '本年收入' }, { text: '本年支出' }],
        ],
        rows: [
          ['一般公共预算财政拨款收入', '1,234.56', '1,200.00'],
          ['政府性基金预算财政拨款收入', '0.00', ''],
          ['合计', '1,234.56', '1,200.00'],
        ],
        colWidths: [200, 100, 100],
        ruled: true,
        note: '注：本表反映部门本年度的总收支和年末结转结余情况。',
      },
    },
  ],
};

/** The text SAMPLE_DOC is known to contain (useful for "is the text readable" assertions). */
export const SAMPLE_TEXT = ['收入支出决算总表', '一般公共预算财政拨款收入', '1,234.56'] as const;

/** A valid generated PDF cut in half (no xref / trailer / %%EOF). */
export async function truncatedPdf(): Promise<Buffer> {
  const full = await makePdf(SAMPLE_DOC);
  return Buffer.from(full.subarray(0, Math.floor(full.length / 2)));
}

/** '%PDF-1.7' header followed by deterministic pseudo-random bytes (xorshift32, fixed seed). */
export function corruptPdf(length = 4096): Buffer {
  const header = Buffer.from('%PDF-1.7\n', 'latin1');
  const body = Buffer.alloc(length);
  let s = 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    body[i] = s & 0xff;
  }
  return Buffer.concat([header, body]);
}

export function emptyFile(): Buffer {
  return Buffer.alloc(0);
}

/** A small Chinese government HTML page, as a site might serve it under a .pdf URL. */
export function htmlSavedAsPdf(): Buffer {
  const html = `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>临江市卫生健康局2023年度部门决算公开</title>
</head>
<body>
<div class="header">临江市人民政府门户网站</div>
<div class="article">
  <h1>临江市卫生健康局2023年度部门决算公开</h1>
  <p class="info">发布时间：2024-08-30 来源：临江市卫生健康局</p>
  <p>根据《中华人民共和国预算法》等有关规定，现将我局2023年度部门决算公开如下。</p>
  <table border="1">
    <tr><th>项目</th><th>决算数（万元）</th></tr>
    <tr><td>一般公共预算财政拨款收入</td><td>1,234.56</td></tr>
  </table>
  <p><a href="/attach/2024/0830/bmjs.pdf">附件：临江市卫生健康局2023年度部门决算.pdf</a></p>
</div>
<div class="footer">版权所有：临江市人民政府办公室 备案号：X ICP备00000000号</div>
</body>
</html>
`;
  return Buffer.from(html, 'utf8');
}

export const USER_PASSWORD = 'open-sesame';
export const OWNER_PASSWORD = 'owner-secret';

/** Needs a password to open (user password set). */
export function userPasswordPdf(): Promise<Buffer> {
  return makePdf(SAMPLE_DOC, { userPassword: USER_PASSWORD, ownerPassword: OWNER_PASSWORD });
}

/**
 * Copy/print-restricted: owner password only, so the user password is empty and the file opens
 * (and its text can be extracted) without any password. Permissions: no printing, copying,
 * modifying, annotating, form filling, assembly; only contentAccessibility is allowed.
 */
export function ownerPasswordOnlyPdf(): Promise<Buffer> {
  return makePdf(SAMPLE_DOC, {
    ownerPassword: OWNER_PASSWORD,
    permissions: {
      printing: undefined,
      copying: false,
      modifying: false,
      annotating: false,
      fillingForms: false,
      documentAssembly: false,
      contentAccessibility: true,
    },
  });
}

import { writeToString } from 'fast-csv';

/** RFC 4180 CSV with a header row; every field quoted only when needed. */
export async function toCsv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): Promise<string> {
  const text = await writeToString([header as string[], ...rows.map((r) => r.map(String))], { headers: false, includeEndRowDelimiter: true });
  return text;
}

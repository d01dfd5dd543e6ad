/** A repair: a small named pure function over a cell's text. `apply` returns null when it does not apply. */
export interface Repair {
  code: string;
  description: string;
  apply(text: string): string | null;
}

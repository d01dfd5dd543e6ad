/** Tokens and lines: a page's runs split into cell-sized pieces and grouped by baseline. */

export interface Token {
  /** Text as printed (whitespace inside a token is kept, repairs come later). */
  text: string;
  x0: number;
  x1: number;
  top: number;
  bottom: number;
  page: number;
  method: 'text' | 'ocr';
  confidence: number;
  /** Structural repairs already applied while building the token (e.g. split_spanning_run). */
  repairs: string[];
}

export interface Line {
  page: number;
  top: number;
  bottom: number;
  tokens: Token[];
  /** Compact text of the whole line (NFKC, no whitespace). */
  text: string;
}

/**
 * A page as the extract stage hands it on: positioned text runs and ruling segments.
 * Coordinates are PDF points with the origin at the page's TOP-LEFT corner and y growing
 * downwards (converted once, in the extract adapter). No other module flips y.
 */
export interface TextRun {
  text: string;
  x0: number;
  x1: number;
  top: number;
  bottom: number;
  fontSize: number;
  /** Where the run came from: the PDF text layer or OCR. */
  method: 'text' | 'ocr';
  /** 0..1; 1 for the text layer. */
  confidence: number;
  /**
   * Other readings of a doubtful OCR'd amount, best first (re-reads at another scale, Tesseract's
   * alternatives); `text` is the one used. The identity-guided correction chooses among them.
   */
  candidates?: string[];
}

/** A ruling line (stroked, or a thin filled rectangle) as a horizontal or vertical segment. */
export interface Segment {
  orientation: 'h' | 'v';
  x0: number;
  x1: number;
  top: number;
  bottom: number;
}

export interface Page {
  /** 1-based. */
  number: number;
  width: number;
  height: number;
  runs: TextRun[];
  segments: Segment[];
  /** True when the page has no usable text layer (OCR is needed to read it). */
  needsOcr: boolean;
}

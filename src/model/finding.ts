/** A problem noticed in a document: reported next to the data, never thrown. */
export interface Finding {
  code: string;
  severity: 'info' | 'warning' | 'error';
  message: string;
  page?: number;
}

/** Worker thread entry (dist/pipeline/document-worker.js): runs processDocument for the pool in run.ts. */
import type { OcrEngine, OcrRequest, OcrResult } from '../extract/ocr/engine.js';
import type { DocumentResult, Source } from '../model/document.js';
import { processDocument, type OcrMode } from './process-document.js';
import { callParent, serveTasks } from './worker-pool.js';

export interface DocumentTask {
  source: Source;
  bytes: Uint8Array;
  ocr: OcrMode;
}

/** What a document worker asks the main thread for: OCR by the one engine all workers share. */
export interface OcrCall {
  kind: 'ocr';
  requests: OcrRequest[];
}

/** The main thread's engine, seen from this thread: each recognize is a call over the message port. */
const sharedEngine: OcrEngine = {
  recognize: (requests) => callParent<OcrResult[]>({ kind: 'ocr', requests: [...requests] } satisfies OcrCall),
  close: async () => undefined,
};

serveTasks<DocumentTask, DocumentResult>(({ source, bytes, ocr }) => processDocument(source, bytes, { ocr, ...(ocr === 'off' ? {} : { ocrEngine: sharedEngine }) }));

/** Worker thread entry (dist/pipeline/document-worker.js): runs processDocument for the pool in run.ts. */
import type { DocumentResult, Source } from '../model/document.js';
import { processDocument } from './process-document.js';
import { serveTasks } from './worker-pool.js';

export interface DocumentTask {
  source: Source;
  bytes: Uint8Array;
}

serveTasks<DocumentTask, DocumentResult>(({ source, bytes }) => processDocument(source, bytes));

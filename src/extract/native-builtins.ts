/**
 * Built-ins as Node made them, saved before pdf.js loads. This module must be imported before
 * pdfjs-dist (module evaluation follows import order).
 *
 * pdfjs-dist's legacy build (the one that runs on Node 20) bundles core-js, which replaces
 * Array.prototype.push for the whole process on V8 ≤ 121 (for an error type thrown when pushing
 * onto an array whose length is read-only, a case neither pdf.js nor we meet). Its JavaScript
 * push was the single hottest function in profiles of text extraction (about 13% of CPU).
 */
export const nativeArrayPush = Array.prototype.push;

/** Puts back what pdf.js's polyfills replaced (call once pdf.js and its worker module are loaded). */
export function restoreNativeBuiltins(): void {
  if (Array.prototype.push !== nativeArrayPush) {
    Object.defineProperty(Array.prototype, 'push', { value: nativeArrayPush, writable: true, configurable: true, enumerable: false });
  }
}

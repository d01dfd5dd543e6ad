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

/**
 * Stands in for globals that Node loads at their first read, until `restore` is called. pdf.js reads
 * `Response` at load only to polyfill a method Node's has, which costs loading undici (~30 ms in
 * each thread that loads pdf.js, which never uses it: documents are read from memory). On restore
 * Node's own lazy globals are back, given whatever was added to a stand-in's prototype where Node's
 * lacks it, so what pdf.js finds after loading is as without the stand-ins.
 */
export function shieldLazyGlobals(target: object, names: readonly string[]): () => void {
  const shielded = new Map<string, PropertyDescriptor>();
  for (const name of names) {
    const lazy = Object.getOwnPropertyDescriptor(target, name);
    if (!lazy?.get || !lazy.configurable) continue;
    shielded.set(name, lazy);
    Object.defineProperty(target, name, { value: class {}, writable: true, configurable: true, enumerable: !!lazy.enumerable });
  }
  return () => {
    for (const [name, lazy] of shielded) {
      const standIn = ((target as Record<string, unknown>)[name] as { prototype?: Record<string, unknown> } | undefined)?.prototype ?? {};
      const added = Object.getOwnPropertyNames(standIn).filter((key) => key !== 'constructor');
      const load = lazy.get!;
      Object.defineProperty(target, name, {
        ...lazy,
        // Node's getter replaces itself with the loaded value at its first read.
        get() {
          const real = load.call(this) as { prototype?: Record<string, unknown> } | undefined;
          for (const key of added) if (real?.prototype && !(key in real.prototype)) real.prototype[key] = standIn[key];
          return real;
        },
      });
    }
    shielded.clear();
  };
}

const unshield = shieldLazyGlobals(globalThis, ['Response']);

/** Puts back what pdf.js's polyfills replaced and the globals shielded from it (call once pdf.js and its worker module are loaded). */
export function restoreNativeBuiltins(): void {
  if (Array.prototype.push !== nativeArrayPush) {
    Object.defineProperty(Array.prototype, 'push', { value: nativeArrayPush, writable: true, configurable: true, enumerable: false });
  }
  unshield();
}

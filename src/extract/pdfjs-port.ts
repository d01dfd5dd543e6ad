/**
 * The channel between pdf.js's API and its worker code when both run in this thread.
 *
 * pdf.js's own in-thread channel (its "fake worker" LoopbackPort) copies every message with
 * structuredClone: 4% of a document worker's CPU on the real disclosures, nearly all of it the text
 * content, a few hundred thousand small objects. These ports copy messages too, since the sender may
 * change what it sent once the call returns (pdf.js reuses its text-content and operator-list
 * containers), but plain objects, arrays and typed arrays are copied in JS, 4-5 times faster once
 * warm; anything else (a Map, a class instance, a function, a cycle) is handed to structuredClone, whole
 * message at once, so the result or the error is the one pdf.js's channel gives. Delivery stays
 * asynchronous and in order, as there.
 */

type Listener = (event: { data: unknown }) => void;

/** Deeper than any pdf.js message: past it the copy gives up (a cycle, most likely). */
const MAX_DEPTH = 64;

class NotPlainData extends Error {}

/**
 * A copy of `value` as structuredClone would make it, for values built of plain objects, arrays,
 * typed arrays and primitives; throws NotPlainData on anything else.
 */
function copyPlain(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'function' || typeof value === 'symbol') throw new NotPlainData();
    return value;
  }
  if (depth > MAX_DEPTH) throw new NotPlainData();
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) throw new NotPlainData();
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined && !(i in value)) continue; // a hole stays a hole
      out[i] = copyPlain(item, depth + 1);
    }
    return out;
  }
  if (ArrayBuffer.isView(value)) {
    const typed = value as unknown as { slice(): unknown; constructor: unknown };
    // The standard typed arrays only: structuredClone makes a Node Buffer a Uint8Array, for one.
    if (!TYPED_ARRAYS.has(typed.constructor)) throw new NotPlainData();
    return typed.slice();
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new NotPlainData();
  // structuredClone makes a plain object of a null-prototype one.
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = copyPlain((value as Record<string, unknown>)[key], depth + 1);
  return out;
}

const TYPED_ARRAYS: ReadonlySet<unknown> = new Set([Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array]);

/**
 * A copy of a message as pdf.js's channel makes it: by copyPlain when it can; else, and for messages
 * that transfer buffers (the document's bytes, images), by structuredClone.
 */
export function copyMessage(message: unknown, transfer?: readonly Transferable[] | null): unknown {
  if (!transfer?.length) {
    try {
      return copyPlain(message, 0);
    } catch (err) {
      if (!(err instanceof NotPlainData)) throw err;
    }
  }
  return structuredClone(message, transfer?.length ? { transfer: [...transfer] } : undefined);
}

/** One end of an in-thread channel; messages posted on it reach the other end's listeners. */
export class ThreadPort {
  private peer: ThreadPort | undefined;
  private readonly listeners = new Map<Listener, () => void>();
  // Each delivery is chained on this settled promise: in order, after the current task, as LoopbackPort.
  private readonly deferred = Promise.resolve();

  static pair(): [ThreadPort, ThreadPort] {
    const a = new ThreadPort();
    const b = new ThreadPort();
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  postMessage(message: unknown, transfer?: Transferable[] | null): void {
    const event = { data: copyMessage(message, transfer) };
    const peer = this.peer;
    if (!peer) return;
    void this.deferred.then(() => {
      for (const listener of [...peer.listeners.keys()]) listener.call(peer, event);
    });
  }

  addEventListener(type: string, listener: Listener, options?: { signal?: AbortSignal }): void {
    if (type !== 'message') return;
    const signal = options?.signal;
    if (signal?.aborted) return;
    const onAbort = () => this.removeEventListener(type, listener);
    signal?.addEventListener('abort', onAbort);
    this.listeners.set(listener, () => signal?.removeEventListener('abort', onAbort));
  }

  removeEventListener(_type: string, listener: Listener): void {
    this.listeners.get(listener)?.();
    this.listeners.delete(listener);
  }

  terminate(): void {
    for (const stopListening of this.listeners.values()) stopListening();
    this.listeners.clear();
    this.peer = undefined;
  }
}

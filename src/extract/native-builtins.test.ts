import { describe, expect, it } from 'vitest';
import { shieldLazyGlobals } from './native-builtins.js';

/** A target with globals defined as Node defines its lazy ones: a getter that loads, then replaces itself. */
function lazyTarget(make: () => { prototype: Record<string, unknown> }) {
  const loads = { count: 0 };
  const target = {} as Record<string, { prototype: Record<string, unknown> }>;
  Object.defineProperty(target, 'Response', {
    configurable: true,
    enumerable: false,
    get() {
      loads.count++;
      const value = make();
      Object.defineProperty(target, 'Response', { value, writable: true, configurable: true });
      return value;
    },
    set(value) { Object.defineProperty(target, 'Response', { value, writable: true, configurable: true }); },
  });
  return { target, loads };
}

/** What pdf.js does with Response at load. */
const probe = (target: Record<string, { prototype: Record<string, unknown> }>) => {
  if (typeof target.Response!.prototype.bytes !== 'function') target.Response!.prototype.bytes = function polyfill() {};
};

describe('shieldLazyGlobals', () => {
  it('keeps a probed lazy global unloaded until it is read after restore, then it is the real one', () => {
    class Real { bytes() { return 'native'; } }
    const { target, loads } = lazyTarget(() => Real as unknown as { prototype: Record<string, unknown> });
    const restore = shieldLazyGlobals(target, ['Response', 'NotThere']);
    probe(target);
    expect(loads.count).toBe(0);
    restore();
    expect(loads.count).toBe(0);
    expect(target.Response).toBe(Real);
    expect(loads.count).toBe(1);
    // Node's own method kept, not the polyfill the probe put on the stand-in.
    expect(new Real().bytes()).toBe('native');
    expect(target.Response).toBe(Real);
    expect(loads.count).toBe(1);
  });

  it('gives the real global what was added to the stand-in where the real one lacks it', () => {
    class Old {}
    const { target } = lazyTarget(() => Old as unknown as { prototype: Record<string, unknown> });
    const restore = shieldLazyGlobals(target, ['Response']);
    probe(target);
    restore();
    expect(typeof (target.Response!.prototype as { bytes?: unknown }).bytes).toBe('function');
    expect((Old.prototype as { bytes?: { name: string } }).bytes!.name).toBe('polyfill');
  });

  it('leaves plain values and already loaded globals alone', () => {
    const target = { Response: class Loaded {} } as Record<string, unknown>;
    const before = target.Response;
    shieldLazyGlobals(target, ['Response'])();
    expect(target.Response).toBe(before);
  });
});

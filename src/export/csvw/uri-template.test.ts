import { describe, expect, it } from 'vitest';
import { expandUriTemplate, templateVariables } from './uri-template.js';

describe('expandUriTemplate', () => {
  it('keeps reserved characters in {+var} and percent-encodes the rest as UTF-8', () => {
    const { url, missing } = expandUriTemplate('{+source}#page={page}', { source: 'https://example.gov.cn/a b/决算.pdf?x=1&y=2', page: '3' });
    expect(url).toBe('https://example.gov.cn/a%20b/%E5%86%B3%E7%AE%97.pdf?x=1&y=2#page=3');
    expect(missing).toEqual([]);
  });

  it('encodes reserved characters in {var}, keeps existing %XX in {+var}, and handles {#var}', () => {
    expect(expandUriTemplate('x/{v}', { v: 'a/b c' }).url).toBe('x/a%2Fb%20c');
    expect(expandUriTemplate('{+v}', { v: 'a%20b%zz' }).url).toBe('a%20b%25zz');
    expect(expandUriTemplate('doc{#frag}', { frag: 'page=2' }).url).toBe('doc#page=2');
    expect(expandUriTemplate('{+v}', { v: '𠀀' }).url).toBe('%F0%A0%80%80');
  });

  it('reports variables without a value', () => {
    expect(expandUriTemplate('{+source}#page={page}', { source: 'a.pdf', page: null })).toEqual({ url: 'a.pdf#page=', missing: ['page'] });
    expect(templateVariables('{+source}#page={page}')).toEqual(['source', 'page']);
  });
});

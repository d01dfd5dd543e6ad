/** The PDF signature check shared by the HTTP and local fetchers. */
import { describe, expect, it } from 'vitest';
import { tinyPdf } from '../../test/support/fault-server.js';
import { describeNonPdf, looksLikePdf } from './outcome.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('looksLikePdf', () => {
  it('accepts %PDF- at the start, after a BOM, or after up to 1 KiB of whitespace', () => {
    expect(looksLikePdf(tinyPdf())).toBe(true);
    expect(looksLikePdf(bytes('\uFEFF%PDF-1.7\n'))).toBe(true);
    expect(looksLikePdf(bytes(`${' \r\n\t'.repeat(256)}%PDF-1.4`))).toBe(true);
  });

  it('rejects more leading whitespace, other content, and an empty body', () => {
    expect(looksLikePdf(bytes(`${' '.repeat(1025)}%PDF-1.4`))).toBe(false);
    expect(looksLikePdf(bytes('<!DOCTYPE html><html>'))).toBe(false);
    expect(looksLikePdf(bytes('junk %PDF-1.4'))).toBe(false);
    expect(looksLikePdf(bytes('%PDF'))).toBe(false);
    expect(looksLikePdf(new Uint8Array(0))).toBe(false);
  });
});

describe('describeNonPdf', () => {
  it('says what the bytes are instead', () => {
    expect(describeNonPdf(bytes('\n<!doctype html><html>…'), 'text/html')).toBe('not a PDF: an HTML page (Content-Type: text/html)');
    expect(describeNonPdf(new Uint8Array(0))).toBe('not a PDF: the body is empty');
    expect(describeNonPdf(bytes('PK\u0003\u0004word/document.xml'))).toBe('not a PDF: the content starts with "PK··word/document.xml"');
  });
});

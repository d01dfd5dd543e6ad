import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The default reporter for people, then one plain closing line for CI (see the reporter).
    reporters: ['default', './test/support/plain-summary-reporter.ts'],
  },
});

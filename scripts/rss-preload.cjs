// Preloaded (node --require) by bench.mjs when /usr/bin/time is missing: writes this process's
// peak RSS in KiB (same unit as GNU time's %M) to $BENCH_RSS_FILE when it exits.
process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) require('node:fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});

#!/usr/bin/env node
import { main } from '../dist/cli.js';

// Output piped into a command that stops reading (`fiscal-harvest --help | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv.slice(2));

#!/usr/bin/env node
// The `twotier` command. An installed package runs the compiled JavaScript in lib/ (built by `npm pack`'s
// prepack, runtime dependencies only). A checkout of the repository, which has src/, runs the TypeScript
// sources through tsx (a devDependency), so an edit needs no rebuild; TWOTIER_COMPILED=1 runs lib/ there too.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const compiled = fileURLToPath(new URL('../lib/cli/main.js', import.meta.url));
let entry;
if (existsSync(source) && process.env.TWOTIER_COMPILED !== '1') {
  const { register } = await import('tsx/esm/api');
  register();
  entry = source;
} else if (existsSync(compiled)) {
  entry = compiled;
} else {
  process.stderr.write(`twotier: ${compiled} is missing; build it with \`npm run build:cli\`.\n`);
  process.exit(2);
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv);

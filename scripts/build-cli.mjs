// Compiles the `twotier` command into lib/ (tsc, tsconfig.cli.json: src/cli and what it imports, nothing else),
// the JavaScript an installed package runs (bin/twotier.js). lib/ is emptied first so that a removed source
// file (a command module src/cli/main.ts would load) never survives into a package. npm pack runs this as
// prepack; a type error fails it.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
rmSync(path.join(root, 'lib'), { recursive: true, force: true });
execFileSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.cli.json'], {
  cwd: root,
  stdio: 'inherit'
});

#!/usr/bin/env node
// The `twotier` command. Runs the TypeScript sources through tsx, so the CLI and the actions share one library.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);

/** `twotier demo`: the whole deploy of examples/twotier-app into the embedded local AWS. */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { runDemo } from '../../demo/run-demo.js';
import { demoOptions } from '../../demo/options.js';
import { addOptions, valuesOf } from '../options.js';

/** Adds this file's subcommands to `program` (called by src/cli/main.ts for every file in commands/). */
export function register(program: Command): void {
  const command = program
    .command('demo')
    .description(
      'Deploy examples/twotier-app to the embedded local AWS (moto + the ECS rollout simulator); exits 1 when a --scenario makes the deploy fail'
    );
  addOptions(command, demoOptions).action(async (parsed: Record<string, unknown>) => {
    const o = valuesOf(demoOptions, parsed);
    const result = await runDemo({
      topology: o.topology,
      strategy: o.strategy,
      scenario: o.scenario,
      summaryFile: o.summaryFile
    });
    console.log('\n──────── job summary (' + result.summaryFile + ') ────────\n');
    console.log(readFileSync(result.summaryFile, 'utf8'));
    console.log('──────── result ────────');
    for (const line of result.lines) console.log(line);
    if (!result.ok) process.exitCode = 1;
  });
}

/** `twotier demo`: the whole deploy of examples/twotier-app into the embedded local AWS. */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { ConfigurationError, show } from '../../lib/errors.js';
import { runDemo } from '../../demo/run-demo.js';

const SCENARIOS = [
  'image-pull-failure',
  'missing-secret',
  'essential-container-exit',
  'health-check-failure',
  'never-healthy'
] as const;

/** Adds this file's subcommands to `program` (called by src/cli/main.ts for every file in commands/). */
export function register(program: Command): void {
  program
    .command('demo')
    .description('Deploy examples/twotier-app to the embedded local AWS (moto + the ECS rollout simulator)')
    .option(
      '--topology <topology>',
      'sidecar (nginx + flask in one task) or split (web and app services)',
      'sidecar'
    )
    .option('--scenario <scenario>', `make the new api image fail: ${SCENARIOS.join(', ')}`)
    .option('--summary-file <file>', 'where to write the job summary (default .twotier-demo/summary.md)')
    .action(async (o) => {
      if (!['sidecar', 'split'].includes(o.topology)) {
        throw new ConfigurationError(
          `--topology ${show(o.topology)}; expected sidecar or split.`,
          'topology'
        );
      }
      if (o.scenario && !(SCENARIOS as readonly string[]).includes(o.scenario)) {
        throw new ConfigurationError(
          `--scenario ${show(o.scenario)}; expected one of ${SCENARIOS.join(', ')}.`,
          'scenario'
        );
      }
      const result = await runDemo({
        topology: o.topology,
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

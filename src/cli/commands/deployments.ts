/** `twotier continue-deployment` and `twotier stop-deployment`: acting on a service deployment in flight. */
import type { Command } from 'commander';
import { continueDeployment, stopDeployment } from '../../ecs/control.js';
import { continueOptions, stopOptions } from '../../ecs/control-options.js';
import { controlSummaryMarkdown } from '../../ecs/control-summary.js';
import { operationCommand } from '../run.js';

/** Adds this file's subcommands to `program` (called by src/cli/main.ts for every file in commands/). */
export function register(program: Command): void {
  operationCommand(
    program,
    { name: 'continue-deployment', options: continueOptions },
    {
      description: 'Answer a paused lifecycle hook (CONTINUE or ROLLBACK) and follow the service deployment',
      execute: (values, reporter) => continueDeployment(values, reporter),
      summary: controlSummaryMarkdown,
      print: (result) => [result.message]
    }
  );
  operationCommand(
    program,
    { name: 'stop-deployment', options: stopOptions },
    {
      description: 'Stop a service deployment (ROLLBACK or ABORT) and wait until it settles',
      execute: (values, reporter) => stopDeployment(values, reporter),
      summary: controlSummaryMarkdown,
      print: (result) => [result.message]
    }
  );
}

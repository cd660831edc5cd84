/** `twotier deploy-stack`: create or update a CloudFormation stack through a change set. */
import type { Command } from 'commander';
import { applyStack, planStack, prepareStack } from '../../stacks/deploy.js';
import { stackOptions } from '../../stacks/options.js';
import { stackSummaryMarkdown } from '../../stacks/summary.js';
import { operationCommand } from '../run.js';

/** Adds this file's subcommands to `program` (called by src/cli/main.ts for every file in commands/). */
export function register(program: Command): void {
  let json = false;
  operationCommand(
    program,
    { name: 'deploy-stack', options: stackOptions },
    {
      description:
        'Create or update a CloudFormation stack through a change set, print the changes, wait, and print the outputs',
      execute: async (values, reporter) => {
        const prepared = prepareStack(values, reporter);
        const plan = await reporter.group(`Plan: stack ${values.stackName} (change set)`, () =>
          planStack(prepared)
        );
        return reporter.group(`Apply: stack ${values.stackName}`, () => applyStack(plan));
      },
      summary: stackSummaryMarkdown,
      print: (result) =>
        json
          ? [JSON.stringify(result, null, 2)]
          : Object.entries(result.outputs).map(([key, value]) => `${key}=${value}`)
    }
  )
    .option('--json', 'print the result as JSON instead of Key=Value outputs', false)
    .hook('preAction', (command) => {
      json = Boolean(command.opts().json);
    });
}

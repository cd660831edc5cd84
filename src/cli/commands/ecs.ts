/** `twotier register-task-definition`, `twotier deploy-service`, `twotier run-task`: the ECS actions' commands. */
import type { Command } from 'commander';
import { deployService } from '../../ecs/deploy.js';
import { deployOptions, registerOptions, runTaskOptions } from '../../ecs/options.js';
import { registerTaskDefinition } from '../../ecs/register.js';
import { runTask } from '../../ecs/run-task.js';
import { deploySummaryMarkdown, registerSummaryMarkdown, runTaskSummaryMarkdown } from '../../ecs/summary.js';
import { operationCommand } from '../run.js';

/** Adds this file's subcommands to `program` (called by src/cli/main.ts for every file in commands/). */
export function register(program: Command): void {
  operationCommand(
    program,
    { name: 'register-task-definition', options: registerOptions },
    {
      description: 'Render and register an ECS task definition (skipped when unchanged)',
      execute: (values, reporter) => registerTaskDefinition(values, reporter),
      summary: registerSummaryMarkdown,
      print: (result) => [result.taskDefinitionArn]
    }
  );
  operationCommand(
    program,
    { name: 'deploy-service', options: deployOptions },
    {
      description: 'Deploy a task definition to an ECS service and follow the rollout',
      execute: (values, reporter) => deployService(values, reporter),
      summary: deploySummaryMarkdown,
      print: (result) => [result.message]
    }
  );
  operationCommand(
    program,
    { name: 'run-task', options: runTaskOptions },
    {
      description: 'Run a one-off task (migrations), wait for it, print its logs',
      execute: (values, reporter) => runTask(values, reporter),
      summary: runTaskSummaryMarkdown,
      print: (result) => [result.message]
    }
  );
}

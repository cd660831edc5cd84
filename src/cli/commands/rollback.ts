/** `twotier rollback`: the rollback action's command (the frontend's previous release, then the service's). */
import type { Command } from 'commander';
import { rollbackOptions, rollbackSummaryMarkdown, runRollback } from '../../release/rollback.js';
import { operationCommand } from '../run.js';

/** Adds this file's subcommands to `program` (called by src/cli/main.ts for every file in commands/). */
export function register(program: Command): void {
  operationCommand(
    program,
    { name: 'rollback', options: rollbackOptions },
    {
      description:
        "Roll back the frontend to the previous release's HTML entry points and/or the ECS service to the task definition it ran before",
      execute: (values, reporter) => runRollback(values, reporter, (name, fn) => reporter.group(name, fn)),
      summary: rollbackSummaryMarkdown,
      print: (outcome) => [
        JSON.stringify({
          frontend: outcome.frontend
            ? {
                from: outcome.frontend.replacedReleaseId,
                to: outcome.frontend.releaseId,
                changedPaths: outcome.frontend.changedPaths
              }
            : undefined,
          invalidationId: outcome.invalidation?.invalidationId,
          service: outcome.service
            ? {
                from: outcome.service.fromTaskDefinition,
                to: outcome.service.toTaskDefinition,
                outcome: outcome.service.outcome
              }
            : undefined
        })
      ]
    }
  );
}

/** The register-task-definition action: declared inputs → registerTaskDefinition → outputs + job summary. */
import { registerOptions } from '../../ecs/options.js';
import { registerTaskDefinition } from '../../ecs/register.js';
import { registerSummaryMarkdown } from '../../ecs/summary.js';
import { defineAction } from '../definition.js';
import { coreReporter, group, runOperation } from '../runtime.js';

/** register-task-definition's inputs (the ECS library's `registerOptions`) and outputs. */
export const definition = defineAction({
  name: 'register-task-definition',
  options: registerOptions,
  outputs: {
    'task-definition-arn':
      'ARN of the revision to deploy (the new one, or the existing one when nothing changed).',
    revision: 'Revision number of that task definition.',
    changed: '`true` when a new revision was registered, `false` when the content was unchanged.'
  }
});

/** Runs the register-task-definition action: renders and registers (unless unchanged), sets outputs and the job summary. */
export async function run(): Promise<void> {
  await runOperation(definition, {
    execute: (values) =>
      group('Register task definition', () => registerTaskDefinition(values, coreReporter)),
    outputs: (result) => ({
      'task-definition-arn': result.taskDefinitionArn,
      revision: result.revision,
      changed: result.changed
    }),
    summary: registerSummaryMarkdown
  });
}

/** The continue-deployment action: declared inputs → continueDeployment → outputs + job summary. */
import { continueDeployment } from '../../ecs/control.js';
import { continueOptions } from '../../ecs/control-options.js';
import { controlSummaryMarkdown } from '../../ecs/control-summary.js';
import { defineAction } from '../definition.js';
import { coreReporter, group, runOperation } from '../runtime.js';

/** continue-deployment's inputs (the ECS library's `continueOptions`) and outputs. */
export const definition = defineAction({
  name: 'continue-deployment',
  options: continueOptions,
  outputs: {
    'service-deployment-arn': 'The service deployment the hook belongs to.',
    status:
      'Its status at the end (SUCCESSFUL, IN_PROGRESS when paused again or not waited, ROLLBACK_SUCCESSFUL, ...).',
    'lifecycle-stage': 'Its lifecycle stage at the end.',
    'hook-id': 'The next PAUSE hook awaiting action, when the wait stopped there (wait-until: paused).'
  }
});

/** Runs the continue-deployment action: answers the hook, follows the deployment, sets outputs and the summary. */
export async function run(): Promise<void> {
  await runOperation(definition, {
    execute: (values) =>
      group(`${values.action} ${values.service}`, () => continueDeployment(values, coreReporter)),
    outputs: (result) => ({
      'service-deployment-arn': result.serviceDeploymentArn,
      status: result.status,
      'lifecycle-stage': result.lifecycleStage ?? '',
      'hook-id': result.nextHookId ?? ''
    }),
    summary: controlSummaryMarkdown,
    done: (result) => result.message
  });
}

/** The stop-deployment action: declared inputs → stopDeployment → outputs + job summary. */
import { stopDeployment } from '../../ecs/control.js';
import { stopOptions } from '../../ecs/control-options.js';
import { controlSummaryMarkdown } from '../../ecs/control-summary.js';
import { defineAction } from '../definition.js';
import { coreReporter, group, runOperation } from '../runtime.js';

/** stop-deployment's inputs (the ECS library's `stopOptions`) and outputs. */
export const definition = defineAction({
  name: 'stop-deployment',
  options: stopOptions,
  outputs: {
    'service-deployment-arn': 'The service deployment that was stopped.',
    status: 'Its status at the end (ROLLBACK_SUCCESSFUL, STOPPED, ROLLBACK_FAILED, ...).',
    'lifecycle-stage': 'Its lifecycle stage at the end.'
  }
});

/** Runs the stop-deployment action: stops the service deployment, waits for it to settle, sets outputs and the summary. */
export async function run(): Promise<void> {
  await runOperation(definition, {
    execute: (values) =>
      group(`Stop (${values.stopType}) ${values.service}`, () => stopDeployment(values, coreReporter)),
    outputs: (result) => ({
      'service-deployment-arn': result.serviceDeploymentArn,
      status: result.status,
      'lifecycle-stage': result.lifecycleStage ?? ''
    }),
    summary: controlSummaryMarkdown,
    done: (result) => result.message
  });
}

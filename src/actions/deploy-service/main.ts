/** The deploy-service action: declared inputs → deployService → outputs + job summary. */
import { deployService, type DeployResult } from '../../ecs/deploy.js';
import { deployOptions } from '../../ecs/options.js';
import { deploySummaryMarkdown } from '../../ecs/summary.js';
import { defineAction } from '../definition.js';
import { coreReporter, group, runOperation } from '../runtime.js';

/** deploy-service's inputs (the ECS library's `deployOptions`) and outputs. */
export const definition = defineAction({
  name: 'deploy-service',
  options: deployOptions,
  outputs: {
    'deployment-id': 'Id of the deployment this step started (ecs-svc/...).',
    'rollout-state': 'rolloutState of that deployment at the end (COMPLETED, FAILED or IN_PROGRESS).',
    'task-definition-arn': 'The task definition that was deployed.',
    'duration-seconds': 'Seconds from the update to the outcome.',
    'service-deployment-arn':
      'The ServiceDeployment ECS recorded for this deploy (empty on a control plane without the ServiceDeployment API); for continue-deployment and stop-deployment.',
    status:
      'The service deployment status at the end (SUCCESSFUL, IN_PROGRESS when paused or not waited, ROLLBACK_IN_PROGRESS, ...), else the rolloutState.',
    'lifecycle-stage': 'The lifecycle stage at the end (BAKE_TIME when traffic-shifted, ...).',
    'hook-id': 'The PAUSE lifecycle hook awaiting action when wait-until is paused.'
  }
});

/** Runs the deploy-service action: registers a file first when given one, deploys and follows the rollout, sets outputs and the job summary; fails the step on a configuration error or a rollout that did not complete. */
export async function run(): Promise<void> {
  await runOperation(definition, {
    execute: (values) => group(`Deploy ${values.service}`, () => deployService(values, coreReporter)),
    outputs: (result: DeployResult) => ({
      'deployment-id': result.deploymentId,
      'rollout-state': result.rolloutState,
      'task-definition-arn': result.taskDefinitionArn,
      'duration-seconds': result.durationSeconds,
      'service-deployment-arn': result.serviceDeploymentArn ?? '',
      status: result.status,
      'lifecycle-stage': result.lifecycleStage ?? '',
      'hook-id': result.hookId ?? ''
    }),
    summary: deploySummaryMarkdown,
    done: (result) => result.message
  });
}

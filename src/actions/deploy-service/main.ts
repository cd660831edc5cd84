/** The deploy-service action: inputs → (register) → deployService → outputs + job summary. */
import { ConfigurationError, DeploymentError } from '../../lib/errors.js';
import { parseKeyValueLines } from '../../lib/lines.js';
import {
  deployService,
  deploySummaryMarkdown,
  registerTaskDefinition,
  validateDeployOptions
} from '../../ecs/index.js';
import { ecsClient } from '../../ecs/client.js';
import {
  booleanInput,
  coreReporter,
  numberInput,
  runAction,
  setOutputs,
  stringInput,
  writeSummary
} from '../runtime.js';

/** The inputs of actions/deploy-service/action.yml. */
export interface Inputs {
  cluster: string;
  service: string;
  'task-definition-arn': string;
  'task-definition': string;
  images: string;
  'desired-count'?: number;
  'force-new-deployment': boolean;
  wait: boolean;
  'timeout-minutes': number;
  'poll-interval-seconds': number;
  'rollback-on-timeout': boolean;
  preflight: boolean;
  'aws-region': string;
}

/** Reads and checks the inputs (no AWS call). */
export function readInputs(): Inputs {
  const inputs: Inputs = {
    cluster: stringInput('cluster', true),
    service: stringInput('service', true),
    'task-definition-arn': stringInput('task-definition-arn'),
    'task-definition': stringInput('task-definition'),
    images: stringInput('images'),
    'desired-count': numberInput('desired-count', undefined, 0, 5000),
    'force-new-deployment': booleanInput('force-new-deployment', false),
    wait: booleanInput('wait', true),
    'timeout-minutes': numberInput('timeout-minutes', 30, 0.05, 720, false),
    'poll-interval-seconds': numberInput('poll-interval-seconds', 10, 1, 300),
    'rollback-on-timeout': booleanInput('rollback-on-timeout', false),
    preflight: booleanInput('preflight', true),
    'aws-region': stringInput('aws-region')
  };
  if (!inputs['task-definition-arn'] && !inputs['task-definition']) {
    throw new ConfigurationError(
      'Give `task-definition-arn` (a registered revision) or `task-definition` (a file to register first).',
      'task-definition-arn'
    );
  }
  if (inputs['task-definition-arn'] && inputs['task-definition']) {
    throw new ConfigurationError(
      'Give `task-definition-arn` or `task-definition`, not both.',
      'task-definition'
    );
  }
  if (inputs.images && !inputs['task-definition']) {
    throw new ConfigurationError(
      '`images` applies to a `task-definition` file; register-task-definition renders images for a registered revision.',
      'images'
    );
  }
  return inputs;
}

/** Runs the deploy-service action: reads INPUT_*, registers a file first when given one, deploys, sets outputs and the job summary; fails the step on a configuration error or a rollout that did not complete. */
export async function run(): Promise<void> {
  await runAction(async () => {
    const inputs = readInputs();
    const region = inputs['aws-region'] || undefined;
    const images = parseKeyValueLines(inputs.images, 'images');
    const base = {
      cluster: inputs.cluster,
      service: inputs.service,
      desiredCount: inputs['desired-count'],
      forceNewDeployment: inputs['force-new-deployment'],
      wait: inputs.wait,
      timeoutSeconds: inputs['timeout-minutes'] * 60,
      pollIntervalSeconds: inputs['poll-interval-seconds'],
      rollbackOnTimeout: inputs['rollback-on-timeout'],
      region
    };
    if (inputs['task-definition-arn'])
      validateDeployOptions({ ...base, taskDefinitionArn: inputs['task-definition-arn'] });
    const client = ecsClient({ region });
    let taskDefinitionArn = inputs['task-definition-arn'];
    if (!taskDefinitionArn) {
      const registered = await coreReporter.group('Register task definition', () =>
        registerTaskDefinition(
          {
            taskDefinitionFile: inputs['task-definition'],
            images,
            region,
            client,
            preflight: inputs.preflight
          },
          coreReporter
        )
      );
      taskDefinitionArn = registered.taskDefinitionArn;
    }
    const result = await coreReporter.group(`Deploy ${inputs.service}`, () =>
      deployService({ ...base, taskDefinitionArn, client }, coreReporter)
    );
    setOutputs({
      'deployment-id': result.deploymentId,
      'rollout-state': result.rolloutState,
      'task-definition-arn': result.taskDefinitionArn,
      'duration-seconds': result.durationSeconds
    });
    await writeSummary(deploySummaryMarkdown(result));
    if (!result.ok) {
      const hints = result.failures.filter((f) => f.hint).map((f) => `${f.reason}: ${f.hint}`);
      throw new DeploymentError([result.message, ...hints].join('\n'));
    }
    coreReporter.info(result.message);
  });
}

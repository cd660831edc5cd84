/** The run-task action: inputs → runTask → outputs + job summary. */
import { DeploymentError } from '../../lib/errors.js';
import { parseList } from '../../lib/lines.js';
import { parseCommand, runTask, runTaskSummaryMarkdown } from '../../ecs/index.js';
import {
  booleanInput,
  coreReporter,
  numberInput,
  runAction,
  setOutputs,
  stringInput,
  writeSummary
} from '../runtime.js';

/** The inputs of actions/run-task/action.yml. */
export interface Inputs {
  cluster: string;
  'task-definition': string;
  service: string;
  subnets: string[];
  'security-groups': string[];
  'assign-public-ip': boolean;
  container: string;
  command?: string[];
  wait: boolean;
  'timeout-minutes': number;
  'poll-interval-seconds': number;
  'aws-region': string;
}

/** Reads and checks the inputs (no AWS call). */
export function readInputs(): Inputs {
  return {
    cluster: stringInput('cluster', true),
    'task-definition': stringInput('task-definition', true),
    service: stringInput('service'),
    subnets: parseList(stringInput('subnets')),
    'security-groups': parseList(stringInput('security-groups')),
    'assign-public-ip': booleanInput('assign-public-ip', false),
    container: stringInput('container'),
    command: parseCommand(stringInput('command')),
    wait: booleanInput('wait', true),
    'timeout-minutes': numberInput('timeout-minutes', 30, 0.05, 720, false),
    'poll-interval-seconds': numberInput('poll-interval-seconds', 6, 1, 300),
    'aws-region': stringInput('aws-region')
  };
}

/** Runs the run-task action: reads INPUT_*, runs the one-off task, sets outputs and the job summary; fails the step on a non-zero exit or a task that never started. */
export async function run(): Promise<void> {
  await runAction(async () => {
    const inputs = readInputs();
    const result = await coreReporter.group('Run one-off task', () =>
      runTask(
        {
          cluster: inputs.cluster,
          taskDefinition: inputs['task-definition'],
          service: inputs.service || undefined,
          subnets: inputs.subnets,
          securityGroups: inputs['security-groups'],
          assignPublicIp: inputs['assign-public-ip'],
          container: inputs.container || undefined,
          command: inputs.command,
          wait: inputs.wait,
          timeoutSeconds: inputs['timeout-minutes'] * 60,
          pollIntervalSeconds: inputs['poll-interval-seconds'],
          region: inputs['aws-region'] || undefined
        },
        coreReporter
      )
    );
    setOutputs({
      'task-arn': result.taskArn,
      'exit-code': result.exitCode,
      'stopped-reason': result.stoppedReason
    });
    await writeSummary(runTaskSummaryMarkdown(result));
    if (!result.ok) throw new DeploymentError([result.message, result.hint].filter(Boolean).join('\n'));
    coreReporter.info(result.message);
  });
}

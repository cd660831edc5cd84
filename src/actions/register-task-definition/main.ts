/** The register-task-definition action: inputs → registerTaskDefinition → outputs + job summary. */
import { ConfigurationError } from '../../lib/errors.js';
import { parseKeyValueLines } from '../../lib/lines.js';
import { registerTaskDefinition, registerSummaryMarkdown } from '../../ecs/index.js';
import {
  booleanInput,
  coreReporter,
  numberInput,
  runAction,
  setOutputs,
  stringInput,
  writeSummary
} from '../runtime.js';

/** The inputs of actions/register-task-definition/action.yml. */
export interface Inputs {
  'task-definition': string;
  cluster: string;
  service: string;
  images: string;
  environment: string;
  secrets: string;
  'force-register': boolean;
  'keep-revisions'?: number;
  preflight: boolean;
  'aws-region': string;
}

/** Reads and checks the inputs (no AWS call). */
export function readInputs(): Inputs {
  return {
    'task-definition': stringInput('task-definition'),
    cluster: stringInput('cluster'),
    service: stringInput('service'),
    images: stringInput('images'),
    environment: stringInput('environment'),
    secrets: stringInput('secrets'),
    'force-register': booleanInput('force-register', false),
    'keep-revisions': numberInput('keep-revisions', undefined, 1, 1000),
    preflight: booleanInput('preflight', true),
    'aws-region': stringInput('aws-region')
  };
}

export async function run(): Promise<void> {
  await runAction(async () => {
    const inputs = readInputs();
    if (inputs['task-definition'] && inputs.service && !inputs.cluster) {
      throw new ConfigurationError('service needs its `cluster`.', 'cluster');
    }
    const result = await coreReporter.group('Register task definition', () =>
      registerTaskDefinition(
        {
          taskDefinitionFile: inputs['task-definition'] || undefined,
          cluster: inputs.cluster || undefined,
          service: inputs.service || undefined,
          images: parseKeyValueLines(inputs.images, 'images'),
          environment: parseKeyValueLines(inputs.environment, 'environment'),
          secrets: parseKeyValueLines(inputs.secrets, 'secrets'),
          forceRegister: inputs['force-register'],
          keepRevisions: inputs['keep-revisions'],
          preflight: inputs.preflight,
          region: inputs['aws-region'] || undefined
        },
        coreReporter
      )
    );
    setOutputs({
      'task-definition-arn': result.taskDefinitionArn,
      revision: result.revision,
      changed: result.changed
    });
    await writeSummary(registerSummaryMarkdown(result));
  });
}

/** The deploy-stack action: inputs → deployStack → every stack output as an action output + job summary. */
import * as core from '@actions/core';
import { ConfigurationError, DeploymentError, show } from '../../lib/errors.js';
import { parseKeyValueLines, parseList } from '../../lib/lines.js';
import {
  deployStack,
  prepareDeployment,
  stackSummaryMarkdown,
  type DeployStackOptions,
  type DeployStackResult
} from '../../stacks/index.js';
import {
  booleanInput,
  coreReporter,
  numberInput,
  runAction,
  setOutputs,
  stringInput,
  writeSummary
} from '../runtime.js';

/** The inputs of actions/deploy-stack/action.yml. */
export interface Inputs {
  'stack-name': string;
  template: string;
  parameters: Record<string, string>;
  'parameters-file': string;
  capabilities: string[];
  tags: Record<string, string>;
  'termination-protection': boolean | undefined;
  'no-execute': boolean;
  'role-arn': string;
  'create-without-change-set': boolean;
  'change-set-name': string;
  'timeout-minutes': number;
  'aws-region': string;
}

function keyValues(name: string): Record<string, string> {
  return Object.fromEntries(
    parseKeyValueLines(stringInput(name), name).map(({ key, value }) => [key, value])
  );
}

/** Reads the inputs (no AWS call). */
export function readInputs(): Inputs {
  const protection = core.getInput('termination-protection').trim();
  if (protection && !['true', 'false', 'True', 'False', 'TRUE', 'FALSE'].includes(protection)) {
    throw new ConfigurationError(
      `Input termination-protection is ${show(protection)}; expected true, false, or empty to leave it as it is.`,
      'termination-protection'
    );
  }
  return {
    'stack-name': stringInput('stack-name', true),
    template: stringInput('template', true),
    parameters: keyValues('parameters'),
    'parameters-file': stringInput('parameters-file'),
    capabilities: parseList(stringInput('capabilities')),
    tags: keyValues('tags'),
    'termination-protection': protection ? protection.toLowerCase() === 'true' : undefined,
    'no-execute': booleanInput('no-execute', false),
    'role-arn': stringInput('role-arn'),
    'create-without-change-set': booleanInput('create-without-change-set', false),
    'change-set-name': stringInput('change-set-name'),
    'timeout-minutes': numberInput('timeout-minutes', 60, 1, 720),
    'aws-region': stringInput('aws-region')
  };
}

/** The library options for the inputs. */
export function toOptions(inputs: Inputs): DeployStackOptions {
  const isUrl = /^https?:\/\//.test(inputs.template);
  return {
    stackName: inputs['stack-name'],
    templateFile: isUrl ? undefined : inputs.template,
    templateUrl: isUrl ? inputs.template : undefined,
    parameters: inputs.parameters,
    parametersFile: inputs['parameters-file'] || undefined,
    capabilities: inputs.capabilities,
    tags: inputs.tags,
    terminationProtection: inputs['termination-protection'],
    execute: !inputs['no-execute'],
    roleArn: inputs['role-arn'] || undefined,
    createWithoutChangeSet: inputs['create-without-change-set'],
    changeSetName: inputs['change-set-name'] || undefined,
    timeoutSeconds: inputs['timeout-minutes'] * 60,
    aws: { region: inputs['aws-region'] || undefined }
  };
}

function outputsOf(result: DeployStackResult): Record<string, string | boolean> {
  return {
    ...result.outputs,
    'stack-id': result.stackId ?? '',
    'change-set-id': result.changeSetId ?? '',
    status: result.status,
    changed: result.changed
  };
}

/** Runs the deploy-stack action: reads INPUT_*, deploys the stack through a change set, sets every stack output as a step output and writes the job summary. */
export async function run(): Promise<void> {
  await runAction(async () => {
    const options = toOptions(readInputs());
    prepareDeployment(options); // every input checked before any AWS call
    let result: DeployStackResult;
    try {
      result = await deployStack(options, coreReporter);
    } catch (error) {
      const partial =
        error instanceof DeploymentError ? (error.details.result as DeployStackResult) : undefined;
      if (partial) {
        setOutputs(outputsOf(partial));
        await writeSummary(stackSummaryMarkdown(partial));
      }
      throw error;
    }
    setOutputs(outputsOf(result));
    await writeSummary(stackSummaryMarkdown(result));
  });
}

/** The invalidate-cdn action: inputs → invalidateCdn → outputs + job summary. */
import { ConfigurationError, show } from '../../lib/errors.js';
import { parseList } from '../../lib/lines.js';
import { invalidateCdn, invalidationSummaryMarkdown } from '../../frontend/index.js';
import {
  booleanInput,
  coreReporter,
  numberInput,
  runAction,
  setOutputs,
  stringInput,
  writeSummary
} from '../runtime.js';

/** The inputs of actions/invalidate-cdn/action.yml. */
export interface Inputs {
  'distribution-id': string;
  paths: string[];
  'changed-paths': string[];
  'max-paths': number;
  'hashed-paths': string[];
  'path-prefix': string;
  'caller-reference': string;
  wait: boolean;
  'timeout-minutes': number;
  'dry-run': boolean;
  'aws-region': string;
}

/** Parses `changed-paths`: upload-frontend's JSON list, or plain lines. */
export function parseChangedPaths(text: string): string[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  if (trimmed.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      throw new ConfigurationError(
        `changed-paths ${show(trimmed)} is not a JSON list of paths.`,
        'changed-paths'
      );
    }
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      throw new ConfigurationError(
        `changed-paths ${show(trimmed)} must be a JSON list of strings.`,
        'changed-paths'
      );
    }
    return value as string[];
  }
  return parseList(trimmed);
}

/** Reads and checks the inputs (no AWS call). */
export function readInputs(): Inputs {
  const inputs: Inputs = {
    'distribution-id': stringInput('distribution-id', true),
    paths: parseList(stringInput('paths')),
    'changed-paths': parseChangedPaths(stringInput('changed-paths')),
    'max-paths': numberInput('max-paths', 20, 1, 3000),
    'hashed-paths': parseList(stringInput('hashed-paths') || 'assets/**'),
    'path-prefix': stringInput('path-prefix'),
    'caller-reference': stringInput('caller-reference'),
    wait: booleanInput('wait', false),
    'timeout-minutes': numberInput('timeout-minutes', 15, 1, 120),
    'dry-run': booleanInput('dry-run', false),
    'aws-region': stringInput('aws-region')
  };
  return inputs;
}

/** Runs the invalidate-cdn action: reads INPUT_*, plans and creates the invalidation (optionally waiting), sets outputs and the job summary. */
export async function run(): Promise<void> {
  await runAction(async () => {
    const inputs = readInputs();
    const result = await invalidateCdn(
      {
        distributionId: inputs['distribution-id'],
        paths: inputs.paths,
        changedPaths: inputs['changed-paths'],
        maxPaths: inputs['max-paths'],
        hashedPatterns: inputs['hashed-paths'],
        pathPrefix: inputs['path-prefix'],
        callerReference: inputs['caller-reference'] || undefined,
        wait: inputs.wait,
        timeoutMinutes: inputs['timeout-minutes'],
        dryRun: inputs['dry-run'],
        region: inputs['aws-region'] || undefined
      },
      coreReporter
    );
    setOutputs({
      'invalidation-id': result.invalidationId ?? '',
      paths: result.paths,
      status: result.status
    });
    await writeSummary(invalidationSummaryMarkdown(result));
  });
}

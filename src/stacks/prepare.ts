/**
 * Validation of deploy-stack's options before any AWS call: prepareDeployment turns DeployStackOptions into
 * a PreparedDeployment or throws a ConfigurationError naming the action input. No AWS API is called here.
 */
import { randomUUID } from 'node:crypto';
import type { Capability } from '@aws-sdk/client-cloudformation';
import { ConfigurationError, show } from '../lib/errors.js';
import { loadParametersFile, loadTemplateFile, type TemplateParameter } from './template.js';
import type { DeployStackOptions, PreparedDeployment } from './types.js';

/** The capabilities CreateChangeSet accepts. */
export const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'] as const;

/** Stack and change set names alike: a letter, then letters, digits and hyphens, at most 128 characters. */
const NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;

/**
 * Checks every option without calling AWS: stack name, template file (exists, parses, size) or URL,
 * parameter names against the template's Parameters, capabilities, tags, change set name, timeouts.
 * @throws ConfigurationError naming the option (by its action input name), the value and what is valid.
 */
export function prepareDeployment(options: DeployStackOptions): PreparedDeployment {
  const stackName = options.stackName?.trim() ?? '';
  if (!NAME.test(stackName)) {
    throw new ConfigurationError(
      `stack-name ${show(stackName)} is not a stack name: a letter, then letters, digits and hyphens, at most 128 characters.`,
      'stack-name'
    );
  }
  if (Boolean(options.templateFile) === Boolean(options.templateUrl)) {
    throw new ConfigurationError(
      'template: give exactly one template, a local file path or an https:// URL of a template in S3.',
      'template'
    );
  }
  let templateBody: string | undefined;
  let templateParameters: Record<string, TemplateParameter> = {};
  if (options.templateFile) {
    const loaded = loadTemplateFile(options.templateFile);
    templateBody = loaded.body;
    templateParameters = loaded.template.parameters;
  } else if (!/^https:\/\/\S+$/.test(options.templateUrl ?? '')) {
    throw new ConfigurationError(
      `template ${show(options.templateUrl)} is neither a file nor an https:// URL.`,
      'template'
    );
  }

  const parameters: Record<string, string | null> = {
    ...(options.parametersFile ? loadParametersFile(options.parametersFile) : {}),
    ...(options.parameters ?? {})
  };
  if (templateBody !== undefined) {
    const known = Object.keys(templateParameters);
    for (const name of Object.keys(parameters)) {
      if (!(name in templateParameters)) {
        const input = options.parameters && name in options.parameters ? 'parameters' : 'parameters-file';
        throw new ConfigurationError(
          `${input}: ${show(name)} is not a parameter of ${options.templateFile}; its parameters are ${known.length ? known.join(', ') : '(none)'}.`,
          input
        );
      }
      const allowed = templateParameters[name]?.AllowedValues;
      const value = parameters[name];
      if (
        Array.isArray(allowed) &&
        value !== null &&
        value !== undefined &&
        !allowed.map(String).includes(value)
      ) {
        throw new ConfigurationError(
          `parameters: ${name}=${show(value)} is not allowed by the template; allowed values: ${allowed.map(String).join(', ')}.`,
          'parameters'
        );
      }
    }
  }

  const capabilities = (options.capabilities ?? []).map((c) => c.trim()).filter(Boolean);
  for (const capability of capabilities) {
    if (!(CAPABILITIES as readonly string[]).includes(capability)) {
      throw new ConfigurationError(
        `capabilities: ${show(capability)} is not a CloudFormation capability; valid: ${CAPABILITIES.join(', ')}.`,
        'capabilities'
      );
    }
  }
  const tags = options.tags ?? {};
  if (Object.keys(tags).length > 50) {
    throw new ConfigurationError(
      `tags: ${Object.keys(tags).length} tags given; a stack takes at most 50.`,
      'tags'
    );
  }
  for (const [key, value] of Object.entries(tags)) {
    if (key.toLowerCase().startsWith('aws:') || key.length > 128 || value.length > 256) {
      throw new ConfigurationError(
        `tags: ${show(key)} is not a valid tag (keys up to 128 characters, not starting with aws:, values up to 256).`,
        'tags'
      );
    }
  }
  const changeSetName = options.changeSetName?.trim() || defaultChangeSetName();
  if (!NAME.test(changeSetName)) {
    throw new ConfigurationError(
      `change-set-name ${show(changeSetName)} is not valid: a letter, then letters, digits and hyphens, at most 128 characters.`,
      'change-set-name'
    );
  }
  if (options.roleArn && !/^arn:aws[a-z-]*:iam::\d{12}:role\/\S+$/.test(options.roleArn)) {
    throw new ConfigurationError(`role-arn ${show(options.roleArn)} is not an IAM role ARN.`, 'role-arn');
  }
  const timeoutSeconds = options.timeoutSeconds ?? 3600;
  const pollDelaySeconds = options.pollDelaySeconds ?? 5;
  if (!(timeoutSeconds > 0) || !(pollDelaySeconds > 0) || pollDelaySeconds > timeoutSeconds) {
    throw new ConfigurationError(
      `timeout ${show(timeoutSeconds)} s / poll delay ${show(pollDelaySeconds)} s: both must be positive and the delay no longer than the timeout.`,
      'timeout'
    );
  }
  return {
    stackName,
    templateBody,
    templateUrl: options.templateUrl,
    templateParameters,
    parameters,
    capabilities: capabilities as Capability[],
    tags,
    execute: options.execute ?? true,
    changeSetName,
    timeoutSeconds,
    pollDelaySeconds
  };
}

/** twotier-<UTC timestamp, yyyymmddHHMMSS>-<8 hex digits>: unique per run, valid as a change set name. */
function defaultChangeSetName(): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `twotier-${stamp}-${randomUUID().slice(0, 8)}`;
}

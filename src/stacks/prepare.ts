/**
 * Validation of deploy-stack's options before any AWS call: prepareDeployment turns DeployStackOptions into
 * a PreparedDeployment or throws a ConfigurationError naming the action input. No AWS API is called here.
 */
import { randomUUID } from 'node:crypto';
import type { Capability } from '@aws-sdk/client-cloudformation';
import { ConfigurationError, show } from '../lib/errors.js';
import { resolveOptions } from '../lib/options.js';
import { workspacePath } from '../lib/paths.js';
import { stackOptions } from './options.js';
import { checkParameterValue } from './parameter-constraints.js';
import { checkResourceTypes } from './resource-types.js';
import { loadParametersFile, loadTemplateFile, type TemplateParameter } from './template.js';
import type { DeployStackOptions, PreparedDeployment } from './types.js';

export { CAPABILITIES } from './options.js';

/**
 * Checks every option without calling AWS: stack name, template file (inside the workspace, exists,
 * parses, fits, known resource types) or URL, parameter names against the template's Parameters and every
 * given value against its parameter's Type and constraints, capabilities, tags, change set name, timeouts.
 * @throws ConfigurationError naming the option (by its action input name), the value and what is valid.
 */
export function prepareDeployment(input: DeployStackOptions): PreparedDeployment {
  const options = resolveOptions(stackOptions, input);
  const stackName = options.stackName.trim();
  const isUrl = /^https?:\/\//.test(options.template);
  const templateFile = isUrl ? undefined : options.template;
  const templateUrl = isUrl ? options.template : undefined;
  const warnings: string[] = [];
  let templateBody: string | undefined;
  let templateParameters: Record<string, TemplateParameter> = {};
  if (templateFile) {
    const loaded = loadTemplateFile(workspacePath(templateFile, 'template'), 'template', templateFile);
    templateBody = loaded.body;
    templateParameters = loaded.template.parameters;
    warnings.push(...checkResourceTypes(loaded.template.document, templateFile));
  } else if (!/^https:\/\/\S+$/.test(templateUrl ?? '')) {
    throw new ConfigurationError(
      `template ${show(templateUrl)} is neither a file nor an https:// URL.`,
      'template'
    );
  }

  const given = options.parameters ?? {};
  const parameters: Record<string, string | null> = {
    ...(options.parametersFile
      ? loadParametersFile(
          workspacePath(options.parametersFile, 'parameters-file'),
          'parameters-file',
          options.parametersFile
        )
      : {}),
    ...given
  };
  if (templateBody !== undefined) {
    const known = Object.keys(templateParameters);
    for (const [name, value] of Object.entries(parameters)) {
      const source = name in given ? 'parameters' : 'parameters-file';
      const parameter = templateParameters[name];
      if (!parameter) {
        throw new ConfigurationError(
          `${source}: ${show(name)} is not a parameter of ${templateFile}; its parameters are ${known.length ? known.join(', ') : '(none)'}.`,
          source
        );
      }
      if (value !== null) warnings.push(...checkParameterValue({ name, value, input: source, parameter }));
    }
  }

  const capabilities = options.capabilities;
  const tags = options.tags ?? {};
  if (Object.keys(tags).length > 50) {
    throw new ConfigurationError(
      `tags: ${Object.keys(tags).length} tags given; a stack takes at most 50.`,
      'tags'
    );
  }
  const changeSetName = options.changeSetName?.trim() || defaultChangeSetName();
  const timeoutSeconds = options.timeout.seconds;
  const pollDelaySeconds = input.pollDelaySeconds ?? 5;
  if (!(timeoutSeconds > 0) || !(pollDelaySeconds > 0) || pollDelaySeconds > timeoutSeconds) {
    throw new ConfigurationError(
      `timeout ${show(timeoutSeconds)} s / poll delay ${show(pollDelaySeconds)} s: both must be positive and the delay no longer than the timeout.`,
      'timeout'
    );
  }
  return {
    stackName,
    templateBody,
    templateUrl,
    templateParameters,
    parameters,
    capabilities: capabilities as Capability[],
    tags,
    execute: !options.noExecute,
    changeSetName,
    timeoutSeconds,
    pollDelaySeconds,
    terminationProtection: options.terminationProtection,
    roleArn: options.roleArn,
    createWithoutChangeSet: options.createWithoutChangeSet,
    aws: { region: options.region, endpoint: options.endpoint, maxAttempts: input.maxAttempts },
    warnings
  };
}

/** twotier-<UTC timestamp, yyyymmddHHMMSS>-<8 hex digits>: unique per run, valid as a change set name. */
function defaultChangeSetName(): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `twotier-${stamp}-${randomUUID().slice(0, 8)}`;
}

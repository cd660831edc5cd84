/**
 * What the stack is deployed with, the same for CreateChangeSet and CreateStack: template, the Parameters
 * list (given values, previous values kept on update), capabilities, tags and service role.
 */
import type { Capability, Parameter, Stack, Tag } from '@aws-sdk/client-cloudformation';
import { ConfigurationError } from '../lib/errors.js';
import type { Reporter } from '../lib/reporter.js';
import type { TemplateParameter } from './template.js';
import type { PreparedDeployment, StackOperation } from './types.js';

/** The request fields CreateChangeSet and CreateStack share. */
export interface StackDefinition {
  StackName: string;
  TemplateBody?: string;
  TemplateURL?: string;
  Parameters: Parameter[];
  Capabilities: Capability[];
  /** undefined when there are no tags. */
  Tags?: Tag[];
  RoleARN?: string;
}

/** True for a template parameter declared NoEcho (its value is a secret DescribeStacks masks). */
export function isNoEcho(parameter: TemplateParameter | undefined): boolean {
  const noEcho = parameter?.NoEcho;
  return noEcho === true || noEcho === 'true';
}

/** Hands the given values of NoEcho parameters to `reporter.secret`, before anything can log them. */
export function maskNoEchoValues(prepared: PreparedDeployment, reporter: Reporter): void {
  for (const [name, value] of Object.entries(prepared.parameters)) {
    if (value && isNoEcho(prepared.templateParameters[name])) reporter.secret(value);
  }
}

/**
 * The request fields for the stack: template, Parameters (see buildParameters), capabilities, tags, role.
 * @throws ConfigurationError (input `parameters`) when a template parameter without a Default gets no
 *   value (and, on update, has no previous value).
 */
export function stackDefinition(
  prepared: PreparedDeployment,
  operation: StackOperation,
  existing: Stack | undefined,
  roleArn: string | undefined
): StackDefinition {
  const parameters = buildParameters(prepared, operation, existing);
  const missing = Object.entries(prepared.templateParameters)
    .filter(([name, p]) => p.Default === undefined && !parameters.some((x) => x.ParameterKey === name))
    .map(([name]) => name);
  if (missing.length) {
    throw new ConfigurationError(
      `parameters: the template requires ${missing.join(', ')} (no Default${operation === 'UPDATE' ? ' and no previous value' : ''}); give them in parameters or parameters-file.`,
      'parameters'
    );
  }
  const tags = Object.entries(prepared.tags).map(([Key, Value]) => ({ Key, Value }));
  return {
    StackName: prepared.stackName,
    TemplateBody: prepared.templateBody,
    TemplateURL: prepared.templateUrl,
    Parameters: parameters,
    Capabilities: prepared.capabilities,
    Tags: tags.length ? tags : undefined,
    RoleARN: roleArn
  };
}

/**
 * The Parameters list: given values; on update, template parameters not given keep their previous values.
 * A previous value is passed as that value (read from DescribeStacks), and only NoEcho parameters (which
 * DescribeStacks masks) use UsePreviousValue: same result on AWS, and moto corrupts a stack updated with
 * UsePreviousValue (DescribeStacks then fails with "Fn::GetAtt references undefined resource").
 */
function buildParameters(
  prepared: PreparedDeployment,
  operation: StackOperation,
  existing: Stack | undefined
): Parameter[] {
  const previous = new Map((existing?.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue]));
  const keep = (name: string): Parameter => {
    const value = previous.get(name);
    return isNoEcho(prepared.templateParameters[name]) || value === undefined || value === '****'
      ? { ParameterKey: name, UsePreviousValue: true }
      : { ParameterKey: name, ParameterValue: value };
  };
  const list: Parameter[] = [];
  for (const [key, value] of Object.entries(prepared.parameters)) {
    if (value === null) {
      if (operation === 'UPDATE' && previous.has(key)) list.push(keep(key));
    } else list.push({ ParameterKey: key, ParameterValue: value });
  }
  if (operation === 'UPDATE') {
    for (const name of Object.keys(prepared.templateParameters)) {
      if (!(name in prepared.parameters) && previous.has(name)) list.push(keep(name));
    }
  }
  return list;
}

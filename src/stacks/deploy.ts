/**
 * deploy-stack: create or update a CloudFormation stack through a change set, show what it will do,
 * execute it, wait, and return every stack output; on failure, report the failed resources' events.
 *
 * API reference (CloudFormation):
 *   CreateChangeSet    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html
 *   DescribeChangeSet  https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html
 *   ExecuteChangeSet   https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html
 *   DeleteChangeSet    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteChangeSet.html
 *   DescribeStacks     https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
 *   DescribeStackEvents https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackEvents.html
 *   CreateStack        https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html
 *   UpdateTerminationProtection https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateTerminationProtection.html
 */
import { randomUUID } from 'node:crypto';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  UpdateTerminationProtectionCommand,
  waitUntilChangeSetCreateComplete,
  waitUntilStackCreateComplete,
  waitUntilStackUpdateComplete,
  type Capability,
  type Change,
  type DescribeChangeSetCommandOutput,
  type Parameter,
  type Stack,
  type StackEvent
} from '@aws-sdk/client-cloudformation';
import { clientConfig, type AwsOptions } from '../lib/aws.js';
import { ConfigurationError, DeploymentError, messageOf, show } from '../lib/errors.js';
import type { Reporter } from '../lib/reporter.js';
import { loadParametersFile, loadTemplateFile, type TemplateParameter } from './template.js';

/** The capabilities CreateChangeSet accepts. */
export const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'] as const;

/** What deployStack is asked to do. */
export interface DeployStackOptions {
  /** Stack name: a letter, then letters, digits and hyphens, at most 128 characters. */
  stackName: string;
  /** Path of a local template file (YAML or JSON, at most 51,200 bytes). Exactly one of this and templateUrl. */
  templateFile?: string;
  /** https:// URL of a template in S3 (any size CloudFormation accepts). Parameter names are then checked by CloudFormation, not locally. */
  templateUrl?: string;
  /** Parameter values by name; they override the same names from parametersFile. */
  parameters?: Record<string, string>;
  /** A parameters file: JSON list of {ParameterKey, ParameterValue} or a JSON/YAML mapping of name to value. */
  parametersFile?: string;
  /** Capabilities to acknowledge (CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND). Default none. */
  capabilities?: string[];
  /** Stack tags (propagated to the resources that support tags). */
  tags?: Record<string, string>;
  /** Turn termination protection on or off after the deploy; undefined leaves it as it is. */
  terminationProtection?: boolean;
  /** false: create and print the change set but do not execute it (a review step). Default true. */
  execute?: boolean;
  /** ARN of the IAM role CloudFormation assumes to create the resources (the stack's service role). */
  roleArn?: string;
  /**
   * Create a stack that does not exist yet with CreateStack instead of a CREATE change set (no preview of
   * the changes). Updates always go through change sets. Off by default; exists for emulators whose
   * CREATE change sets misbehave (moto: no outputs or exports on stacks created by change sets, and
   * Fn::ImportValue fails inside a CREATE change set; see docs/templates.md).
   */
  createWithoutChangeSet?: boolean;
  /** Name for the change set; default twotier-<UTC timestamp>-<random>. */
  changeSetName?: string;
  /** Longest wait for the change set and for the stack operation, in seconds. Default 3600. */
  timeoutSeconds?: number;
  /** Shortest pause between DescribeStacks/DescribeChangeSet polls, in seconds (SDK waiter minDelay). Default 5. */
  pollDelaySeconds?: number;
  /** Region, endpoint override, retries. */
  aws?: AwsOptions;
}

/** One resource change of a change set. */
export interface ResourceChangeRow {
  /** Add, Modify, Remove, Import, Dynamic. */
  action: string;
  logicalId: string;
  physicalId?: string;
  resourceType: string;
  /** True, False or Conditional for Modify; undefined otherwise. */
  replacement?: string;
  /** Properties, Metadata, Tags, ... that the change touches. */
  scope: string[];
}

/** A failed resource of the operation, from DescribeStackEvents. */
export interface StackFailure {
  logicalId: string;
  resourceType: string;
  status: string;
  reason: string;
  /** ISO 8601 time of the event. */
  timestamp?: string;
}

/** What deployStack did. */
export interface DeployStackResult {
  stackName: string;
  stackId?: string;
  /** CREATE for a new stack, UPDATE for an existing one. */
  operation: 'CREATE' | 'UPDATE';
  /** How the stack was changed: through a change set, or CreateStack (createWithoutChangeSet). */
  method: 'change-set' | 'create-stack';
  changeSetName?: string;
  changeSetId?: string;
  /**
   * The stack's final status (CREATE_COMPLETE, UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE, ...);
   * NO_CHANGES when the change set was empty; CHANGE_SET_CREATED when it was not executed.
   */
  status: string;
  /** true when the stack was (or, not executed, would be) changed. */
  changed: boolean;
  /** true when the change set (or CreateStack) was executed. */
  executed: boolean;
  changes: ResourceChangeRow[];
  /** Every stack output, by OutputKey. */
  outputs: Record<string, string>;
  /** The failed resources of this operation, oldest first (empty on success). */
  failures: StackFailure[];
  /** Termination protection after the deploy, when known. */
  terminationProtection?: boolean;
}

/** A validated deployment, ready for the AWS calls. */
export interface PreparedDeployment {
  stackName: string;
  templateBody?: string;
  templateUrl?: string;
  /** The template's parameters (empty for a template URL, which is not read locally). */
  templateParameters: Record<string, TemplateParameter>;
  /** Given values; null means UsePreviousValue. */
  parameters: Record<string, string | null>;
  capabilities: Capability[];
  tags: Record<string, string>;
  execute: boolean;
  changeSetName: string;
  timeoutSeconds: number;
  pollDelaySeconds: number;
}

const EMPTY_CHANGE_SET = /didn't contain changes|No updates are to be performed/i;

/**
 * Checks every option without calling AWS: stack name, template file (exists, parses, size) or URL,
 * parameter names against the template's Parameters, capabilities, tags, change set name, timeouts.
 * @throws ConfigurationError naming the option (by its action input name), the value and what is valid.
 */
export function prepareDeployment(options: DeployStackOptions): PreparedDeployment {
  const stackName = options.stackName?.trim() ?? '';
  if (!/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/.test(stackName)) {
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
  if (!/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/.test(changeSetName)) {
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

function defaultChangeSetName(): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `twotier-${stamp}-${randomUUID().slice(0, 8)}`;
}

/**
 * Creates or updates a stack through a change set and waits for it.
 *
 * 1. Validates every option (prepareDeployment) before any AWS call.
 * 2. DescribeStacks: no stack (or one in REVIEW_IN_PROGRESS) → CREATE; a stable stack → UPDATE, with
 *    template parameters not given keeping their previous values; any other state fails.
 * 3. CreateChangeSet (ChangeSetType CREATE/UPDATE), waitUntilChangeSetCreateComplete. An empty change set
 *    (FAILED, "didn't contain changes") is deleted and the deploy succeeds with status NO_CHANGES.
 * 4. Prints the change set (add / modify / remove, replacement). With `execute: false` stops here.
 * 5. ExecuteChangeSet, waitUntilStackCreateComplete / waitUntilStackUpdateComplete.
 * 6. UpdateTerminationProtection when asked and different.
 * @returns the result with every stack output.
 * @throws ConfigurationError for bad options (nothing in AWS changed); DeploymentError when the change set
 *   fails for another reason or the stack ends in any state but *_COMPLETE (its `details.result` is the
 *   DeployStackResult with the failed resources' events).
 */
export async function deployStack(
  options: DeployStackOptions,
  reporter: Reporter
): Promise<DeployStackResult> {
  const prepared = prepareDeployment(options);
  const client = new CloudFormationClient(clientConfig('CLOUDFORMATION', options.aws));
  const { stackName } = prepared;
  for (const [name, value] of Object.entries(prepared.parameters)) {
    const noEcho = prepared.templateParameters[name]?.NoEcho;
    if (value && (noEcho === true || noEcho === 'true')) reporter.secret(value);
  }

  const existing = await reporter.group(`Stack ${stackName}`, () => describeStack(client, stackName));
  const operation = decideOperation(stackName, existing);
  reporter.info(
    operation === 'CREATE'
      ? `${stackName} does not exist yet: it will be created.`
      : `${stackName} is ${existing?.StackStatus}: it will be updated.`
  );
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
  const result: DeployStackResult = {
    stackName,
    stackId: existing?.StackId,
    operation,
    method: 'change-set',
    status: existing?.StackStatus ?? 'NEW',
    changed: false,
    executed: false,
    changes: [],
    outputs: {},
    failures: []
  };
  const token = prepared.changeSetName;

  if (operation === 'CREATE' && options.createWithoutChangeSet) {
    if (!prepared.execute) {
      throw new ConfigurationError(
        'no-execute cannot be combined with create-without-change-set for a new stack: CreateStack has no preview.',
        'no-execute'
      );
    }
    result.method = 'create-stack';
    reporter.warn(
      `Creating ${stackName} with CreateStack, without a change set (create-without-change-set): no preview of the resources.`
    );
    await reporter.group('Create stack (CreateStack)', async () => {
      const created = await attempt(stackName, 'CreateStack', result, () =>
        client.send(
          new CreateStackCommand({
            StackName: stackName,
            TemplateBody: prepared.templateBody,
            TemplateURL: prepared.templateUrl,
            Parameters: parameters,
            Capabilities: prepared.capabilities,
            Tags: tags.length ? tags : undefined,
            RoleARN: options.roleArn,
            EnableTerminationProtection: options.terminationProtection,
            ClientRequestToken: token
          })
        )
      );
      result.stackId = created?.StackId;
      result.executed = true;
      result.changed = true;
    });
  } else {
    const changeSet = await reporter.group(`Change set ${prepared.changeSetName}`, async () => {
      // An update with nothing to change may be refused outright ("No updates are to be performed.")
      // instead of producing a FAILED change set: the same no-change outcome, with nothing to delete.
      const created = await attempt(
        stackName,
        'CreateChangeSet',
        result,
        () =>
          client.send(
            new CreateChangeSetCommand({
              StackName: stackName,
              ChangeSetName: prepared.changeSetName,
              ChangeSetType: operation,
              TemplateBody: prepared.templateBody,
              TemplateURL: prepared.templateUrl,
              Parameters: parameters,
              Capabilities: prepared.capabilities,
              Tags: tags.length ? tags : undefined,
              RoleARN: options.roleArn,
              Description: `twotier deploy-stack ${new Date().toISOString()}`
            })
          ),
        (error) => operation === 'UPDATE' && EMPTY_CHANGE_SET.test(messageOf(error))
      );
      if (!created) {
        const empty: DescribeChangeSetCommandOutput = {
          Status: 'FAILED',
          StatusReason: 'No updates are to be performed.',
          $metadata: {}
        };
        return empty;
      }
      result.changeSetId = created.Id;
      result.changeSetName = prepared.changeSetName;
      result.stackId = created.StackId ?? result.stackId;
      return waitForChangeSet(client, prepared, created.Id ?? prepared.changeSetName);
    });

    if (changeSet.Status === 'FAILED') {
      const reason = changeSet.StatusReason ?? '';
      if (EMPTY_CHANGE_SET.test(reason)) {
        reporter.info(`No changes: ${reason}`);
        if (result.changeSetId) {
          await client.send(
            new DeleteChangeSetCommand({ StackName: stackName, ChangeSetName: result.changeSetId })
          );
          reporter.info(`Deleted the empty change set ${prepared.changeSetName}.`);
        }
        result.status = 'NO_CHANGES';
        const stack = await describeStack(client, stackName);
        result.outputs = outputsOf(stack);
        await applyTerminationProtection(client, reporter, options, stack, result);
        return result;
      }
      throw new DeploymentError(`Change set ${prepared.changeSetName} for ${stackName} failed: ${reason}`, {
        result: { ...result, status: 'CHANGE_SET_FAILED' }
      });
    }

    result.changes = changeSet.Changes ? changeRows(changeSet.Changes) : [];
    result.changed = true;
    reporter.info(formatChanges(result.changes));
    if (!prepared.execute) {
      reporter.info(
        `Not executed (no-execute): review and execute change set ${prepared.changeSetName} yourself.`
      );
      result.status = 'CHANGE_SET_CREATED';
      return result;
    }
    await reporter.group(`Execute ${prepared.changeSetName}`, async () => {
      await attempt(stackName, 'ExecuteChangeSet', result, () =>
        client.send(
          new ExecuteChangeSetCommand({
            StackName: stackName,
            ChangeSetName: result.changeSetId,
            ClientRequestToken: token
          })
        )
      );
      result.executed = true;
    });
  }

  await reporter.group(`Wait for ${stackName} (${operation})`, async () => {
    const waiterConfig = {
      client,
      maxWaitTime: prepared.timeoutSeconds,
      minDelay: prepared.pollDelaySeconds,
      maxDelay: Math.max(prepared.pollDelaySeconds, 30)
    };
    try {
      if (operation === 'CREATE') await waitUntilStackCreateComplete(waiterConfig, { StackName: stackName });
      else await waitUntilStackUpdateComplete(waiterConfig, { StackName: stackName });
    } catch (error) {
      reporter.debug(`waiter: ${messageOf(error)}`);
    }
  });

  const stack = await describeStack(client, result.stackId ?? stackName);
  result.status = stack?.StackStatus ?? 'UNKNOWN';
  result.stackId = stack?.StackId ?? result.stackId;
  result.outputs = outputsOf(stack);
  if (result.status !== `${operation}_COMPLETE`) {
    result.failures = await operationFailures(client, result.stackId ?? stackName, token);
    for (const failure of result.failures) {
      reporter.info(`✗ ${failure.logicalId} (${failure.resourceType}) ${failure.status}: ${failure.reason}`);
    }
    const first = result.failures[0];
    throw new DeploymentError(
      `${stackName} ended in ${result.status}${stack?.StackStatusReason ? ` (${stack.StackStatusReason})` : ''}` +
        (first ? `; first failure: ${first.logicalId} ${first.status}: ${first.reason}` : ''),
      { result }
    );
  }
  reporter.info(`${stackName}: ${result.status}, ${Object.keys(result.outputs).length} outputs.`);
  await applyTerminationProtection(client, reporter, options, stack, result);
  return result;
}

/** Sends a command that changes the stack; an SDK error becomes a DeploymentError carrying the result so far. */
async function attempt<T>(
  stackName: string,
  api: string,
  result: DeployStackResult,
  call: () => Promise<T>,
  expected: (error: unknown) => boolean = () => false
): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (expected(error)) return undefined;
    throw new DeploymentError(`${api} for ${stackName} failed: ${messageOf(error)}`, {
      result: { ...result, status: `${api.toUpperCase()}_FAILED` },
      cause: error
    });
  }
}

async function describeStack(client: CloudFormationClient, stackName: string): Promise<Stack | undefined> {
  try {
    const out = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    return out.Stacks?.[0];
  } catch (error) {
    if (/does not exist/.test(messageOf(error))) return undefined;
    throw error;
  }
}

function decideOperation(stackName: string, stack: Stack | undefined): 'CREATE' | 'UPDATE' {
  const status = stack?.StackStatus;
  if (!status || status === 'REVIEW_IN_PROGRESS') return 'CREATE';
  if (status === 'ROLLBACK_COMPLETE' || status === 'ROLLBACK_FAILED' || status === 'CREATE_FAILED') {
    throw new DeploymentError(
      `${stackName} is ${status}: its creation failed and it cannot be updated. Delete the stack, then deploy again.`,
      { status }
    );
  }
  if (status.endsWith('_IN_PROGRESS')) {
    throw new DeploymentError(
      `${stackName} is ${status}: another operation is running; deploy again when it ends.`,
      {
        status
      }
    );
  }
  if (status === 'UPDATE_ROLLBACK_FAILED' || status.startsWith('DELETE_')) {
    throw new DeploymentError(
      `${stackName} is ${status}: fix it first (ContinueUpdateRollback, or delete it), then deploy again.`,
      { status }
    );
  }
  return 'UPDATE';
}

/**
 * The Parameters list: given values; on update, template parameters not given keep their previous values.
 * A previous value is passed as that value (read from DescribeStacks), and only NoEcho parameters (which
 * DescribeStacks masks) use UsePreviousValue: same result on AWS, and moto corrupts a stack updated with
 * UsePreviousValue (DescribeStacks then fails with "Fn::GetAtt references undefined resource").
 */
function buildParameters(
  prepared: PreparedDeployment,
  operation: 'CREATE' | 'UPDATE',
  existing: Stack | undefined
): Parameter[] {
  const previous = new Map((existing?.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue]));
  const keep = (name: string): Parameter => {
    const noEcho = prepared.templateParameters[name]?.NoEcho;
    const value = previous.get(name);
    return noEcho === true || noEcho === 'true' || value === undefined || value === '****'
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

async function waitForChangeSet(
  client: CloudFormationClient,
  prepared: PreparedDeployment,
  changeSetId: string
): Promise<DescribeChangeSetCommandOutput> {
  try {
    await waitUntilChangeSetCreateComplete(
      {
        client,
        maxWaitTime: prepared.timeoutSeconds,
        minDelay: prepared.pollDelaySeconds,
        maxDelay: Math.max(prepared.pollDelaySeconds, 30)
      },
      { StackName: prepared.stackName, ChangeSetName: changeSetId }
    );
  } catch {
    // FAILED (including an empty change set) or a timeout: the full description below tells which.
  }
  let page = await client.send(
    new DescribeChangeSetCommand({ StackName: prepared.stackName, ChangeSetName: changeSetId })
  );
  const changes = [...(page.Changes ?? [])];
  while (page.NextToken) {
    page = await client.send(
      new DescribeChangeSetCommand({
        StackName: prepared.stackName,
        ChangeSetName: changeSetId,
        NextToken: page.NextToken
      })
    );
    changes.push(...(page.Changes ?? []));
  }
  if (page.Status !== 'CREATE_COMPLETE' && page.Status !== 'FAILED') {
    throw new DeploymentError(
      `Change set ${prepared.changeSetName} is still ${page.Status} after ${prepared.timeoutSeconds} s.`,
      { status: page.Status }
    );
  }
  return { ...page, Changes: changes };
}

function changeRows(changes: Change[]): ResourceChangeRow[] {
  return changes
    .filter((c) => c.ResourceChange)
    .map((c) => {
      const rc = c.ResourceChange!;
      return {
        action: rc.Action ?? 'Unknown',
        logicalId: rc.LogicalResourceId ?? '',
        physicalId: rc.PhysicalResourceId,
        resourceType: rc.ResourceType ?? '',
        replacement: rc.Action === 'Modify' ? rc.Replacement : undefined,
        scope: rc.Scope ?? []
      };
    });
}

/** One line per resource change: `+ Add`, `~ Modify (replacement: True)`, `- Remove`. */
export function formatChanges(changes: ResourceChangeRow[]): string {
  if (changes.length === 0)
    return 'The change set lists no resource changes (parameters, outputs or tags only).';
  const sign: Record<string, string> = { Add: '+', Modify: '~', Remove: '-', Import: '>', Dynamic: '?' };
  return changes
    .map((c) => {
      const replacement = c.replacement ? ` (replacement: ${c.replacement})` : '';
      return `${sign[c.action] ?? '*'} ${c.action} ${c.logicalId} ${c.resourceType}${replacement}`;
    })
    .join('\n');
}

function outputsOf(stack: Stack | undefined): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const o of stack?.Outputs ?? []) if (o.OutputKey) outputs[o.OutputKey] = o.OutputValue ?? '';
  return outputs;
}

/**
 * The failed resource events of this operation only: DescribeStackEvents pages (newest first) are read
 * back to the stack's own event that started the operation; when CloudFormation tags the events with
 * our ClientRequestToken, events of other operations are skipped by it.
 */
async function operationFailures(
  client: CloudFormationClient,
  stackId: string,
  token: string
): Promise<StackFailure[]> {
  const events: StackEvent[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  outer: do {
    const page = await client.send(
      new DescribeStackEventsCommand({ StackName: stackId, NextToken: nextToken })
    );
    for (const event of page.StackEvents ?? []) {
      if (event.ClientRequestToken && event.ClientRequestToken !== token) {
        if (events.length) break outer;
        continue;
      }
      events.push(event);
      const isStart =
        event.ResourceType === 'AWS::CloudFormation::Stack' &&
        event.LogicalResourceId === event.StackName &&
        (event.ResourceStatus === 'CREATE_IN_PROGRESS' || event.ResourceStatus === 'UPDATE_IN_PROGRESS') &&
        /User Initiated/i.test(event.ResourceStatusReason ?? 'User Initiated');
      if (isStart) break outer;
    }
    nextToken = page.NextToken;
    pages++;
  } while (nextToken && pages < 20);
  return events
    .filter((e) => /FAILED$/.test(e.ResourceStatus ?? ''))
    .reverse()
    .map((e) => ({
      logicalId: e.LogicalResourceId ?? '',
      resourceType: e.ResourceType ?? '',
      status: e.ResourceStatus ?? '',
      reason: e.ResourceStatusReason ?? '(no reason given)',
      timestamp: e.Timestamp?.toISOString()
    }));
}

async function applyTerminationProtection(
  client: CloudFormationClient,
  reporter: Reporter,
  options: DeployStackOptions,
  stack: Stack | undefined,
  result: DeployStackResult
): Promise<void> {
  result.terminationProtection = stack?.EnableTerminationProtection;
  if (options.terminationProtection === undefined || !stack) return;
  if (Boolean(stack.EnableTerminationProtection) === options.terminationProtection) return;
  await client.send(
    new UpdateTerminationProtectionCommand({
      StackName: stack.StackId ?? result.stackName,
      EnableTerminationProtection: options.terminationProtection
    })
  );
  result.terminationProtection = options.terminationProtection;
  reporter.info(`Termination protection turned ${options.terminationProtection ? 'on' : 'off'}.`);
}

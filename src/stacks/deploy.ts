/**
 * deploy-stack: create or update a CloudFormation stack through a change set, show what it will do,
 * execute it, wait, and return every stack output; on failure, report the failed resources' events and
 * what was already changed.
 *
 * Three phases, which the faces (the action, `twotier deploy-stack`, the demo) call in turn and wrap in
 * their own log groups (the library opens none):
 *   prepareStack  validate every option and the template (prepare.ts), no AWS call; mask NoEcho values
 *                 before anything is logged.
 *   planStack     DescribeStacks, CreateChangeSet + DescribeChangeSet, print the changes. The change set
 *                 is the plan. An empty one is deleted here.
 *   applyStack    ExecuteChangeSet (or CreateStack), wait, UpdateTerminationProtection.
 * deployStack is the three in a row. The steps live in their own files: prepare.ts (validation), stack.ts (the
 * stack as it stands), definition.ts (template, parameters, tags), change-set.ts, create-stack.ts,
 * execute.ts (execution and waiting), events.ts (failed resources), context.ts (requests, writes, failures).
 *
 * API reference (CloudFormation): DescribeStacks, CreateChangeSet, DescribeChangeSet, DeleteChangeSet,
 * ExecuteChangeSet, CreateStack, DescribeStackEvents, UpdateTerminationProtection, each linked from the
 * file that calls it; index: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Operations.html
 */
import { CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';
import { clientConfig } from '../lib/aws.js';
import { ConfigurationError } from '../lib/errors.js';
import type { Reporter } from '../lib/reporter.js';
import { createChangeSet, formatChanges, settleFailedChangeSet } from './change-set.js';
import type { DeployContext } from './context.js';
import { createStackWithoutChangeSet } from './create-stack.js';
import { maskNoEchoValues, stackDefinition, type StackDefinition } from './definition.js';
import { executeChangeSet, waitForStack } from './execute.js';
import { prepareDeployment } from './prepare.js';
import { applyTerminationProtection, decideOperation, describeStack, outputsOf } from './stack.js';
import type { DeployStackOptions, DeployStackResult, PreparedDeployment, StackOperation } from './types.js';

/** What applyStack will do with a plan. */
export type StackPlanNext = 'execute-change-set' | 'create-stack' | 'none';

/**
 * A planned deployment: the change set created and described (or, with createWithoutChangeSet for a new
 * stack, the CreateStack request ready). Pass it to applyStack.
 */
export interface StackPlan {
  readonly stackName: string;
  /** CREATE for a new stack, UPDATE for an existing one. */
  readonly operation: StackOperation;
  /**
   * `execute-change-set`: the change set has changes; `create-stack`: a new stack for CreateStack;
   * `none`: nothing to execute (the change set was empty, status NO_CHANGES, or `noExecute`, status
   * CHANGE_SET_CREATED); applyStack then only sets termination protection (NO_CHANGES).
   */
  readonly next: StackPlanNext;
  /** The result so far: the change set and its resource changes (final when `next` is `none`). */
  readonly result: DeployStackResult;
  /** The run's state for applyStack (client, validated options, writes so far). */
  readonly context: DeployContext;
  /** The stack request fields (template, parameters, capabilities, tags, role). */
  readonly definition: StackDefinition;
  /** The stack as DescribeStacks last returned it (undefined for a new stack). */
  readonly stack?: Stack;
}

/** A validated deployment, for planStack: the options as given, their validated form, and the reporter. */
export interface StackPreparation {
  readonly options: DeployStackOptions;
  readonly prepared: PreparedDeployment;
  readonly reporter: Reporter;
}

/**
 * Validates a deployment without calling AWS (prepareDeployment: options, template file inside the
 * workspace, its resource types, every given parameter value against its Type and constraints), then hands
 * the given values of NoEcho parameters to `reporter.secret` and reports what the checks could not check
 * (`reporter.warn`). Call it before opening any log group, so a secret is masked before the first line.
 * @throws ConfigurationError naming the input, quoting the value (never a NoEcho one), saying what is valid.
 */
export function prepareStack(options: DeployStackOptions, reporter: Reporter): StackPreparation {
  const prepared = prepareDeployment(options);
  maskNoEchoValues(prepared, reporter);
  for (const warning of prepared.warnings) reporter.warn(warning);
  return { options, prepared, reporter };
}

/**
 * Plans a prepared deployment: reads the stack (DescribeStacks) to choose CREATE or UPDATE, creates the
 * change set (CreateChangeSet, waited for with waitUntilChangeSetCreateComplete, read with
 * DescribeChangeSet) and prints its resource changes. An empty change set ("didn't contain changes") is
 * deleted (DeleteChangeSet) and the plan has nothing to execute. With `createWithoutChangeSet` and no stack
 * yet, nothing is written: the CreateStack request is the plan.
 * @returns the plan, for applyStack.
 * @throws ConfigurationError (nothing in AWS changed) for a template parameter with no Default and no value,
 *   and for `noExecute` with `createWithoutChangeSet` for a new stack.
 * @throws DeploymentError naming the stack or change set and the region when a request fails, when the stack
 *   is in a state that cannot be deployed, or when the change set fails for another reason than being
 *   empty; its message and `changed` say whether the change set was created (and kept for review).
 */
export async function planStack(preparation: StackPreparation): Promise<StackPlan> {
  const { options, prepared, reporter } = preparation;
  const config = clientConfig('CLOUDFORMATION', prepared.aws);
  const client = new CloudFormationClient(config);
  const { stackName } = prepared;
  const result: DeployStackResult = {
    stackName,
    operation: 'CREATE',
    method: 'change-set',
    status: 'NEW',
    changed: false,
    executed: false,
    changes: [],
    outputs: {},
    failures: []
  };
  const ctx: DeployContext = {
    client,
    reporter,
    options,
    prepared,
    region: config.region,
    operation: 'CREATE',
    result,
    token: prepared.changeSetName,
    writes: [],
    settled: false
  };

  const existing = await describeStack(ctx);
  const operation = decideOperation(ctx, existing);
  ctx.operation = result.operation = operation;
  result.stackId = existing?.StackId;
  result.status = existing?.StackStatus ?? 'NEW';
  reporter.info(
    operation === 'CREATE'
      ? `${stackName} does not exist yet in ${ctx.region}: it will be created.`
      : `${stackName} is ${existing?.StackStatus}: it will be updated.`
  );
  const definition = stackDefinition(prepared, operation, existing, prepared.roleArn);
  const plan = (next: StackPlanNext, stack = existing): StackPlan => ({
    stackName,
    operation,
    next,
    result,
    context: ctx,
    definition,
    stack
  });

  if (operation === 'CREATE' && prepared.createWithoutChangeSet) {
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
    return plan('create-stack');
  }

  const changeSet = await createChangeSet(ctx, definition);
  if (changeSet.status === 'FAILED') {
    await settleFailedChangeSet(ctx, changeSet.reason);
    result.status = 'NO_CHANGES';
    const stack = await describeStack(ctx);
    result.outputs = outputsOf(stack);
    return plan('none', stack);
  }
  result.changes = changeSet.changes;
  result.changed = true;
  reporter.info(formatChanges(result.changes));
  if (!prepared.execute) {
    reporter.info(
      `Not executed (no-execute): review and execute change set ${prepared.changeSetName} yourself.`
    );
    result.status = 'CHANGE_SET_CREATED';
    return plan('none');
  }
  return plan('execute-change-set');
}

/**
 * Applies a plan: ExecuteChangeSet (or CreateStack) with the run's ClientRequestToken, waits for the stack
 * (waitUntilStackCreateComplete / waitUntilStackUpdateComplete, at most `timeout`), reads its outputs, then
 * turns termination protection on or off (UpdateTerminationProtection) when asked and different. A plan with
 * nothing to execute only gets its termination protection (NO_CHANGES) or is returned as it is (no-execute).
 * @returns the result with every stack output.
 * @throws DeploymentError when a request fails or the stack ends in any state but *_COMPLETE: its `result`
 *   holds the failed resources' events, and its message and `changed` say what was already changed ("the
 *   stack update ... was started ...; CloudFormation rolled it back to the previous template ...").
 */
export async function applyStack(plan: StackPlan): Promise<DeployStackResult> {
  const ctx = plan.context;
  if (plan.next === 'none') {
    if (plan.result.status === 'NO_CHANGES') await applyTerminationProtection(ctx, plan.stack);
    return plan.result;
  }
  if (plan.next === 'create-stack') await createStackWithoutChangeSet(ctx, plan.definition);
  else await executeChangeSet(ctx);
  const stack = await waitForStack(ctx);
  await applyTerminationProtection(ctx, stack);
  return plan.result;
}

/**
 * Creates or updates a stack through a change set and waits for it: prepareStack, planStack, then
 * applyStack (see each for the steps, the AWS APIs and the errors).
 * @returns the result with every stack output.
 * @throws ConfigurationError for bad options (nothing in AWS changed); DeploymentError as planStack and
 *   applyStack say, with the partial result and what was already changed.
 */
export async function deployStack(
  options: DeployStackOptions,
  reporter: Reporter
): Promise<DeployStackResult> {
  return applyStack(await planStack(prepareStack(options, reporter)));
}

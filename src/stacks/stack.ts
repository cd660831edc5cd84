/**
 * The stack as it stands: read it, decide between CREATE and UPDATE from its status, collect its outputs,
 * and set its termination protection.
 *
 * API reference (CloudFormation):
 *   DescribeStacks     https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
 *   UpdateTerminationProtection https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateTerminationProtection.html
 */
import {
  DescribeStacksCommand,
  UpdateTerminationProtectionCommand,
  type CloudFormationClient,
  type Stack
} from '@aws-sdk/client-cloudformation';
import { DeploymentError, messageOf } from '../lib/errors.js';
import type { DeployContext } from './context.js';
import type { StackOperation } from './types.js';

/**
 * The stack by name or ID (DescribeStacks), or undefined when it does not exist.
 * @throws the SDK error for anything but "does not exist".
 */
export async function describeStack(
  client: CloudFormationClient,
  stackName: string
): Promise<Stack | undefined> {
  try {
    const out = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    return out.Stacks?.[0];
  } catch (error) {
    if (/does not exist/.test(messageOf(error))) return undefined;
    throw error;
  }
}

/**
 * CREATE when there is no stack (or one in REVIEW_IN_PROGRESS, created by a change set never executed),
 * UPDATE when it is stable.
 * @throws DeploymentError (details `{status}`) when the stack failed its creation, is busy, or is stuck in
 *   UPDATE_ROLLBACK_FAILED / DELETE_*: saying what to do first.
 */
export function decideOperation(stackName: string, stack: Stack | undefined): StackOperation {
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
      { status }
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

/** Every output of the stack, OutputKey → OutputValue (empty for no stack). */
export function outputsOf(stack: Stack | undefined): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const o of stack?.Outputs ?? []) if (o.OutputKey) outputs[o.OutputKey] = o.OutputValue ?? '';
  return outputs;
}

/**
 * Records the stack's termination protection in the result, and turns it on or off
 * (UpdateTerminationProtection) when the options ask for a setting different from the stack's.
 * @throws the SDK error of UpdateTerminationProtection.
 */
export async function applyTerminationProtection(
  ctx: DeployContext,
  stack: Stack | undefined
): Promise<void> {
  const { options, result } = ctx;
  result.terminationProtection = stack?.EnableTerminationProtection;
  if (options.terminationProtection === undefined || !stack) return;
  if (Boolean(stack.EnableTerminationProtection) === options.terminationProtection) return;
  await ctx.client.send(
    new UpdateTerminationProtectionCommand({
      StackName: stack.StackId ?? result.stackName,
      EnableTerminationProtection: options.terminationProtection
    })
  );
  result.terminationProtection = options.terminationProtection;
  ctx.reporter.info(`Termination protection turned ${options.terminationProtection ? 'on' : 'off'}.`);
}

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
  type Stack
} from '@aws-sdk/client-cloudformation';
import { messageOf } from '../lib/errors.js';
import { call, failure, stackResource, type DeployContext } from './context.js';
import type { StackOperation } from './types.js';

/**
 * The stack by name or ID (DescribeStacks), or undefined when it does not exist (CloudFormation answers
 * ValidationError "Stack with id X does not exist", the expected answer before a create).
 * @throws DeploymentError naming the stack and the region for any other error.
 */
export async function describeStack(
  ctx: DeployContext,
  stackName: string = ctx.prepared.stackName
): Promise<Stack | undefined> {
  const out = await call(
    ctx,
    'DescribeStacks',
    { resource: stackResource(ctx), expected: (error) => /does not exist/.test(messageOf(error)) },
    () => ctx.client.send(new DescribeStacksCommand({ StackName: stackName }))
  );
  return out?.Stacks?.[0];
}

/**
 * CREATE when there is no stack (or one in REVIEW_IN_PROGRESS, created by a change set never executed),
 * UPDATE when it is stable.
 * @throws DeploymentError (details `{status}`) when the stack failed its creation, is busy, or is stuck in
 *   UPDATE_ROLLBACK_FAILED / DELETE_*: saying what to do first.
 */
export function decideOperation(ctx: DeployContext, stack: Stack | undefined): StackOperation {
  const { stackName } = ctx.prepared;
  const status = stack?.StackStatus;
  const refuse = (why: string) => failure(ctx, `${stackName} is ${status}: ${why}`, { details: { status } });
  if (!status || status === 'REVIEW_IN_PROGRESS') return 'CREATE';
  if (status === 'ROLLBACK_COMPLETE' || status === 'ROLLBACK_FAILED' || status === 'CREATE_FAILED') {
    throw refuse('its creation failed and it cannot be updated. Delete the stack, then deploy again.');
  }
  if (status.endsWith('_IN_PROGRESS')) {
    throw refuse('another operation is running; deploy again when it ends.');
  }
  if (status === 'UPDATE_ROLLBACK_FAILED' || status.startsWith('DELETE_')) {
    throw refuse('fix it first (ContinueUpdateRollback, or delete it), then deploy again.');
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
 * @throws DeploymentError naming the stack and what the run had already changed when
 *   UpdateTerminationProtection fails.
 */
export async function applyTerminationProtection(
  ctx: DeployContext,
  stack: Stack | undefined
): Promise<void> {
  const { prepared, result } = ctx;
  result.terminationProtection = stack?.EnableTerminationProtection;
  if (prepared.terminationProtection === undefined || !stack) return;
  if (Boolean(stack.EnableTerminationProtection) === prepared.terminationProtection) return;
  await call(ctx, 'UpdateTerminationProtection', { resource: stackResource(ctx) }, () =>
    ctx.client.send(
      new UpdateTerminationProtectionCommand({
        StackName: stack.StackId ?? result.stackName,
        EnableTerminationProtection: prepared.terminationProtection
      })
    )
  );
  ctx.writes.push({ api: 'UpdateTerminationProtection', enabled: prepared.terminationProtection });
  result.terminationProtection = prepared.terminationProtection;
  ctx.reporter.info(`Termination protection turned ${prepared.terminationProtection ? 'on' : 'off'}.`);
}

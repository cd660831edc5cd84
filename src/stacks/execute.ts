/**
 * Execution and waiting: execute the change set, wait for the stack operation to end, and turn an end in
 * any state but <OPERATION>_COMPLETE into a DeploymentError listing the failed resources and saying what
 * the run changed.
 *
 * API reference (CloudFormation):
 *   ExecuteChangeSet   https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html
 *   DescribeStacks     https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
 *   (waitUntilStackCreateComplete / waitUntilStackUpdateComplete poll DescribeStacks)
 */
import {
  ExecuteChangeSetCommand,
  waitUntilStackCreateComplete,
  waitUntilStackUpdateComplete,
  type Stack
} from '@aws-sdk/client-cloudformation';
import { messageOf } from '../lib/errors.js';
import {
  call,
  changeSetResource,
  failure,
  stackResource,
  waiterConfig,
  type DeployContext
} from './context.js';
import { operationFailures } from './events.js';
import { describeStack, outputsOf } from './stack.js';

/**
 * ExecuteChangeSet for the run's change set, with the run's ClientRequestToken; marks the result executed.
 * @throws DeploymentError naming the change set and the region when ExecuteChangeSet fails (status
 *   EXECUTECHANGESET_FAILED), saying the change set was created and kept.
 */
export async function executeChangeSet(ctx: DeployContext): Promise<void> {
  const { client, prepared, result } = ctx;
  await call(ctx, 'ExecuteChangeSet', { resource: changeSetResource(ctx) }, () =>
    client.send(
      new ExecuteChangeSetCommand({
        StackName: prepared.stackName,
        ChangeSetName: result.changeSetId,
        ClientRequestToken: ctx.token
      })
    )
  );
  result.executed = true;
}

/**
 * Waits (SDK waiter, at most `timeoutSeconds`) for the stack operation to end, then reads the stack once
 * more: the result gets its final status, stack ID and outputs.
 * @returns the stack as DescribeStacks returned it at the end.
 * @throws DeploymentError `<stack> ended in <status> (<reason>); first failure: ...` plus what was changed
 *   ("CloudFormation rolled it back ..."), with `result` holding the failed resources' events
 *   (DescribeStackEvents) when the status is not <operation>_COMPLETE, a waiter timeout included (the
 *   stack is then still *_IN_PROGRESS).
 */
export async function waitForStack(ctx: DeployContext): Promise<Stack | undefined> {
  const { reporter, prepared, result, operation } = ctx;
  const { stackName } = prepared;
  try {
    if (operation === 'CREATE')
      await waitUntilStackCreateComplete(waiterConfig(ctx), { StackName: stackName });
    else await waitUntilStackUpdateComplete(waiterConfig(ctx), { StackName: stackName });
  } catch (error) {
    reporter.debug(`waiter: ${messageOf(error)}`);
  }

  const stack = await describeStack(ctx, result.stackId ?? stackName);
  result.status = stack?.StackStatus ?? 'UNKNOWN';
  result.stackId = stack?.StackId ?? result.stackId;
  result.outputs = outputsOf(stack);
  ctx.settled = stack !== undefined;
  if (result.status !== `${operation}_COMPLETE`) {
    let eventsNote = '';
    try {
      result.failures = await operationFailures(ctx.client, result.stackId ?? stackName, ctx.token);
    } catch (error) {
      eventsNote = ` (DescribeStackEvents for ${stackResource(ctx)} in ${ctx.region} failed: ${messageOf(error)})`;
    }
    for (const failed of result.failures) {
      reporter.info(`✗ ${failed.logicalId} (${failed.resourceType}) ${failed.status}: ${failed.reason}`);
    }
    const first = result.failures[0];
    const ended = result.status.endsWith('_IN_PROGRESS')
      ? `is still ${result.status} after ${prepared.timeoutSeconds} s (timeout-minutes)`
      : `ended in ${result.status}`;
    throw failure(
      ctx,
      `${stackName} ${ended}${stack?.StackStatusReason ? ` (${stack.StackStatusReason})` : ''}` +
        (first ? `; first failure: ${first.logicalId} ${first.status}: ${first.reason}` : '') +
        eventsNote
    );
  }
  reporter.info(`${stackName}: ${result.status}, ${Object.keys(result.outputs).length} outputs.`);
  return stack;
}

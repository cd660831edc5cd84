/**
 * Execution and waiting: execute the change set, wait for the stack operation to end, and turn an end in
 * any state but <OPERATION>_COMPLETE into a DeploymentError listing the failed resources.
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
import { DeploymentError, messageOf } from '../lib/errors.js';
import { attempt, waiterConfig, type DeployContext } from './context.js';
import { operationFailures } from './events.js';
import { describeStack, outputsOf } from './stack.js';
import type { StackOperation } from './types.js';

/**
 * ExecuteChangeSet for the run's change set, with the run's ClientRequestToken; marks the result executed.
 * @throws DeploymentError when ExecuteChangeSet fails (`details.result`, status EXECUTECHANGESET_FAILED).
 */
export async function executeChangeSet(ctx: DeployContext): Promise<void> {
  const { client, reporter, prepared, result } = ctx;
  await reporter.group(`Execute ${prepared.changeSetName}`, async () => {
    await attempt(ctx, 'ExecuteChangeSet', () =>
      client.send(
        new ExecuteChangeSetCommand({
          StackName: prepared.stackName,
          ChangeSetName: result.changeSetId,
          ClientRequestToken: ctx.token
        })
      )
    );
    result.executed = true;
  });
}

/**
 * Waits (SDK waiter, at most `timeoutSeconds`) for the stack operation to end, then reads the stack once
 * more: the result gets its final status, stack ID and outputs.
 * @returns the stack as DescribeStacks returned it at the end.
 * @throws DeploymentError `<stack> ended in <status> (<reason>); first failure: ...` with `details.result`
 *   holding the failed resources' events (DescribeStackEvents) when the status is not
 *   <operation>_COMPLETE, a waiter timeout included (the stack is then still *_IN_PROGRESS).
 */
export async function waitForStack(
  ctx: DeployContext,
  operation: StackOperation
): Promise<Stack | undefined> {
  const { client, reporter, prepared, result } = ctx;
  const { stackName } = prepared;
  await reporter.group(`Wait for ${stackName} (${operation})`, async () => {
    try {
      if (operation === 'CREATE')
        await waitUntilStackCreateComplete(waiterConfig(ctx), { StackName: stackName });
      else await waitUntilStackUpdateComplete(waiterConfig(ctx), { StackName: stackName });
    } catch (error) {
      reporter.debug(`waiter: ${messageOf(error)}`);
    }
  });

  const stack = await describeStack(client, result.stackId ?? stackName);
  result.status = stack?.StackStatus ?? 'UNKNOWN';
  result.stackId = stack?.StackId ?? result.stackId;
  result.outputs = outputsOf(stack);
  if (result.status !== `${operation}_COMPLETE`) {
    result.failures = await operationFailures(client, result.stackId ?? stackName, ctx.token);
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
  return stack;
}

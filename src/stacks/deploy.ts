/**
 * deploy-stack: create or update a CloudFormation stack through a change set, show what it will do,
 * execute it, wait, and return every stack output; on failure, report the failed resources' events.
 * The phases live in their own files: prepare.ts (validation), stack.ts (the stack as it stands),
 * definition.ts (template, parameters, tags), change-set.ts, create-stack.ts, execute.ts (execution and
 * waiting), events.ts (failed resources).
 *
 * API reference (CloudFormation): DescribeStacks, CreateChangeSet, DescribeChangeSet, DeleteChangeSet,
 * ExecuteChangeSet, CreateStack, DescribeStackEvents, UpdateTerminationProtection, each linked from the
 * file that calls it; index: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Operations.html
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { clientConfig } from '../lib/aws.js';
import type { Reporter } from '../lib/reporter.js';
import { createChangeSet, formatChanges, settleFailedChangeSet } from './change-set.js';
import type { DeployContext } from './context.js';
import { createStackWithoutChangeSet } from './create-stack.js';
import { maskNoEchoValues, stackDefinition } from './definition.js';
import { executeChangeSet, waitForStack } from './execute.js';
import { prepareDeployment } from './prepare.js';
import { applyTerminationProtection, decideOperation, describeStack, outputsOf } from './stack.js';
import type { DeployStackOptions, DeployStackResult } from './types.js';

/**
 * Creates or updates a stack through a change set and waits for it.
 *
 * 1. Validates every option (prepareDeployment) before any AWS call.
 * 2. DescribeStacks: no stack (or one in REVIEW_IN_PROGRESS) → CREATE; a stable stack → UPDATE, with
 *    template parameters not given keeping their previous values; any other state fails.
 * 3. CreateChangeSet (ChangeSetType CREATE/UPDATE), waitUntilChangeSetCreateComplete. An empty change set
 *    (FAILED, "didn't contain changes") is deleted and the deploy succeeds with status NO_CHANGES.
 *    With `createWithoutChangeSet`, a new stack is made with CreateStack instead.
 * 4. Prints the change set (add / modify / remove, replacement). With `execute: false` stops here.
 * 5. ExecuteChangeSet, waitUntilStackCreateComplete / waitUntilStackUpdateComplete (at most
 *    `timeoutSeconds` seconds each for the change set and the stack).
 * 6. UpdateTerminationProtection when asked and different.
 * @returns the result with every stack output.
 * @throws ConfigurationError for bad options (nothing in AWS changed); DeploymentError when the stack is
 *   in a state that cannot be deployed, when the change set fails for another reason than being empty, or
 *   when the stack ends in any state but *_COMPLETE (its `details.result` is the DeployStackResult with
 *   the failed resources' events).
 */
export async function deployStack(
  options: DeployStackOptions,
  reporter: Reporter
): Promise<DeployStackResult> {
  const prepared = prepareDeployment(options);
  const client = new CloudFormationClient(clientConfig('CLOUDFORMATION', options.aws));
  const { stackName } = prepared;
  maskNoEchoValues(prepared, reporter);

  const existing = await reporter.group(`Stack ${stackName}`, () => describeStack(client, stackName));
  const operation = decideOperation(stackName, existing);
  reporter.info(
    operation === 'CREATE'
      ? `${stackName} does not exist yet: it will be created.`
      : `${stackName} is ${existing?.StackStatus}: it will be updated.`
  );
  const definition = stackDefinition(prepared, operation, existing, options.roleArn);
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
  const ctx: DeployContext = { client, reporter, options, prepared, result, token: prepared.changeSetName };

  if (operation === 'CREATE' && options.createWithoutChangeSet) {
    await createStackWithoutChangeSet(ctx, definition);
  } else {
    const changeSet = await reporter.group(`Change set ${prepared.changeSetName}`, () =>
      createChangeSet(ctx, operation, definition)
    );
    if (changeSet.status === 'FAILED') {
      await settleFailedChangeSet(ctx, changeSet.reason);
      result.status = 'NO_CHANGES';
      const stack = await describeStack(client, stackName);
      result.outputs = outputsOf(stack);
      await applyTerminationProtection(ctx, stack);
      return result;
    }
    result.changes = changeSet.changes;
    result.changed = true;
    reporter.info(formatChanges(result.changes));
    if (!prepared.execute) {
      reporter.info(
        `Not executed (no-execute): review and execute change set ${prepared.changeSetName} yourself.`
      );
      result.status = 'CHANGE_SET_CREATED';
      return result;
    }
    await executeChangeSet(ctx);
  }

  const stack = await waitForStack(ctx, operation);
  await applyTerminationProtection(ctx, stack);
  return result;
}

/**
 * The CreateStack fallback (createWithoutChangeSet): a stack that does not exist yet is created directly,
 * without a CREATE change set and so without a preview of its resources.
 *
 * API reference (CloudFormation):
 *   CreateStack        https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html
 */
import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { ConfigurationError } from '../lib/errors.js';
import { attempt, type DeployContext } from './context.js';
import type { StackDefinition } from './definition.js';

/**
 * CreateStack with the definition, termination protection as asked, and the run's ClientRequestToken;
 * marks the result as method create-stack, executed and changed, with the new stack's ID. Does not wait.
 * @throws ConfigurationError (input `no-execute`) when the deployment is not to be executed: CreateStack
 *   has no preview; thrown before the call.
 * @throws DeploymentError when CreateStack fails (`details.result`, status CREATESTACK_FAILED).
 */
export async function createStackWithoutChangeSet(
  ctx: DeployContext,
  definition: StackDefinition
): Promise<void> {
  const { client, reporter, prepared, options, result } = ctx;
  if (!prepared.execute) {
    throw new ConfigurationError(
      'no-execute cannot be combined with create-without-change-set for a new stack: CreateStack has no preview.',
      'no-execute'
    );
  }
  result.method = 'create-stack';
  reporter.warn(
    `Creating ${prepared.stackName} with CreateStack, without a change set (create-without-change-set): no preview of the resources.`
  );
  await reporter.group('Create stack (CreateStack)', async () => {
    const created = await attempt(ctx, 'CreateStack', () =>
      client.send(
        new CreateStackCommand({
          ...definition,
          EnableTerminationProtection: options.terminationProtection,
          ClientRequestToken: ctx.token
        })
      )
    );
    result.stackId = created?.StackId;
    result.executed = true;
    result.changed = true;
  });
}

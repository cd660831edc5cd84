/**
 * The CreateStack fallback (createWithoutChangeSet): a stack that does not exist yet is created directly,
 * without a CREATE change set and so without a preview of its resources.
 *
 * API reference (CloudFormation):
 *   CreateStack        https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html
 */
import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { call, stackResource, type DeployContext } from './context.js';
import type { StackDefinition } from './definition.js';

/**
 * CreateStack with the definition, termination protection as asked, and the run's ClientRequestToken;
 * marks the result as executed and changed, with the new stack's ID. Does not wait.
 * @throws DeploymentError naming the stack and the region when CreateStack fails (status
 *   CREATESTACK_FAILED; nothing was created).
 */
export async function createStackWithoutChangeSet(
  ctx: DeployContext,
  definition: StackDefinition
): Promise<void> {
  const { client, prepared, result } = ctx;
  const created = await call(ctx, 'CreateStack', { resource: stackResource(ctx) }, () =>
    client.send(
      new CreateStackCommand({
        ...definition,
        EnableTerminationProtection: prepared.terminationProtection,
        ClientRequestToken: ctx.token
      })
    )
  );
  result.stackId = created?.StackId;
  result.executed = true;
  result.changed = true;
}

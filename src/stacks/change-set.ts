/**
 * The change set: create it, wait until CloudFormation has computed it, read its resource changes, and
 * recognise (and delete) an empty one, which is a successful deploy with nothing to do.
 *
 * API reference (CloudFormation):
 *   CreateChangeSet    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html
 *   DescribeChangeSet  https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html
 *   DeleteChangeSet    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteChangeSet.html
 */
import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  waitUntilChangeSetCreateComplete,
  type Change
} from '@aws-sdk/client-cloudformation';
import { messageOf } from '../lib/errors.js';
import { call, changeSetResource, failure, waiterConfig, type DeployContext } from './context.js';
import type { StackDefinition } from './definition.js';
import type { ResourceChangeRow } from './types.js';

/** The reasons CloudFormation gives for a change set (or update) with nothing to change. */
const EMPTY_CHANGE_SET = /didn't contain changes|No updates are to be performed/i;

/** What formatChanges and the job summary say about a change set without resource changes. */
export const NO_RESOURCE_CHANGES =
  'The change set lists no resource changes (parameters, outputs or tags only).';

/** A computed change set: CREATE_COMPLETE with its resource changes, or FAILED with the reason. */
export interface ComputedChangeSet {
  status: 'CREATE_COMPLETE' | 'FAILED';
  reason: string;
  /** Every resource change, all DescribeChangeSet pages. */
  changes: ResourceChangeRow[];
}

/**
 * CreateChangeSet (ChangeSetType `ctx.operation`), then waitUntilChangeSetCreateComplete within
 * `timeoutSeconds`, then DescribeChangeSet (every page). Sets the result's changeSetId, changeSetName and
 * stackId. An update CloudFormation refuses outright ("No updates are to be performed.") comes back as a
 * FAILED change set with that reason, with nothing created.
 * @throws DeploymentError naming the change set, the stack and the region when CreateChangeSet fails
 *   otherwise (status CREATECHANGESET_FAILED) or DescribeChangeSet fails, or when the change set is neither
 *   CREATE_COMPLETE nor FAILED at the timeout; each says the change set was created and kept.
 */
export async function createChangeSet(
  ctx: DeployContext,
  definition: StackDefinition
): Promise<ComputedChangeSet> {
  const { client, prepared, result, operation } = ctx;
  // An update with nothing to change may be refused outright ("No updates are to be performed.")
  // instead of producing a FAILED change set: the same no-change outcome, with nothing to delete.
  const created = await call(
    ctx,
    'CreateChangeSet',
    {
      resource: changeSetResource(ctx),
      expected: (error) => operation === 'UPDATE' && isEmptyChangeSet(messageOf(error))
    },
    () =>
      client.send(
        new CreateChangeSetCommand({
          ...definition,
          ChangeSetName: prepared.changeSetName,
          ChangeSetType: operation,
          Description: `twotier deploy-stack ${new Date().toISOString()}`
        })
      )
  );
  if (!created) return { status: 'FAILED', reason: 'No updates are to be performed.', changes: [] };
  result.changeSetId = created.Id;
  result.changeSetName = prepared.changeSetName;
  result.stackId = created.StackId ?? result.stackId;
  return waitForChangeSet(ctx, created.Id ?? prepared.changeSetName);
}

async function waitForChangeSet(ctx: DeployContext, changeSetId: string): Promise<ComputedChangeSet> {
  const { client, prepared } = ctx;
  try {
    await waitUntilChangeSetCreateComplete(waiterConfig(ctx), {
      StackName: prepared.stackName,
      ChangeSetName: changeSetId
    });
  } catch {
    // FAILED (including an empty change set) or a timeout: the full description below tells which.
  }
  const describe = (NextToken?: string) =>
    call(ctx, 'DescribeChangeSet', { resource: changeSetResource(ctx) }, () =>
      client.send(
        new DescribeChangeSetCommand({ StackName: prepared.stackName, ChangeSetName: changeSetId, NextToken })
      )
    );
  let page = (await describe())!;
  const changes = [...(page.Changes ?? [])];
  while (page.NextToken) {
    page = (await describe(page.NextToken))!;
    changes.push(...(page.Changes ?? []));
  }
  if (page.Status !== 'CREATE_COMPLETE' && page.Status !== 'FAILED') {
    throw failure(
      ctx,
      `Change set ${prepared.changeSetName} of ${prepared.stackName} is still ${page.Status} after ${prepared.timeoutSeconds} s`,
      { status: `CHANGE_SET_${page.Status ?? 'UNKNOWN'}`, details: { status: page.Status } }
    );
  }
  return { status: page.Status, reason: page.StatusReason ?? '', changes: changeRows(changes) };
}

/** True when a FAILED change set's reason says it is empty (a deploy with nothing to do). */
function isEmptyChangeSet(reason: string): boolean {
  return EMPTY_CHANGE_SET.test(reason);
}

/**
 * Settles a FAILED change set. Empty (the reason says it "didn't contain changes"): logs it, deletes the
 * change set (DeleteChangeSet) when one was created, and returns; a failed delete is a warning (the deploy
 * had nothing to do either way). Any other reason is a failure, and the change set is kept for review.
 * @throws DeploymentError `Change set <name> for <stack> failed: <reason>` with `result` (status
 *   CHANGE_SET_FAILED) when the change set failed for another reason than being empty.
 */
export async function settleFailedChangeSet(ctx: DeployContext, reason: string): Promise<void> {
  const { client, reporter, prepared, result } = ctx;
  if (!isEmptyChangeSet(reason)) {
    throw failure(ctx, `Change set ${prepared.changeSetName} for ${prepared.stackName} failed: ${reason}`, {
      status: 'CHANGE_SET_FAILED'
    });
  }
  reporter.info(`No changes: ${reason}`);
  if (!result.changeSetId) return;
  try {
    await call(ctx, 'DeleteChangeSet', { resource: changeSetResource(ctx) }, () =>
      client.send(
        new DeleteChangeSetCommand({ StackName: prepared.stackName, ChangeSetName: result.changeSetId })
      )
    );
    reporter.info(`Deleted the empty change set ${prepared.changeSetName}.`);
  } catch (error) {
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
    reporter.warn(
      `DeleteChangeSet for ${changeSetResource(ctx)} in ${ctx.region} failed (${messageOf(cause)}): the empty change set is left; it changes nothing and may be deleted by hand.`
    );
  }
}

/** The resource changes of DescribeChangeSet's Changes, in order (other change types skipped). */
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
  if (changes.length === 0) return NO_RESOURCE_CHANGES;
  const sign: Record<string, string> = { Add: '+', Modify: '~', Remove: '-', Import: '>', Dynamic: '?' };
  return changes
    .map((c) => {
      const replacement = c.replacement ? ` (replacement: ${c.replacement})` : '';
      return `${sign[c.action] ?? '*'} ${c.action} ${c.logicalId} ${c.resourceType}${replacement}`;
    })
    .join('\n');
}

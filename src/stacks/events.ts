/**
 * Stack events: the failed resources of this run's operation, for the error message and the job summary.
 *
 * API reference (CloudFormation):
 *   DescribeStackEvents https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackEvents.html
 */
import {
  DescribeStackEventsCommand,
  type CloudFormationClient,
  type StackEvent
} from '@aws-sdk/client-cloudformation';
import type { StackFailure } from './types.js';

/** DescribeStackEvents pages read at most while looking for the start of the operation. */
const MAX_EVENT_PAGES = 20;

/**
 * The failed resource events of this operation only, oldest first: DescribeStackEvents pages (newest
 * first, at most 20) are read back to the stack's own event that started the operation; when
 * CloudFormation tags the events with our ClientRequestToken (`token`), events of other operations are
 * skipped by it.
 * @throws the SDK error of DescribeStackEvents.
 */
export async function operationFailures(
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
  } while (nextToken && pages < MAX_EVENT_PAGES);
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

/**
 * Reading a container's log lines from CloudWatch Logs, using the awslogs settings of its task definition.
 * Stream names follow the awslogs driver: `<awslogs-stream-prefix>/<container name>/<task id>`
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html).
 * AWS API: GetLogEvents — https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html
 */
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { clientConfig, type AwsOptions } from '../lib/aws.js';
import { errorName } from '../lib/errors.js';

/** Where a container's logs are, or undefined when it does not use awslogs with a stream prefix. */
export interface LogLocation {
  group: string;
  stream: string;
  region?: string;
}

/** The CloudWatch Logs stream of one container of one task. */
export function logLocation(container: ContainerDefinition, taskId: string): LogLocation | undefined {
  const config = container.logConfiguration;
  if (config?.logDriver !== 'awslogs') return undefined;
  const group = config.options?.['awslogs-group'];
  const prefix = config.options?.['awslogs-stream-prefix'];
  if (!group || !prefix) return undefined;
  return {
    group,
    stream: `${prefix}/${container.name}/${taskId}`,
    region: config.options?.['awslogs-region']
  };
}

/**
 * Reads up to `maxLines` lines of a log stream from the start.
 * @returns the messages, oldest first; an empty list when the stream does not exist (yet).
 */
export async function readLogLines(
  location: LogLocation,
  options: AwsOptions,
  maxLines = 1000
): Promise<string[]> {
  const logs = new CloudWatchLogsClient(
    clientConfig('CLOUDWATCH_LOGS', { ...options, region: location.region ?? options.region })
  );
  const lines: string[] = [];
  let token: string | undefined;
  try {
    for (;;) {
      const page = await logs.send(
        new GetLogEventsCommand({
          logGroupName: location.group,
          logStreamName: location.stream,
          startFromHead: true,
          nextToken: token
        })
      );
      for (const event of page.events ?? []) if (lines.length < maxLines) lines.push(event.message ?? '');
      if (!page.nextForwardToken || page.nextForwardToken === token || lines.length >= maxLines) break;
      token = page.nextForwardToken;
    }
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return lines;
    throw error;
  } finally {
    logs.destroy();
  }
  return lines;
}

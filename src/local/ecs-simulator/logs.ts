/**
 * Writes the log lines of simulated containers to CloudWatch Logs (moto server) through the real
 * `@aws-sdk/client-cloudwatch-logs`, for containers whose logConfiguration uses the `awslogs` driver.
 * Stream names follow ECS: `<awslogs-stream-prefix>/<container name>/<task ID>`
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html).
 * APIs: CreateLogGroup, CreateLogStream, PutLogEvents
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html).
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand
} from '@aws-sdk/client-cloudwatch-logs';
import { DEFAULT_FAILURE_LOG, failingContainer } from './scenarios.js';
import type { Json, Task } from './state.js';

/** Writes a task's container logs; `write` returns a flag that turns true once the write settled. */
export interface LogWriter {
  write(task: Task): { done: boolean };
  /** Errors of writes that failed (the simulator keeps going without the logs). */
  readonly errors: string[];
  destroy(): void;
}

/** The lines a container writes: what it runs, then the rule's lines when it is the failing container. */
export function containerLogLines(task: Task, containerName: string): string[] {
  const container = task.containers.find((c) => c.name === containerName);
  const lines = [`running: ${container?.command ?? ''}`.trimEnd()];
  const failing = task.rule ? failingContainer(task.rule, task.containers) : undefined;
  if (failing?.name === containerName && task.rule?.scenario === 'essential-container-exit') {
    lines.push(...(task.rule.logLines ?? DEFAULT_FAILURE_LOG));
  }
  return lines;
}

const isAlreadyExists = (error: unknown): boolean =>
  (error as { name?: string } | undefined)?.name === 'ResourceAlreadyExistsException';

/**
 * A LogWriter against `endpoint` (a moto server URL) in `region`, with throwaway credentials.
 */
export function createLogWriter(endpoint: string, region: string): LogWriter {
  const client = new CloudWatchLogsClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 3
  });
  const errors: string[] = [];
  const writeContainer = async (task: Task, name: string, options: Json): Promise<void> => {
    const group = String(options['awslogs-group'] ?? '');
    const prefix = options['awslogs-stream-prefix'];
    if (!group || typeof prefix !== 'string') return;
    const stream = `${prefix}/${name}/${task.id}`;
    // ECS needs awslogs-create-group (or an existing group); the simulator always creates it.
    await client.send(new CreateLogGroupCommand({ logGroupName: group })).catch((e: unknown) => {
      if (!isAlreadyExists(e)) throw e;
    });
    await client
      .send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }))
      .catch((e: unknown) => {
        if (!isAlreadyExists(e)) throw e;
      });
    const now = Date.now();
    await client.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        logEvents: containerLogLines(task, name).map((message, i) => ({ timestamp: now + i, message }))
      })
    );
  };
  return {
    errors,
    write(task) {
      const flag = { done: false };
      const jobs = task.containers
        .filter((c) => c.logConfiguration?.logDriver === 'awslogs')
        .map((c) => writeContainer(task, c.name, (c.logConfiguration?.options as Json | undefined) ?? {}));
      void Promise.allSettled(jobs).then((results) => {
        for (const r of results)
          if (r.status === 'rejected') errors.push(String((r.reason as Error)?.message ?? r.reason));
        flag.done = true;
      });
      return flag;
    },
    destroy() {
      client.destroy();
    }
  };
}

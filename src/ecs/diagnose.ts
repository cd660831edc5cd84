/**
 * Diagnosis of a failed rollout or one-off task: stopped tasks grouped by `stoppedReason` and container exit
 * code, each group with a hint that says where to look. Tasks come from ListTasks (desiredStatus STOPPED) and
 * DescribeTasks:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html
 */
import { DescribeTasksCommand, ListTasksCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';

/** Stopped tasks that share a reason and an exit code. */
export interface StoppedTaskGroup {
  /** The task's stoppedReason, with task-specific identifiers left in. */
  reason: string;
  stopCode?: string;
  /** The first non-zero (or only) exit code of an essential container, with its name. */
  container?: string;
  exitCode?: number;
  /** The container's own reason (for example CannotPullContainerError details). */
  containerReason?: string;
  count: number;
  /** Task ids (the last part of the ARN), at most 5. */
  taskIds: string[];
  hint?: string;
}

/**
 * The hint for one kind of failure, or undefined when the reason says nothing we can help with.
 * Checked in order; the first match wins.
 */
export function hintFor(reason: string, exitCode?: number, container?: string): string | undefined {
  const text = reason;
  if (
    /ParameterNotFound|unable to retrieve secret|secretsmanager|ResourceNotFoundException.*secret|unable to retrieve secrets/i.test(
      text
    )
  ) {
    return 'A secret could not be read: check that each secret `valueFrom` (SSM parameter or Secrets Manager ARN) exists in this region and account, and that the task execution role allows ssm:GetParameters / secretsmanager:GetSecretValue (and kms:Decrypt for a customer-managed key).';
  }
  if (/CannotPullContainerError|ResourceInitializationError|pull image|registry auth/i.test(text)) {
    return 'The task could not pull its image or start its resources: check that the image URI and tag exist in ECR; that private subnets have egress (a NAT gateway, or VPC endpoints for ecr.api, ecr.dkr, logs, ssm/secretsmanager plus an S3 gateway endpoint) or the task has a public IP in a public subnet; and that the task execution role allows ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, logs:CreateLogStream and logs:PutLogEvents.';
  }
  if (/failed container health checks/i.test(text)) {
    return `Container ${container ?? ''} failed its own health check (healthCheck in the container definition): check that the health check command works inside the image (curl or wget present, the right port and path), that startPeriod covers the app's start-up time, and read the container's logs for why it was not healthy.`.replace(
      '  ',
      ' '
    );
  }
  if (/ELB health checks|health checks failed|unhealthy in \(target-group/i.test(text)) {
    return "The load balancer marked the tasks unhealthy: check that the target group's health check path and port match what the container serves (it must answer 200 within the timeout), and that the service's healthCheckGracePeriodSeconds covers the app's start-up time.";
  }
  if (exitCode === 137 || /OutOfMemory/i.test(text)) {
    return `Container ${container ?? ''} was killed with SIGKILL (exit 137), usually for exceeding its memory: raise the task or container memory, or look for a leak in its logs.`.replace(
      '  ',
      ' '
    );
  }
  if (exitCode !== undefined && exitCode !== 0) {
    return `Essential container ${container ?? ''} exited with code ${exitCode}: read its logs (the awslogs group of its log configuration) for the error it printed.`.replace(
      '  ',
      ' '
    );
  }
  if (/Essential container in task exited/i.test(text)) {
    return 'An essential container stopped: read its logs (the awslogs group of its log configuration).';
  }
  return undefined;
}

function mainContainer(task: Task) {
  const containers = task.containers ?? [];
  return (
    containers.find((c) => c.exitCode !== undefined && c.exitCode !== 0) ??
    containers.find((c) => c.reason) ??
    containers.find((c) => c.exitCode !== undefined) ??
    containers[0]
  );
}

/**
 * A task the service scheduler stopped to scale a deployment in (stoppedReason `Scaling activity initiated by
 * (deployment ecs-svc/…)`, ECS's message for it: the replaced tasks of every rollout, and the new revision's
 * tasks once a rollback has begun). Such a task did not fail, so it is no part of a diagnosis.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
 */
export function isScaleIn(task: Task): boolean {
  return /^Scaling activity initiated by\b/.test(task.stoppedReason ?? '');
}

/** Groups stopped tasks by reason and exit code, largest group first; scale-ins ({@link isScaleIn}) are left out. */
export function groupStoppedTasks(tasks: Task[]): StoppedTaskGroup[] {
  const groups = new Map<string, StoppedTaskGroup>();
  for (const task of tasks) {
    if (isScaleIn(task)) continue;
    const container = mainContainer(task);
    const reason = task.stoppedReason ?? 'unknown';
    const key = `${reason}\u0000${container?.exitCode ?? ''}\u0000${container?.reason ?? ''}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        reason,
        stopCode: task.stopCode,
        container: container?.name,
        exitCode: container?.exitCode,
        containerReason: container?.reason,
        count: 0,
        taskIds: [],
        hint: hintFor(`${reason} ${container?.reason ?? ''}`, container?.exitCode, container?.name)
      };
      groups.set(key, group);
    }
    group.count += 1;
    const id = task.taskArn?.split('/').pop();
    if (id && group.taskIds.length < 5) group.taskIds.push(id);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/**
 * Fetches the service's stopped tasks of one task definition (at most `limit`, newest first as ECS lists
 * them) and groups them.
 */
export async function diagnoseStoppedTasks(
  ecs: ECSClient,
  cluster: string,
  service: string,
  taskDefinitionArn: string,
  limit = 100
): Promise<StoppedTaskGroup[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(
      new ListTasksCommand({
        cluster,
        serviceName: service,
        desiredStatus: 'STOPPED',
        nextToken,
        maxResults: 100
      })
    );
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken && arns.length < limit);
  const tasks: Task[] = [];
  for (let i = 0; i < Math.min(arns.length, limit); i += 100) {
    const described = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }));
    tasks.push(...(described.tasks ?? []));
  }
  return groupStoppedTasks(tasks.filter((t) => t.taskDefinitionArn === taskDefinitionArn));
}

/** Lines for a log: one per group, with its hint. */
export function describeGroups(groups: StoppedTaskGroup[]): string[] {
  const lines: string[] = [];
  for (const g of groups) {
    const exit = g.exitCode !== undefined ? `, container ${g.container} exit code ${g.exitCode}` : '';
    const detail =
      g.containerReason && !g.reason.includes(g.containerReason) ? ` (${g.containerReason})` : '';
    lines.push(`${g.count} task(s) stopped: ${g.reason}${detail}${exit} [${g.stopCode ?? 'no stop code'}]`);
    if (g.hint) lines.push(`  hint: ${g.hint}`);
  }
  return lines;
}

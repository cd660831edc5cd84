/**
 * Failure scenarios a test (or the demo) registers on the simulator, and the stop codes and reasons ECS
 * reports for each. Reason texts follow the ECS troubleshooting guide:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
 */
import type { ContainerState, Json } from './state.js';

/**
 * - `image-pull-failure`: the task stops before RUNNING, stopCode TaskFailedToStart, CannotPullContainerError.
 * - `missing-secret`: the task stops before RUNNING, stopCode TaskFailedToStart, ResourceInitializationError
 *   naming the container's first secret.
 * - `essential-container-exit`: the task reaches RUNNING, then stops with stopCode EssentialContainerExited and
 *   the rule's exit code (default 1; 137 reports OutOfMemoryError).
 * - `health-check-failure`: the task reaches RUNNING, then the scheduler stops it for failing the target
 *   group's health checks.
 * - `container-health-check-failure`: the failing container's `healthCheck` (from its container definition)
 *   fails: after one phase RUNNING its healthStatus (and the task's) is UNHEALTHY and the scheduler stops a
 *   service task with "Task failed container health checks". Without a `healthCheck` nothing fails.
 * - `never-healthy`: the task stays PENDING forever (for timeouts).
 */
export type FailureScenario =
  | 'image-pull-failure'
  | 'missing-secret'
  | 'essential-container-exit'
  | 'health-check-failure'
  | 'container-health-check-failure'
  | 'never-healthy';

/**
 * Chooses which tasks fail and how. Every matcher given must match (they are ANDed); a rule with no matcher
 * matches every task. The first rule added that matches a task applies to it.
 */
export interface FailureRule {
  /** Substring of any container's image. */
  image?: string;
  /** Task definition family, exactly. */
  family?: string;
  /** Task definition ARN, exactly. */
  taskDefinitionArn?: string;
  /** Substring of a container's command (override, else definition), joined by spaces. */
  command?: string;
  scenario: FailureScenario;
  /** Exit code for `essential-container-exit` (default 1). */
  exitCode?: number;
  /** Container that fails; default the one whose image matched, else the first essential container. */
  containerName?: string;
  /** Log lines the failing container writes to CloudWatch Logs (default a traceback-like line). */
  logLines?: string[];
  /**
   * Which of the tasks the matchers match the rule applies to: 1-based positions in creation order, e.g.
   * `[1, 3]` fails the first and the third and lets the others run. Default every one.
   */
  nth?: number[];
}

/** A rule as the simulator keeps it: with the count of tasks its matchers matched so far. */
export interface StoredRule extends FailureRule {
  matched: number;
}

/** Every scenario name, for validating rules. */
export const SCENARIOS: readonly FailureScenario[] = [
  'image-pull-failure',
  'missing-secret',
  'essential-container-exit',
  'health-check-failure',
  'container-health-check-failure',
  'never-healthy'
];

/** What a task is matched on. */
export interface RuleSubject {
  family: string;
  taskDefinitionArn: string;
  containers: Pick<ContainerState, 'name' | 'image' | 'command'>[];
}

/** The first rule matching `subject` (counting the match, for `nth`), or undefined. */
export function matchRule(rules: readonly StoredRule[], subject: RuleSubject): FailureRule | undefined {
  for (const rule of rules) {
    const matches =
      (rule.family === undefined || rule.family === subject.family) &&
      (rule.taskDefinitionArn === undefined || rule.taskDefinitionArn === subject.taskDefinitionArn) &&
      (rule.image === undefined || subject.containers.some((c) => c.image.includes(rule.image as string))) &&
      (rule.command === undefined ||
        subject.containers.some((c) => c.command.includes(rule.command as string)));
    if (!matches) continue;
    rule.matched++;
    if (rule.nth === undefined || rule.nth.includes(rule.matched)) return rule;
  }
  return undefined;
}

/** The container a rule makes fail. */
export function failingContainer<C extends Pick<ContainerState, 'name' | 'image' | 'command' | 'essential'>>(
  rule: FailureRule | undefined,
  containers: C[]
): C | undefined {
  if (rule?.containerName) {
    const named = containers.find((c) => c.name === rule.containerName);
    if (named) return named;
  }
  if (rule?.image) {
    const byImage = containers.find((c) => c.image.includes(rule.image as string));
    if (byImage) return byImage;
  }
  if (rule?.command) {
    const byCommand = containers.find((c) => c.command.includes(rule.command as string));
    if (byCommand) return byCommand;
  }
  return containers.find((c) => c.essential) ?? containers[0];
}

/** stoppedReason for `image-pull-failure`, as the Fargate agent words it. */
export function imagePullReason(image: string): string {
  return (
    'CannotPullContainerError: pull image manifest has been retried 5 time(s): ' +
    `failed to resolve ref ${image}: not found`
  );
}

/**
 * stoppedReason for `missing-secret`, naming the secret's `valueFrom` (an SSM parameter name/ARN or a
 * Secrets Manager ARN) taken from the container definition's `secrets`.
 */
export function missingSecretReason(containerDefinition: Json | undefined): string {
  const secrets = Array.isArray(containerDefinition?.secrets) ? (containerDefinition.secrets as Json[]) : [];
  const valueFrom = typeof secrets[0]?.valueFrom === 'string' ? secrets[0].valueFrom : '/missing/parameter';
  const prefix =
    'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ';
  if (valueFrom.includes(':secretsmanager:')) {
    return (
      prefix +
      'unable to retrieve secret from asm: service call has been retried 1 time(s): ' +
      `failed to fetch secret ${valueFrom} from secrets manager: ResourceNotFoundException: ` +
      "Secrets Manager can't find the specified secret."
    );
  }
  return (
    prefix +
    'unable to retrieve secrets from ssm: service call has been retried 1 time(s): ' +
    `ParameterNotFound: invalid ssm parameters: ${valueFrom}`
  );
}

/** Task stoppedReason when an essential container exits (ECS's wording). */
export const ESSENTIAL_EXITED = 'Essential container in task exited';

/** Container reason for exit code 137 under `essential-container-exit`. */
export const OUT_OF_MEMORY = 'OutOfMemoryError: Container killed due to memory usage';

/** Task stoppedReason for `health-check-failure`. */
export function healthCheckReason(targetGroupArn: string): string {
  return `Task failed ELB health checks in (target-group ${targetGroupArn})`;
}

/**
 * Task stoppedReason when an essential container fails its container health check
 * (https://repost.aws/knowledge-center/ecs-task-stopped, "Failed container health checks").
 */
export const CONTAINER_HEALTH_FAILED = 'Task failed container health checks';

/** Default log lines of a failing container. */
export const DEFAULT_FAILURE_LOG = [
  'Traceback (most recent call last):',
  '  File "/app/manage.py", line 1, in <module>',
  'RuntimeError: simulated failure'
];

/**
 * A task's life: PROVISIONING → PENDING → RUNNING (each phase lasting `taskPhaseMs`), then STOPPED, with the
 * failure scenario of the rule it matched applied on the way
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html).
 */
import {
  CONTAINER_HEALTH_FAILED,
  ESSENTIAL_EXITED,
  OUT_OF_MEMORY,
  failingContainer,
  imagePullReason,
  missingSecretReason,
  healthCheckReason
} from './scenarios.js';
import type { Json, Task } from './state.js';

/** How a task stops. */
export interface StopDetails {
  stopCode: string;
  reason: string;
  /** Exit code per container name; containers not listed get none. */
  exitCodes?: Record<string, number>;
  /** Container-level reason per container name. */
  containerReasons?: Record<string, string>;
  /** True when the stop is a failure counted in the deployment's failedTasks. */
  failed?: boolean;
}

/** What the lifecycle needs from the rest of the simulator. */
export interface LifecycleHooks {
  phaseMs: number;
  /** The task definition body of a task (for secrets). */
  containerDefinition(task: Task, containerName: string): Json | undefined;
  /** Target group and container port a service task is registered with, if its service has a load balancer. */
  targetGroup(task: Task): { arn: string; port: number } | undefined;
  /** Called once a task reached RUNNING (starts the CloudWatch Logs write). */
  onRunning(task: Task): void;
  /** Called after a task stopped by itself or by a failure. */
  onStopped(task: Task, details: StopDetails): void;
  /** Called when a task fails its health checks, before it is stopped. */
  onUnhealthy(task: Task, targetGroupArn: string, port: number): void;
}

/** Moves a task to STOPPED (idempotent), recording stop code, reasons, exit codes and times. */
export function stopTask(task: Task, details: StopDetails, now: number): void {
  if (task.lastStatus === 'STOPPED') return;
  task.desiredStatus = 'STOPPED';
  task.lastStatus = 'STOPPED';
  task.phaseAt = now;
  task.stoppingAt ??= now;
  task.stoppedAt = now;
  task.stopCode = details.stopCode;
  task.stoppedReason = details.reason;
  task.failed = details.failed ?? false;
  for (const c of task.containers) {
    c.lastStatus = 'STOPPED';
    const code = details.exitCodes?.[c.name];
    if (code !== undefined) c.exitCode = code;
    const reason = details.containerReasons?.[c.name];
    if (reason !== undefined) c.reason = reason;
  }
}

/** Moves a task one step along its lifecycle if its current phase is over. */
export function advanceTask(task: Task, now: number, hooks: LifecycleHooks): void {
  if (task.lastStatus === 'STOPPED' || now - task.phaseAt < hooks.phaseMs) return;
  const scenario = task.rule?.scenario;
  const failing = failingContainer(task.rule, task.containers);
  switch (task.lastStatus) {
    case 'PROVISIONING':
      task.lastStatus = 'PENDING';
      task.phaseAt = now;
      task.pullStartedAt = now;
      return;
    case 'PENDING': {
      if (scenario === 'never-healthy') return;
      if (scenario === 'image-pull-failure' || scenario === 'missing-secret') {
        const reason =
          scenario === 'image-pull-failure'
            ? imagePullReason(failing?.image ?? '')
            : missingSecretReason(failing ? hooks.containerDefinition(task, failing.name) : undefined);
        const details: StopDetails = {
          stopCode: 'TaskFailedToStart',
          reason,
          containerReasons: failing ? { [failing.name]: reason } : {},
          failed: true
        };
        stopTask(task, details, now);
        hooks.onStopped(task, details);
        return;
      }
      task.lastStatus = 'RUNNING';
      task.phaseAt = now;
      task.pullStoppedAt = now;
      task.startedAt = now;
      for (const c of task.containers) c.lastStatus = 'RUNNING';
      hooks.onRunning(task);
      return;
    }
    case 'RUNNING': {
      if (task.logs && !task.logs.done) return;
      if (scenario === 'health-check-failure' && task.serviceName) {
        const target = hooks.targetGroup(task);
        if (!target) return;
        hooks.onUnhealthy(task, target.arn, target.port);
        const details: StopDetails = {
          stopCode: 'ServiceSchedulerInitiated',
          reason: healthCheckReason(target.arn),
          failed: true
        };
        stopTask(task, details, now);
        hooks.onStopped(task, details);
        return;
      }
      if (scenario === 'container-health-check-failure' && failing?.hasHealthCheck) {
        failing.healthStatus = 'UNHEALTHY';
        if (task.serviceName) {
          const details: StopDetails = {
            stopCode: 'ServiceSchedulerInitiated',
            reason: CONTAINER_HEALTH_FAILED,
            failed: true
          };
          stopTask(task, details, now);
          hooks.onStopped(task, details);
          return;
        }
      }
      if (scenario === 'essential-container-exit' && failing) {
        const exitCode = task.rule?.exitCode ?? 1;
        const exitCodes: Record<string, number> = {};
        for (const c of task.containers) exitCodes[c.name] = c === failing ? exitCode : 0;
        const details: StopDetails = {
          stopCode: 'EssentialContainerExited',
          reason: ESSENTIAL_EXITED,
          exitCodes,
          containerReasons: exitCode === 137 ? { [failing.name]: OUT_OF_MEMORY } : {},
          failed: true
        };
        stopTask(task, details, now);
        hooks.onStopped(task, details);
        return;
      }
      if (!task.serviceName) {
        // A one-off task (RunTask): its command finishes successfully.
        const exitCodes: Record<string, number> = {};
        for (const c of task.containers) exitCodes[c.name] = 0;
        const details: StopDetails = {
          stopCode: 'EssentialContainerExited',
          reason: ESSENTIAL_EXITED,
          exitCodes
        };
        stopTask(task, details, now);
        hooks.onStopped(task, details);
      }
      return;
    }
  }
}

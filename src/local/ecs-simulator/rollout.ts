/**
 * The rollout engine: on every tick it advances task lifecycles and reconciles each service's deployments
 * the way the ECS rolling-update scheduler does
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html):
 * start PRIMARY tasks within `maximumPercent`, stop older deployments' tasks while at least
 * `minimumHealthyPercent` keep running, mark the PRIMARY COMPLETED once it runs `desiredCount` tasks and the
 * older deployments are drained, and trip the deployment circuit breaker
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html).
 */
import {
  CIRCUIT_BREAKER_REASON,
  addEvent,
  completedReason,
  deploymentCompleted,
  deploymentFailed,
  inProgressReason,
  rollingBack,
  scalingReason,
  startedTasks,
  steadyState,
  stoppedTasks,
  unhealthy
} from './events.js';
import { advanceTask, stopTask, type LifecycleHooks, type StopDetails } from './lifecycle.js';
import { liveTasks } from './shapes.js';
import { createTask } from './tasks.js';
import { findTaskDefinition } from './task-definitions.js';
import {
  newDeploymentId,
  type Deployment,
  type Json,
  type Service,
  type SimulatorState,
  type Task
} from './state.js';
import type { LogWriter } from './logs.js';

/**
 * The circuit breaker's failure threshold: 0.5 × desiredCount rounded up, clamped to [3, 200].
 * @param desiredCount the service's desired task count
 */
export function breakerThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desiredCount * 0.5)));
}

/** A new PRIMARY, IN_PROGRESS deployment of `taskDefinitionArn` for `service`. */
export function startDeployment(service: Service, taskDefinitionArn: string, now: number): Deployment {
  const id = newDeploymentId();
  return {
    id,
    status: 'PRIMARY',
    taskDefinition: taskDefinitionArn,
    desiredCount: service.desiredCount,
    failedTasks: 0,
    createdAt: now,
    updatedAt: now,
    launchType: service.launchType,
    platformVersion: service.platformVersion,
    networkConfiguration: service.networkConfiguration,
    capacityProviderStrategy: service.extra.capacityProviderStrategy as unknown[] | undefined,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: inProgressReason(id)
  };
}

/** Runs the simulated scheduler over the simulator state. */
export class RolloutEngine {
  private readonly hooks: LifecycleHooks;

  constructor(
    private readonly state: SimulatorState,
    private readonly logs: LogWriter | undefined
  ) {
    this.hooks = {
      phaseMs: state.options.taskPhaseMs,
      containerDefinition: (task, name) => {
        const td = findTaskDefinition(state, task.taskDefinitionArn);
        return ((td?.body.containerDefinitions as Json[] | undefined) ?? []).find((c) => c.name === name);
      },
      targetGroup: (task) => {
        const service = this.serviceOf(task);
        const lb = service?.loadBalancers[0];
        if (!service || !lb) return undefined;
        const arn =
          typeof lb.targetGroupArn === 'string'
            ? lb.targetGroupArn
            : `arn:aws:elasticloadbalancing:${state.options.region}:${state.options.accountId}:targetgroup/${String(lb.loadBalancerName)}/0000000000000000`;
        return { arn, port: Number(lb.containerPort) };
      },
      onRunning: (task) => {
        if (this.logs) task.logs = this.logs.write(task);
      },
      onStopped: (task, details) => this.onStopped(task, details),
      onUnhealthy: (task, targetGroupArn, port) => {
        const service = this.serviceOf(task);
        if (service) addEvent(service, unhealthy(service.name, port, targetGroupArn), Date.now());
      }
    };
  }

  private serviceOf(task: Task): Service | undefined {
    return task.serviceName ? this.state.services.get(`${task.clusterName}/${task.serviceName}`) : undefined;
  }

  /**
   * A task counts as healthy (for minimumHealthyPercent and for completing a deployment) once it has been
   * RUNNING for one phase (the health-check period) and is not scripted to exit or fail health checks.
   */
  private healthy(task: Task, now: number): boolean {
    const scenario = task.rule?.scenario;
    return (
      task.lastStatus === 'RUNNING' &&
      now - (task.startedAt ?? now) >= this.state.options.taskPhaseMs &&
      scenario !== 'essential-container-exit' &&
      scenario !== 'health-check-failure'
    );
  }

  /** One scheduler pass at time `now` (ms). */
  tick(now: number): void {
    for (const task of this.state.tasks.values()) advanceTask(task, now, this.hooks);
    for (const service of this.state.services.values()) this.reconcile(service, now);
  }

  /** Counts a failed task against its deployment and trips the circuit breaker when the threshold is reached. */
  private onStopped(task: Task, details: StopDetails): void {
    const service = this.serviceOf(task);
    if (!service || !details.failed) return;
    const now = Date.now();
    if (details.stopCode === 'ServiceSchedulerInitiated')
      addEvent(service, stoppedTasks(service.name, [task.id]), now);
    const deployment = service.deployments.find((d) => d.id === task.deploymentId);
    if (!deployment) return;
    deployment.failedTasks++;
    deployment.updatedAt = now;
    const breaker = service.deploymentConfiguration.deploymentCircuitBreaker;
    if (
      !breaker.enable ||
      deployment.status !== 'PRIMARY' ||
      deployment.rolloutState !== 'IN_PROGRESS' ||
      deployment.failedTasks < breakerThreshold(service.desiredCount)
    ) {
      return;
    }
    deployment.rolloutState = 'FAILED';
    deployment.rolloutStateReason = CIRCUIT_BREAKER_REASON;
    this.state.failedAt.set(deployment.id, now);
    addEvent(service, deploymentFailed(service.name, deployment.id), now);
    const target = service.lastCompletedTaskDefinition;
    if (breaker.rollback && target && findTaskDefinition(this.state, target)) {
      for (const d of service.deployments) d.status = 'ACTIVE';
      const rollback = startDeployment(service, target, now);
      service.deployments.unshift(rollback);
      service.taskDefinition = target;
      addEvent(service, rollingBack(service.name, rollback.id), now);
    }
  }

  /** Starts and stops tasks of one service's deployments and settles their rolloutState. */
  private reconcile(service: Service, now: number): void {
    if (service.status === 'INACTIVE') return;
    if (service.status === 'DRAINING') {
      if (liveTasks(this.state, service).length === 0) service.status = 'INACTIVE';
      return;
    }
    const primary = service.deployments[0];
    if (!primary) return;
    const olds = service.deployments.slice(1);
    const desired = primary.desiredCount;
    const { maximumPercent, minimumHealthyPercent } = service.deploymentConfiguration;
    const maxTotal = Math.floor((desired * maximumPercent) / 100);
    const minHealthy = Math.ceil((desired * minimumHealthyPercent) / 100);
    const stopped: string[] = [];
    const stop = (task: Task): void => {
      const wasRunning = task.lastStatus === 'RUNNING';
      stopTask(task, { stopCode: 'ServiceSchedulerInitiated', reason: scalingReason(primary.id) }, now);
      if (wasRunning) stopped.push(task.id);
    };

    // Scale in: older deployments first (pending tasks freely, running ones above minimumHealthyPercent),
    // then any PRIMARY tasks above desiredCount.
    let running = liveTasks(this.state, service).filter((t) => this.healthy(t, now)).length;
    for (const d of [...olds].reverse()) {
      const tasks = liveTasks(this.state, service, d.id);
      for (const task of tasks.filter((t) => !this.healthy(t, now))) stop(task);
      for (const task of tasks.filter((t) => this.healthy(t, now))) {
        if (running - 1 < minHealthy) break;
        stop(task);
        running--;
      }
      const left = liveTasks(this.state, service, d.id).length;
      if (left !== d.desiredCount) {
        d.desiredCount = left;
        d.updatedAt = now;
      }
    }
    const primaryTasks = liveTasks(this.state, service, primary.id);
    if (primaryTasks.length > desired) {
      const excess = [...primaryTasks].sort(
        (a, b) => Number(a.lastStatus === 'RUNNING') - Number(b.lastStatus === 'RUNNING')
      );
      for (const task of excess.slice(0, primaryTasks.length - desired)) stop(task);
    }
    if (stopped.length > 0) addEvent(service, stoppedTasks(service.name, stopped), now);

    // Scale out the PRIMARY within maximumPercent, unless the circuit breaker failed it.
    if (primary.rolloutState !== 'FAILED') {
      const total = liveTasks(this.state, service).length;
      const live = liveTasks(this.state, service, primary.id).length;
      const toStart = Math.min(desired - live, maxTotal - total);
      const td = findTaskDefinition(this.state, primary.taskDefinition);
      const cluster = this.state.clusters.get(service.clusterName);
      if (toStart > 0 && td && cluster) {
        const started: string[] = [];
        for (let i = 0; i < toStart; i++) {
          const task = createTask(
            this.state,
            {
              cluster,
              taskDefinition: td,
              serviceName: service.name,
              deploymentId: primary.id,
              startedBy: primary.id,
              launchType: primary.launchType,
              platformVersion: primary.platformVersion,
              tags: service.extra.propagateTags === 'SERVICE' ? service.tags : []
            },
            now
          );
          started.push(task.id);
        }
        addEvent(service, startedTasks(service.name, started), now);
        primary.updatedAt = now;
      }
    }

    // Completion: the PRIMARY runs desiredCount tasks and every older deployment is drained.
    const primaryLive = liveTasks(this.state, service, primary.id);
    const drained = olds.every((d) => liveTasks(this.state, service, d.id).length === 0);
    if (
      primary.rolloutState === 'IN_PROGRESS' &&
      primaryLive.length === desired &&
      primaryLive.every((t) => this.healthy(t, now)) &&
      drained
    ) {
      primary.rolloutState = 'COMPLETED';
      primary.rolloutStateReason = completedReason(primary.id);
      primary.updatedAt = now;
      service.deployments = [primary];
      service.lastCompletedTaskDefinition = primary.taskDefinition;
      addEvent(service, deploymentCompleted(service.name, primary.id), now);
      addEvent(service, steadyState(service.name), now);
    }
  }
}

/**
 * The rollout engine: on every tick it advances task lifecycles, then moves each service's current service
 * deployment along its plan (plan.ts) and scales the service's deployments the way the ECS scheduler does:
 * - ROLLING (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html): start
 *   PRIMARY tasks within `maximumPercent`, stop older deployments' tasks while at least `minimumHealthyPercent`
 *   keep running;
 * - BLUE_GREEN / LINEAR / CANARY: the green deployment scales to 100 % at SCALE_UP while blue keeps its tasks
 *   until CLEAN_UP; traffic weights move per stage;
 * - the circuit breaker (breaker.ts) and deployment alarms (alarms.ts) fail deployments; rollback.ts rolls
 *   them back. plan-runner.ts runs the plan's steps; a deployment reads COMPLETED once its plan is done and it
 *   has held its steady state (steady.ts) for `steadyStateMs`.
 */
import { failureThreshold, resetsOnHealthyTask } from './breaker.js';
import {
  CIRCUIT_BREAKER_REASON,
  addEvent,
  inProgressReason,
  scalingReason,
  startedTasks,
  stoppedTasks,
  unhealthy
} from './events.js';
import { advanceTask, stopTask, type LifecycleHooks, type StopDetails } from './lifecycle.js';
import { advancePlan } from './plan-runner.js';
import { failServiceDeployment, markDeploymentFailed, rollingBackStatus } from './rollback.js';
import { completeDeployment, healthy, settled } from './steady.js';
import { liveTasks } from './shapes.js';
import { createTask } from './tasks.js';
import { findTaskDefinition } from './task-definitions.js';
import {
  newDeploymentId,
  type Deployment,
  type Json,
  type PlanStep,
  type Service,
  type ServiceDeploymentRecord,
  type SimulatorState,
  type Task
} from './state.js';
import type { AlarmWatcher } from './alarms.js';
import type { LogWriter } from './logs.js';

/** A new PRIMARY, IN_PROGRESS deployment of `taskDefinitionArn` (service revision `revisionArn`). */
export function startDeployment(
  service: Service,
  taskDefinitionArn: string,
  revisionArn: string,
  now: number
): Deployment {
  const id = newDeploymentId();
  return {
    id,
    status: 'PRIMARY',
    taskDefinition: taskDefinitionArn,
    desiredCount: service.desiredCount,
    failedTasks: 0,
    revisionArn,
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

/** Kinds of plan step during which the green deployment launches tasks. */
const LAUNCHING: readonly PlanStep['kind'][] = ['rolling', 'scale-up'];

/** Runs the simulated scheduler over the simulator state. */
export class RolloutEngine {
  private readonly hooks: LifecycleHooks;

  constructor(
    private readonly state: SimulatorState,
    private readonly logs: LogWriter | undefined,
    private readonly alarms: AlarmWatcher | undefined
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

  /** One scheduler pass at time `now` (ms). */
  tick(now: number): void {
    for (const task of this.state.tasks.values()) advanceTask(task, now, this.hooks);
    for (const task of this.state.tasks.values()) {
      if (task.healthyAt === undefined && healthy(this.state, task, now)) this.markHealthy(task, now);
    }
    const watched: string[] = [];
    for (const sd of this.state.serviceDeployments.values()) {
      if (sd.status === 'IN_PROGRESS' && sd.alarmConfig.enable) watched.push(...sd.alarmConfig.alarmNames);
    }
    this.alarms?.refresh(watched, now);
    for (const service of this.state.services.values()) this.reconcile(service, now);
  }

  /** A task just became healthy: containers with a health check report HEALTHY; the failure count resets. */
  private markHealthy(task: Task, now: number): void {
    task.healthyAt = now;
    for (const c of task.containers)
      if (c.hasHealthCheck && c.healthStatus === 'UNKNOWN') c.healthStatus = 'HEALTHY';
    const service = this.serviceOf(task);
    const deployment = service?.deployments.find((d) => d.id === task.deploymentId);
    if (!service || !deployment) return;
    if (
      resetsOnHealthyTask(service.deploymentConfiguration.deploymentCircuitBreaker) &&
      deployment.failedTasks
    ) {
      deployment.failedTasks = 0;
      deployment.updatedAt = now;
    }
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
    const sd = this.state.currentServiceDeployment(service);
    if (!sd || deployment.status !== 'PRIMARY' || deployment.rolloutState !== 'IN_PROGRESS') return;
    const breaker = sd.breakerConfig;
    if (!breaker.enable) return;
    if (deployment.failedTasks < failureThreshold(service.desiredCount, breaker.thresholdConfiguration))
      return;
    if (sd.status === 'IN_PROGRESS' && sd.targetDeploymentId === deployment.id) {
      failServiceDeployment(
        this.state,
        service,
        sd,
        'circuit-breaker',
        CIRCUIT_BREAKER_REASON,
        breaker.rollback,
        now
      );
    } else if (rollingBackStatus(sd) && sd.rollback?.deploymentId === deployment.id) {
      // A rollback that fails in turn is not rolled back again.
      markDeploymentFailed(this.state, service, deployment, 'circuit-breaker', now);
      sd.status = 'ROLLBACK_FAILED';
      sd.statusReason = `${sd.statusReason ?? ''} The rollback failed: ${CIRCUIT_BREAKER_REASON}`.trim();
      sd.breakerStatus = 'TRIGGERED';
      sd.finishedAt = now;
      sd.updatedAt = now;
    }
  }

  /** Moves the service's current service deployment on, then starts and stops tasks. */
  private reconcile(service: Service, now: number): void {
    if (service.status === 'INACTIVE') return;
    if (service.status === 'DRAINING') {
      if (liveTasks(this.state, service).length === 0) service.status = 'INACTIVE';
      return;
    }
    const primary = service.deployments[0];
    if (!primary) return;
    const sd = this.state.currentServiceDeployment(service);
    if (sd?.status === 'PENDING') {
      sd.status = 'IN_PROGRESS';
      sd.startedAt = now;
      sd.updatedAt = now;
    }
    if (sd?.status === 'ROLLBACK_REQUESTED' && now > (sd.rollback?.startedAt ?? now)) {
      sd.status = 'ROLLBACK_IN_PROGRESS';
      sd.updatedAt = now;
    }
    if (sd?.status === 'IN_PROGRESS') this.checkAlarms(service, sd, now);
    this.scale(service, sd, now);
    if (
      sd?.status === 'IN_PROGRESS' &&
      sd.targetDeploymentId === primary.id &&
      primary.rolloutState === 'IN_PROGRESS'
    ) {
      advancePlan(this.state, service, sd, primary, now);
    } else if (sd && rollingBackStatus(sd) && sd.rollback?.deploymentId === primary.id) {
      if (settled(this.state, service, sd, primary, now)) {
        completeDeployment(service, primary, now);
        sd.status = 'ROLLBACK_SUCCESSFUL';
        sd.finishedAt = now;
        sd.updatedAt = now;
      }
    }
  }

  /** Fails `sd` when one of its alarms (read after it started) is in ALARM. */
  private checkAlarms(service: Service, sd: ServiceDeploymentRecord, now: number): void {
    if (!sd.alarmConfig.enable) return;
    const triggered = sd.alarmConfig.alarmNames.filter((name) => {
      const alarm = this.state.alarms.get(name);
      return (
        alarm !== undefined && alarm.state === 'ALARM' && alarm.fetchedAt >= (sd.startedAt ?? sd.createdAt)
      );
    });
    if (triggered.length === 0) return;
    sd.triggeredAlarmNames = triggered;
    failServiceDeployment(
      this.state,
      service,
      sd,
      'alarm',
      `CloudWatch alarm(s) in ALARM: ${triggered.join(', ')}.`,
      sd.alarmConfig.rollback,
      now
    );
  }

  /** True when the green deployment may launch tasks (its plan reached SCALE_UP, and it has not failed). */
  private mayLaunch(sd: ServiceDeploymentRecord | undefined, primary: Deployment): boolean {
    if (primary.rolloutState === 'FAILED') return false;
    if (!sd || sd.targetDeploymentId !== primary.id || sd.status !== 'IN_PROGRESS') return true;
    const first = sd.plan.findIndex((s) => LAUNCHING.includes(s.kind));
    return first === -1 || sd.step >= first;
  }

  /** True while older deployments keep all their tasks (blue/green-style strategies before CLEAN_UP). */
  private holdsOlds(sd: ServiceDeploymentRecord | undefined, primary: Deployment): boolean {
    return (
      sd !== undefined &&
      sd.status === 'IN_PROGRESS' &&
      sd.targetDeploymentId === primary.id &&
      sd.plan.some((s) => s.kind === 'scale-up') &&
      sd.plan[sd.step]?.kind !== 'clean-up'
    );
  }

  /** Starts and stops tasks of one service's deployments. */
  private scale(service: Service, sd: ServiceDeploymentRecord | undefined, now: number): void {
    const primary = service.deployments[0]!;
    const olds = service.deployments.slice(1);
    const desired = primary.desiredCount;
    const { maximumPercent, minimumHealthyPercent } = service.deploymentConfiguration;
    const hold = this.holdsOlds(sd, primary);
    const maxTotal = hold ? Number.POSITIVE_INFINITY : Math.floor((desired * maximumPercent) / 100);
    const minHealthy = Math.ceil((desired * minimumHealthyPercent) / 100);
    const stopped: string[] = [];
    const stop = (task: Task): void => {
      const wasRunning = task.lastStatus === 'RUNNING';
      stopTask(task, { stopCode: 'ServiceSchedulerInitiated', reason: scalingReason(primary.id) }, now);
      if (wasRunning) stopped.push(task.id);
    };

    // Scale in: older deployments first (pending tasks freely, running ones above minimumHealthyPercent),
    // then any PRIMARY tasks above desiredCount. Blue/green-style deployments keep the old tasks until CLEAN_UP.
    if (!hold) {
      let running = liveTasks(this.state, service).filter((t) => healthy(this.state, t, now)).length;
      for (const d of [...olds].reverse()) {
        const tasks = liveTasks(this.state, service, d.id);
        for (const task of tasks.filter((t) => !healthy(this.state, t, now))) stop(task);
        for (const task of tasks.filter((t) => healthy(this.state, t, now))) {
          if (running - 1 < minHealthy) break;
          stop(task);
          running--;
        }
      }
    }
    for (const d of olds) {
      const left = liveTasks(this.state, service, d.id).length;
      if (left !== d.desiredCount && !hold) {
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

    // Scale out the PRIMARY within maximumPercent (or to 100 % for blue/green), unless it failed or waits.
    if (!this.mayLaunch(sd, primary)) return;
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
}

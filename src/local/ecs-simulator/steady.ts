/**
 * Task health and the steady state of a deployment, as the scheduler judges them: a task is healthy one phase
 * after RUNNING unless its scenario makes it exit or fail health checks; a deployment is steady with
 * desiredCount healthy tasks and its older deployments drained, and COMPLETED once it held that for
 * `steadyStateMs` ("has reached a steady state",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html).
 */
import { addEvent, completedReason, deploymentCompleted, steadyState } from './events.js';
import { liveTasks } from './shapes.js';
import type { Deployment, Service, ServiceDeploymentRecord, SimulatorState, Task } from './state.js';

/**
 * A task counts as healthy (for minimumHealthyPercent, completion and the breaker's reset) once it has been
 * RUNNING for one phase (the health-check period) and is not scripted to exit or fail health checks.
 */
export function healthy(state: SimulatorState, task: Task, now: number): boolean {
  const scenario = task.rule?.scenario;
  return (
    task.lastStatus === 'RUNNING' &&
    now - (task.startedAt ?? now) >= state.options.taskPhaseMs &&
    scenario !== 'essential-container-exit' &&
    scenario !== 'health-check-failure' &&
    !(
      scenario === 'container-health-check-failure' &&
      task.containers.some((c) => c.healthStatus === 'UNHEALTHY')
    )
  );
}

/** The PRIMARY runs desiredCount healthy tasks and (unless `olds` may stay) the older ones are drained. */
export function steady(
  state: SimulatorState,
  service: Service,
  primary: Deployment,
  now: number,
  allowOlds = false
): boolean {
  const live = liveTasks(state, service, primary.id);
  const drained = service.deployments
    .filter((d) => d !== primary)
    .every((d) => liveTasks(state, service, d.id).length === 0);
  return (
    live.length === primary.desiredCount &&
    live.every((t) => healthy(state, t, now)) &&
    (allowOlds || drained)
  );
}

/** True once the PRIMARY has been steady for steadyStateMs (ECS's steady-state check). */
export function settled(
  state: SimulatorState,
  service: Service,
  sd: ServiceDeploymentRecord,
  primary: Deployment,
  now: number
): boolean {
  if (!steady(state, service, primary, now)) {
    sd.steadySince = undefined;
    return false;
  }
  sd.steadySince ??= now;
  return now - sd.steadySince >= state.options.steadyStateMs;
}

/** Marks the PRIMARY COMPLETED, drops the older deployments and adds the completion events. */
export function completeDeployment(service: Service, primary: Deployment, now: number): void {
  primary.rolloutState = 'COMPLETED';
  primary.rolloutStateReason = completedReason(primary.id);
  primary.updatedAt = now;
  primary.stale = undefined;
  service.deployments = [primary];
  service.lastCompletedTaskDefinition = primary.taskDefinition;
  addEvent(service, deploymentCompleted(service.name, primary.id), now);
  addEvent(service, steadyState(service.name), now);
}

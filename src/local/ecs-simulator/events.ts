/**
 * Service event messages in the formats ECS uses
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html),
 * and the bounded, newest-first event list of a service.
 */
import { newEventId, type Service } from './state.js';

/** ECS keeps the 100 most recent events of a service. */
export const MAX_EVENTS = 100;

/** Prepends an event to `service.events`, dropping the oldest beyond {@link MAX_EVENTS}. */
export function addEvent(service: Service, message: string, now: number): void {
  service.events.unshift({ id: newEventId(), createdAt: now, message });
  if (service.events.length > MAX_EVENTS) service.events.length = MAX_EVENTS;
}

/** Formats `(task ID) (task ID)` for the started/stopped messages. */
const taskList = (taskIds: string[]): string => taskIds.map((id) => `(task ${id})`).join(' ');

/** "(service NAME) has started N tasks: (task ID) ..." */
export const startedTasks = (service: string, taskIds: string[]): string =>
  `(service ${service}) has started ${taskIds.length} tasks: ${taskList(taskIds)}.`;

/** "(service NAME) has stopped N running tasks: (task ID) ..." */
export const stoppedTasks = (service: string, taskIds: string[]): string =>
  `(service ${service}) has stopped ${taskIds.length} running tasks: ${taskList(taskIds)}.`;

/** "(service NAME) (deployment ID) deployment completed." */
export const deploymentCompleted = (service: string, deploymentId: string): string =>
  `(service ${service}) (deployment ${deploymentId}) deployment completed.`;

/** "(service NAME) has reached a steady state." */
export const steadyState = (service: string): string => `(service ${service}) has reached a steady state.`;

/** "(service NAME) (deployment ID) deployment failed: tasks failed to start." */
export const deploymentFailed = (service: string, deploymentId: string): string =>
  `(service ${service}) (deployment ${deploymentId}) deployment failed: tasks failed to start.`;

/** "(service NAME) (deployment ID) deployment failed: alarm detected." */
export const deploymentFailedAlarm = (service: string, deploymentId: string): string =>
  `(service ${service}) (deployment ${deploymentId}) deployment failed: alarm detected.`;

/** "(service NAME) rolling back to deployment ID." (ID: the deployment brought back, its old id) */
export const rollingBack = (service: string, deploymentId: string): string =>
  `(service ${service}) rolling back to deployment ${deploymentId}.`;

/** "(service NAME) (port P) is unhealthy in (target-group ARN) due to (reason Health checks failed)." */
export const unhealthy = (service: string, port: number, targetGroupArn: string): string =>
  `(service ${service}) (port ${port}) is unhealthy in (target-group ${targetGroupArn}) due to (reason Health checks failed).`;

/** rolloutStateReason of a completed deployment. */
export const completedReason = (deploymentId: string): string => `ECS deployment ${deploymentId} completed.`;

/** rolloutStateReason of a deployment the circuit breaker failed. */
export const CIRCUIT_BREAKER_REASON = 'ECS deployment circuit breaker: tasks failed to start.';

/** rolloutStateReason of a deployment that deployment alarms failed. */
export const ALARM_REASON = 'ECS deployment alarms: alarm detected.';

/**
 * rolloutStateReason of the deployment a rollback brings back, as in ECS's SERVICE_DEPLOYMENT_IN_PROGRESS
 * event of a rollback ("ECS deployment circuit breaker: rolling back to deploymentId ID.").
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_deployment_events.html
 */
export const rollbackReason = (trigger: string, deploymentId: string): string =>
  `${trigger}: rolling back to deploymentId ${deploymentId}.`;

/** rolloutStateReason of a deployment that just started. */
export const inProgressReason = (deploymentId: string): string =>
  `ECS deployment ${deploymentId} in progress.`;

/** stoppedReason of a task the scheduler stops to scale in during a deployment. */
export const scalingReason = (deploymentId: string): string =>
  `Scaling activity initiated by (deployment ${deploymentId})`;

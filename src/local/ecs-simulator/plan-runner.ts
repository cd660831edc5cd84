/**
 * Runs a service deployment's plan (plan.ts) step by step: hook stages (hooks.ts), the rolling replacement or
 * the green scale-up, traffic shifts, bake waits (simulated minutes), the alarm bake of ROLLING deployments,
 * and CLEAN_UP of the older deployments; then marks the deployment COMPLETED and the service deployment
 * SUCCESSFUL once it is steady.
 */
import { addEvent, scalingReason, stoppedTasks } from './events.js';
import { advanceHookRuns, startHookRuns } from './hooks.js';
import { stopTask } from './lifecycle.js';
import { failServiceDeployment, routeAllTraffic } from './rollback.js';
import { liveTasks } from './shapes.js';
import { completeDeployment, settled, steady } from './steady.js';
import { recordServiceDeployment } from './timeline.js';
import type { Deployment, PlanStep, Service, ServiceDeploymentRecord, SimulatorState } from './state.js';

/** Runs the plan's steps from the current one as far as they complete at `now`. */
export function advancePlan(
  state: SimulatorState,
  service: Service,
  sd: ServiceDeploymentRecord,
  primary: Deployment,
  now: number
): void {
  for (let guard = 0; guard < 200 && sd.step < sd.plan.length; guard++) {
    const step = sd.plan[sd.step]!;
    if (sd.lifecycleStage !== step.stage) {
      sd.lifecycleStage = step.stage;
      sd.updatedAt = now;
    }
    if (sd.enteredStep !== sd.step) {
      sd.enteredStep = sd.step;
      sd.stepStartedAt = now;
      enter(state, service, sd, primary, step, now);
      recordServiceDeployment(state, sd, now);
    }
    const done = stepDone(state, service, sd, primary, step, now);
    if (sd.status !== 'IN_PROGRESS') return;
    if (!done) return;
    sd.step++;
  }
  if (sd.step >= sd.plan.length && settled(state, service, sd, primary, now)) {
    completeDeployment(service, primary, now);
    sd.status = 'SUCCESSFUL';
    sd.finishedAt = now;
    sd.updatedAt = now;
    if (sd.breakerStatus === 'MONITORING') sd.breakerStatus = 'MONITORING_COMPLETE';
    if (sd.alarmStatus === 'MONITORING') sd.alarmStatus = 'MONITORING_COMPLETE';
    routeAllTraffic(sd, sd.targetRevisionArn);
  }
}

/** What a step does when the deployment enters it. */
function enter(
  state: SimulatorState,
  service: Service,
  sd: ServiceDeploymentRecord,
  primary: Deployment,
  step: PlanStep,
  now: number
): void {
  if (step.kind === 'hooks') {
    // lifecycleHookDetails keeps the runs of the most recent stage that had hooks.
    const runs = startHookRuns(state, sd.hooks, step.hookStage, now);
    if (runs.length > 0) sd.hookRuns = runs;
  }
  if (step.kind === 'shift') shift(sd, step, now);
  if (step.kind === 'clean-up') {
    const stopped: string[] = [];
    for (const d of service.deployments) {
      if (d === primary) continue;
      for (const task of liveTasks(state, service, d.id)) {
        if (task.lastStatus === 'RUNNING') stopped.push(task.id);
        stopTask(task, { stopCode: 'ServiceSchedulerInitiated', reason: scalingReason(primary.id) }, now);
      }
      d.desiredCount = 0;
      d.updatedAt = now;
    }
    if (stopped.length > 0) addEvent(service, stoppedTasks(service.name, stopped), now);
  }
}

/** Moves traffic weights: the target revision gets `production`/`test` percent, the main source the rest. */
function shift(sd: ServiceDeploymentRecord, step: Extract<PlanStep, { kind: 'shift' }>, now: number): void {
  const target = sd.weights[sd.targetRevisionArn] ?? { production: 0, test: 0 };
  if (step.production !== undefined) target.production = step.production;
  if (step.test !== undefined) target.test = step.test;
  sd.weights[sd.targetRevisionArn] = target;
  const main = sd.sourceRevisionArns[0];
  if (main) sd.weights[main] = { production: 100 - target.production, test: 100 - target.test };
  sd.updatedAt = now;
}

/** True when a step is complete at `now` (may fail the deployment). */
function stepDone(
  state: SimulatorState,
  service: Service,
  sd: ServiceDeploymentRecord,
  primary: Deployment,
  step: PlanStep,
  now: number
): boolean {
  switch (step.kind) {
    case 'rolling':
      return steady(state, service, primary, now);
    case 'scale-up':
      return steady(state, service, primary, now, true);
    case 'hooks': {
      if (!sd.hooks.some((h) => h.lifecycleStages.includes(step.hookStage))) return true;
      const outcome = advanceHookRuns(state, service, sd, now);
      if (outcome.kind === 'failed') {
        failServiceDeployment(state, service, sd, 'hook', outcome.reason, true, now);
        return false;
      }
      return outcome.kind === 'done';
    }
    case 'shift':
      return true;
    case 'wait':
      return now - sd.stepStartedAt >= state.minutes(step.minutes);
    case 'alarm-bake':
      return now - sd.stepStartedAt >= alarmBakeMs(state, sd);
    case 'clean-up':
      return service.deployments.every((d) => d === primary || liveTasks(state, service, d.id).length === 0);
  }
}

/**
 * The bake time of a ROLLING deployment with alarms: ECS computes it from the alarms' configuration; the
 * simulator uses the longest Period × EvaluationPeriods of the alarms (simulated seconds), at least a minute.
 */
function alarmBakeMs(state: SimulatorState, sd: ServiceDeploymentRecord): number {
  let seconds = 60;
  for (const name of sd.alarmConfig.alarmNames) {
    const alarm = state.alarms.get(name);
    if (alarm) seconds = Math.max(seconds, alarm.periodSeconds * alarm.evaluationPeriods);
  }
  return (seconds * state.options.minuteMs) / 60;
}

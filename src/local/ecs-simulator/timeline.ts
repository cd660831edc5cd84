/**
 * When each service deployment entered each status and lifecycle stage, as the simulator set them: the clock
 * a benchmark or a test measures a watcher against ("the first failure state appeared at t, the watcher exited
 * at t + d"). Recorded after every scheduler tick and every API request, with the time of the change (the
 * scheduler's `now`, or the request's arrival); nothing of it is visible through the ECS API.
 */
import type {
  LifecycleStage,
  ServiceDeploymentRecord,
  ServiceDeploymentStatus,
  SimulatorState
} from './state.js';

/** One change of a service deployment's status or lifecycle stage. */
export interface TimelineEntry {
  /** Date.now() ms of the change (the tick or request that made it). */
  at: number;
  status: ServiceDeploymentStatus;
  lifecycleStage?: LifecycleStage;
  /** The target revision's requested traffic weights (percent), for strategies that shift traffic. */
  targetWeights?: { production: number; test: number };
}

/**
 * Appends an entry for every service deployment whose status, lifecycle stage or target traffic weights
 * changed since its last one.
 */
export function recordTimeline(state: SimulatorState, now: number): void {
  for (const sd of state.serviceDeployments.values()) recordServiceDeployment(state, sd, now);
}

/**
 * Appends an entry for one service deployment if its status, stage or target weights changed. The plan runner
 * calls it at each stage it enters, so stages that take no time (no hooks configured) are recorded too.
 */
export function recordServiceDeployment(
  state: SimulatorState,
  sd: ServiceDeploymentRecord,
  now: number
): void {
  let entries = state.timeline.get(sd.arn);
  if (!entries) {
    entries = [];
    state.timeline.set(sd.arn, entries);
  }
  const last = entries[entries.length - 1];
  const w = sd.weights[sd.targetRevisionArn];
  const same =
    last !== undefined &&
    last.status === sd.status &&
    last.lifecycleStage === sd.lifecycleStage &&
    last.targetWeights?.production === w?.production &&
    last.targetWeights?.test === w?.test;
  if (same) return;
  entries.push({
    at: now,
    status: sd.status,
    lifecycleStage: sd.lifecycleStage,
    ...(w ? { targetWeights: { production: w.production, test: w.test } } : {})
  });
}

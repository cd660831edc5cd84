/**
 * Lifecycle hooks of service deployments
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html):
 * - AWS_LAMBDA (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.html): ECS
 *   invokes the function with `{serviceArn, targetServiceRevisionArn, testTrafficWeights,
 *   productionTrafficWeights[, hookDetails]}`; it answers `hookStatus` SUCCEEDED (continue), FAILED (roll back)
 *   or IN_PROGRESS (invoked again after `callBackDelay` seconds, default 30); anything else, or an invoke
 *   error, rolls back. There is no Lambda locally: the test scenario sets the answers
 *   (`EcsSimulator.setHookAnswer`); a function without answers fails as a missing function would.
 * - PAUSE (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html): the hook
 *   waits in AWAITING_ACTION until ContinueServiceDeployment (CONTINUE or ROLLBACK).
 * - A hook still running at `expiresAt` (timeoutInMinutes, default 1440) is TIMED_OUT and its timeoutAction
 *   (default ROLLBACK) applies. Every hook of a stage must finish before the deployment moves on.
 */
import type {
  HookAnswer,
  HookRun,
  LifecycleHookConfig,
  Service,
  ServiceDeploymentRecord,
  SimulatorState
} from './state.js';
import { newHookId } from './state.js';

/** The outcome of a hook step at one moment. */
export type HookStepState = { kind: 'waiting' } | { kind: 'done' } | { kind: 'failed'; reason: string };

/** Starts the runs of the hooks configured for `hookStage` (none: the step is done at once). */
export function startHookRuns(
  state: SimulatorState,
  hooks: LifecycleHookConfig[],
  hookStage: string,
  now: number
): HookRun[] {
  return hooks
    .filter((h) => h.lifecycleStages.includes(hookStage))
    .map((hook) => ({
      hookId: newHookId(hook.targetType),
      hook,
      hookStage,
      status: hook.targetType === 'PAUSE' ? 'AWAITING_ACTION' : 'IN_PROGRESS',
      startedAt: now,
      expiresAt: now + state.minutes(hook.timeoutInMinutes),
      nextInvokeAt: hook.targetType === 'PAUSE' ? undefined : now,
      hookDetails: hook.hookDetails
    }));
}

/** The percent weights by revision ARN that the payload carries. */
function weightMaps(sd: ServiceDeploymentRecord): {
  test: Record<string, number>;
  production: Record<string, number>;
} {
  const test: Record<string, number> = {};
  const production: Record<string, number> = {};
  for (const [arn, w] of Object.entries(sd.weights)) {
    test[arn] = w.test;
    production[arn] = w.production;
  }
  return { test, production };
}

/** The scenario's answer for one invocation (sequence entries are used in order; the last repeats). */
function answerFor(
  state: SimulatorState,
  invocation: Parameters<typeof state.hookInvocations.push>[0]
): HookAnswer {
  const entry = state.hookAnswers.get(invocation.hookTargetArn);
  if (!entry) {
    return { error: `ResourceNotFoundException: Function not found: ${invocation.hookTargetArn}` };
  }
  const { source } = entry;
  if (typeof source === 'function') {
    const { answer: _a, ...rest } = invocation;
    return source(rest);
  }
  if (Array.isArray(source)) {
    const answer = source[Math.min(entry.used, source.length - 1)];
    entry.used++;
    return answer ?? { error: 'no answer' };
  }
  return source;
}

/** Invokes a Lambda hook once and applies its answer to the run. */
function invoke(
  state: SimulatorState,
  service: Service,
  sd: ServiceDeploymentRecord,
  run: HookRun,
  now: number
): void {
  const weights = weightMaps(sd);
  const invocation = {
    at: now,
    hookTargetArn: run.hook.hookTargetArn ?? '',
    hookId: run.hookId,
    lifecycleStage: run.hookStage,
    serviceDeploymentArn: sd.arn,
    payload: {
      serviceArn: service.arn,
      targetServiceRevisionArn: sd.targetRevisionArn,
      testTrafficWeights: weights.test,
      productionTrafficWeights: weights.production,
      ...(run.hookDetails === undefined ? {} : { hookDetails: run.hookDetails })
    },
    answer: { hookStatus: '' } as HookAnswer
  };
  let answer: HookAnswer;
  try {
    answer = answerFor(state, invocation);
  } catch (error) {
    answer = { error: String((error as Error)?.message ?? error) };
  }
  invocation.answer = answer;
  state.hookInvocations.push(invocation);
  if ('error' in answer) {
    run.status = 'FAILED';
    run.reason = `Lifecycle hook ${run.hookId} (${run.hook.hookTargetArn}) at ${run.hookStage} could not be invoked: ${answer.error}`;
    return;
  }
  switch (answer.hookStatus) {
    case 'SUCCEEDED':
      run.status = 'SUCCEEDED';
      return;
    case 'IN_PROGRESS': {
      const delaySeconds = typeof answer.callBackDelay === 'number' ? answer.callBackDelay : 30;
      run.nextInvokeAt = now + (delaySeconds * state.options.minuteMs) / 60;
      if (answer.hookDetails !== undefined) run.hookDetails = answer.hookDetails;
      return;
    }
    case 'FAILED':
      run.status = 'FAILED';
      run.reason = `Lifecycle hook ${run.hookId} (${run.hook.hookTargetArn}) at ${run.hookStage} returned FAILED.`;
      return;
    default:
      run.status = 'FAILED';
      run.reason = `Lifecycle hook ${run.hookId} (${run.hook.hookTargetArn}) at ${run.hookStage} returned no valid hookStatus.`;
  }
}

/** Advances every run of the current hook step; returns whether the step waits, is done or failed. */
export function advanceHookRuns(
  state: SimulatorState,
  service: Service,
  sd: ServiceDeploymentRecord,
  now: number
): HookStepState {
  for (const run of sd.hookRuns) {
    if (run.status !== 'IN_PROGRESS' && run.status !== 'AWAITING_ACTION') continue;
    if (now >= run.expiresAt) {
      run.status = 'TIMED_OUT';
      run.reason = `Lifecycle hook ${run.hookId} at ${run.hookStage} timed out after ${run.hook.timeoutInMinutes} minute(s); timeout action ${run.hook.timeoutAction}.`;
      continue;
    }
    if (run.hook.targetType === 'AWS_LAMBDA' && run.nextInvokeAt !== undefined && now >= run.nextInvokeAt) {
      run.nextInvokeAt = undefined;
      invoke(state, service, sd, run, now);
    }
  }
  const failed = sd.hookRuns.find(
    (r) => r.status === 'FAILED' || (r.status === 'TIMED_OUT' && r.hook.timeoutAction === 'ROLLBACK')
  );
  if (failed) return { kind: 'failed', reason: failed.reason ?? `Lifecycle hook ${failed.hookId} failed.` };
  const done = sd.hookRuns.every(
    (r) => r.status === 'SUCCEEDED' || (r.status === 'TIMED_OUT' && r.hook.timeoutAction === 'CONTINUE')
  );
  return done ? { kind: 'done' } : { kind: 'waiting' };
}

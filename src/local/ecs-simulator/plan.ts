/**
 * The plan of a service deployment: its lifecycle stages in AWS's order, the hook stages inside them, the
 * traffic shifts and the waits. Stage order and meaning:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html (lifecycleStage),
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-how-it-works.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-linear.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-canary.html.
 *
 * - ROLLING (and the first deployment of any service, which has nothing to shift traffic from): SCALE_UP (the
 *   rolling replacement), BAKE_TIME while deployment alarms are watched, CLEAN_UP.
 * - BLUE_GREEN: [RECONCILE_SERVICE] PRE_SCALE_UP, SCALE_UP (green to 100 %), POST_SCALE_UP, TEST_TRAFFIC_SHIFT
 *   (test traffic to green), POST_TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT (PRE_PRODUCTION_TRAFFIC_SHIFT hooks,
 *   the shift, PRODUCTION_TRAFFIC_SHIFT hooks), POST_PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME (bakeTimeInMinutes),
 *   CLEAN_UP (blue scaled to 0).
 * - LINEAR: the production shift in steps of stepPercent with stepBakeTimeInMinutes between steps (not after
 *   the last); hooks of PRE_PRODUCTION_TRAFFIC_SHIFT and PRODUCTION_TRAFFIC_SHIFT run at every step.
 * - CANARY: canaryPercent, canaryBakeTimeInMinutes, then the rest.
 */
import type { Strategy } from './deployment-config.js';
import type { Json, PlanStep } from './state.js';

/** Production weights (percent of the new revision) after each shift, e.g. LINEAR 30 → 30, 60, 90, 100. */
export function productionSteps(strategy: Strategy, extra: Json): { weights: number[]; bakeMinutes: number } {
  if (strategy === 'LINEAR') {
    const cfg = (extra.linearConfiguration ?? {}) as Json;
    const step = (cfg.stepPercent as number | undefined) ?? 10;
    const weights: number[] = [];
    for (let k = 1; ; k++) {
      const w = Math.min(100, Math.round(k * step * 10) / 10);
      weights.push(w);
      if (w >= 100) break;
    }
    return { weights, bakeMinutes: (cfg.stepBakeTimeInMinutes as number | undefined) ?? 6 };
  }
  if (strategy === 'CANARY') {
    const cfg = (extra.canaryConfiguration ?? {}) as Json;
    const canary = (cfg.canaryPercent as number | undefined) ?? 5;
    return {
      weights: canary >= 100 ? [100] : [canary, 100],
      bakeMinutes: (cfg.canaryBakeTimeInMinutes as number | undefined) ?? 10
    };
  }
  return { weights: [100], bakeMinutes: 0 };
}

/**
 * The steps of a deployment.
 * @param first true for a service's first deployment (nothing to shift traffic from)
 * @param reconcile true when more than one older revision is still active (RECONCILE_SERVICE runs first)
 * @param alarms true when deployment alarms are enabled (ROLLING then bakes while they are watched)
 */
export function buildPlan(
  strategy: Strategy,
  extra: Json,
  options: { first: boolean; reconcile: boolean; alarms: boolean }
): PlanStep[] {
  if (strategy === 'ROLLING' || options.first) {
    const steps: PlanStep[] = [{ kind: 'rolling', stage: 'SCALE_UP' }];
    if (options.alarms) steps.push({ kind: 'alarm-bake', stage: 'BAKE_TIME' });
    steps.push({ kind: 'clean-up', stage: 'CLEAN_UP' });
    return steps;
  }
  const steps: PlanStep[] = [];
  const hooks = (stage: PlanStep['stage'], hookStage: string = stage) =>
    steps.push({ kind: 'hooks', stage, hookStage });
  if (options.reconcile) hooks('RECONCILE_SERVICE');
  hooks('PRE_SCALE_UP');
  steps.push({ kind: 'scale-up', stage: 'SCALE_UP' });
  hooks('POST_SCALE_UP');
  steps.push({ kind: 'shift', stage: 'TEST_TRAFFIC_SHIFT', test: 100 });
  hooks('TEST_TRAFFIC_SHIFT');
  hooks('POST_TEST_TRAFFIC_SHIFT');
  const { weights, bakeMinutes } = productionSteps(strategy, extra);
  for (const weight of weights) {
    hooks('PRODUCTION_TRAFFIC_SHIFT', 'PRE_PRODUCTION_TRAFFIC_SHIFT');
    steps.push({ kind: 'shift', stage: 'PRODUCTION_TRAFFIC_SHIFT', production: weight });
    hooks('PRODUCTION_TRAFFIC_SHIFT');
    if (weight < 100) steps.push({ kind: 'wait', stage: 'PRODUCTION_TRAFFIC_SHIFT', minutes: bakeMinutes });
  }
  hooks('POST_PRODUCTION_TRAFFIC_SHIFT');
  steps.push({
    kind: 'wait',
    stage: 'BAKE_TIME',
    minutes: (extra.bakeTimeInMinutes as number | undefined) ?? 0
  });
  steps.push({ kind: 'clean-up', stage: 'CLEAN_UP' });
  return steps;
}

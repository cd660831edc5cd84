/**
 * `deploymentConfiguration` of CreateService/UpdateService: ECS's defaults, merged updates, and the rules the API
 * reference and the developer guide document for each strategy
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html):
 * - `linearConfiguration` only with LINEAR (stepPercent 3.0-100.0 in steps of 0.1, default 10;
 *   stepBakeTimeInMinutes 0-1440, default 6), `canaryConfiguration` only with CANARY (canaryPercent 0.1-100.0,
 *   default 5; canaryBakeTimeInMinutes 0-1440, default 10), `bakeTimeInMinutes` required with BLUE_GREEN;
 * - `lifecycleHooks` (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html):
 *   AWS_LAMBDA (the default) needs hookTargetArn and the roleArn ECS invokes it with; PAUSE takes none and cannot run at TEST_TRAFFIC_SHIFT or
 *   PRODUCTION_TRAFFIC_SHIFT; timeoutInMinutes defaults to 1440 and its action to ROLLBACK;
 * - `alarms` with `enable` need alarm names; the circuit breaker's `thresholdConfiguration.value` is positive;
 * - BLUE_GREEN, LINEAR and CANARY shift traffic through `loadBalancers[].advancedConfiguration` (alternate
 *   target group, production listener rule, role); LINEAR and CANARY need a load balancer.
 * Type, enum and required-member checks come first, from botocore's model (model.ts).
 */
import { invalidParameter } from './errors.js';
import type {
  CircuitBreakerConfig,
  DeploymentConfiguration,
  Json,
  LifecycleHookConfig,
  ServiceDeploymentRecord
} from './state.js';

/** A deployment strategy (DeploymentStrategy). */
export type Strategy = ServiceDeploymentRecord['strategy'];

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Merges a `deploymentConfiguration` parameter onto `base` (or ECS's defaults: maximumPercent 200,
 * minimumHealthyPercent 100, circuit breaker off). Nested members (alarms, lifecycleHooks...) replace the
 * base's as a whole.
 * @throws InvalidParameterException for out-of-range percentages or configuration that does not fit the strategy.
 */
export function parseDeploymentConfiguration(
  input: unknown,
  base?: DeploymentConfiguration
): DeploymentConfiguration {
  if (input !== undefined && !isObject(input))
    throw invalidParameter('deploymentConfiguration must be an object.');
  const cfg = (input ?? {}) as Json;
  const { maximumPercent, minimumHealthyPercent, deploymentCircuitBreaker, ...extra } = cfg;
  const out: DeploymentConfiguration = {
    maximumPercent: (maximumPercent as number | undefined) ?? base?.maximumPercent ?? 200,
    minimumHealthyPercent:
      (minimumHealthyPercent as number | undefined) ?? base?.minimumHealthyPercent ?? 100,
    deploymentCircuitBreaker: base?.deploymentCircuitBreaker ?? { enable: false, rollback: false },
    extra: { ...(base?.extra ?? {}), ...extra }
  };
  if (
    !Number.isInteger(out.minimumHealthyPercent) ||
    out.minimumHealthyPercent < 0 ||
    out.minimumHealthyPercent > 100
  ) {
    throw invalidParameter(
      'deploymentConfiguration.minimumHealthyPercent must be an integer between 0 and 100.'
    );
  }
  if (!Number.isInteger(out.maximumPercent) || out.maximumPercent < 100) {
    throw invalidParameter('deploymentConfiguration.maximumPercent must be an integer of at least 100.');
  }
  if (deploymentCircuitBreaker !== undefined) {
    const b = deploymentCircuitBreaker as Json;
    if (typeof b?.enable !== 'boolean' || typeof b.rollback !== 'boolean') {
      throw invalidParameter(
        'deploymentConfiguration.deploymentCircuitBreaker needs boolean enable and rollback.'
      );
    }
    const breaker: CircuitBreakerConfig = { enable: b.enable, rollback: b.rollback };
    if (typeof b.resetOnHealthyTask === 'boolean') breaker.resetOnHealthyTask = b.resetOnHealthyTask;
    if (isObject(b.thresholdConfiguration)) {
      const t = b.thresholdConfiguration;
      if (typeof t.value !== 'number' || !Number.isInteger(t.value) || t.value < 1) {
        throw invalidParameter(
          'deploymentConfiguration.deploymentCircuitBreaker.thresholdConfiguration.value must be a positive integer.'
        );
      }
      breaker.thresholdConfiguration = { type: t.type as 'COUNT', value: t.value };
    }
    out.deploymentCircuitBreaker = breaker;
  }
  checkStrategyMembers(out);
  return out;
}

/** The strategy of a configuration (ROLLING by default). */
export const strategyOf = (cfg: DeploymentConfiguration): Strategy =>
  (cfg.extra.strategy as Strategy | undefined) ?? 'ROLLING';

function checkRange(value: unknown, name: string, min: number, max: number, step?: number): void {
  if (value === undefined) return;
  const ok =
    typeof value === 'number' &&
    value >= min &&
    value <= max &&
    (step === undefined || Math.abs(Math.round(value / step) * step - value) < 1e-9);
  if (!ok) {
    throw invalidParameter(
      `deploymentConfiguration.${name} must be between ${min} and ${max}${step ? ` in steps of ${step}` : ''}.`
    );
  }
}

function checkStrategyMembers(cfg: DeploymentConfiguration): void {
  const strategy = strategyOf(cfg);
  const e = cfg.extra;
  if (e.linearConfiguration !== undefined && strategy !== 'LINEAR') {
    throw invalidParameter('linearConfiguration is only valid when the deployment strategy is LINEAR.');
  }
  if (e.canaryConfiguration !== undefined && strategy !== 'CANARY') {
    throw invalidParameter('canaryConfiguration is only valid when the deployment strategy is CANARY.');
  }
  if (strategy === 'BLUE_GREEN' && e.bakeTimeInMinutes === undefined) {
    throw invalidParameter('bakeTimeInMinutes must be specified when the deployment strategy is BLUE_GREEN.');
  }
  checkRange(e.bakeTimeInMinutes, 'bakeTimeInMinutes', 0, 1440, 1);
  const linear = (e.linearConfiguration ?? {}) as Json;
  checkRange(linear.stepPercent, 'linearConfiguration.stepPercent', 3, 100, 0.1);
  checkRange(linear.stepBakeTimeInMinutes, 'linearConfiguration.stepBakeTimeInMinutes', 0, 1440, 1);
  const canary = (e.canaryConfiguration ?? {}) as Json;
  checkRange(canary.canaryPercent, 'canaryConfiguration.canaryPercent', 0.1, 100, 0.1);
  checkRange(canary.canaryBakeTimeInMinutes, 'canaryConfiguration.canaryBakeTimeInMinutes', 0, 1440, 1);
  if (e.earlySuccessCriteria !== undefined && strategy !== 'ROLLING') {
    throw invalidParameter('earlySuccessCriteria is only valid with the ROLLING deployment strategy.');
  }
  const hooks = Array.isArray(e.lifecycleHooks) ? (e.lifecycleHooks as Json[]) : [];
  if (hooks.length > 0 && strategy === 'ROLLING') {
    throw invalidParameter(
      'lifecycleHooks are supported with the BLUE_GREEN, LINEAR and CANARY deployment strategies only.'
    );
  }
  hooks.forEach((hook, i) => {
    const where = `deploymentConfiguration.lifecycleHooks[${i}]`;
    const type = (hook.targetType as string | undefined) ?? 'AWS_LAMBDA';
    const stages = Array.isArray(hook.lifecycleStages) ? (hook.lifecycleStages as string[]) : [];
    if (stages.length === 0) throw invalidParameter(`${where}.lifecycleStages must be specified.`);
    if (type === 'AWS_LAMBDA') {
      for (const member of ['hookTargetArn', 'roleArn']) {
        if (typeof hook[member] !== 'string' || hook[member] === '') {
          throw invalidParameter(`${where}.${member} must be specified for an AWS_LAMBDA hook.`);
        }
      }
    }
    if (type === 'PAUSE') {
      if (hook.hookTargetArn !== undefined) {
        throw invalidParameter(`${where}.hookTargetArn is not applicable to a PAUSE hook.`);
      }
      const bad = stages.find((s) => s === 'TEST_TRAFFIC_SHIFT' || s === 'PRODUCTION_TRAFFIC_SHIFT');
      if (bad) {
        throw invalidParameter(
          `${where}: PAUSE hooks cannot be configured at ${bad}; that stage is only valid for AWS_LAMBDA hooks.`
        );
      }
    }
  });
  const alarms = e.alarms as Json | undefined;
  if (alarms?.enable === true && (!Array.isArray(alarms.alarmNames) || alarms.alarmNames.length === 0)) {
    throw invalidParameter(
      'deploymentConfiguration.alarms.alarmNames must name at least one alarm when enable is true.'
    );
  }
}

/**
 * Checks the load balancers against the strategy: BLUE_GREEN, LINEAR and CANARY need
 * `advancedConfiguration {alternateTargetGroupArn, productionListenerRule, roleArn}` on each target group
 * (LINEAR and CANARY need at least one load balancer); ROLLING takes no advancedConfiguration.
 * @throws InvalidParameterException
 */
export function checkLoadBalancersForStrategy(cfg: DeploymentConfiguration, loadBalancers: Json[]): void {
  const strategy = strategyOf(cfg);
  if (strategy === 'ROLLING') {
    if (loadBalancers.some((lb) => lb.advancedConfiguration !== undefined)) {
      throw invalidParameter(
        'loadBalancers[].advancedConfiguration is only valid with the BLUE_GREEN, LINEAR and CANARY deployment strategies.'
      );
    }
    return;
  }
  if ((strategy === 'LINEAR' || strategy === 'CANARY') && loadBalancers.length === 0) {
    throw invalidParameter(`The ${strategy} deployment strategy needs a load balancer to shift traffic.`);
  }
  loadBalancers.forEach((lb, i) => {
    const adv = lb.advancedConfiguration as Json | undefined;
    for (const member of ['alternateTargetGroupArn', 'productionListenerRule', 'roleArn']) {
      if (typeof adv?.[member] !== 'string' || adv[member] === '') {
        throw invalidParameter(
          `loadBalancers[${i}].advancedConfiguration.${member} must be specified for the ${strategy} deployment strategy.`
        );
      }
    }
  });
}

/** The lifecycle hooks of a configuration with ECS's defaults (AWS_LAMBDA, 1440 minutes, ROLLBACK). */
export function hooksOf(cfg: DeploymentConfiguration): LifecycleHookConfig[] {
  const hooks = Array.isArray(cfg.extra.lifecycleHooks) ? (cfg.extra.lifecycleHooks as Json[]) : [];
  return hooks.map((h) => {
    const timeout = (h.timeoutConfiguration ?? {}) as Json;
    return {
      targetType: ((h.targetType as string | undefined) ?? 'AWS_LAMBDA') as LifecycleHookConfig['targetType'],
      hookTargetArn: h.hookTargetArn as string | undefined,
      roleArn: h.roleArn as string | undefined,
      lifecycleStages: (h.lifecycleStages as string[] | undefined) ?? [],
      hookDetails: h.hookDetails,
      timeoutInMinutes: (timeout.timeoutInMinutes as number | undefined) ?? 1440,
      timeoutAction: ((timeout.action as string | undefined) ??
        'ROLLBACK') as LifecycleHookConfig['timeoutAction']
    };
  });
}

/** The alarms of a configuration. */
export function alarmsOf(cfg: DeploymentConfiguration): {
  enable: boolean;
  rollback: boolean;
  alarmNames: string[];
} {
  const a = (cfg.extra.alarms ?? {}) as Json;
  return {
    enable: a.enable === true,
    rollback: a.rollback === true,
    alarmNames: Array.isArray(a.alarmNames) ? (a.alarmNames as string[]) : []
  };
}

/** The configuration as DescribeServices returns it. */
export function configShape(cfg: DeploymentConfiguration): Json {
  const { extra, ...rest } = cfg;
  return { ...extra, ...rest };
}

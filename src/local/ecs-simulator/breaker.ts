/**
 * The deployment circuit breaker's threshold
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ThresholdConfiguration.html):
 * `thresholdConfiguration {type, value}` defaults to BOUNDED_PERCENT 50; the percentage types multiply `value`
 * by the latest desired count (rounded up), BOUNDED_PERCENT clamps the result to [3, 200], and COUNT uses
 * `value` itself. The failure count it is compared with is consecutive (a task that becomes healthy resets
 * it) unless `resetOnHealthyTask` is false.
 */
import type { CircuitBreakerConfig } from './state.js';

/**
 * The default threshold (BOUNDED_PERCENT 50): 0.5 × desiredCount rounded up, clamped to [3, 200].
 * @param desiredCount the service's desired task count
 */
export const breakerThreshold = (desiredCount: number): number => failureThreshold(desiredCount);

/**
 * The failure threshold for a service of `desiredCount` tasks.
 * @param desiredCount the service's latest desired count
 * @param threshold `thresholdConfiguration`; default BOUNDED_PERCENT 50 (0.5 × desiredCount within [3, 200])
 */
export function failureThreshold(
  desiredCount: number,
  threshold: CircuitBreakerConfig['thresholdConfiguration'] = { type: 'BOUNDED_PERCENT', value: 50 }
): number {
  const percent = Math.ceil((desiredCount * threshold.value) / 100);
  switch (threshold.type) {
    case 'COUNT':
      return threshold.value;
    case 'UNBOUNDED_PERCENT':
      return Math.max(1, percent);
    default:
      return Math.min(200, Math.max(3, percent));
  }
}

/** True unless the breaker's `resetOnHealthyTask` is false (the documented default is true). */
export const resetsOnHealthyTask = (breaker: CircuitBreakerConfig): boolean =>
  breaker.resetOnHealthyTask !== false;

/**
 * Reads the state of deployment alarms from CloudWatch (moto server) through the real
 * `@aws-sdk/client-cloudwatch` (DescribeAlarms:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html), for services whose
 * `deploymentConfiguration.alarms` is enabled. ECS fails a deployment when one of them is in ALARM
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html). The rollout
 * engine runs synchronously, so the watcher refreshes a cache (`state.alarms`) in the background, at most
 * once per `pollMs`, and the engine reads the cache.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { SimulatorState } from './state.js';

/** Refreshes the alarm cache of a simulator. */
export interface AlarmWatcher {
  /** Asks for a refresh of these alarm names (no-op while one is in flight or younger than pollMs). */
  refresh(names: string[], now: number): void;
  /** Errors of refreshes that failed (the cache keeps its last values). */
  readonly errors: string[];
  destroy(): void;
}

/** An AlarmWatcher against `endpoint` (a moto server URL) in `region`, with throwaway credentials. */
export function createAlarmWatcher(
  state: SimulatorState,
  endpoint: string,
  region: string,
  pollMs: number
): AlarmWatcher {
  const client = new CloudWatchClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 2
  });
  const errors: string[] = [];
  let inFlight = false;
  let last = 0;
  const fetch = async (names: string[]): Promise<void> => {
    const fetchedAt = Date.now();
    for (let i = 0; i < names.length; i += 100) {
      const out = await client.send(new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100) }));
      for (const alarm of out.MetricAlarms ?? []) {
        if (!alarm.AlarmName) continue;
        state.alarms.set(alarm.AlarmName, {
          state: alarm.StateValue ?? 'INSUFFICIENT_DATA',
          periodSeconds: alarm.Period ?? 60,
          evaluationPeriods: alarm.EvaluationPeriods ?? 1,
          fetchedAt
        });
      }
      for (const alarm of out.CompositeAlarms ?? []) {
        if (alarm.AlarmName) {
          state.alarms.set(alarm.AlarmName, {
            state: alarm.StateValue ?? 'INSUFFICIENT_DATA',
            periodSeconds: 60,
            evaluationPeriods: 1,
            fetchedAt
          });
        }
      }
    }
  };
  return {
    errors,
    refresh(names, now) {
      if (inFlight || names.length === 0 || now - last < pollMs) return;
      inFlight = true;
      last = now;
      fetch([...new Set(names)])
        .catch((error: unknown) => {
          errors.push(String((error as Error)?.message ?? error));
        })
        .finally(() => {
          inFlight = false;
        });
    },
    destroy() {
      client.destroy();
    }
  };
}

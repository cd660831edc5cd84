/**
 * The ECS rollout simulator: a local ECS control plane for tests and the demo, because moto has no service
 * deployments, rollouts, service events or circuit breaker. It listens on 127.0.0.1 (a free port) and speaks
 * the ECS JSON 1.1 protocol, so the real `@aws-sdk/client-ecs` (or any ECS client) talks to it via `endpoint`.
 * What it models and where it is simpler than AWS: docs/testing.md, "The ECS rollout simulator".
 *
 * ```ts
 * const ecs = await startEcsSimulator({ taskPhaseMs: 50 });
 * ecs.addFailure({ image: ':broken', scenario: 'image-pull-failure' });
 * const client = new ECSClient({ endpoint: ecs.endpoint, region: 'us-east-1', credentials });
 * ...
 * await ecs.stop();
 * ```
 */
import type { Server } from 'node:http';
import { createCluster, describeClusters, listClusters } from './clusters.js';
import { createLogWriter, type LogWriter } from './logs.js';
import { RolloutEngine } from './rollout.js';
import { SCENARIOS, type FailureRule } from './scenarios.js';
import { listen, type Handler } from './server.js';
import { createService, deleteService, describeServices, listServices, updateService } from './services.js';
import { SimulatorState } from './state.js';
import {
  deregisterTaskDefinition,
  describeTaskDefinition,
  listTaskDefinitions,
  registerTaskDefinition
} from './task-definitions.js';
import { describeTasks, listTasks, runTask, stopTaskOperation } from './tasks.js';

export type { FailureRule, FailureScenario } from './scenarios.js';
export { breakerThreshold } from './rollout.js';

/** Options of {@link startEcsSimulator}. */
export interface EcsSimulatorOptions {
  /** Region in ARNs. Default `us-east-1`. */
  region?: string;
  /** Account ID in ARNs (12 digits). Default `123456789012`. */
  accountId?: string;
  /** How long each task phase (PROVISIONING, PENDING, RUNNING before a scripted exit) lasts, in ms. Default 300. */
  taskPhaseMs?: number;
  /** Scheduler tick interval in ms. Default taskPhaseMs / 5, between 5 and 50. */
  tickMs?: number;
  /** moto server URL; when set, awslogs containers write their log lines to its CloudWatch Logs. */
  logsEndpoint?: string;
}

/** A running simulator. */
export interface EcsSimulator {
  /** http://127.0.0.1:PORT, for the SDK client's `endpoint` or `AWS_ENDPOINT_URL_ECS`. */
  endpoint: string;
  port: number;
  /** Adds a failure rule (first matching rule wins); applies to tasks created from now on. */
  addFailure(rule: FailureRule): void;
  /** Removes every failure rule. */
  clearFailures(): void;
  /** Answers the next `count` API requests with HTTP 400 ThrottlingException "Rate exceeded". */
  throttleNext(count: number): void;
  /** every API request received: operation name, Date.now() ms, parsed body */
  readonly requests: { operation: string; at: number; body: unknown }[];
  /** Date.now() ms at which a deployment's rolloutState became FAILED (for latency benchmarks) */
  failedAt(deploymentId: string): number | undefined;
  /** Clears all clusters, task definitions, services, tasks, failure rules, throttling and the request log. */
  reset(): void;
  /** Stops the scheduler timer and closes the server. */
  stop(): Promise<void>;
}

/**
 * Starts the simulator on 127.0.0.1 at a free port.
 * @throws Error when `taskPhaseMs`/`tickMs` are not positive numbers or the port cannot be bound.
 */
export async function startEcsSimulator(options: EcsSimulatorOptions = {}): Promise<EcsSimulator> {
  const taskPhaseMs = options.taskPhaseMs ?? 300;
  if (!(taskPhaseMs > 0))
    throw new Error(`taskPhaseMs must be a positive number of milliseconds, got ${taskPhaseMs}`);
  const tickMs = options.tickMs ?? Math.min(50, Math.max(5, Math.floor(taskPhaseMs / 5)));
  if (!(tickMs > 0)) throw new Error(`tickMs must be a positive number of milliseconds, got ${tickMs}`);
  const state = new SimulatorState({
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '123456789012',
    taskPhaseMs,
    tickMs,
    logsEndpoint: options.logsEndpoint
  });
  const logs: LogWriter | undefined = options.logsEndpoint
    ? createLogWriter(options.logsEndpoint, state.options.region)
    : undefined;
  const engine = new RolloutEngine(state, logs);
  const requests: { operation: string; at: number; body: unknown }[] = [];
  let throttle = 0;

  const handlers: Record<string, Handler> = {
    RegisterTaskDefinition: (b) => registerTaskDefinition(state, b),
    DescribeTaskDefinition: (b) => describeTaskDefinition(state, b),
    DeregisterTaskDefinition: (b) => deregisterTaskDefinition(state, b),
    ListTaskDefinitions: (b) => listTaskDefinitions(state, b),
    CreateCluster: (b) => createCluster(state, b),
    DescribeClusters: (b) => describeClusters(state, b),
    ListClusters: () => listClusters(state),
    CreateService: (b) => createService(state, b, Date.now()),
    UpdateService: (b) => updateService(state, b, Date.now()),
    DescribeServices: (b) => describeServices(state, b),
    DeleteService: (b) => deleteService(state, b, Date.now()),
    ListServices: (b) => listServices(state, b),
    RunTask: (b) => runTask(state, b, Date.now()),
    DescribeTasks: (b) => describeTasks(state, b),
    ListTasks: (b) => listTasks(state, b),
    StopTask: (b) => stopTaskOperation(state, b, Date.now()),
    TagResource: () => ({}),
    ListTagsForResource: () => ({ tags: [] })
  };
  const { server, port } = await listen({
    handlers,
    onRequest: (operation, body) => requests.push({ operation, at: Date.now(), body }),
    shouldThrottle: () => {
      if (throttle <= 0) return false;
      throttle--;
      return true;
    }
  });
  const timer = setInterval(() => engine.tick(Date.now()), tickMs);
  timer.unref();

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    requests,
    addFailure(rule) {
      if (!SCENARIOS.includes(rule.scenario)) {
        throw new Error(
          `Unknown failure scenario ${JSON.stringify(rule.scenario)}; expected one of ${SCENARIOS.join(', ')}`
        );
      }
      state.rules.push({ ...rule });
    },
    clearFailures() {
      state.rules = [];
    },
    throttleNext(count) {
      throttle = Math.max(0, Math.floor(count));
    },
    failedAt: (deploymentId) => state.failedAt.get(deploymentId),
    reset() {
      state.reset();
      throttle = 0;
      requests.length = 0;
    },
    stop: () => close(server, timer, logs)
  };
}

async function close(server: Server, timer: NodeJS.Timeout, logs: LogWriter | undefined): Promise<void> {
  clearInterval(timer);
  logs?.destroy();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

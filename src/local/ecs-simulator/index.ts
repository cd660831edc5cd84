/**
 * The ECS rollout simulator: a local ECS control plane for tests and the demo, because moto has no service
 * deployments, rollouts, service events or circuit breaker. It listens on 127.0.0.1 (a free port) and speaks
 * the ECS JSON 1.1 protocol, so the real `@aws-sdk/client-ecs` (or any ECS client) talks to it via `endpoint`.
 * What it models and where it is simpler than AWS: docs/testing.md, "The ECS rollout simulator".
 *
 * ```ts
 * const ecs = await startEcsSimulator({ taskPhaseMs: 50, minuteMs: 20, cloudwatchEndpoint: moto.endpoint });
 * ecs.addFailure({ image: ':broken', scenario: 'image-pull-failure' });
 * ecs.setHookAnswer('arn:aws:lambda:us-east-1:123456789012:function:check', { hookStatus: 'SUCCEEDED' });
 * const client = new ECSClient({ endpoint: ecs.endpoint, region: 'us-east-1', credentials });
 * ...
 * await ecs.stop();
 * ```
 */
import type { Server } from 'node:http';
import { createAlarmWatcher, type AlarmWatcher } from './alarms.js';
import { createCluster, describeClusters, listClusters } from './clusters.js';
import { EcsApiError } from './errors.js';
import { createLogWriter, type LogWriter } from './logs.js';
import { RolloutEngine } from './rollout.js';
import { SCENARIOS, type FailureRule } from './scenarios.js';
import { listen, type Handler } from './server.js';
import {
  continueServiceDeployment,
  describeServiceDeployments,
  describeServiceRevisions,
  listServiceDeployments,
  stopServiceDeployment
} from './service-deployments.js';
import { createService, deleteService, describeServices, listServices, updateService } from './services.js';
import { SimulatorState, type HookAnswerSource, type HookInvocation } from './state.js';
import { ecsModel } from './model.js';
import { recordTimeline, type TimelineEntry } from './timeline.js';
import {
  deregisterTaskDefinition,
  describeTaskDefinition,
  listTaskDefinitions,
  registerTaskDefinition
} from './task-definitions.js';
import { describeTasks, listTasks, runTask, stopTaskOperation } from './tasks.js';

export type { FailureRule, FailureScenario } from './scenarios.js';
export type { HookAnswer, HookAnswerSource, HookInvocation } from './state.js';
export { breakerThreshold } from './breaker.js';
export type { TimelineEntry } from './timeline.js';

/** One request or response the simulator saw (bodies as parsed JSON). */
export interface Exchange {
  operation: string;
  /** Date.now() ms */
  at: number;
  body: unknown;
}

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
  /**
   * How long one simulated minute lasts, in ms: bake times (`bakeTimeInMinutes`, step and canary bake times),
   * hook timeouts (`timeoutInMinutes`), a Lambda hook's `callBackDelay` (seconds / 60) and the alarm bake of
   * ROLLING deployments. Default taskPhaseMs.
   */
  minuteMs?: number;
  /** How long a deployment holds its steady state before it reads COMPLETED, in ms. Default 2 × taskPhaseMs. */
  steadyStateMs?: number;
  /**
   * How many DescribeServices answers after a rollback still show the failed deployment ACTIVE with rolloutState
   * IN_PROGRESS (ECS's states arrive out of step). Default 1; 0 turns it off.
   */
  staleReads?: number;
  /** moto server URL; when set, awslogs containers write their log lines to its CloudWatch Logs. */
  logsEndpoint?: string;
  /** moto server URL; when set, deployment alarms are read from its CloudWatch (DescribeAlarms). */
  cloudwatchEndpoint?: string;
  /** How often deployment alarms are read, in ms. Default max(tickMs, taskPhaseMs / 2). */
  alarmPollMs?: number;
  /**
   * Default true. false: a control plane without the ServiceDeployment API (an ECS from before 2024-10, or
   * moto): ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions, StopServiceDeployment
   * and ContinueServiceDeployment answer UnknownOperationException, and services carry no
   * currentServiceDeployment / currentServiceRevisions. Deployments roll out (and roll back) as before.
   */
  serviceDeploymentApi?: boolean;
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
  /**
   * Turns the ServiceDeployment API on or off from now on (see `EcsSimulatorOptions.serviceDeploymentApi`);
   * deployments already under way go on either way.
   */
  setServiceDeploymentApi(enabled: boolean): void;
  /** Answers the next `count` API requests with HTTP 400 ThrottlingException "Rate exceeded". */
  throttleNext(count: number): void;
  /** every API request received: operation name, Date.now() ms, parsed body */
  readonly requests: Exchange[];
  /** every answer sent, in order: operation, Date.now() ms, HTTP status, the JSON body */
  readonly responses: (Exchange & { status: number })[];
  /**
   * Sets what the Lambda `hookTargetArn` answers when a lifecycle hook invokes it: one answer
   * (`{hookStatus: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS', callBackDelay?: seconds, hookDetails?}` or
   * `{error}` for an invoke error), a sequence (used in order, the last repeats), or a function of the
   * invocation. A function with no answer set fails like a missing Lambda function.
   */
  setHookAnswer(hookTargetArn: string, answer: HookAnswerSource): void;
  /** The ECS operations the simulator implements. */
  readonly operations: readonly string[];
  /** every Lambda hook invocation: when, which hook, its stage, the payload and the answer */
  readonly hookInvocations: readonly HookInvocation[];
  /** Date.now() ms at which a deployment's rolloutState became FAILED (for latency benchmarks) */
  failedAt(deploymentId: string): number | undefined;
  /**
   * When a service deployment entered each status and lifecycle stage (Date.now() ms, oldest first), as the
   * simulator set them: the first ROLLBACK_REQUESTED or STOPPED, the SUCCESSFUL, the BAKE_TIME. Empty for an
   * unknown ARN. For benchmarks and tests; not visible through the API.
   */
  timeline(serviceDeploymentArn: string): readonly TimelineEntry[];
  /** Every service deployment's timeline, by ARN (`…:service-deployment/CLUSTER/SERVICE/ID`), oldest first. */
  timelines(): ReadonlyMap<string, readonly TimelineEntry[]>;
  /**
   * Clears all clusters, task definitions, services, service deployments and revisions, tasks, failure rules,
   * hook answers and invocations, cached alarm states, throttling and the request and response logs.
   */
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
  const minuteMs = options.minuteMs ?? taskPhaseMs;
  if (!(minuteMs > 0)) throw new Error(`minuteMs must be a positive number of milliseconds, got ${minuteMs}`);
  const steadyStateMs = options.steadyStateMs ?? 2 * taskPhaseMs;
  if (!(steadyStateMs >= 0))
    throw new Error(`steadyStateMs must be 0 or more milliseconds, got ${steadyStateMs}`);
  const staleReads = options.staleReads ?? 1;
  if (!Number.isInteger(staleReads) || staleReads < 0)
    throw new Error(`staleReads must be a whole number of 0 or more, got ${staleReads}`);
  ecsModel(); // fails early, naming scripts/setup.sh, when botocore's model is missing
  const state = new SimulatorState({
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '123456789012',
    taskPhaseMs,
    tickMs,
    minuteMs,
    steadyStateMs,
    staleReads,
    serviceDeploymentApi: options.serviceDeploymentApi ?? true,
    logsEndpoint: options.logsEndpoint,
    cloudwatchEndpoint: options.cloudwatchEndpoint
  });
  const logs: LogWriter | undefined = options.logsEndpoint
    ? createLogWriter(options.logsEndpoint, state.options.region)
    : undefined;
  const alarms: AlarmWatcher | undefined = options.cloudwatchEndpoint
    ? createAlarmWatcher(
        state,
        options.cloudwatchEndpoint,
        state.options.region,
        options.alarmPollMs ?? Math.max(tickMs, taskPhaseMs / 2)
      )
    : undefined;
  const engine = new RolloutEngine(state, logs, alarms);
  const requests: Exchange[] = [];
  const responses: (Exchange & { status: number })[] = [];
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
    ListServiceDeployments: (b) => listServiceDeployments(state, b),
    DescribeServiceDeployments: (b) => describeServiceDeployments(state, b),
    DescribeServiceRevisions: (b) => describeServiceRevisions(state, b),
    StopServiceDeployment: (b) => stopServiceDeployment(state, b, Date.now()),
    ContinueServiceDeployment: (b) => continueServiceDeployment(state, b, Date.now()),
    TagResource: () => ({}),
    ListTagsForResource: () => ({ tags: [] })
  };
  for (const operation of SERVICE_DEPLOYMENT_OPERATIONS) {
    const handler = handlers[operation]!;
    handlers[operation] = (b) => {
      if (!state.options.serviceDeploymentApi) {
        // What a control plane without the operation answers (as for any operation the simulator lacks).
        throw new EcsApiError('UnknownOperationException', `The simulator does not implement ${operation}.`);
      }
      return handler(b);
    };
  }
  const { server, port } = await listen({
    handlers,
    onRequest: (operation, body) => requests.push({ operation, at: Date.now(), body }),
    onResponse: (operation, status, body) => {
      // A request may have changed a service deployment (StopServiceDeployment, ContinueServiceDeployment).
      recordTimeline(state, requests[requests.length - 1]?.at ?? Date.now());
      responses.push({
        operation,
        at: Date.now(),
        status,
        body: JSON.parse(JSON.stringify(body)) as unknown
      });
    },
    shouldThrottle: () => {
      if (throttle <= 0) return false;
      throttle--;
      return true;
    }
  });
  const timer = setInterval(() => {
    const now = Date.now();
    engine.tick(now);
    recordTimeline(state, now);
  }, tickMs);
  timer.unref();

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    requests,
    responses,
    operations: Object.keys(handlers),
    hookInvocations: state.hookInvocations,
    setHookAnswer(hookTargetArn, answer) {
      state.hookAnswers.set(hookTargetArn, { source: answer, used: 0 });
    },
    addFailure(rule) {
      if (!SCENARIOS.includes(rule.scenario)) {
        throw new Error(
          `Unknown failure scenario ${JSON.stringify(rule.scenario)}; expected one of ${SCENARIOS.join(', ')}`
        );
      }
      state.rules.push({ ...rule, matched: 0 });
    },
    clearFailures() {
      state.rules = [];
    },
    setServiceDeploymentApi(enabled) {
      state.options.serviceDeploymentApi = enabled;
    },
    throttleNext(count) {
      throttle = Math.max(0, Math.floor(count));
    },
    failedAt: (deploymentId) => state.failedAt.get(deploymentId),
    timeline: (arn) => state.timeline.get(arn) ?? [],
    timelines: () => state.timeline,
    reset() {
      state.reset();
      throttle = 0;
      requests.length = 0;
      responses.length = 0;
    },
    stop: () => close(server, timer, logs, alarms)
  };
}

/** The operations of the ServiceDeployment API (2024-10), absent with `serviceDeploymentApi: false`. */
const SERVICE_DEPLOYMENT_OPERATIONS = [
  'ListServiceDeployments',
  'DescribeServiceDeployments',
  'DescribeServiceRevisions',
  'StopServiceDeployment',
  'ContinueServiceDeployment'
] as const;

async function close(
  server: Server,
  timer: NodeJS.Timeout,
  logs: LogWriter | undefined,
  alarms: AlarmWatcher | undefined
): Promise<void> {
  clearInterval(timer);
  logs?.destroy();
  alarms?.destroy();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

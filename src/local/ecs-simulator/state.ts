/**
 * The simulator's in-memory model of an ECS control plane: task definitions, clusters, services with their
 * deployments and events, and tasks. Times are kept as `Date.now()` milliseconds and turned into the
 * protocol's epoch seconds only when a response is built (see shapes.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FailureRule, StoredRule } from './scenarios.js';
import type { TimelineEntry } from './timeline.js';
import type {
  HookAnswerSource,
  HookInvocation,
  ServiceDeploymentRecord,
  ServiceRevision
} from './deployment-types.js';

export * from './deployment-types.js';

/** A JSON object as sent or returned over the wire. */
export type Json = Record<string, unknown>;

/** An ECS resource tag. */
export interface Tag {
  key?: string;
  value?: string;
}

/** One registered revision of a task definition family. */
export interface TaskDefinitionRecord {
  family: string;
  revision: number;
  arn: string;
  /** The full TaskDefinition object returned by the API (caller's fields plus ECS's read-only ones). */
  body: Json;
  tags: Tag[];
}

/** A cluster created with CreateCluster. */
export interface Cluster {
  name: string;
  arn: string;
  tags: Tag[];
  /** Other CreateCluster parameters returned as sent (settings, configuration, capacityProviders...). */
  extra: Json;
}

/** `rolloutState` of a deployment (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html). */
export type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/** One deployment of a service; `status` is PRIMARY for the newest, ACTIVE for older ones still draining. */
export interface Deployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinition: string;
  desiredCount: number;
  /** The circuit breaker's failure count: consecutive failures (reset by a healthy task) or cumulative. */
  failedTasks: number;
  /** ARN of the service revision this deployment runs. */
  revisionArn: string;
  /**
   * Set on a deployment that a rollback just replaced: the next `reads` DescribeServices answers still show
   * it as it was before it failed (rolloutState IN_PROGRESS), as real ECS's states arrive out of step.
   */
  stale?: { reads: number; rolloutState: RolloutState; rolloutStateReason: string };
  createdAt: number;
  updatedAt: number;
  launchType?: string;
  platformVersion?: string;
  networkConfiguration?: Json;
  capacityProviderStrategy?: unknown[];
  rolloutState: RolloutState;
  rolloutStateReason: string;
}

/** One entry of a service's `events` (newest first). */
export interface ServiceEvent {
  id: string;
  createdAt: number;
  message: string;
}

/** `deploymentConfiguration.deploymentCircuitBreaker` with the 2026 members. */
export interface CircuitBreakerConfig {
  enable: boolean;
  rollback: boolean;
  /** Default true: a task that becomes healthy resets the failure count (consecutive failures). */
  resetOnHealthyTask?: boolean;
  thresholdConfiguration?: { type: 'COUNT' | 'BOUNDED_PERCENT' | 'UNBOUNDED_PERCENT'; value: number };
}

/** `deploymentConfiguration` as the simulator uses it, with ECS defaults filled in. */
export interface DeploymentConfiguration {
  maximumPercent: number;
  minimumHealthyPercent: number;
  deploymentCircuitBreaker: CircuitBreakerConfig;
  /** Other members (alarms, strategy, lifecycleHooks...) kept and returned as sent. */
  extra: Json;
}

/** A service created with CreateService. */
export interface Service {
  name: string;
  arn: string;
  clusterArn: string;
  clusterName: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desiredCount: number;
  taskDefinition: string;
  deploymentConfiguration: DeploymentConfiguration;
  networkConfiguration?: Json;
  loadBalancers: Json[];
  launchType?: string;
  platformVersion?: string;
  /** Deployments, PRIMARY first, then older ACTIVE ones newest first. */
  deployments: Deployment[];
  events: ServiceEvent[];
  createdAt: number;
  tags: Tag[];
  /** Other CreateService parameters returned as sent (propagateTags, healthCheckGracePeriodSeconds...). */
  extra: Json;
  /** Task definition ARN of the last deployment that reached COMPLETED. */
  lastCompletedTaskDefinition?: string;
  /** ARNs of the service's service deployments, oldest first. */
  serviceDeploymentArns: string[];
}

/** Runtime state of one container of a task. */
export interface ContainerState {
  containerArn: string;
  name: string;
  image: string;
  lastStatus: string;
  exitCode?: number;
  reason?: string;
  essential: boolean;
  cpu?: string;
  memory?: string;
  /** The command this container runs (override, else definition command/entryPoint), joined by spaces. */
  command: string;
  logConfiguration?: Json;
  /** True when the container definition has a `healthCheck`. */
  hasHealthCheck: boolean;
  /** Container health status: UNKNOWN until its health check passes (or always, without one). */
  healthStatus: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
}

/** `lastStatus` values the simulator uses, in lifecycle order. */
export type TaskStatus = 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'STOPPED';

/** A task, started by a service deployment or by RunTask. */
export interface Task {
  id: string;
  arn: string;
  clusterArn: string;
  clusterName: string;
  taskDefinitionArn: string;
  family: string;
  serviceName?: string;
  deploymentId?: string;
  startedBy?: string;
  group: string;
  launchType?: string;
  platformVersion?: string;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  createdAt: number;
  /** When the current lastStatus began (ms). */
  phaseAt: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
  containers: ContainerState[];
  overrides: Json;
  cpu?: string;
  memory?: string;
  tags: Tag[];
  /** The failure rule matched when the task was created, if any. */
  rule?: FailureRule;
  /** True when the task stopped because of a failure (counts in its deployment's failedTasks). */
  failed: boolean;
  /** Date.now() when the task first counted as healthy. */
  healthyAt?: number;
  /** Pending CloudWatch Logs write; the task does not reach STOPPED before it settles. */
  logs?: { done: boolean };
}

/** Options resolved with defaults. */
export interface ResolvedOptions {
  region: string;
  accountId: string;
  taskPhaseMs: number;
  tickMs: number;
  /** How long one simulated minute (bake times, hook timeouts, callBackDelay/60) lasts, in ms. */
  minuteMs: number;
  /** How long a deployment must hold its steady state before it reads COMPLETED, in ms. */
  steadyStateMs: number;
  /** How many DescribeServices answers still show a rolled-back deployment as IN_PROGRESS. */
  staleReads: number;
  /** False: the ServiceDeployment operations and Service.currentServiceDeployment are absent. */
  serviceDeploymentApi: boolean;
  logsEndpoint?: string;
  cloudwatchEndpoint?: string;
}

/** All simulator state; `reset()` empties it. */
export class SimulatorState {
  readonly taskDefinitions = new Map<string, TaskDefinitionRecord[]>();
  readonly clusters = new Map<string, Cluster>();
  /** Keyed by `${clusterName}/${serviceName}`. */
  readonly services = new Map<string, Service>();
  /** Keyed by task ID, in creation order. */
  readonly tasks = new Map<string, Task>();
  rules: StoredRule[] = [];
  /** Date.now() at which each deployment's rolloutState became FAILED. */
  readonly failedAt = new Map<string, number>();
  /** Status and lifecycle stage changes of each service deployment, by ARN, oldest first (timeline.ts). */
  readonly timeline = new Map<string, TimelineEntry[]>();
  /** Service revisions by ARN. */
  readonly serviceRevisions = new Map<string, ServiceRevision>();
  /** Service deployments by ARN. */
  readonly serviceDeployments = new Map<string, ServiceDeploymentRecord>();
  /** Scenario answers of Lambda hooks, by function ARN. */
  readonly hookAnswers = new Map<string, { source: HookAnswerSource; used: number }>();
  /** Every Lambda hook invocation. */
  readonly hookInvocations: HookInvocation[] = [];
  /** Last known CloudWatch alarm states by alarm name (read from moto by the alarm watcher). */
  readonly alarms = new Map<
    string,
    { state: string; periodSeconds: number; evaluationPeriods: number; fetchedAt: number }
  >();

  constructor(readonly options: ResolvedOptions) {}

  /** Clears every resource and rule (not the request log). */
  reset(): void {
    this.taskDefinitions.clear();
    this.clusters.clear();
    this.services.clear();
    this.tasks.clear();
    this.failedAt.clear();
    this.timeline.clear();
    this.serviceRevisions.clear();
    this.serviceDeployments.clear();
    this.hookAnswers.clear();
    this.hookInvocations.length = 0;
    this.alarms.clear();
    this.rules = [];
  }

  /** The service a deployment record belongs to. */
  serviceOf(record: ServiceDeploymentRecord): Service | undefined {
    return this.services.get(record.serviceKey);
  }

  /** The newest service deployment of a service, if any. */
  currentServiceDeployment(service: Service): ServiceDeploymentRecord | undefined {
    const arn = service.serviceDeploymentArns[service.serviceDeploymentArns.length - 1];
    return arn ? this.serviceDeployments.get(arn) : undefined;
  }

  /** ms of simulated time for `minutes` simulated minutes. */
  minutes(minutes: number): number {
    return minutes * this.options.minuteMs;
  }

  /** `arn:aws:ecs:REGION:ACCOUNT:<resource>` */
  arn(resource: string): string {
    return `arn:aws:ecs:${this.options.region}:${this.options.accountId}:${resource}`;
  }
}

/** A task ID: 32 lowercase hex characters, as ECS issues. */
export function newTaskId(): string {
  return randomBytes(16).toString('hex');
}

/** A deployment ID: `ecs-svc/` followed by 19 digits. */
export function newDeploymentId(): string {
  let digits = String(1 + Math.floor(Math.random() * 9));
  while (digits.length < 19) digits += String(Math.floor(Math.random() * 10));
  return `ecs-svc/${digits}`;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A service deployment ID: 21 letters and digits (the shape of `EZe5RNVLH6PPzHXINuP28` in AWS's examples). */
export function newServiceDeploymentId(): string {
  return [...randomBytes(21)].map((b) => ALNUM[b % ALNUM.length]).join('');
}

/** A service revision ID: 19 digits. */
export function newServiceRevisionId(): string {
  return newDeploymentId().slice('ecs-svc/'.length);
}

/** A lifecycle hook ID: `ecs-pause-` / `ecs-lambda-` and 43 URL-safe base64 characters (AWS's example shape). */
export function newHookId(targetType: string): string {
  const prefix = targetType === 'PAUSE' ? 'ecs-pause-' : 'ecs-lambda-';
  return prefix + randomBytes(32).toString('base64url').slice(0, 43);
}

/** A service event ID (a UUID, as ECS uses). */
export function newEventId(): string {
  return randomUUID();
}

/** The last path segment of an ARN, or the value itself when it is not an ARN. */
export function lastSegment(value: string): string {
  return value.startsWith('arn:') ? (value.split('/').pop() ?? value) : value;
}

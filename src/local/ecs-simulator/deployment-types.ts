/**
 * The simulator's model of service deployments: service revisions, lifecycle stages, plan steps, hook runs
 * and the service deployment record itself, and what a test scenario answers for Lambda hooks. Times are
 * `Date.now()` milliseconds; shapes go out through service-deployments.ts.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html
 */
import type { CircuitBreakerConfig, Json } from './state.js';

/** ServiceDeployment `status` (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html). */
export type ServiceDeploymentStatus =
  | 'PENDING'
  | 'IN_PROGRESS'
  | 'SUCCESSFUL'
  | 'STOPPED'
  | 'STOP_REQUESTED'
  | 'ROLLBACK_REQUESTED'
  | 'ROLLBACK_IN_PROGRESS'
  | 'ROLLBACK_SUCCESSFUL'
  | 'ROLLBACK_FAILED';

/** ServiceDeployment `lifecycleStage`, in the order a deployment goes through them. */
export const LIFECYCLE_STAGES = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP'
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** Status of the circuit breaker and alarm monitors of a service deployment. */
export type MonitorStatus = 'TRIGGERED' | 'MONITORING' | 'MONITORING_COMPLETE' | 'DISABLED';

/** A service revision: the task definition and environment one deployment runs. */
export interface ServiceRevision {
  id: string;
  arn: string;
  serviceArn: string;
  clusterArn: string;
  taskDefinition: string;
  launchType?: string;
  platformVersion?: string;
  capacityProviderStrategy?: unknown[];
  loadBalancers: Json[];
  serviceRegistries: Json[];
  networkConfiguration?: Json;
  containerImages: { containerName: string; image: string }[];
  createdAt: number;
}

/** One `deploymentConfiguration.lifecycleHooks[]` entry with defaults filled in. */
export interface LifecycleHookConfig {
  targetType: 'AWS_LAMBDA' | 'PAUSE';
  hookTargetArn?: string;
  roleArn?: string;
  lifecycleStages: string[];
  hookDetails?: unknown;
  /** Default 1440 (24 hours). */
  timeoutInMinutes: number;
  /** Default ROLLBACK. */
  timeoutAction: 'ROLLBACK' | 'CONTINUE';
}

/** One run of a lifecycle hook at one stage (a `lifecycleHookDetails[]` entry). */
export interface HookRun {
  hookId: string;
  hook: LifecycleHookConfig;
  /** The hook stage it runs at (DeploymentLifecycleHookStage, which includes PRE_PRODUCTION_TRAFFIC_SHIFT). */
  hookStage: string;
  status: 'AWAITING_ACTION' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  startedAt: number;
  expiresAt: number;
  /** When a Lambda hook is invoked next (after IN_PROGRESS and its callBackDelay). */
  nextInvokeAt?: number;
  /** hookDetails a Lambda returned with IN_PROGRESS, passed to its next invocation. */
  hookDetails?: unknown;
  /** Why it failed (FAILED/TIMED_OUT), for statusReason. */
  reason?: string;
}

/** One step of a service deployment's plan; `stage` is the lifecycleStage shown while it runs. */
export type PlanStep =
  | { kind: 'hooks'; stage: LifecycleStage; hookStage: string }
  | { kind: 'rolling'; stage: 'SCALE_UP' }
  | { kind: 'scale-up'; stage: 'SCALE_UP' }
  | { kind: 'shift'; stage: LifecycleStage; production?: number; test?: number }
  | { kind: 'wait'; stage: LifecycleStage; minutes: number }
  | { kind: 'alarm-bake'; stage: 'BAKE_TIME' }
  | { kind: 'clean-up'; stage: 'CLEAN_UP' };

/** Traffic weights (percent) of one service revision. */
export interface TrafficWeights {
  production: number;
  test: number;
}

/** What failed a service deployment. */
export type FailureTrigger = 'circuit-breaker' | 'alarm' | 'hook' | 'stop' | 'continue';

/** A service deployment (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html). */
export interface ServiceDeploymentRecord {
  id: string;
  arn: string;
  /** `${clusterName}/${serviceName}` */
  serviceKey: string;
  serviceArn: string;
  clusterArn: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  stoppedAt?: number;
  updatedAt: number;
  status: ServiceDeploymentStatus;
  statusReason?: string;
  lifecycleStage?: LifecycleStage;
  strategy: 'ROLLING' | 'BLUE_GREEN' | 'LINEAR' | 'CANARY';
  /** The deploymentConfiguration the deployment runs with, as DescribeServices returns it. */
  config: Json;
  breakerConfig: CircuitBreakerConfig;
  hooks: LifecycleHookConfig[];
  alarmConfig: { enable: boolean; rollback: boolean; alarmNames: string[] };
  targetDeploymentId: string;
  targetRevisionArn: string;
  sourceDeploymentIds: string[];
  sourceRevisionArns: string[];
  /** Requested traffic weights by revision ARN; empty for ROLLING (no managed traffic shifting). */
  weights: Record<string, TrafficWeights>;
  plan: PlanStep[];
  step: number;
  /** The step whose entry actions ran (a step is entered once). */
  enteredStep?: number;
  stepStartedAt: number;
  /** The runs of the most recent hook step. */
  hookRuns: HookRun[];
  rollback?: { reason: string; startedAt: number; serviceRevisionArn: string; deploymentId: string };
  breakerStatus: MonitorStatus;
  /** The target deployment's failed tasks when the breaker tripped (ECS keeps reporting it afterwards). */
  failureCountAtTrip?: number;
  alarmStatus: MonitorStatus;
  triggeredAlarmNames: string[];
  /** Since when the PRIMARY has been steady (for the steady-state settle before COMPLETED). */
  steadySince?: number;
}

/** What a test scenario answers for a Lambda lifecycle hook (the function's JSON result, or an invoke error). */
export type HookAnswer =
  { hookStatus: string; callBackDelay?: number; hookDetails?: unknown } | { error: string };

/** One invocation of a Lambda lifecycle hook, as recorded by the simulator. */
export interface HookInvocation {
  at: number;
  hookTargetArn: string;
  hookId: string;
  /** The hook stage (DeploymentLifecycleHookStage). */
  lifecycleStage: string;
  serviceDeploymentArn: string;
  /** The payload ECS documents for lifecycle hooks. */
  payload: {
    serviceArn: string;
    targetServiceRevisionArn: string;
    testTrafficWeights: Record<string, number>;
    productionTrafficWeights: Record<string, number>;
    hookDetails?: unknown;
  };
  /** What the scenario answered. */
  answer: HookAnswer;
}

/** A scenario's answers for one Lambda: one answer, a sequence (the last repeats), or a function. */
export type HookAnswerSource =
  HookAnswer | HookAnswer[] | ((invocation: Omit<HookInvocation, 'answer'>) => HookAnswer);

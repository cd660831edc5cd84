/**
 * Service deployments and service revisions
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html): every deployment that
 * CreateService or UpdateService starts is a service deployment
 * (`arn:aws:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/ID`) from the service's current revisions to
 * a new service revision (`service-revision/CLUSTER/SERVICE/ID`). A rollback is part of the service deployment
 * it rolls back (status ROLLBACK_*), not a new one.
 * Operations: ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions,
 * StopServiceDeployment, ContinueServiceDeployment
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html and neighbours).
 */
import { failureThreshold } from './breaker.js';
import { resolveCluster } from './clusters.js';
import { alarmsOf, configShape, hooksOf, strategyOf } from './deployment-config.js';
import {
  conflict,
  invalidParameter,
  optionalInt,
  requireString,
  serviceDeploymentNotFound,
  serviceNotFound
} from './errors.js';
import { decodeToken, encodeToken } from './pagination.js';
import { buildPlan } from './plan.js';
import { TERMINAL, failServiceDeployment, rollingBackStatus } from './rollback.js';
import { counts, liveTasks, seconds } from './shapes.js';
import {
  lastSegment,
  newServiceDeploymentId,
  newServiceRevisionId,
  type Deployment,
  type Json,
  type Service,
  type ServiceDeploymentRecord,
  type ServiceRevision,
  type SimulatorState,
  type TaskDefinitionRecord
} from './state.js';

/** Drops undefined members. */
const compact = (obj: Json): Json => {
  for (const key of Object.keys(obj)) if (obj[key] === undefined) delete obj[key];
  return obj;
};

/** Records a new service revision of `service` running `td` with the service's current settings. */
export function createRevision(
  state: SimulatorState,
  service: Service,
  td: TaskDefinitionRecord,
  now: number
): ServiceRevision {
  const id = newServiceRevisionId();
  const revision: ServiceRevision = {
    id,
    arn: state.arn(`service-revision/${service.clusterName}/${service.name}/${id}`),
    serviceArn: service.arn,
    clusterArn: service.clusterArn,
    taskDefinition: td.arn,
    launchType: service.launchType,
    platformVersion: service.platformVersion,
    capacityProviderStrategy: service.extra.capacityProviderStrategy as unknown[] | undefined,
    loadBalancers: service.loadBalancers,
    serviceRegistries: (service.extra.serviceRegistries as Json[] | undefined) ?? [],
    networkConfiguration: service.networkConfiguration,
    containerImages: ((td.body.containerDefinitions as Json[] | undefined) ?? []).map((c) => ({
      containerName: String(c.name),
      image: String(c.image)
    })),
    createdAt: now
  };
  state.serviceRevisions.set(revision.arn, revision);
  return revision;
}

/**
 * Starts the service deployment of `target` (the service's new PRIMARY). An unfinished earlier service deployment
 * of the service is STOPPED: the new one replaces it.
 */
export function beginServiceDeployment(
  state: SimulatorState,
  service: Service,
  target: Deployment,
  now: number
): ServiceDeploymentRecord {
  const previous = state.currentServiceDeployment(service);
  if (previous && !TERMINAL.includes(previous.status)) {
    previous.status = 'STOPPED';
    previous.statusReason = 'A newer service deployment replaced this one.';
    previous.stoppedAt = now;
    previous.updatedAt = now;
  }
  const cfg = service.deploymentConfiguration;
  const strategy = strategyOf(cfg);
  const sources = service.deployments.filter((d) => d !== target);
  // The revision serving traffic (the last COMPLETED one) comes first.
  sources.sort((a, b) => Number(b.rolloutState === 'COMPLETED') - Number(a.rolloutState === 'COMPLETED'));
  const first = sources.length === 0;
  const alarms = alarmsOf(cfg);
  const active = sources.filter(
    (d) => liveTasks(state, service, d.id).length > 0 || d.rolloutState === 'IN_PROGRESS'
  );
  const plan = buildPlan(strategy, cfg.extra, { first, reconcile: active.length > 1, alarms: alarms.enable });
  const id = newServiceDeploymentId();
  const weights: ServiceDeploymentRecord['weights'] = {};
  if (plan.some((s) => s.kind === 'scale-up')) {
    weights[target.revisionArn] = { production: 0, test: 0 };
    sources.forEach((d, i) => {
      weights[d.revisionArn] = i === 0 ? { production: 100, test: 100 } : { production: 0, test: 0 };
    });
  }
  const record: ServiceDeploymentRecord = {
    id,
    arn: state.arn(`service-deployment/${service.clusterName}/${service.name}/${id}`),
    serviceKey: `${service.clusterName}/${service.name}`,
    serviceArn: service.arn,
    clusterArn: service.clusterArn,
    createdAt: now,
    updatedAt: now,
    status: 'PENDING',
    strategy,
    config: configShape(cfg),
    breakerConfig: cfg.deploymentCircuitBreaker,
    hooks: hooksOf(cfg),
    alarmConfig: alarms,
    targetDeploymentId: target.id,
    targetRevisionArn: target.revisionArn,
    sourceDeploymentIds: sources.map((d) => d.id),
    sourceRevisionArns: sources.map((d) => d.revisionArn),
    weights,
    plan,
    step: 0,
    stepStartedAt: now,
    hookRuns: [],
    breakerStatus: cfg.deploymentCircuitBreaker.enable ? 'MONITORING' : 'DISABLED',
    alarmStatus: alarms.enable ? 'MONITORING' : 'DISABLED',
    triggeredAlarmNames: []
  };
  state.serviceDeployments.set(record.arn, record);
  service.serviceDeploymentArns.push(record.arn);
  return record;
}

/** A ServiceRevisionSummary: task counts of the revision's deployment and, when shifted, traffic weights. */
function revisionSummary(
  state: SimulatorState,
  service: Service | undefined,
  sd: ServiceDeploymentRecord,
  arn: string
): Json {
  const d = service?.deployments.find((x) => x.revisionArn === arn);
  const c = d && service ? counts(liveTasks(state, service, d.id)) : { running: 0, pending: 0 };
  const w = sd.weights[arn];
  return compact({
    arn,
    requestedTaskCount: d?.desiredCount ?? 0,
    runningTaskCount: c.running,
    pendingTaskCount: c.pending,
    requestedTestTrafficWeight: w?.test,
    requestedProductionTrafficWeight: w?.production
  });
}

/** The ServiceDeployment shape. */
export function serviceDeploymentShape(state: SimulatorState, sd: ServiceDeploymentRecord): Json {
  const service = state.serviceOf(sd);
  const target = service?.deployments.find((d) => d.id === sd.targetDeploymentId);
  return compact({
    serviceDeploymentArn: sd.arn,
    serviceArn: sd.serviceArn,
    clusterArn: sd.clusterArn,
    createdAt: seconds(sd.createdAt),
    startedAt: seconds(sd.startedAt),
    finishedAt: seconds(sd.finishedAt),
    stoppedAt: seconds(sd.stoppedAt),
    updatedAt: seconds(sd.updatedAt),
    sourceServiceRevisions: sd.sourceRevisionArns.map((arn) => revisionSummary(state, service, sd, arn)),
    targetServiceRevision: revisionSummary(state, service, sd, sd.targetRevisionArn),
    status: sd.status,
    statusReason: sd.statusReason,
    lifecycleStage: sd.lifecycleStage,
    lifecycleHookDetails:
      sd.hooks.length === 0
        ? undefined
        : sd.hookRuns.map((r) =>
            compact({
              hookId: r.hookId,
              targetType: r.hook.targetType,
              targetArn: r.hook.targetType === 'PAUSE' ? undefined : r.hook.hookTargetArn,
              status: r.status,
              expiresAt: seconds(r.expiresAt),
              timeoutAction: r.hook.timeoutAction
            })
          ),
    deploymentConfiguration: sd.config,
    rollback: sd.rollback
      ? {
          reason: sd.rollback.reason,
          startedAt: seconds(sd.rollback.startedAt),
          serviceRevisionArn: sd.rollback.serviceRevisionArn
        }
      : undefined,
    deploymentCircuitBreaker: {
      status: sd.breakerStatus,
      // Once tripped, the count at the trip: the failed deployment may be gone after a rolling rollback.
      failureCount:
        sd.breakerStatus === 'TRIGGERED' && sd.failureCountAtTrip !== undefined
          ? sd.failureCountAtTrip
          : (target?.failedTasks ?? 0),
      threshold: failureThreshold(service?.desiredCount ?? 0, sd.breakerConfig.thresholdConfiguration)
    },
    alarms: {
      status: sd.alarmStatus,
      alarmNames: sd.alarmConfig.alarmNames,
      triggeredAlarmNames: sd.triggeredAlarmNames
    }
  });
}

/** The ServiceDeploymentBrief shape. */
function briefShape(sd: ServiceDeploymentRecord): Json {
  return compact({
    serviceDeploymentArn: sd.arn,
    serviceArn: sd.serviceArn,
    clusterArn: sd.clusterArn,
    startedAt: seconds(sd.startedAt),
    createdAt: seconds(sd.createdAt),
    finishedAt: seconds(sd.finishedAt),
    targetServiceRevisionArn: sd.targetRevisionArn,
    status: sd.status,
    statusReason: sd.statusReason
  });
}

/** The ServiceRevision shape. */
export function serviceRevisionShape(revision: ServiceRevision): Json {
  return compact({
    serviceRevisionArn: revision.arn,
    serviceArn: revision.serviceArn,
    clusterArn: revision.clusterArn,
    taskDefinition: revision.taskDefinition,
    capacityProviderStrategy: revision.capacityProviderStrategy,
    launchType: revision.launchType,
    platformVersion: revision.platformVersion,
    platformFamily: revision.launchType === 'FARGATE' ? 'Linux' : undefined,
    loadBalancers: revision.loadBalancers,
    serviceRegistries: revision.serviceRegistries,
    networkConfiguration: revision.networkConfiguration,
    containerImages: revision.containerImages,
    guardDutyEnabled: false,
    createdAt: seconds(revision.createdAt)
  });
}

/**
 * ListServiceDeployments: the service's deployments newest first, filtered by `status[]` and `createdAt
 * {before, after}` (epoch seconds); `maxResults` 1-100 (default 20), `nextToken`.
 * @throws ClusterNotFoundException, ServiceNotFoundException
 */
export function listServiceDeployments(state: SimulatorState, body: Json): Json {
  const cluster = resolveCluster(state, body.cluster);
  const service = state.services.get(`${cluster.name}/${lastSegment(requireString(body, 'service'))}`);
  if (!service) throw serviceNotFound();
  const maxResults = optionalInt(body, 'maxResults', 1, 100) ?? 20;
  const statuses = Array.isArray(body.status) ? (body.status as string[]) : undefined;
  const window = (body.createdAt ?? {}) as { before?: number; after?: number };
  const records = [...service.serviceDeploymentArns]
    .reverse()
    .map((arn) => state.serviceDeployments.get(arn)!)
    .filter(
      (sd) =>
        (statuses === undefined || statuses.length === 0 || statuses.includes(sd.status)) &&
        (window.before === undefined || sd.createdAt / 1000 < window.before) &&
        (window.after === undefined || sd.createdAt / 1000 > window.after)
    );
  const start = decodeToken(body.nextToken);
  const out: Json = { serviceDeployments: records.slice(start, start + maxResults).map(briefShape) };
  if (start + maxResults < records.length) out.nextToken = encodeToken(start + maxResults);
  return out;
}

/** Reads a list of up to 20 ARNs. */
function arnList(body: Json, name: string): string[] {
  const refs = body[name];
  if (!Array.isArray(refs) || refs.length === 0) throw invalidParameter(`${name} cannot be empty.`);
  if (refs.length > 20) throw invalidParameter(`${name} cannot have more than 20 elements.`);
  return refs.map(String);
}

/** DescribeServiceDeployments: up to 20 ARNs; unknown ones come back in `failures` with reason MISSING. */
export function describeServiceDeployments(state: SimulatorState, body: Json): Json {
  const serviceDeployments: Json[] = [];
  const failures: Json[] = [];
  for (const arn of arnList(body, 'serviceDeploymentArns')) {
    const sd = state.serviceDeployments.get(arn);
    if (sd) serviceDeployments.push(serviceDeploymentShape(state, sd));
    else failures.push({ arn, reason: 'MISSING' });
  }
  return { serviceDeployments, failures };
}

/** DescribeServiceRevisions: up to 20 ARNs; unknown ones come back in `failures` with reason MISSING. */
export function describeServiceRevisions(state: SimulatorState, body: Json): Json {
  const serviceRevisions: Json[] = [];
  const failures: Json[] = [];
  for (const arn of arnList(body, 'serviceRevisionArns')) {
    const revision = state.serviceRevisions.get(arn);
    if (revision) serviceRevisions.push(serviceRevisionShape(revision));
    else failures.push({ arn, reason: 'MISSING' });
  }
  return { serviceRevisions, failures };
}

/** The service deployment an ARN names, with its service. */
function findServiceDeployment(
  state: SimulatorState,
  body: Json
): { sd: ServiceDeploymentRecord; service: Service } {
  const sd = state.serviceDeployments.get(requireString(body, 'serviceDeploymentArn'));
  const service = sd ? state.serviceOf(sd) : undefined;
  if (!sd || !service) throw serviceDeploymentNotFound();
  return { sd, service };
}

/**
 * StopServiceDeployment with stopType ROLLBACK (the documented value; the default here): a PENDING or
 * IN_PROGRESS service deployment is rolled back to the last COMPLETED deployment; one already stopping or
 * rolling back goes on.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stop-service-deployment.html
 * @throws ServiceDeploymentNotFoundException; InvalidParameterException for ABORT; ConflictException when the
 *   service deployment has finished.
 */
export function stopServiceDeployment(state: SimulatorState, body: Json, now: number): Json {
  const { sd, service } = findServiceDeployment(state, body);
  const stopType = (body.stopType as string | undefined) ?? 'ROLLBACK';
  if (stopType !== 'ROLLBACK') {
    throw invalidParameter(`stopType ${stopType} is not supported; the valid value is ROLLBACK.`);
  }
  if (TERMINAL.includes(sd.status)) {
    throw conflict(`The service deployment is ${sd.status} and cannot be stopped.`);
  }
  if (sd.status === 'PENDING' || sd.status === 'IN_PROGRESS') {
    failServiceDeployment(
      state,
      service,
      sd,
      'stop',
      'Service deployment rolled back by StopServiceDeployment.',
      true,
      now
    );
  }
  return { serviceDeploymentArn: sd.arn };
}

/**
 * ContinueServiceDeployment: acts on a PAUSE hook in AWAITING_ACTION of an IN_PROGRESS service deployment;
 * `action` CONTINUE (default) lets the deployment go on, ROLLBACK rolls it back.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/continue-service-deployment.html
 * @throws ServiceDeploymentNotFoundException; InvalidParameterException when the deployment is not in progress
 *   or the hook is not a PAUSE hook awaiting action.
 */
export function continueServiceDeployment(state: SimulatorState, body: Json, now: number): Json {
  const { sd, service } = findServiceDeployment(state, body);
  const hookId = requireString(body, 'hookId');
  const action = (body.action as string | undefined) ?? 'CONTINUE';
  if (sd.status !== 'IN_PROGRESS' || rollingBackStatus(sd)) {
    throw invalidParameter(
      `The service deployment is ${sd.status}; only an IN_PROGRESS deployment can continue.`
    );
  }
  const run = sd.hookRuns.find((r) => r.hookId === hookId);
  if (!run || run.hook.targetType !== 'PAUSE' || run.status !== 'AWAITING_ACTION') {
    throw invalidParameter(`The lifecycle hook ${hookId} is not a PAUSE hook in AWAITING_ACTION.`);
  }
  sd.updatedAt = now;
  if (action === 'CONTINUE') {
    run.status = 'SUCCEEDED';
  } else {
    run.status = 'FAILED';
    failServiceDeployment(
      state,
      service,
      sd,
      'continue',
      `Lifecycle hook ${hookId} at ${run.hookStage}: ContinueServiceDeployment action ROLLBACK.`,
      true,
      now
    );
  }
  return { serviceDeploymentArn: sd.arn };
}

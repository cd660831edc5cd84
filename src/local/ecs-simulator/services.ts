/**
 * Service operations: CreateService, UpdateService, DescribeServices, DeleteService, ListServices
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html and neighbours).
 * Deployments are started here; the rollout engine (rollout.ts) moves them along.
 */
import {
  invalidParameter,
  optionalInt,
  optionalString,
  requireString,
  serviceNotActive,
  serviceNotFound
} from './errors.js';
import { resolveCluster } from './clusters.js';
import { checkLoadBalancersForStrategy, parseDeploymentConfiguration } from './deployment-config.js';
import { stopTask } from './lifecycle.js';
import { decodeToken, encodeToken } from './pagination.js';
import { requireNetworkConfiguration, resolvePlacement } from './placement.js';
import { startDeployment } from './rollout.js';
import { scalingReason } from './events.js';
import { beginServiceDeployment, createRevision } from './service-deployments.js';
import { liveTasks, serviceShape } from './shapes.js';
import { activeTaskDefinition } from './task-definitions.js';
import {
  lastSegment,
  type Cluster,
  type Json,
  type Service,
  type SimulatorState,
  type Tag,
  type TaskDefinitionRecord
} from './state.js';

/** CreateService/UpdateService parameters kept and returned as sent on the Service. */
const EXTRA_KEYS = [
  'roleArn',
  'healthCheckGracePeriodSeconds',
  'placementConstraints',
  'placementStrategy',
  'serviceRegistries',
  'deploymentController',
  'enableECSManagedTags',
  'propagateTags',
  'enableExecuteCommand',
  'capacityProviderStrategy',
  'availabilityZoneRebalancing'
];

const SERVICE_NAME = /^[a-zA-Z0-9_-]{1,255}$/;

/** Validates `loadBalancers` against the task definition's containers. */
function parseLoadBalancers(input: unknown, td: TaskDefinitionRecord): Json[] {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input)) throw invalidParameter('loadBalancers must be a list.');
  const names = ((td.body.containerDefinitions as Json[]) ?? []).map((c) => c.name);
  return (input as Json[]).map((lb) => {
    if (typeof lb?.containerName !== 'string' || typeof lb.containerPort !== 'number') {
      throw invalidParameter('loadBalancers need containerName and containerPort.');
    }
    if (typeof lb.targetGroupArn !== 'string' && typeof lb.loadBalancerName !== 'string') {
      throw invalidParameter('loadBalancers need a targetGroupArn or loadBalancerName.');
    }
    if (!names.includes(lb.containerName)) {
      throw invalidParameter(`The container ${lb.containerName} does not exist in the task definition.`);
    }
    return { ...lb };
  });
}

const pickExtra = (body: Json, base: Json = {}): Json => {
  const out: Json = { ...base };
  for (const key of EXTRA_KEYS) if (body[key] !== undefined) out[key] = body[key];
  return out;
};

/** Finds a service of a cluster by name or ARN. */
function findService(state: SimulatorState, cluster: Cluster, ref: string): Service | undefined {
  return state.services.get(`${cluster.name}/${lastSegment(ref)}`);
}

/** Starts a new PRIMARY deployment of `td` (with a new service revision and service deployment). */
function deploy(state: SimulatorState, service: Service, td: TaskDefinitionRecord, now: number): void {
  for (const d of service.deployments) d.status = 'ACTIVE';
  const revision = createRevision(state, service, td, now);
  const deployment = startDeployment(service, td.arn, revision.arn, now);
  service.deployments.unshift(deployment);
  service.taskDefinition = td.arn;
  beginServiceDeployment(state, service, deployment, now);
}

/**
 * CreateService: creates the service and its first (PRIMARY, IN_PROGRESS) deployment.
 * @throws ClusterNotFoundException; InvalidParameterException for a missing serviceName, taskDefinition or
 *   desiredCount, an unknown/inactive task definition, an existing service of that name, awsvpc without
 *   networkConfiguration (or networkConfiguration without awsvpc), launchType with capacityProviderStrategy, a
 *   launch type the task definition does not support, a deployment configuration that does not fit its
 *   strategy, or a deployment controller other than ECS.
 */
export function createService(state: SimulatorState, body: Json, now: number): Json {
  const cluster = resolveCluster(state, body.cluster);
  const name = requireString(body, 'serviceName');
  if (!SERVICE_NAME.test(name)) {
    throw invalidParameter(
      'serviceName can only contain letters, numbers, hyphens and underscores (up to 255).'
    );
  }
  const existing = state.services.get(`${cluster.name}/${name}`);
  if (existing && existing.status !== 'INACTIVE')
    throw invalidParameter('Creation of service was not idempotent.');
  const td = activeTaskDefinition(state, requireString(body, 'taskDefinition'));
  if (body.schedulingStrategy !== undefined && body.schedulingStrategy !== 'REPLICA') {
    throw invalidParameter('The simulator supports schedulingStrategy REPLICA only.');
  }
  const controller = (body.deploymentController as Json | undefined)?.type;
  if (controller !== undefined && controller !== 'ECS') {
    throw invalidParameter('The simulator supports the ECS (rolling update) deployment controller only.');
  }
  const desiredCount = optionalInt(body, 'desiredCount', 0, 100000);
  if (desiredCount === undefined) throw invalidParameter('desiredCount must be specified.');
  const placement = resolvePlacement(body, cluster, td);
  requireNetworkConfiguration(td, body.networkConfiguration);
  const deploymentConfiguration = parseDeploymentConfiguration(body.deploymentConfiguration);
  const loadBalancers = parseLoadBalancers(body.loadBalancers, td);
  checkLoadBalancersForStrategy(deploymentConfiguration, loadBalancers);
  const service: Service = {
    name,
    arn: state.arn(`service/${cluster.name}/${name}`),
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    status: 'ACTIVE',
    desiredCount,
    taskDefinition: td.arn,
    deploymentConfiguration,
    networkConfiguration: body.networkConfiguration as Json | undefined,
    loadBalancers,
    launchType: placement.launchType ?? (placement.capacityProviderStrategy ? undefined : 'EC2'),
    platformVersion: optionalString(body, 'platformVersion'),
    deployments: [],
    events: [],
    createdAt: now,
    tags: (body.tags as Tag[] | undefined) ?? [],
    extra: pickExtra(body),
    serviceDeploymentArns: []
  };
  if (placement.capacityProviderStrategy)
    service.extra.capacityProviderStrategy = placement.capacityProviderStrategy;
  if (placement.effectiveLaunchType === 'FARGATE') service.platformVersion ??= 'LATEST';
  state.services.set(`${cluster.name}/${name}`, service);
  deploy(state, service, td, now);
  return { service: serviceShape(state, service) };
}

/**
 * UpdateService: `desiredCount` rescales the PRIMARY deployment; a different `taskDefinition`,
 * `forceNewDeployment`, or a changed networkConfiguration/loadBalancers/platformVersion/capacityProviderStrategy
 * starts a new PRIMARY deployment (the previous one becomes ACTIVE) and a new service deployment;
 * `deploymentConfiguration` is merged.
 * @throws ClusterNotFoundException, ServiceNotFoundException, ServiceNotActiveException,
 *   InvalidParameterException.
 */
export function updateService(state: SimulatorState, body: Json, now: number): Json {
  const cluster = resolveCluster(state, body.cluster);
  const service = findService(state, cluster, requireString(body, 'service'));
  if (!service) throw serviceNotFound();
  if (service.status !== 'ACTIVE') throw serviceNotActive();
  const desiredCount = optionalInt(body, 'desiredCount', 0, 100000);
  const tdRef = optionalString(body, 'taskDefinition');
  const td = activeTaskDefinition(state, tdRef ?? service.taskDefinition);
  const deploymentConfiguration =
    body.deploymentConfiguration === undefined
      ? service.deploymentConfiguration
      : parseDeploymentConfiguration(body.deploymentConfiguration, service.deploymentConfiguration);
  const networkConfiguration =
    (body.networkConfiguration as Json | undefined) ?? service.networkConfiguration;
  requireNetworkConfiguration(td, networkConfiguration);
  const loadBalancers =
    body.loadBalancers === undefined ? service.loadBalancers : parseLoadBalancers(body.loadBalancers, td);
  checkLoadBalancersForStrategy(deploymentConfiguration, loadBalancers);
  const strategyInput =
    body.capacityProviderStrategy !== undefined
      ? { capacityProviderStrategy: body.capacityProviderStrategy }
      : service.extra.capacityProviderStrategy !== undefined
        ? { capacityProviderStrategy: service.extra.capacityProviderStrategy }
        : { launchType: service.launchType };
  resolvePlacement(strategyInput, cluster, td);
  const platformVersion = optionalString(body, 'platformVersion') ?? service.platformVersion;
  const primary = service.deployments[0];
  const changed =
    body.forceNewDeployment === true ||
    !primary ||
    td.arn !== primary.taskDefinition ||
    JSON.stringify(networkConfiguration) !== JSON.stringify(service.networkConfiguration) ||
    JSON.stringify(loadBalancers) !== JSON.stringify(service.loadBalancers) ||
    (body.capacityProviderStrategy !== undefined &&
      JSON.stringify(body.capacityProviderStrategy) !==
        JSON.stringify(service.extra.capacityProviderStrategy)) ||
    platformVersion !== service.platformVersion;
  service.deploymentConfiguration = deploymentConfiguration;
  service.networkConfiguration = networkConfiguration;
  service.loadBalancers = loadBalancers;
  service.platformVersion = platformVersion;
  service.extra = pickExtra(body, service.extra);
  if (desiredCount !== undefined) {
    service.desiredCount = desiredCount;
    if (primary) {
      primary.desiredCount = desiredCount;
      primary.updatedAt = now;
    }
  }
  if (body.capacityProviderStrategy !== undefined && Array.isArray(body.capacityProviderStrategy)) {
    service.launchType = body.capacityProviderStrategy.length > 0 ? undefined : service.launchType;
  }
  if (changed) deploy(state, service, td, now);
  return { service: serviceShape(state, service) };
}

/**
 * DescribeServices: up to 10 names or ARNs; unknown ones come back in `failures` with reason MISSING.
 * `include: ["TAGS"]` adds tags.
 */
export function describeServices(state: SimulatorState, body: Json): Json {
  const cluster = resolveCluster(state, body.cluster);
  const refs = body.services;
  if (!Array.isArray(refs) || refs.length === 0) throw invalidParameter('Services cannot be empty.');
  if (refs.length > 10) throw invalidParameter('Services cannot have more than 10 elements.');
  const includeTags = Array.isArray(body.include) && body.include.includes('TAGS');
  const services: Json[] = [];
  const failures: Json[] = [];
  for (const ref of refs.map(String)) {
    const service = findService(state, cluster, ref);
    if (service) {
      services.push(serviceShape(state, service, includeTags));
      consumeStaleRead(service);
    } else
      failures.push({
        arn: ref.startsWith('arn:') ? ref : state.arn(`service/${cluster.name}/${ref}`),
        reason: 'MISSING'
      });
  }
  return { services, failures };
}

/** One DescribeServices answer was served: rolled-back deployments read one stale answer fewer. */
function consumeStaleRead(service: Service): void {
  for (const d of service.deployments) {
    if (!d.stale) continue;
    d.stale.reads--;
    if (d.stale.reads <= 0) d.stale = undefined;
  }
}

/**
 * DeleteService: the service goes DRAINING (its tasks stop), then INACTIVE.
 * @throws ServiceNotFoundException, ServiceNotActiveException (already INACTIVE), InvalidParameterException
 *   when desiredCount > 0 and `force` is not set.
 */
export function deleteService(state: SimulatorState, body: Json, now: number): Json {
  const cluster = resolveCluster(state, body.cluster);
  const service = findService(state, cluster, requireString(body, 'service'));
  if (!service) throw serviceNotFound();
  if (service.status === 'INACTIVE') throw serviceNotActive();
  if (service.desiredCount > 0 && body.force !== true) {
    throw invalidParameter('The service cannot be stopped while it is scaled above 0.');
  }
  service.status = 'DRAINING';
  service.desiredCount = 0;
  const primary = service.deployments[0];
  for (const d of service.deployments) d.desiredCount = 0;
  for (const task of liveTasks(state, service)) {
    stopTask(task, { stopCode: 'ServiceSchedulerInitiated', reason: scalingReason(primary?.id ?? '') }, now);
  }
  return { service: serviceShape(state, service) };
}

/** ListServices: ARNs of the cluster's ACTIVE and DRAINING services; `maxResults` (1-100, default 10), `nextToken`. */
export function listServices(state: SimulatorState, body: Json): Json {
  const cluster = resolveCluster(state, body.cluster);
  const maxResults = optionalInt(body, 'maxResults', 1, 100) ?? 10;
  const arns = [...state.services.values()]
    .filter((s) => s.clusterName === cluster.name && s.status !== 'INACTIVE')
    .map((s) => s.arn);
  const start = decodeToken(body.nextToken);
  const out: Json = { serviceArns: arns.slice(start, start + maxResults) };
  if (start + maxResults < arns.length) out.nextToken = encodeToken(start + maxResults);
  return out;
}

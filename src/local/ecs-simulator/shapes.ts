/**
 * Builds the documented response shapes (Task, Container, Service, Deployment, Cluster) from the model.
 * Timestamps go out as epoch seconds, as the JSON 1.1 protocol requires.
 * Shapes: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Types.html
 */
import type { Cluster, Deployment, Json, Service, SimulatorState, Task } from './state.js';

/** ms → epoch seconds (undefined stays undefined). */
export const seconds = (ms: number | undefined): number | undefined =>
  ms === undefined ? undefined : ms / 1000;

/** Drops undefined members so the JSON carries only what is set. */
function compact(obj: Json): Json {
  for (const key of Object.keys(obj)) if (obj[key] === undefined) delete obj[key];
  return obj;
}

/** Tasks of a service that count toward its counts: not stopped and meant to run. */
export function liveTasks(state: SimulatorState, service: Service, deploymentId?: string): Task[] {
  const out: Task[] = [];
  for (const task of state.tasks.values()) {
    if (task.clusterName !== service.clusterName || task.serviceName !== service.name) continue;
    if (deploymentId !== undefined && task.deploymentId !== deploymentId) continue;
    if (task.lastStatus !== 'STOPPED' && task.desiredStatus === 'RUNNING') out.push(task);
  }
  return out;
}

/** {running, pending} counts of a list of live tasks. */
export function counts(tasks: Task[]): { running: number; pending: number } {
  const running = tasks.filter((t) => t.lastStatus === 'RUNNING').length;
  return { running, pending: tasks.length - running };
}

/**
 * A task's healthStatus: UNHEALTHY when an essential container is, HEALTHY when every essential container with a
 * health check is HEALTHY, else UNKNOWN (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html).
 */
function taskHealth(task: Task): string {
  const essential = task.containers.filter((c) => c.essential);
  if (essential.some((c) => c.healthStatus === 'UNHEALTHY')) return 'UNHEALTHY';
  const checked = essential.filter((c) => c.hasHealthCheck);
  if (checked.length > 0 && checked.every((c) => c.healthStatus === 'HEALTHY')) return 'HEALTHY';
  return 'UNKNOWN';
}

/** The Task shape. */
export function taskShape(state: SimulatorState, task: Task, includeTags = false): Json {
  return compact({
    taskArn: task.arn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.taskDefinitionArn,
    group: task.group,
    startedBy: task.startedBy,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    launchType: task.launchType,
    platformVersion: task.platformVersion,
    cpu: task.cpu,
    memory: task.memory,
    connectivity: task.lastStatus === 'PROVISIONING' ? undefined : 'CONNECTED',
    createdAt: seconds(task.createdAt),
    pullStartedAt: seconds(task.pullStartedAt),
    pullStoppedAt: seconds(task.pullStoppedAt),
    startedAt: seconds(task.startedAt),
    stoppingAt: seconds(task.stoppingAt),
    stoppedAt: seconds(task.stoppedAt),
    executionStoppedAt: seconds(task.stoppedAt),
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    availabilityZone: `${state.options.region}a`,
    attachments: [],
    overrides: task.overrides,
    healthStatus: taskHealth(task),
    version: ['PROVISIONING', 'PENDING', 'RUNNING', 'STOPPED'].indexOf(task.lastStatus) + 1,
    containers: task.containers.map((c) =>
      compact({
        containerArn: c.containerArn,
        taskArn: task.arn,
        name: c.name,
        image: c.image,
        lastStatus: c.lastStatus,
        exitCode: c.exitCode,
        reason: c.reason,
        networkBindings: [],
        networkInterfaces: [],
        healthStatus: c.healthStatus,
        cpu: c.cpu,
        memory: c.memory
      })
    ),
    tags: includeTags ? task.tags : undefined
  });
}

/** The Deployment shape; a deployment with a `stale` view still shows its state from before it failed. */
export function deploymentShape(state: SimulatorState, service: Service, d: Deployment): Json {
  const c = counts(liveTasks(state, service, d.id));
  const stale = d.stale && d.stale.reads > 0 ? d.stale : undefined;
  return compact({
    id: d.id,
    status: d.status,
    taskDefinition: d.taskDefinition,
    desiredCount: d.desiredCount,
    pendingCount: c.pending,
    runningCount: c.running,
    failedTasks: d.failedTasks,
    createdAt: seconds(d.createdAt),
    updatedAt: seconds(d.updatedAt),
    launchType: d.launchType,
    capacityProviderStrategy: d.capacityProviderStrategy,
    platformVersion: d.platformVersion,
    networkConfiguration: d.networkConfiguration,
    rolloutState: stale?.rolloutState ?? d.rolloutState,
    rolloutStateReason: stale?.rolloutStateReason ?? d.rolloutStateReason
  });
}

/** The Service shape. */
export function serviceShape(state: SimulatorState, service: Service, includeTags = false): Json {
  const c = counts(liveTasks(state, service));
  const { extra, ...config } = service.deploymentConfiguration;
  const api = state.options.serviceDeploymentApi;
  const currentArn = api
    ? service.serviceDeploymentArns[service.serviceDeploymentArns.length - 1]
    : undefined;
  return compact({
    ...service.extra,
    serviceArn: service.arn,
    serviceName: service.name,
    clusterArn: service.clusterArn,
    loadBalancers: service.loadBalancers,
    serviceRegistries: service.extra.serviceRegistries ?? [],
    status: service.status,
    desiredCount: service.desiredCount,
    runningCount: c.running,
    pendingCount: c.pending,
    launchType: service.launchType,
    platformVersion: service.platformVersion,
    platformFamily: service.launchType === 'FARGATE' ? 'Linux' : undefined,
    taskDefinition: service.taskDefinition,
    deploymentConfiguration: { ...extra, ...config },
    deployments: service.deployments.map((d) => deploymentShape(state, service, d)),
    currentServiceDeployment: currentArn,
    currentServiceRevisions: !api
      ? undefined
      : service.deployments.map((d) => {
          const dc = counts(liveTasks(state, service, d.id));
          return {
            arn: d.revisionArn,
            requestedTaskCount: d.desiredCount,
            runningTaskCount: dc.running,
            pendingTaskCount: dc.pending
          };
        }),
    events: service.events.map((e) => ({ id: e.id, createdAt: seconds(e.createdAt), message: e.message })),
    createdAt: seconds(service.createdAt),
    placementConstraints: service.extra.placementConstraints ?? [],
    placementStrategy: service.extra.placementStrategy ?? [],
    networkConfiguration: service.networkConfiguration,
    schedulingStrategy: 'REPLICA',
    deploymentController: service.extra.deploymentController ?? { type: 'ECS' },
    createdBy: `arn:aws:iam::${state.options.accountId}:root`,
    enableECSManagedTags: service.extra.enableECSManagedTags ?? false,
    propagateTags: service.extra.propagateTags ?? 'NONE',
    enableExecuteCommand: service.extra.enableExecuteCommand ?? false,
    tags: includeTags ? service.tags : undefined
  });
}

/** The Cluster shape, with task and service counts. */
export function clusterShape(state: SimulatorState, cluster: Cluster, includeTags = false): Json {
  let running = 0;
  let pending = 0;
  for (const t of state.tasks.values()) {
    if (t.clusterName !== cluster.name || t.lastStatus === 'STOPPED') continue;
    if (t.lastStatus === 'RUNNING') running++;
    else pending++;
  }
  const services = [...state.services.values()].filter(
    (s) => s.clusterName === cluster.name && s.status === 'ACTIVE'
  ).length;
  return compact({
    ...cluster.extra,
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    status: 'ACTIVE',
    registeredContainerInstancesCount: 0,
    runningTasksCount: running,
    pendingTasksCount: pending,
    activeServicesCount: services,
    statistics: [],
    tags: includeTags ? cluster.tags : undefined,
    settings: cluster.extra.settings ?? [{ name: 'containerInsights', value: 'disabled' }],
    capacityProviders: cluster.extra.capacityProviders ?? [],
    defaultCapacityProviderStrategy: cluster.extra.defaultCapacityProviderStrategy ?? [],
    attachments: []
  });
}

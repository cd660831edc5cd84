/** Shared setup for the ECS rollout simulator tests: an SDK client and polling helpers. */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type CreateServiceCommandInput,
  type DeploymentConfiguration,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type Task
} from '@aws-sdk/client-ecs';

/** A real ECS client pointed at the simulator. */
export function ecsClient(endpoint: string, maxAttempts = 3): ECSClient {
  return new ECSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts
  });
}

/** Polls `read` every 20 ms until `done` holds; throws with the last value after `timeoutMs`. */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10000
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 20));
    last = await read();
  }
  return last;
}

/** Waits until the service's PRIMARY deployment reads rolloutState COMPLETED; returns the service. */
export function waitForCompleted(
  ecs: ECSClient,
  cluster: string,
  service: string,
  timeoutMs = 30000
): Promise<Service> {
  return waitFor(
    () => describe(ecs, cluster, service),
    (s) => s.deployments?.find((d) => d.status === 'PRIMARY')?.rolloutState === 'COMPLETED',
    timeoutMs
  );
}

/** Describes one service. */
export async function describe(ecs: ECSClient, cluster: string, service: string): Promise<Service> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const found = out.services?.[0];
  if (!found) throw new Error(`service ${service} not found`);
  return found;
}

/** Every task of a service with the given desired status, described. */
export async function serviceTasks(
  ecs: ECSClient,
  cluster: string,
  serviceName: string,
  desiredStatus: 'RUNNING' | 'STOPPED'
): Promise<Task[]> {
  const list = await ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus }));
  if (!list.taskArns?.length) return [];
  const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: list.taskArns }));
  return out.tasks ?? [];
}

/** A Fargate-style task definition with one container. */
export function taskDefinition(
  family: string,
  image: string,
  extra: Partial<RegisterTaskDefinitionCommandInput> = {}
): RegisterTaskDefinitionCommandInput {
  return {
    family,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [{ name: 'app', image, essential: true, portMappings: [{ containerPort: 8000 }] }],
    ...extra
  };
}

/** Creates a cluster and a Fargate service of `desiredCount` tasks with the given deployment configuration. */
export async function createService(
  ecs: ECSClient,
  options: {
    cluster: string;
    service: string;
    family: string;
    image: string;
    desiredCount: number;
    deploymentConfiguration?: DeploymentConfiguration;
    extra?: Partial<CreateServiceCommandInput>;
  }
): Promise<string> {
  await ecs.send(new CreateClusterCommand({ clusterName: options.cluster }));
  const td = await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition(options.family, options.image)));
  const arn = td.taskDefinition?.taskDefinitionArn as string;
  await ecs.send(
    new CreateServiceCommand({
      cluster: options.cluster,
      serviceName: options.service,
      taskDefinition: arn,
      desiredCount: options.desiredCount,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'DISABLED' } },
      deploymentConfiguration: options.deploymentConfiguration,
      ...options.extra
    })
  );
  return arn;
}

/** Creates a cluster, registers `image` and creates a service of `desiredCount` tasks; returns the TD ARN. */
export async function createServiceWith(
  ecs: ECSClient,
  options: {
    cluster: string;
    service: string;
    family: string;
    image: string;
    desiredCount: number;
    breaker?: { enable: boolean; rollback: boolean };
    extra?: Partial<CreateServiceCommandInput>;
  }
): Promise<string> {
  return createService(ecs, {
    ...options,
    deploymentConfiguration: {
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      deploymentCircuitBreaker: options.breaker ?? { enable: false, rollback: false }
    }
  });
}

/** The messages of a service's events, newest first. */
export const messages = (service: Service): string[] => (service.events ?? []).map((e) => e.message ?? '');

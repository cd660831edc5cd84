/**
 * The state a real account would already have before a backend deploy: a cluster, the app's services running
 * a first task definition, the awslogs log group, the SSM parameter of the api's DATABASE_URL secret (a dummy
 * SecureString, so register-task-definition's preflight finds it). Created in the local AWS with plain SDK calls (not through
 * the code under test), for the demo, the integration tests and the benchmarks.
 */
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type AdvancedConfiguration,
  type DeploymentConfiguration
} from '@aws-sdk/client-ecs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../local/moto.js';
import type { LocalAws } from '../local/local-aws.js';

/** sidecar: nginx + flask in one task; split: a web service in front of an app service. */
export type Topology = 'sidecar' | 'split';

/** One seeded service. */
export interface SeededService {
  name: string;
  /** The task definition file of examples/twotier-app/taskdef it was created from. */
  taskDefinitionFile: string;
  /** The revision it runs after seeding. */
  taskDefinitionArn: string;
  /** Container names of that task definition. */
  containers: string[];
}

/** What seedBackend created: the cluster, the services with their first revision, the network ids they use. */
export interface BackendFixture {
  cluster: string;
  topology: Topology;
  services: SeededService[];
  subnets: string[];
  securityGroups: string[];
}

/** Options of seedBackend: topology (default sidecar), cluster name, desiredCount (default 2), breaker settings. */
export interface SeedOptions {
  topology?: Topology;
  cluster?: string;
  desiredCount?: number;
  /** Circuit breaker on the services (default true, with rollback). */
  circuitBreaker?: boolean;
  rollback?: boolean;
  /** Wait for the first deployment to complete (default true). */
  waitSteady?: boolean;
  /**
   * More deploymentConfiguration members (strategy, bakeTimeInMinutes, linearConfiguration, alarms,
   * lifecycleHooks...), merged over the fixture's percentages and circuit breaker.
   */
  deploymentConfiguration?: DeploymentConfiguration;
  /**
   * The load balancer's advancedConfiguration per service (alternate target group, production and test
   * listener rules, infrastructure role), which BLUE_GREEN, LINEAR and CANARY need.
   */
  advancedConfiguration?: (service: string) => AdvancedConfiguration;
}

const TASKDEF_DIR = path.join(projectRoot, 'examples', 'twotier-app', 'taskdef');

/** The task definition files and service names of a topology. */
export function topologyServices(topology: Topology): { name: string; file: string }[] {
  return topology === 'sidecar'
    ? [{ name: 'twotier-sidecar', file: path.join(TASKDEF_DIR, 'sidecar.json') }]
    : [
        { name: 'twotier-api', file: path.join(TASKDEF_DIR, 'api.json') },
        { name: 'twotier-web', file: path.join(TASKDEF_DIR, 'web.json') }
      ];
}

/** The SSM parameter the example task definitions' DATABASE_URL secret refers to. */
export const DATABASE_URL_PARAMETER = '/twotier/database-url';

/** Creates the cluster, log group, DATABASE_URL parameter and services of `topology` in the local AWS. */
export async function seedBackend(local: LocalAws, options: SeedOptions = {}): Promise<BackendFixture> {
  const topology = options.topology ?? 'sidecar';
  const cluster = options.cluster ?? 'twotier-demo';
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const ecs = new ECSClient({ endpoint: local.ecs.endpoint, region: local.region, credentials });
  const logs = new CloudWatchLogsClient({ endpoint: local.moto.endpoint, region: local.region, credentials });
  const subnets = ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'];
  const securityGroups = ['sg-0a1b2c3d4e5f60001'];
  await logs
    .send(new CreateLogGroupCommand({ logGroupName: '/ecs/twotier' }))
    .catch((error: { name?: string }) => {
      if (error.name !== 'ResourceAlreadyExistsException') throw error;
    });
  const ssm = new SSMClient({ endpoint: local.moto.endpoint, region: local.region, credentials });
  await ssm.send(
    new PutParameterCommand({
      Name: DATABASE_URL_PARAMETER,
      Type: 'SecureString',
      Value: 'postgresql://twotier:local-dummy@db.invalid:5432/twotier',
      Overwrite: true
    })
  );
  ssm.destroy();
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const services: SeededService[] = [];
  for (const { name, file } of topologyServices(topology)) {
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const registered = await ecs.send(new RegisterTaskDefinitionCommand(doc));
    const arn = registered.taskDefinition!.taskDefinitionArn!;
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: name,
        taskDefinition: arn,
        desiredCount: options.desiredCount ?? 2,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets, securityGroups, assignPublicIp: 'DISABLED' }
        },
        loadBalancers: [
          {
            targetGroupArn: `arn:aws:elasticloadbalancing:${local.region}:123456789012:targetgroup/${name}/0123456789abcdef`,
            containerName: name === 'twotier-api' ? 'api' : 'web',
            containerPort: name === 'twotier-api' ? 8000 : 8080,
            ...(options.advancedConfiguration
              ? { advancedConfiguration: options.advancedConfiguration(name) }
              : {})
          }
        ],
        healthCheckGracePeriodSeconds: 60,
        deploymentConfiguration: {
          minimumHealthyPercent: 100,
          maximumPercent: 200,
          deploymentCircuitBreaker: {
            enable: options.circuitBreaker ?? true,
            rollback: options.rollback ?? true
          },
          ...options.deploymentConfiguration
        }
      })
    );
    services.push({
      name,
      taskDefinitionFile: file,
      taskDefinitionArn: arn,
      containers: (doc.containerDefinitions as { name: string }[]).map((c) => c.name)
    });
  }
  if (options.waitSteady ?? true) {
    const deadline = Date.now() + 60000;
    for (;;) {
      const out = await ecs.send(
        new DescribeServicesCommand({ cluster, services: services.map((s) => s.name) })
      );
      const steady = (out.services ?? []).every(
        (s) => s.deployments?.length === 1 && s.deployments[0]?.rolloutState === 'COMPLETED'
      );
      if (steady) break;
      if (Date.now() > deadline) throw new Error('seeded services did not reach a steady state in 60 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  ecs.destroy();
  logs.destroy();
  return { cluster, topology, services, subnets, securityGroups };
}

/**
 * Registers another revision of the task definition `service` runs, with the same containers and settings: a
 * new revision to roll out that changes nothing (tests and benchmarks of rollouts and rollbacks).
 * Calls DescribeServices, DescribeTaskDefinition and RegisterTaskDefinition
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html).
 * @returns the new revision's ARN.
 */
export async function registerNextRevision(
  ecs: ECSClient,
  cluster: string,
  service: string
): Promise<string> {
  const current = (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] })))
    .services?.[0]?.taskDefinition;
  if (!current) throw new Error(`service ${service} in cluster ${cluster} has no task definition`);
  const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: current }))).taskDefinition!;
  const out = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: td.family!,
      containerDefinitions: td.containerDefinitions!,
      requiresCompatibilities: td.requiresCompatibilities,
      networkMode: td.networkMode,
      cpu: td.cpu,
      memory: td.memory,
      executionRoleArn: td.executionRoleArn,
      taskRoleArn: td.taskRoleArn
    })
  );
  return out.taskDefinition!.taskDefinitionArn!;
}

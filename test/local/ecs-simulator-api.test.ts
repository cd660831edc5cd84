/**
 * The ECS rollout simulator's API surface over HTTP: the JSON 1.1 error shape as the real SDK parses it,
 * throttling, task definitions (unknown fields kept), clusters/services/tasks lookups, and RunTask with
 * exit codes and log lines in moto's CloudWatch Logs.
 */
import { afterAll, beforeAll, beforeEach, describe as group, expect, test } from '@jest/globals';
import {
  ClientException,
  ClusterNotFoundException,
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  InvalidParameterException,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  ServiceNotFoundException,
  StopTaskCommand,
  UpdateServiceCommand,
  type ECSClient,
  type Task
} from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { startEcsSimulator, type EcsSimulator } from '../../src/local/ecs-simulator/index.js';
import { startMoto, type MotoServer } from '../../src/local/moto.js';
import { createServiceWith, describe, ecsClient, taskDefinition, waitFor } from './ecs-simulator-helpers.js';

let sim: EcsSimulator;
let ecs: ECSClient;
let moto: MotoServer;
const cluster = 'api';

beforeAll(async () => {
  moto = await startMoto();
  sim = await startEcsSimulator({ taskPhaseMs: 50, logsEndpoint: moto.endpoint });
  ecs = ecsClient(sim.endpoint);
});
afterAll(async () => {
  ecs.destroy();
  await sim.stop();
  await moto.stop();
});
beforeEach(() => sim.reset());

/** One raw JSON 1.1 call, as any ECS client would send it. */
async function raw(operation: string, body: unknown) {
  const res = await fetch(sim.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AmazonEC2ContainerServiceV20141113.${operation}`
    },
    body: JSON.stringify(body)
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

group('protocol and errors', () => {
  test('errors are HTTP 400 with __type, message and x-amzn-errortype', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const res = await raw('UpdateService', { cluster, service: 'nope' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(res.headers.get('x-amzn-errortype')).toBe('ServiceNotFoundException');
    expect(res.json).toEqual({ __type: 'ServiceNotFoundException', message: 'Service not found.' });
  });

  test('the SDK parses the modelled exceptions', async () => {
    await expect(
      ecs.send(new UpdateServiceCommand({ cluster: 'ghost', service: 'x' }))
    ).rejects.toBeInstanceOf(ClusterNotFoundException);
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const error = await ecs
      .send(new UpdateServiceCommand({ cluster, service: 'nope' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceNotFoundException);
    expect((error as Error).message).toBe('Service not found.');
    const td = await ecs
      .send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nothing:1' }))
      .catch((e: unknown) => e);
    expect(td).toBeInstanceOf(ClientException);
    expect((td as Error).message).toBe('Unable to describe task definition.');
    await expect(
      ecs.send(new RegisterTaskDefinitionCommand({ family: 'x', containerDefinitions: [{ name: 'app' }] }))
    ).rejects.toBeInstanceOf(ClientException);
    await expect(
      ecs.send(
        new CreateServiceCommand({ cluster, serviceName: 's', taskDefinition: 'missing', desiredCount: 1 })
      )
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  test('awsvpc without networkConfiguration is refused', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition('v', 'v:1')));
    const error = await ecs
      .send(new CreateServiceCommand({ cluster, serviceName: 's', taskDefinition: 'v', desiredCount: 1 }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect((error as Error).message).toBe(
      "Network Configuration must be provided when networkMode 'awsvpc' is specified."
    );
  });

  test('throttled requests are answered ThrottlingException "Rate exceeded" and retried by the SDK', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    sim.throttleNext(2);
    const out = await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }));
    expect(out.clusters?.[0]?.clusterName).toBe(cluster);
    expect(sim.requests.filter((r) => r.operation === 'DescribeClusters')).toHaveLength(3);

    const once = ecsClient(sim.endpoint, 1);
    sim.throttleNext(1);
    const error = await once
      .send(new DescribeClustersCommand({ clusters: [cluster] }))
      .catch((e: unknown) => e);
    once.destroy();
    expect(error).toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded' });
    expect((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(400);
  });
});

group('task definitions', () => {
  test('modelled fields are kept, unknown ones ignored (as ECS does), read-only fields added', async () => {
    const body = {
      family: 'future',
      futureTopLevelField: { enabled: true },
      memory: '512',
      ephemeralStorage: { sizeInGiB: 30 },
      containerDefinitions: [{ name: 'app', image: 'app:1', futureContainerField: 'dropped' }],
      tags: [{ key: 'team', value: 'web' }]
    };
    const reg = await raw('RegisterTaskDefinition', body);
    expect(reg.status).toBe(200);
    const desc = await raw('DescribeTaskDefinition', { taskDefinition: 'future', include: ['TAGS'] });
    const td = desc.json.taskDefinition as Record<string, unknown>;
    expect(td).toMatchObject({
      family: 'future',
      revision: 1,
      status: 'ACTIVE',
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/future:1',
      ephemeralStorage: { sizeInGiB: 30 },
      compatibilities: ['EC2'],
      registeredBy: expect.any(String),
      requiresAttributes: expect.any(Array)
    });
    expect(typeof td.registeredAt).toBe('number');
    expect(td.futureTopLevelField).toBeUndefined();
    expect((td.containerDefinitions as Record<string, unknown>[])[0]).toMatchObject({
      name: 'app',
      image: 'app:1',
      essential: true,
      cpu: 0
    });
    expect((td.containerDefinitions as Record<string, unknown>[])[0]?.futureContainerField).toBeUndefined();
    expect(desc.json.tags).toEqual([{ key: 'team', value: 'web' }]);
    expect(td.tags).toBeUndefined();
  });

  test('revisions count per family; deregistered ones are INACTIVE; listing filters, sorts and pages', async () => {
    for (const family of ['a', 'a', 'a', 'b']) {
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          memory: '512',
          containerDefinitions: [{ name: 'c', image: 'i' }]
        })
      );
    }
    const dereg = await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'a:2' }));
    expect(dereg.taskDefinition).toMatchObject({ status: 'INACTIVE', revision: 2 });
    expect(dereg.taskDefinition?.deregisteredAt).toBeInstanceOf(Date);
    const latest = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'a' }));
    expect(latest.taskDefinition?.revision).toBe(3);
    const arn = (f: string, r: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${f}:${r}`;
    const desc = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'a', sort: 'DESC' }));
    expect(desc.taskDefinitionArns).toEqual([arn('a', 3), arn('a', 1)]);
    const inactive = await ecs.send(new ListTaskDefinitionsCommand({ status: 'INACTIVE' }));
    expect(inactive.taskDefinitionArns).toEqual([arn('a', 2)]);
    const page1 = await ecs.send(new ListTaskDefinitionsCommand({ maxResults: 2 }));
    expect(page1.taskDefinitionArns).toEqual([arn('a', 1), arn('a', 3)]);
    const page2 = await ecs.send(
      new ListTaskDefinitionsCommand({ maxResults: 2, nextToken: page1.nextToken })
    );
    expect(page2.taskDefinitionArns).toEqual([arn('b', 1)]);
    expect(page2.nextToken).toBeUndefined();
  });
});

group('services and tasks', () => {
  test('DescribeServices reports missing services in failures', async () => {
    await createServiceWith(ecs, { cluster, service: 'real', family: 'r', image: 'r:1', desiredCount: 1 });
    const out = await ecs.send(new DescribeServicesCommand({ cluster, services: ['real', 'ghost'] }));
    expect(out.services?.map((s) => s.serviceName)).toEqual(['real']);
    expect(out.failures).toEqual([
      { arn: 'arn:aws:ecs:us-east-1:123456789012:service/api/ghost', reason: 'MISSING' }
    ]);
    expect(out.services?.[0]?.deploymentConfiguration).toEqual({
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      deploymentCircuitBreaker: { enable: false, rollback: false }
    });
  });

  test('StopTask stops with UserInitiated and the service starts a replacement; ListTasks filters', async () => {
    await createServiceWith(ecs, { cluster, service: 'st', family: 'st', image: 'st:1', desiredCount: 1 });
    const d = await waitFor(
      () => describe(ecs, cluster, 'st'),
      (s) => s.deployments?.[0]?.rolloutState === 'COMPLETED'
    );
    const running = await ecs.send(new ListTasksCommand({ cluster, serviceName: 'st' }));
    expect(running.taskArns).toHaveLength(1);
    const stopped = await ecs.send(
      new StopTaskCommand({ cluster, task: running.taskArns![0]!, reason: 'testing' })
    );
    expect(stopped.task).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      stoppedReason: 'testing'
    });
    await waitFor(
      () => ecs.send(new ListTasksCommand({ cluster, serviceName: 'st' })),
      (out) => out.taskArns?.length === 1 && out.taskArns[0] !== running.taskArns![0]
    );
    const byStartedBy = await ecs.send(
      new ListTasksCommand({ cluster, startedBy: d.deployments?.[0]?.id, desiredStatus: 'STOPPED' })
    );
    expect(byStartedBy.taskArns).toEqual(running.taskArns);
    const byFamily = await ecs.send(new ListTasksCommand({ cluster, family: 'other' }));
    expect(byFamily.taskArns).toEqual([]);
    await expect(ecs.send(new ListTasksCommand({ cluster, serviceName: 'ghost' }))).rejects.toBeInstanceOf(
      ServiceNotFoundException
    );
    const missing = await ecs.send(
      new DescribeTasksCommand({ cluster, tasks: ['0123456789abcdef0123456789abcdef'] })
    );
    expect(missing.failures?.[0]?.reason).toBe('MISSING');
  });

  test('DeleteService refuses a scaled service unless forced, then drains to INACTIVE', async () => {
    await createServiceWith(ecs, { cluster, service: 'del', family: 'del', image: 'd:1', desiredCount: 1 });
    await expect(ecs.send(new DeleteServiceCommand({ cluster, service: 'del' }))).rejects.toBeInstanceOf(
      InvalidParameterException
    );
    const out = await ecs.send(new DeleteServiceCommand({ cluster, service: 'del', force: true }));
    expect(out.service?.status).toBe('DRAINING');
    await waitFor(
      () => describe(ecs, cluster, 'del'),
      (s) => s.status === 'INACTIVE'
    );
  });
});

group('RunTask', () => {
  const logs = () =>
    new CloudWatchLogsClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
    });

  async function registerMigrate(): Promise<void> {
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    await ecs.send(
      new RegisterTaskDefinitionCommand(
        taskDefinition('migrate', 'api:1', {
          containerDefinitions: [
            {
              name: 'api',
              image: 'api:1',
              command: ['gunicorn', 'app:app'],
              logConfiguration: {
                logDriver: 'awslogs',
                options: {
                  'awslogs-group': '/ecs/api',
                  'awslogs-region': 'us-east-1',
                  'awslogs-stream-prefix': 'ecs'
                }
              }
            }
          ]
        })
      )
    );
  }

  async function runToStop(command: string[]): Promise<Task> {
    const out = await ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: 'migrate',
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
        overrides: { containerOverrides: [{ name: 'api', command }] }
      })
    );
    expect(out.tasks?.[0]?.lastStatus).toBe('PROVISIONING');
    const arn = out.tasks![0]!.taskArn!;
    const described = await waitFor(
      () => ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] })),
      (d) => d.tasks?.[0]?.lastStatus === 'STOPPED'
    );
    return described.tasks![0]!;
  }

  async function logLines(task: Task): Promise<string[]> {
    const client = logs();
    const id = task.taskArn!.split('/').pop();
    const out = await client.send(
      new GetLogEventsCommand({
        logGroupName: '/ecs/api',
        logStreamName: `ecs/api/${id}`,
        startFromHead: true
      })
    );
    client.destroy();
    return (out.events ?? []).map((e) => e.message ?? '');
  }

  test('a one-off task runs its command override, exits 0 and leaves its log lines in CloudWatch Logs', async () => {
    await registerMigrate();
    const task = await runToStop(['flask', 'db', 'upgrade']);
    expect(task).toMatchObject({
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited'
    });
    expect(task.startedAt).toBeInstanceOf(Date);
    expect(task.containers?.[0]).toMatchObject({ name: 'api', exitCode: 0 });
    expect(task.overrides?.containerOverrides?.[0]?.command).toEqual(['flask', 'db', 'upgrade']);
    expect(await logLines(task)).toContain('running: flask db upgrade');
  });

  test('a rule matching the command makes it exit non-zero with the rule log lines', async () => {
    await registerMigrate();
    sim.addFailure({
      command: 'db upgrade',
      scenario: 'essential-container-exit',
      exitCode: 2,
      logLines: ['alembic.util.exc.CommandError: Can\'t locate revision identified by "abc"']
    });
    const task = await runToStop(['flask', 'db', 'upgrade']);
    expect(task.containers?.[0]?.exitCode).toBe(2);
    const lines = await logLines(task);
    expect(lines[0]).toBe('running: flask db upgrade');
    expect(lines).toContain('alembic.util.exc.CommandError: Can\'t locate revision identified by "abc"');
    // A different command is unaffected.
    const ok = await runToStop(['flask', 'seed']);
    expect(ok.containers?.[0]?.exitCode).toBe(0);
  });
});

/**
 * deployService against aws-sdk-client-mock, for the bounds and failures issue 9 names: the step waits at
 * most timeout + rollback-timeout, a missing PRIMARY deployment is the same error on the deploy and the
 * rollback, a failure after a write says what was changed, and AWS errors name the resource they concern.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand
} from '@aws-sdk/client-ecs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deployService } from '../../src/ecs/deploy.js';
import { Duration } from '../../src/lib/duration.js';
import { ConfigurationError, DeploymentError } from '../../src/lib/errors.js';
import { MemoryReporter } from '../../src/lib/reporter.js';
import { fakeTime } from '../helpers/fake-time.js';
import { DESCRIBED_NEW, service, TD_NEW, TD_OLD } from './mock-service.js';

const ecs = mockClient(ECSClient);

const inProgress = (id: string, taskDefinition: string) =>
  service({
    deployments: [
      { id, status: 'PRIMARY', taskDefinition, rolloutState: 'IN_PROGRESS', desiredCount: 2, runningCount: 0 }
    ]
  });
const sdkError = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status }
  });

// A real client (its send is mocked for every instance), so that messages can name its region.
const client = new ECSClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' }
});
const base = { cluster: 'c', service: 'app', region: 'us-east-1', client };

beforeEach(() => {
  ecs.reset();
  ecs.on(DescribeTaskDefinitionCommand).resolves(DESCRIBED_NEW);
  ecs.on(ListTasksCommand).resolves({ taskArns: [] });
  ecs.on(DescribeTasksCommand).resolves({ tasks: [] });
});

/** A deploy whose own rollout and the rollback never complete (neither deployment ever runs a task). */
function neverCompletes() {
  ecs
    .on(UpdateServiceCommand, { taskDefinition: TD_NEW })
    .resolves({ service: inProgress('ecs-svc/2', TD_NEW) })
    .on(UpdateServiceCommand, { taskDefinition: TD_OLD })
    .resolves({ service: inProgress('ecs-svc/3', TD_OLD) });
  ecs.on(DescribeServicesCommand).callsFake(() => {
    const updates = ecs.commandCalls(UpdateServiceCommand).length;
    if (updates === 0) return { services: [service()] };
    return { services: [updates === 1 ? inProgress('ecs-svc/2', TD_NEW) : inProgress('ecs-svc/3', TD_OLD)] };
  });
}

describe('the wait bound', () => {
  it('waits at most timeout-minutes, then at most rollback-timeout-minutes for the rollback', async () => {
    neverCompletes();
    const time = fakeTime();
    const error = await deployService(
      {
        ...base,
        taskDefinitionArn: TD_NEW,
        timeout: Duration.seconds(60),
        rollbackTimeout: Duration.seconds(25),
        pollInterval: Duration.seconds(10),
        rollbackOnTimeout: true,
        ...time
      },
      new MemoryReporter()
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeploymentError);
    expect((error as Error).message).toMatch(
      /did not complete within 60 s\. The rollback to app:7 did not complete either: Deployment ecs-svc\/3 did not complete within 25 s\./
    );
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(2);
    // The whole wait is exactly the two bounds: the rollback has its own, it does not reuse the deploy's.
    expect(time.elapsed()).toBe(60000 + 25000);
  });

  it('without rollback-on-timeout waits timeout-minutes only', async () => {
    neverCompletes();
    const time = fakeTime();
    await deployService(
      {
        ...base,
        taskDefinitionArn: TD_NEW,
        timeout: Duration.seconds(45),
        pollInterval: Duration.seconds(10),
        ...time
      },
      new MemoryReporter()
    ).catch(() => undefined);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(time.elapsed()).toBe(45000);
  });
});

describe('a missing PRIMARY deployment', () => {
  const noPrimary = service({ deployments: [{ id: 'ecs-svc/1', status: 'ACTIVE', taskDefinition: TD_OLD }] });
  const messageOf = async (rollback: boolean) => {
    ecs.reset();
    ecs
      .on(DescribeTaskDefinitionCommand)
      .resolves({ taskDefinition: { taskDefinitionArn: TD_NEW, status: 'ACTIVE' } });
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    if (rollback) {
      ecs
        .on(UpdateServiceCommand, { taskDefinition: TD_NEW })
        .resolves({ service: inProgress('ecs-svc/2', TD_NEW) })
        .on(UpdateServiceCommand, { taskDefinition: TD_OLD })
        .resolves({ service: noPrimary });
      ecs.on(DescribeServicesCommand).callsFake(() => ({
        services: [
          ecs.commandCalls(UpdateServiceCommand).length ? inProgress('ecs-svc/2', TD_NEW) : service()
        ]
      }));
    } else {
      ecs.on(UpdateServiceCommand).resolves({ service: noPrimary });
      ecs.on(DescribeServicesCommand).resolves({ services: [service()] });
    }
    const error = await deployService(
      {
        ...base,
        taskDefinitionArn: TD_NEW,
        timeout: Duration.seconds(20),
        pollInterval: Duration.seconds(10),
        rollbackOnTimeout: rollback,
        ...fakeTime()
      },
      new MemoryReporter()
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeploymentError);
    return (error as DeploymentError).message;
  };

  it('is the same error on the deploy and on the rollback', async () => {
    const deploy = await messageOf(false);
    const rollback = await messageOf(true);
    expect(deploy).toBe(
      'UpdateService of app to app:8 returned no PRIMARY deployment; the service was updated but its rollout cannot be followed.\nAlready changed in AWS: service app now runs app:8.'
    );
    expect(rollback).toBe(
      'UpdateService of app to app:7 returned no PRIMARY deployment; the service was updated but its rollout cannot be followed.\nAlready changed in AWS: service app now runs app:8; service app was rolled back to app:7.'
    );
    const headline = (m: string) => m.split('\n')[0]!.replace(/app:\d+/, 'app:N');
    expect(headline(rollback)).toBe(headline(deploy));
  });
});

describe('a failure after a write says what was changed', () => {
  it('a 5xx after a successful UpdateService', async () => {
    const injected = sdkError('ServerException', 'injected', 500);
    ecs.on(UpdateServiceCommand).resolves({ service: inProgress('ecs-svc/2', TD_NEW) });
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [service()] })
      .rejects(injected);
    const error = (await deployService(
      { ...base, taskDefinitionArn: TD_NEW, maxAttempts: 1, ...fakeTime() },
      new MemoryReporter()
    ).catch((e: unknown) => e)) as DeploymentError;
    expect(error).toBeInstanceOf(DeploymentError);
    expect(error.message).toBe(
      'ECS DescribeServices for service app in cluster c (us-east-1) failed: ServerException: injected\nAlready changed in AWS: service app now runs app:8.'
    );
    expect(error.changed).toEqual(['service app now runs app:8']);
    expect((error.cause as DeploymentError).cause).toBe(injected);
  });

  it('an UpdateService refused after registering the file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-failures-'));
    const file = path.join(dir, 'td.json');
    writeFileSync(
      file,
      JSON.stringify({ family: 'app', containerDefinitions: [{ name: 'api', image: 'api:2' }] })
    );
    ecs.on(DescribeServicesCommand).resolves({ services: [service()] });
    ecs
      .on(DescribeTaskDefinitionCommand)
      .rejects(sdkError('ClientException', 'Unable to describe task definition.'));
    ecs
      .on(RegisterTaskDefinitionCommand)
      .resolves({ taskDefinition: { taskDefinitionArn: TD_NEW, revision: 8 } });
    ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [] });
    ecs.on(UpdateServiceCommand).rejects(sdkError('ServerException', 'injected', 503));
    const error = (await deployService(
      { ...base, taskDefinitionFile: file, preflight: false, maxAttempts: 1, ...fakeTime() },
      new MemoryReporter()
    ).catch((e: unknown) => e)) as DeploymentError;
    expect(error).toBeInstanceOf(DeploymentError);
    expect(error.message).toMatch(
      /^ECS UpdateService for service app in cluster c \(us-east-1\) failed: ServerException: injected\nAlready changed in AWS: registered app:8\.$/
    );
    expect(error.changed).toEqual(['registered app:8']);
  });
});

describe('AWS errors name the resource they concern', () => {
  it('a cluster that does not exist is a configuration error naming it; nothing is updated', async () => {
    ecs.on(DescribeServicesCommand).rejects(sdkError('ClusterNotFoundException', 'Cluster not found.'));
    const error = await deployService(
      { ...base, cluster: 'nope', taskDefinitionArn: TD_NEW },
      new MemoryReporter()
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).input).toBe('cluster');
    expect((error as Error).message).toBe(
      'Cluster nope not found; the service was not changed. `cluster` "nope" must name an existing ECS cluster of this account and region (its name or ARN) (us-east-1; ECS DescribeServices: ClusterNotFoundException: Cluster not found.).'
    );
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('a ClientException that is not a missing revision keeps the SDK message', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service()] });
    ecs
      .on(DescribeTaskDefinitionCommand)
      .rejects(sdkError('ClientException', 'Rate of DescribeTaskDefinition exceeded for role x.'));
    const error = await deployService({ ...base, taskDefinitionArn: TD_NEW }, new MemoryReporter()).catch(
      (e: unknown) => e
    );
    expect((error as Error).message).not.toMatch(/not registered/);
    expect((error as Error).message).toContain(
      'ClientException: Rate of DescribeTaskDefinition exceeded for role x.'
    );
    expect((error as Error).message).toContain(`task definition ${TD_NEW}`);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('AccessDenied names the operation, the service and the permission', async () => {
    ecs
      .on(DescribeServicesCommand)
      .rejects(sdkError('AccessDeniedException', 'User is not authorized to perform ecs:DescribeServices'));
    const error = await deployService({ ...base, taskDefinitionArn: TD_NEW }, new MemoryReporter()).catch(
      (e: unknown) => e
    );
    expect(error).toBeInstanceOf(DeploymentError);
    expect((error as Error).message).toBe(
      'ECS DescribeServices for service app in cluster c (us-east-1) was denied: AccessDeniedException: User is not authorized to perform ecs:DescribeServices. The role needs ecs:DescribeServices on it.'
    );
  });
});

/**
 * deployService against aws-sdk-client-mock, for states no emulator produces on demand: a deployment that is
 * FAILED at the first look, a rollback after a timeout, a service that is not ACTIVE.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  UpdateServiceCommand
} from '@aws-sdk/client-ecs';
import { deployService } from '../../src/ecs/deploy.js';
import { MemoryReporter } from '../../src/lib/reporter.js';
import { fakeTime } from '../helpers/fake-time.js';
import { DESCRIBED_NEW, service, TD_NEW, TD_OLD } from './mock-service.js';
import { Duration } from '../../src/lib/duration.js';
import { resultOf } from '../../src/lib/errors.js';

const ecs = mockClient(ECSClient);

beforeEach(() => {
  ecs.reset();
  ecs.on(DescribeTaskDefinitionCommand).resolves(DESCRIBED_NEW);
  ecs.on(ListTasksCommand).resolves({ taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/c/t1'] });
  ecs.on(DescribeTasksCommand).resolves({
    tasks: [
      {
        taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/c/t1',
        taskDefinitionArn: TD_NEW,
        stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found',
        stopCode: 'TaskFailedToStart',
        containers: [{ name: 'api' }]
      }
    ]
  });
});

describe('deployService (mocked ECS)', () => {
  it('fails at the first poll that shows its deployment FAILED, with the stopped-task hint', async () => {
    ecs.on(UpdateServiceCommand).resolves({
      service: service({
        deployments: [
          { id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: TD_NEW, rolloutState: 'IN_PROGRESS' }
        ]
      })
    });
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [service({})] })
      .resolves({
        services: [
          service({
            events: [
              {
                id: 'e2',
                message: '(service app) (deployment ecs-svc/2) deployment failed: tasks failed to start.',
                createdAt: new Date(2000)
              },
              {
                id: 'old-event',
                message: '(service app) has reached a steady state.',
                createdAt: new Date(0)
              }
            ],
            deployments: [
              { id: 'ecs-svc/3', status: 'PRIMARY', taskDefinition: TD_OLD, rolloutState: 'IN_PROGRESS' },
              {
                id: 'ecs-svc/2',
                status: 'ACTIVE',
                taskDefinition: TD_NEW,
                rolloutState: 'FAILED',
                rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.'
              }
            ]
          })
        ]
      });
    const time = fakeTime();
    const reporter = new MemoryReporter();
    const result = await resultOf(
      deployService(
        {
          cluster: 'c',
          service: 'app',
          taskDefinitionArn: TD_NEW,
          pollInterval: Duration.seconds(15),
          client: ecs as never,
          ...time,
          region: 'us-east-1'
        },
        reporter
      )
    );
    expect(result.ok).toBe(false);
    expect(result.outcome).toBe('rolled-back');
    expect(result.polls).toBe(1);
    expect(time.elapsed()).toBe(0);
    expect(result.failures[0]?.hint).toMatch(/VPC endpoints/);
    expect(reporter.lines.filter((l) => l.includes('has reached a steady state'))).toEqual([]);
    expect(reporter.lines.some((l) => l.includes('deployment failed: tasks failed to start'))).toBe(true);
  });

  it('rolls back to the previous task definition after a timeout when asked, and waits for it', async () => {
    ecs
      .on(UpdateServiceCommand, { taskDefinition: TD_NEW })
      .resolves({
        service: service({
          deployments: [
            { id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: TD_NEW, rolloutState: 'IN_PROGRESS' }
          ]
        })
      })
      .on(UpdateServiceCommand, { taskDefinition: TD_OLD })
      .resolves({
        service: service({
          deployments: [
            { id: 'ecs-svc/9', status: 'PRIMARY', taskDefinition: TD_OLD, rolloutState: 'IN_PROGRESS' }
          ]
        })
      });
    let rolledBack = false;
    ecs.on(DescribeServicesCommand).callsFake(() => {
      const calls = ecs.commandCalls(UpdateServiceCommand).length;
      rolledBack = calls === 2;
      if (calls === 0) return { services: [service({})] };
      return {
        services: [
          service({
            deployments: rolledBack
              ? [
                  {
                    id: 'ecs-svc/9',
                    status: 'PRIMARY',
                    taskDefinition: TD_OLD,
                    rolloutState: 'COMPLETED',
                    desiredCount: 2,
                    runningCount: 2
                  }
                ]
              : [
                  {
                    id: 'ecs-svc/2',
                    status: 'PRIMARY',
                    taskDefinition: TD_NEW,
                    rolloutState: 'IN_PROGRESS',
                    desiredCount: 2,
                    runningCount: 0
                  }
                ]
          })
        ]
      };
    });
    const time = fakeTime();
    const result = await resultOf(
      deployService(
        {
          cluster: 'c',
          service: 'app',
          taskDefinitionArn: TD_NEW,
          timeout: Duration.seconds(60),
          pollInterval: Duration.seconds(10),
          rollbackOnTimeout: true,
          client: ecs as never,
          ...time,
          region: 'us-east-1'
        },
        new MemoryReporter()
      )
    );
    expect(result.outcome).toBe('timed-out-rolled-back');
    expect(result.ok).toBe(false);
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input.taskDefinition)).toEqual([
      TD_NEW,
      TD_OLD
    ]);
    expect(time.elapsed()).toBe(60000);
  });

  it('never updates a service that is not ACTIVE, or with a task definition that is not registered', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service({ status: 'DRAINING' })] });
    await expect(
      deployService(
        {
          cluster: 'c',
          service: 'app',
          taskDefinitionArn: TD_NEW,
          client: ecs as never,
          region: 'us-east-1'
        },
        new MemoryReporter()
      )
    ).rejects.toThrow(/DRAINING, not ACTIVE/);
    ecs.on(DescribeServicesCommand).resolves({ services: [service({})] });
    const missing = new Error('Unable to describe task definition.');
    missing.name = 'ClientException';
    ecs.on(DescribeTaskDefinitionCommand).rejects(missing);
    await expect(
      deployService(
        {
          cluster: 'c',
          service: 'app',
          taskDefinitionArn: TD_NEW,
          client: ecs as never,
          region: 'us-east-1'
        },
        new MemoryReporter()
      )
    ).rejects.toThrow(/is not registered; the service was not changed/);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('refuses a service driven by CodeDeploy before changing anything', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolves({ services: [service({ deploymentController: { type: 'CODE_DEPLOY' } })] });
    await expect(
      deployService(
        {
          cluster: 'c',
          service: 'app',
          taskDefinitionArn: TD_NEW,
          client: ecs as never,
          region: 'us-east-1'
        },
        new MemoryReporter()
      )
    ).rejects.toThrow(/uses the CODE_DEPLOY deployment controller.*CodeDeploy deployment/);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });
});

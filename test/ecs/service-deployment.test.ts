/**
 * The ServiceDeployment watcher: every status and every cause of failure decided from one answer, the
 * wait-until targets, progress lines, and the watcher's polling against aws-sdk-client-mock.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import {
  explainFailure,
  isUnsupported,
  judgeServiceDeployment,
  locateServiceDeployment,
  progressLine,
  watchServiceDeployment
} from '../../src/ecs/service-deployment.js';
import { Duration } from '../../src/lib/duration.js';
import { MemoryReporter } from '../../src/lib/reporter.js';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/abc123';
const sd = (over: Partial<ServiceDeployment>): ServiceDeployment => ({
  serviceDeploymentArn: ARN,
  status: 'IN_PROGRESS',
  ...over
});

describe('judgeServiceDeployment', () => {
  it('waits while PENDING or IN_PROGRESS', () => {
    expect(judgeServiceDeployment(sd({ status: 'PENDING' }), 'completed')).toBeUndefined();
    expect(judgeServiceDeployment(sd({}), 'completed')).toBeUndefined();
  });

  it('succeeds on SUCCESSFUL', () => {
    expect(judgeServiceDeployment(sd({ status: 'SUCCESSFUL' }), 'completed')?.kind).toBe('completed');
  });

  it.each(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'])(
    'fails at the first %s, without waiting for the rollback to end',
    (status) => {
      expect(judgeServiceDeployment(sd({ status: status as never }), 'completed')?.kind).toBe('rolled-back');
    }
  );

  it.each(['STOP_REQUESTED', 'STOPPED'])('reports %s as stopped', (status) => {
    const outcome = judgeServiceDeployment(sd({ status: status as never }), 'completed');
    expect(outcome?.kind).toBe('stopped');
  });

  it('stops at a PAUSE hook awaiting action only when asked to', () => {
    const paused = sd({
      lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
      lifecycleHookDetails: [{ hookId: 'h-1', targetType: 'PAUSE', status: 'AWAITING_ACTION' }]
    });
    expect(judgeServiceDeployment(paused, 'completed')).toBeUndefined();
    expect(judgeServiceDeployment(paused, 'paused')).toMatchObject({ kind: 'paused', hookId: 'h-1' });
  });

  it('stops once production traffic is all on the new revision, for traffic-shifted', () => {
    const baking = sd({
      lifecycleStage: 'BAKE_TIME',
      targetServiceRevision: { arn: 'r', requestedProductionTrafficWeight: 100 }
    });
    const shifting = sd({
      lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT',
      targetServiceRevision: { arn: 'r', requestedProductionTrafficWeight: 40 }
    });
    expect(judgeServiceDeployment(baking, 'traffic-shifted', 'BLUE_GREEN')?.kind).toBe('traffic-shifted');
    expect(judgeServiceDeployment(shifting, 'traffic-shifted', 'LINEAR')).toBeUndefined();
    // ROLLING shifts no traffic: traffic-shifted waits for completion there.
    expect(judgeServiceDeployment(baking, 'traffic-shifted', 'ROLLING')).toBeUndefined();
    expect(judgeServiceDeployment(baking, 'completed', 'BLUE_GREEN')).toBeUndefined();
  });
});

describe('explainFailure', () => {
  it('names a failed or timed-out lifecycle hook', () => {
    const cause = explainFailure(
      sd({
        status: 'ROLLBACK_IN_PROGRESS',
        lifecycleHookDetails: [
          {
            hookId: 'h-2',
            targetType: 'AWS_LAMBDA',
            targetArn: 'arn:aws:lambda:us-east-1:123456789012:function:smoke',
            status: 'FAILED'
          }
        ],
        rollback: { reason: 'lifecycle hook failed' }
      })
    );
    expect(cause.kind).toBe('hook');
    expect(cause.reason).toMatch(/hook h-2 .*smoke \(AWS_LAMBDA\) answered FAILED \(lifecycle hook failed\)/);
    const timedOut = explainFailure(
      sd({
        lifecycleHookDetails: [
          { hookId: 'h-3', targetType: 'PAUSE', status: 'TIMED_OUT', timeoutAction: 'ROLLBACK' }
        ]
      })
    );
    expect(timedOut.reason).toMatch(/h-3 \(PAUSE\) timed out, its timeout action is ROLLBACK/);
  });

  it('names the alarm or the breaker, not the hook they left FAILED, when they fail a deployment at a hook', () => {
    const pausedHook = [{ hookId: 'h-4', targetType: 'PAUSE' as const, status: 'FAILED' as const }];
    const alarm = explainFailure(
      sd({
        status: 'ROLLBACK_REQUESTED',
        lifecycleHookDetails: pausedHook,
        alarms: { status: 'TRIGGERED', alarmNames: ['web-5xx'], triggeredAlarmNames: ['web-5xx'] }
      })
    );
    expect(alarm).toMatchObject({ kind: 'alarm', alarms: ['web-5xx'] });
    const breaker = explainFailure(
      sd({
        status: 'ROLLBACK_REQUESTED',
        lifecycleHookDetails: pausedHook,
        deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 3, threshold: 3 }
      })
    );
    expect(breaker.kind).toBe('circuit-breaker');
    // Alone, a PAUSE hook answered ROLLBACK is the cause, and it did not "answer" anything itself.
    const rolledBack = explainFailure(sd({ status: 'ROLLBACK_REQUESTED', lifecycleHookDetails: pausedHook }));
    expect(rolledBack).toMatchObject({ kind: 'hook', reason: 'lifecycle hook h-4 (PAUSE) ended FAILED' });
  });

  it('names the alarms in ALARM', () => {
    const cause = explainFailure(
      sd({
        status: 'ROLLBACK_REQUESTED',
        alarms: { status: 'TRIGGERED', alarmNames: ['a', 'b'], triggeredAlarmNames: ['twotier-web-5xx'] }
      })
    );
    expect(cause).toMatchObject({ kind: 'alarm', alarms: ['twotier-web-5xx'] });
    expect(cause.reason).toContain('deployment alarm twotier-web-5xx in ALARM');
  });

  it('gives the circuit breaker count and threshold', () => {
    const cause = explainFailure(
      sd({
        status: 'ROLLBACK_IN_PROGRESS',
        deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 3, threshold: 3 },
        statusReason: 'ECS deployment circuit breaker: tasks failed to start.'
      })
    );
    expect(cause.kind).toBe('circuit-breaker');
    expect(cause.reason).toBe(
      'ECS deployment circuit breaker: tasks failed to start (3 failed task(s), threshold 3)'
    );
    expect(
      explainFailure(sd({ deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 5, threshold: 5 } }))
        .reason
    ).toBe('ECS deployment circuit breaker tripped (5 failed task(s), threshold 5)');
  });

  it('falls back to the rollback reason and statusReason', () => {
    expect(explainFailure(sd({ status: 'ROLLBACK_FAILED', statusReason: 'no capacity' })).reason).toBe(
      'no capacity'
    );
    expect(explainFailure(sd({ status: 'STOPPED' })).kind).toBe('stopped');
  });
});

describe('progressLine', () => {
  it('shows the stage, the weights, the task counts, waiting hooks and bake time left', () => {
    const line = progressLine(
      sd({
        lifecycleStage: 'BAKE_TIME',
        targetServiceRevision: {
          arn: 'r',
          requestedTaskCount: 2,
          runningTaskCount: 2,
          pendingTaskCount: 0,
          requestedProductionTrafficWeight: 100,
          requestedTestTrafficWeight: 100
        }
      }),
      Duration.minutes(4)
    );
    expect(line).toBe(
      'IN_PROGRESS, stage BAKE_TIME, traffic production 100% test 100%, tasks running 2/2, pending 0, bake time left 4 min'
    );
  });

  it('shows no bake time left once the deployment is rolling back or over', () => {
    for (const status of ['ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'STOPPED'] as const) {
      const line = progressLine(sd({ status, lifecycleStage: 'BAKE_TIME' }), Duration.minutes(60));
      expect(line).toBe(`${status}, stage BAKE_TIME`);
    }
  });
});

describe('locating and watching (mocked ECS)', () => {
  const ecs = mockClient(ECSClient);
  beforeEach(() => {
    ecs.reset();
    ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'web', events: [] }] });
  });

  it('takes currentServiceDeployment from the UpdateService answer', async () => {
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [sd({})] });
    const found = await locateServiceDeployment(ecs as never, {
      cluster: 'prod',
      service: 'web',
      updated: { currentServiceDeployment: ARN },
      since: new Date()
    });
    expect(found).toBe(ARN);
    expect(ecs.commandCalls(ListServiceDeploymentsCommand)).toHaveLength(0);
  });

  it('else lists the deployments created since the update and takes the newest', async () => {
    ecs.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        { serviceDeploymentArn: `${ARN}-old`, createdAt: new Date(1000) },
        { serviceDeploymentArn: ARN, createdAt: new Date(5000) }
      ]
    });
    const since = new Date(4000);
    expect(await locateServiceDeployment(ecs as never, { cluster: 'prod', service: 'web', since })).toBe(ARN);
    const input = ecs.commandCalls(ListServiceDeploymentsCommand)[0]?.args[0].input;
    expect(input?.createdAt?.after?.getTime()).toBe(3000);
  });

  it('prefers the newest listed deployment whose target revision runs our task definition', async () => {
    const TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8';
    ecs.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        { serviceDeploymentArn: ARN, createdAt: new Date(5000), targetServiceRevisionArn: 'rev-ours' },
        {
          serviceDeploymentArn: `${ARN}-other`,
          createdAt: new Date(6000),
          targetServiceRevisionArn: 'rev-other'
        }
      ]
    });
    ecs.on(DescribeServiceRevisionsCommand).resolves({
      serviceRevisions: [
        {
          serviceRevisionArn: 'rev-other',
          taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:9'
        },
        { serviceRevisionArn: 'rev-ours', taskDefinition: TD }
      ]
    });
    const found = await locateServiceDeployment(ecs as never, {
      cluster: 'prod',
      service: 'web',
      since: new Date(4000),
      taskDefinitionArn: TD
    });
    expect(found).toBe(ARN);
  });

  it('says unsupported for a control plane without the API', async () => {
    const unknown = Object.assign(new Error('Unknown operation'), { name: 'UnknownOperationException' });
    ecs.on(ListServiceDeploymentsCommand).rejects(unknown);
    expect(
      await locateServiceDeployment(ecs as never, { cluster: 'c', service: 's', since: new Date() })
    ).toBe('unsupported');
    expect(isUnsupported(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 400 } }))).toBe(false);
  });

  it("takes an HTML 500 (moto's answer to an operation it lacks) for a missing API, never ECS's own JSON 500", () => {
    const html = Object.assign(new SyntaxError(`Unexpected token '<', "<!doctype "... is not valid JSON`), {
      $metadata: { httpStatusCode: 500 }
    });
    html.message +=
      '\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response';
    expect(isUnsupported(html)).toBe(true);
    const server = Object.assign(new Error('Internal error'), {
      name: 'ServerException',
      $metadata: { httpStatusCode: 500 }
    });
    expect(isUnsupported(server)).toBe(false);
  });

  it('polls at the fixed interval and decides at the first failed status', async () => {
    ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [sd({ lifecycleStage: 'SCALE_UP' })] })
      .resolvesOnce({ serviceDeployments: [sd({ lifecycleStage: 'SCALE_UP' })] })
      .resolves({
        serviceDeployments: [
          sd({
            status: 'ROLLBACK_REQUESTED',
            deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 3, threshold: 3 }
          })
        ]
      });
    let now = 0;
    const sleeps: number[] = [];
    const reporter = new MemoryReporter();
    const result = await watchServiceDeployment(
      ecs as never,
      {
        cluster: 'prod',
        service: 'web',
        serviceDeploymentArn: ARN,
        waitUntil: 'completed',
        timeout: Duration.minutes(5),
        pollInterval: Duration.seconds(10),
        seenEventIds: new Set(),
        sleep: async (ms) => {
          sleeps.push(ms);
          now += ms;
        },
        clock: () => now
      },
      reporter
    );
    expect(result.outcome.kind).toBe('rolled-back');
    expect(result.polls).toBe(3);
    expect(sleeps).toEqual([10000, 10000]);
    // One progress line per change, not per poll.
    expect(reporter.lines.filter((l) => l.includes('stage SCALE_UP'))).toHaveLength(1);
  });

  it('times out at the deadline with one last look', async () => {
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [sd({})] });
    let now = 0;
    const result = await watchServiceDeployment(
      ecs as never,
      {
        cluster: 'prod',
        service: 'web',
        serviceDeploymentArn: ARN,
        waitUntil: 'completed',
        timeout: Duration.seconds(25),
        pollInterval: Duration.seconds(10),
        seenEventIds: new Set(),
        sleep: async (ms) => void (now += ms),
        clock: () => now
      },
      new MemoryReporter()
    );
    expect(result.outcome.kind).toBe('timed-out');
    expect(now).toBe(25000);
    expect(result.polls).toBe(4);
  });

  it('without a strategy given, judges traffic-shifted and bake time by what the deployment records', async () => {
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        sd({
          lifecycleStage: 'BAKE_TIME',
          deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 15 },
          targetServiceRevision: { arn: 'r', requestedProductionTrafficWeight: 100 }
        })
      ]
    });
    const reporter = new MemoryReporter();
    let now = 0;
    const result = await watchServiceDeployment(
      ecs as never,
      {
        cluster: 'prod',
        service: 'web',
        serviceDeploymentArn: ARN,
        waitUntil: 'traffic-shifted',
        timeout: Duration.minutes(5),
        pollInterval: Duration.seconds(10),
        seenEventIds: new Set(),
        sleep: async (ms) => void (now += ms),
        clock: () => now
      },
      reporter
    );
    expect(result.outcome.kind).toBe('traffic-shifted');
    expect(result.polls).toBe(1);
    expect(reporter.lines.join('\n')).toContain('bake time left 15 min');
  });
});

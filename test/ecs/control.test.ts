/**
 * continue-deployment and stop-deployment against aws-sdk-client-mock: what is refused before anything is
 * sent, which hook is answered, and what counts as success after each request.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  ECSClient,
  StopServiceDeploymentCommand,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import { continueDeployment, stopDeployment } from '../../src/ecs/control.js';
import { Duration } from '../../src/lib/duration.js';
import { ConfigurationError, DeploymentError } from '../../src/lib/errors.js';
import { MemoryReporter } from '../../src/lib/reporter.js';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/abc123';
const ecs = mockClient(ECSClient);
const sd = (over: Partial<ServiceDeployment>): ServiceDeployment => ({
  serviceDeploymentArn: ARN,
  status: 'IN_PROGRESS',
  ...over
});
const paused = sd({
  lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
  lifecycleHookDetails: [{ hookId: 'h-1', targetType: 'PAUSE', status: 'AWAITING_ACTION' }]
});
function clock() {
  let now = 0;
  return { clock: () => now, sleep: async (ms: number) => void (now += ms) };
}
const base = {
  cluster: 'prod',
  service: 'web',
  region: 'us-east-1',
  pollInterval: Duration.seconds(5),
  timeout: Duration.minutes(5),
  client: ecs as never
};

beforeEach(() => {
  ecs.reset();
  ecs
    .on(DescribeServicesCommand)
    .resolves({ services: [{ serviceName: 'web', currentServiceDeployment: ARN, events: [] }] });
});

describe('continueDeployment', () => {
  it('answers the one hook awaiting action, then waits until the deployment is SUCCESSFUL', async () => {
    ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [paused] })
      .resolvesOnce({ serviceDeployments: [sd({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' })] })
      .resolves({ serviceDeployments: [sd({ status: 'SUCCESSFUL' })] });
    const result = await continueDeployment({ ...base, ...clock() }, new MemoryReporter());
    expect(ecs.commandCalls(ContinueServiceDeploymentCommand)[0]?.args[0].input).toEqual({
      serviceDeploymentArn: ARN,
      hookId: 'h-1',
      action: 'CONTINUE'
    });
    expect(result).toMatchObject({ ok: true, status: 'SUCCESSFUL', hookId: 'h-1', outcome: 'completed' });
  });

  it('after ROLLBACK, waits for the rollback to settle and counts ROLLBACK_SUCCESSFUL as success', async () => {
    ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [paused] })
      .resolvesOnce({ serviceDeployments: [sd({ status: 'ROLLBACK_IN_PROGRESS' })] })
      .resolves({ serviceDeployments: [sd({ status: 'ROLLBACK_SUCCESSFUL' })] });
    const result = await continueDeployment(
      { ...base, ...clock(), action: 'ROLLBACK' },
      new MemoryReporter()
    );
    expect(result).toMatchObject({ ok: true, status: 'ROLLBACK_SUCCESSFUL' });
  });

  it('fails when the continued deployment rolls back, saying why', async () => {
    ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [paused] })
      .resolves({
        serviceDeployments: [
          sd({ status: 'ROLLBACK_REQUESTED', alarms: { triggeredAlarmNames: ['web-5xx'] } })
        ]
      });
    const error = await continueDeployment({ ...base, ...clock() }, new MemoryReporter()).catch((e) => e);
    expect(error).toBeInstanceOf(DeploymentError);
    expect(error.message).toContain('deployment alarm web-5xx in ALARM');
    expect((error as DeploymentError).changed).toEqual(['hook h-1 of abc123 answered CONTINUE']);
  });

  it('refuses, before sending anything, a hook that is not awaiting action or when none is', async () => {
    ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [sd({ lifecycleStage: 'SCALE_UP' })] });
    const none = await continueDeployment({ ...base, ...clock() }, new MemoryReporter()).catch((e) => e);
    expect(none).toBeInstanceOf(ConfigurationError);
    expect(none.message).toMatch(/has 0 hooks awaiting action; there is nothing to continue/);
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [paused] });
    const wrong = await continueDeployment(
      { ...base, ...clock(), hookId: 'h-9' },
      new MemoryReporter()
    ).catch((e) => e);
    expect(wrong.message).toMatch(
      /hook-id "h-9" is not awaiting action in abc123; its hooks: h-1 \(PAUSE, AWAITING_ACTION\)/
    );
    expect(ecs.commandCalls(ContinueServiceDeploymentCommand)).toHaveLength(0);
  });

  it('refuses a malformed service-deployment-arn before any call', async () => {
    await expect(
      continueDeployment({ ...base, serviceDeploymentArn: 'abc123' }, new MemoryReporter())
    ).rejects.toThrow(/Input service-deployment-arn "abc123" is not a service deployment ARN/);
    expect(ecs.calls()).toHaveLength(0);
  });
});

describe('stopDeployment', () => {
  it('stops with ROLLBACK by default and succeeds on ROLLBACK_SUCCESSFUL', async () => {
    ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [sd({})] })
      .resolvesOnce({ serviceDeployments: [sd({ status: 'STOP_REQUESTED' })] })
      .resolves({ serviceDeployments: [sd({ status: 'ROLLBACK_SUCCESSFUL' })] });
    const result = await stopDeployment({ ...base, ...clock() }, new MemoryReporter());
    expect(ecs.commandCalls(StopServiceDeploymentCommand)[0]?.args[0].input).toEqual({
      serviceDeploymentArn: ARN,
      stopType: 'ROLLBACK'
    });
    expect(result).toMatchObject({ ok: true, status: 'ROLLBACK_SUCCESSFUL' });
  });

  it('fails when a rollback was asked and the deployment completed instead', async () => {
    ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [sd({})] })
      .resolves({ serviceDeployments: [sd({ status: 'SUCCESSFUL' })] });
    await expect(stopDeployment({ ...base, ...clock() }, new MemoryReporter())).rejects.toBeInstanceOf(
      DeploymentError
    );
  });

  it('counts STOPPED as success for ABORT, and refuses a deployment that has already ended', async () => {
    ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [sd({})] })
      .resolves({ serviceDeployments: [sd({ status: 'STOPPED' })] });
    expect((await stopDeployment({ ...base, ...clock(), stopType: 'ABORT' }, new MemoryReporter())).ok).toBe(
      true
    );
    ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [sd({ status: 'SUCCESSFUL' })] });
    await expect(stopDeployment({ ...base, ...clock() }, new MemoryReporter())).rejects.toThrow(
      /is SUCCESSFUL; only a PENDING or IN_PROGRESS service deployment can be stopped/
    );
  });
});

import { describe, expect, it } from '@jest/globals';
import { groupStoppedTasks, hintFor } from '../../src/ecs/diagnose.js';

describe('stopped task diagnosis', () => {
  it('groups tasks by reason and exit code, largest group first', () => {
    const groups = groupStoppedTasks([
      {
        taskArn: 'arn:aws:ecs:us-east-1:1:task/c/a1',
        stoppedReason: 'Essential container in task exited',
        containers: [{ name: 'api', exitCode: 1 }]
      },
      {
        taskArn: 'arn:aws:ecs:us-east-1:1:task/c/a2',
        stoppedReason: 'Essential container in task exited',
        containers: [{ name: 'api', exitCode: 1 }]
      },
      {
        taskArn: 'arn:aws:ecs:us-east-1:1:task/c/b1',
        stoppedReason: 'Essential container in task exited',
        containers: [{ name: 'api', exitCode: 137 }]
      }
    ]);
    expect(groups.map((g) => [g.count, g.exitCode])).toEqual([
      [2, 1],
      [1, 137]
    ]);
    expect(groups[0]!.taskIds).toEqual(['a1', 'a2']);
    expect(groups[1]!.hint).toMatch(/memory/);
  });

  it.each([
    [
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found',
      undefined,
      /NAT gateway, or VPC endpoints/
    ],
    [
      'ResourceInitializationError: unable to pull secrets or registry auth: ... ParameterNotFound',
      undefined,
      /secret `valueFrom`/
    ],
    [
      'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:...)',
      undefined,
      /health check path and port/
    ],
    ['Essential container in task exited', 137, /SIGKILL/],
    ['Essential container in task exited', 3, /exited with code 3/]
  ])('hints for %s', (reason, exitCode, expected) => {
    expect(hintFor(reason, exitCode as number | undefined, 'api')).toMatch(expected);
  });

  it('leaves out the tasks a deployment scaled in: after an alarm rollback they are no failure', () => {
    const groups = groupStoppedTasks([
      {
        taskArn: 'arn:aws:ecs:us-east-1:1:task/c/s1',
        stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1)',
        stopCode: 'ServiceSchedulerInitiated',
        containers: [{ name: 'api', exitCode: 143 }]
      },
      {
        taskArn: 'arn:aws:ecs:us-east-1:1:task/c/f1',
        stoppedReason: 'Task failed container health checks',
        stopCode: 'ServiceSchedulerInitiated',
        containers: [{ name: 'api', exitCode: 137 }]
      }
    ]);
    expect(groups.map((g) => [g.reason, g.taskIds])).toEqual([
      ['Task failed container health checks', ['f1']]
    ]);
    expect(
      groupStoppedTasks([
        {
          taskArn: 'arn:aws:ecs:us-east-1:1:task/c/s2',
          stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/2)'
        }
      ])
    ).toEqual([]);
  });

  it('gives no hint for a normal scale-in', () => {
    expect(hintFor('Scaling activity initiated by (deployment ecs-svc/1)', 0)).toBeUndefined();
  });

  it('gives a failed container health check its own hint, not the out-of-memory one of exit 137', () => {
    const hint = hintFor('Task failed container health checks', 137, 'api');
    expect(hint).toMatch(/Container api failed its own health check .*startPeriod/);
    expect(hint).not.toMatch(/memory/);
  });
});

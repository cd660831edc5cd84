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

  it('gives no hint for a normal scale-in', () => {
    expect(hintFor('Scaling activity initiated by (deployment ecs-svc/1)', 0)).toBeUndefined();
  });
});

import { describe, expect, it } from '@jest/globals';
import type { Deployment, Service } from '@aws-sdk/client-ecs';
import { judgeDeployment } from '../../src/ecs/watch.js';

const OURS = 'ecs-svc/1111111111111111111';
const OLD = 'ecs-svc/2222222222222222222';
const TD_NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:8';
const TD_OLD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:7';

function svc(...deployments: Deployment[]): Service {
  return { serviceName: 'app', status: 'ACTIVE', deployments };
}

describe('judgeDeployment', () => {
  it('keeps waiting while our deployment is rolling out', () => {
    const s = svc(
      {
        id: OURS,
        status: 'PRIMARY',
        taskDefinition: TD_NEW,
        rolloutState: 'IN_PROGRESS',
        desiredCount: 2,
        runningCount: 1
      },
      {
        id: OLD,
        status: 'ACTIVE',
        taskDefinition: TD_OLD,
        rolloutState: 'COMPLETED',
        desiredCount: 2,
        runningCount: 2
      }
    );
    expect(judgeDeployment(s, OURS, TD_NEW)).toBeUndefined();
  });

  it('succeeds when our deployment is PRIMARY, COMPLETED and running = desired', () => {
    const s = svc({
      id: OURS,
      status: 'PRIMARY',
      taskDefinition: TD_NEW,
      rolloutState: 'COMPLETED',
      desiredCount: 2,
      runningCount: 2
    });
    expect(judgeDeployment(s, OURS, TD_NEW)?.kind).toBe('completed');
  });

  it('does not call COMPLETED a success while running < desired', () => {
    const s = svc({
      id: OURS,
      status: 'PRIMARY',
      taskDefinition: TD_NEW,
      rolloutState: 'COMPLETED',
      desiredCount: 2,
      runningCount: 1
    });
    expect(judgeDeployment(s, OURS, TD_NEW)).toBeUndefined();
  });

  it('fails at once when the breaker marks ours FAILED and no rollback exists', () => {
    const s = svc({
      id: OURS,
      status: 'PRIMARY',
      taskDefinition: TD_NEW,
      rolloutState: 'FAILED',
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.'
    });
    const outcome = judgeDeployment(s, OURS, TD_NEW);
    expect(outcome).toMatchObject({
      kind: 'failed',
      reason: 'ECS deployment circuit breaker: tasks failed to start.'
    });
  });

  it('reports a rollback as soon as ECS starts it, not when it finishes', () => {
    const s = svc(
      {
        id: 'ecs-svc/3333333333333333333',
        status: 'PRIMARY',
        taskDefinition: TD_OLD,
        rolloutState: 'IN_PROGRESS',
        desiredCount: 2,
        runningCount: 0
      },
      {
        id: OURS,
        status: 'ACTIVE',
        taskDefinition: TD_NEW,
        rolloutState: 'FAILED',
        rolloutStateReason: 'circuit breaker'
      }
    );
    expect(judgeDeployment(s, OURS, TD_NEW)).toMatchObject({
      kind: 'rolled-back',
      rollbackTaskDefinition: TD_OLD
    });
  });

  it('reports a rollback when our deployment has vanished and the events say rolling back', () => {
    const s = svc({
      id: 'ecs-svc/3333333333333333333',
      status: 'PRIMARY',
      taskDefinition: TD_OLD,
      rolloutState: 'IN_PROGRESS'
    });
    const outcome = judgeDeployment(s, OURS, TD_NEW, [
      '(service app) rolling back to deployment ecs-svc/3333333333333333333.'
    ]);
    expect(outcome?.kind).toBe('rolled-back');
  });

  it('reports a replacement when someone else deploys another task definition', () => {
    const s = svc(
      {
        id: 'ecs-svc/4444444444444444444',
        status: 'PRIMARY',
        taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:9'
      },
      { id: OURS, status: 'ACTIVE', taskDefinition: TD_NEW, rolloutState: 'IN_PROGRESS' }
    );
    expect(judgeDeployment(s, OURS, TD_NEW)?.kind).toBe('replaced');
  });

  it('accepts a deployment without rolloutState once it is the only one and settled', () => {
    const s = svc({ id: OURS, status: 'PRIMARY', taskDefinition: TD_NEW, desiredCount: 1, runningCount: 1 });
    expect(judgeDeployment(s, OURS, TD_NEW)?.kind).toBe('completed');
  });
});

describe('judgeDeployment after ECS finished the rollback', () => {
  it('takes the failure reason from the service events', () => {
    const s = svc({
      id: 'ecs-svc/3333333333333333333',
      status: 'PRIMARY',
      taskDefinition: TD_OLD,
      rolloutState: 'COMPLETED'
    });
    const outcome = judgeDeployment(s, OURS, TD_NEW, [
      `(service app) (deployment ${OURS}) deployment failed: tasks failed to start.`,
      '(service app) rolling back to deployment ecs-svc/3333333333333333333.'
    ]);
    expect(outcome).toMatchObject({
      kind: 'rolled-back',
      reason: 'ECS deployment circuit breaker: tasks failed to start.'
    });
  });
});

describe('judgeDeployment with the shapes real ECS shows during a rolling rollback', () => {
  const created = (iso: string) => new Date(iso);
  const oldBack = {
    id: OLD,
    status: 'PRIMARY',
    taskDefinition: TD_OLD,
    rolloutState: 'IN_PROGRESS',
    createdAt: created('2026-01-01T10:00:00Z'),
    desiredCount: 2,
    runningCount: 2
  } as const;
  const oursStillInProgress = {
    id: OURS,
    status: 'ACTIVE',
    taskDefinition: TD_NEW,
    rolloutState: 'IN_PROGRESS',
    createdAt: created('2026-01-01T11:00:00Z')
  } as const;

  it('calls the old deployment id back as PRIMARY a rollback while ours still reads ACTIVE / IN_PROGRESS', () => {
    const outcome = judgeDeployment(svc(oldBack, oursStillInProgress), OURS, TD_NEW);
    expect(outcome).toMatchObject({
      kind: 'rolled-back',
      rollbackDeploymentId: OLD,
      rollbackTaskDefinition: TD_OLD
    });
  });

  it('takes the reason from the failure event when it already arrived', () => {
    const outcome = judgeDeployment(svc(oldBack, oursStillInProgress), OURS, TD_NEW, [
      `(service app) (deployment ${OURS}) deployment failed: tasks failed to start.`,
      `(service app) rolling back to deployment ${OLD}.`
    ]);
    expect(outcome).toMatchObject({
      kind: 'rolled-back',
      reason: 'ECS deployment circuit breaker: tasks failed to start.'
    });
  });

  it('calls a PRIMARY with an earlier revision of our family a rollback, even without createdAt', () => {
    const s = svc(
      { id: OLD, status: 'PRIMARY', taskDefinition: TD_OLD, rolloutState: 'IN_PROGRESS' },
      { id: OURS, status: 'ACTIVE', taskDefinition: TD_NEW, rolloutState: 'IN_PROGRESS' }
    );
    expect(judgeDeployment(s, OURS, TD_NEW)?.kind).toBe('rolled-back');
  });

  it('still calls a newer deployment of a later revision a replacement', () => {
    const s = svc(
      {
        id: 'ecs-svc/4444444444444444444',
        status: 'PRIMARY',
        taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:9',
        createdAt: created('2026-01-01T12:00:00Z')
      },
      oursStillInProgress
    );
    expect(judgeDeployment(s, OURS, TD_NEW)?.kind).toBe('replaced');
  });

  it('calls a newer deployment of another family a replacement', () => {
    const s = svc(
      {
        id: 'ecs-svc/4444444444444444444',
        status: 'PRIMARY',
        taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/other:1',
        createdAt: created('2026-01-01T12:00:00Z')
      },
      oursStillInProgress
    );
    expect(judgeDeployment(s, OURS, TD_NEW)?.kind).toBe('replaced');
  });
});

/**
 * The shapes of a real rolling rollback (REFERENCE.md §7, public transcripts of real ECS) through the
 * deploy-service bundle, on both of its watchers:
 * - the last COMPLETED deployment comes back as PRIMARY with its old id (no new deployment), and the event
 *   "rolling back to deployment OLD-ID" names it;
 * - our deployment still reads ACTIVE / IN_PROGRESS in the next DescribeServices answers after that PRIMARY
 *   appears (the simulator's `staleReads`, 3 here), and the rollback PRIMARY itself reads IN_PROGRESS until it
 *   has held its steady state (`steadyStateMs`, 4 s here, so the bundle's polls see it).
 * The watcher must call that a rollback ("failed ... rolling back to matrix-app:1"), never "replaced".
 *
 * The DescribeServices fallback path: a control plane without the ServiceDeployment API (as moto's ECS, or
 * an ECS from before 2024-10): the simulator answers its operations with UnknownOperationException and its
 * services carry no currentServiceDeployment (`setServiceDeploymentApi(false)`). The ServiceDeployment path:
 * the same rollback followed through DescribeServiceDeployments.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { Deployment } from '@aws-sdk/client-ecs';
import { errorText } from '../helpers/bad-inputs.js';
import { describe as describeService, waitFor } from '../local/ecs-simulator-helpers.js';
import { CLUSTER, SERVICE, deployV2, runBundle, seedService, useMatrixWorld } from './strategies/matrix.js';

const world = useMatrixWorld({ staleReads: 3, steadyStateMs: 4000 });

/** The DescribeServices answers the simulator sent from request `since` on, as (id, status, rolloutState). */
function describedDeployments(since: number): Pick<Deployment, 'id' | 'status' | 'rolloutState'>[][] {
  return world.local.ecs.responses
    .slice(since)
    .filter((r) => r.operation === 'DescribeServices' && r.status === 200)
    .map((r) =>
      ((r.body as { services: { deployments: Deployment[] }[] }).services[0]?.deployments ?? []).map(
        ({ id, status, rolloutState }) => ({ id, status, rolloutState })
      )
    );
}

/**
 * The shape the bundle must have seen: the rollback PRIMARY under the old v1 id, and ours (v2) still
 * ACTIVE / IN_PROGRESS beside it.
 */
function expectStaleShapeSeen(since: number, ours: string): void {
  const shapes = describedDeployments(since);
  expect(shapes).toContainEqual([
    { id: world.firstDeploymentId, status: 'PRIMARY', rolloutState: 'IN_PROGRESS' },
    { id: ours, status: 'ACTIVE', rolloutState: 'IN_PROGRESS' }
  ]);
}

describe.each([
  ['the DescribeServices fallback (no ServiceDeployment API)', false],
  ['the ServiceDeployment watcher', true]
] as const)('a rolling rollback through %s', (_path, api) => {
  beforeEach(() => {
    world.local.ecs.setServiceDeploymentApi(api);
  });

  it('is a rollback to the old deployment id, reported at once, not a replacement', async () => {
    await seedService(world, 'ROLLING', { strategy: 'ROLLING' }, { failing: true });
    const since = world.local.ecs.responses.length;
    const run = await deployV2(world);
    const text = errorText(run);
    expect(run.code).toBe(1);
    const ours = run.outputs['deployment-id']!;
    expect(text).toMatch(
      new RegExp(`^::error::Deployment ${ours} failed: .*ECS (is rolling back|rolled back) to matrix-app:1`)
    );
    expect(text).not.toMatch(/replaced/);
    expect(run.stdout).toContain(`rolling back to deployment ${world.firstDeploymentId}.`);
    expect(run.outputs['rollout-state']).toBe('FAILED');
    expectStaleShapeSeen(since, ours);
    const said = run.stdout.split('\n').filter((l) => /has no ServiceDeployment API/.test(l));
    if (api) {
      expect(said).toEqual([]);
      expect(run.outputs['service-deployment-arn']).toMatch(/service-deployment\/matrix\/app\//);
      expect(run.outputs.status).toMatch(/^ROLLBACK_(REQUESTED|IN_PROGRESS)$/);
      expect(text).toMatch(/circuit breaker: tasks failed to start \(3 failed task\(s\), threshold 3\)/);
    } else {
      expect(said).toHaveLength(1);
      expect(run.outputs['service-deployment-arn']).toBe('');
      expect(run.outputs.status).toBe('FAILED');
      expect(text).toMatch(/circuit breaker/);
    }
    // The rollback settles on the old deployment, under its old id.
    const settled = await waitFor(
      () => describeService(world.ecs, CLUSTER, SERVICE),
      (s) => s.deployments?.length === 1 && s.deployments[0]?.rolloutState === 'COMPLETED',
      30000
    );
    expect(settled.deployments![0]).toMatchObject({ id: world.firstDeploymentId, taskDefinition: world.v1 });
  });
});

describe('without the ServiceDeployment API', () => {
  beforeEach(() => {
    world.local.ecs.setServiceDeploymentApi(false);
  });

  it('deploys through rolloutState, and says once that wait-until paused needs the API', async () => {
    await seedService(world, 'ROLLING', { strategy: 'ROLLING' });
    const run = await deployV2(world, { 'wait-until': 'paused' });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.outputs).toMatchObject({
      'rollout-state': 'COMPLETED',
      status: 'COMPLETED',
      'service-deployment-arn': '',
      'hook-id': ''
    });
    expect(run.warnings).toEqual([
      '::warning::wait-until paused needs the ServiceDeployment API; waiting until the deployment completes instead.'
    ]);
    expect(run.stdout.match(/has no ServiceDeployment API/g)).toHaveLength(1);
  });

  it.each(['continue-deployment', 'stop-deployment'] as const)(
    '%s says the control plane has no ServiceDeployment API, and sends nothing',
    async (action) => {
      await seedService(world, 'ROLLING', { strategy: 'ROLLING' });
      const mark = world.local.ecs.requests.length;
      const run = await runBundle(world, action, {
        'service-deployment-arn': `arn:aws:ecs:us-east-1:123456789012:service-deployment/${CLUSTER}/${SERVICE}/abc`
      });
      expect(run.code).toBe(1);
      expect(errorText(run)).toMatch(
        /^::error::Configuration error: This ECS control plane has no ServiceDeployment API \(DescribeServiceDeployments: UnknownOperationException\)/
      );
      const sent = world.local.ecs.requests.slice(mark).map((r) => r.operation);
      expect(sent).not.toContain('ContinueServiceDeployment');
      expect(sent).not.toContain('StopServiceDeployment');
    }
  );
});

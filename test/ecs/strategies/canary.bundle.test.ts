/**
 * The CANARY strategy through the deploy-service, continue-deployment and stop-deployment bundles: every cell
 * of the strategy matrix (matrix.ts says what each cell does, and which cells cannot happen with which
 * strategy), and a deployment gated twice: a PAUSE hook at POST_TEST_TRAFFIC_SHIFT and again at
 * POST_PRODUCTION_TRAFFIC_SHIFT, continued one hook at a time.
 */
import { expect, it } from '@jest/globals';
import { PROFILES, controlRequests, deployV2, runBundle, seedService, strategyMatrix } from './matrix.js';

const world = strategyMatrix('CANARY');

it('continue-deployment with wait-until paused stops at the next PAUSE hook and outputs its hook-id', async () => {
  await seedService(world, 'CANARY', {
    ...PROFILES.CANARY.fast,
    lifecycleHooks: [
      { targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'] }
    ]
  });
  const deploy = await deployV2(world, { 'wait-until': 'paused' });
  expect(deploy.outputs['lifecycle-stage']).toBe('POST_TEST_TRAFFIC_SHIFT');
  const first = deploy.outputs['hook-id']!;
  const arn = deploy.outputs['service-deployment-arn']!;

  const again = await runBundle(world, 'continue-deployment', { 'wait-until': 'paused' });
  expect({ code: again.code, errors: again.errors }).toEqual({ code: 0, errors: [] });
  expect(again.outputs).toMatchObject({
    'service-deployment-arn': arn,
    status: 'IN_PROGRESS',
    'lifecycle-stage': 'POST_PRODUCTION_TRAFFIC_SHIFT'
  });
  const second = again.outputs['hook-id']!;
  expect(second).toMatch(/^ecs-pause-/);
  expect(second).not.toBe(first);
  expect(again.stdout).toContain(`is paused at hook ${second} (stage POST_PRODUCTION_TRAFFIC_SHIFT)`);

  const done = await runBundle(world, 'continue-deployment', { 'hook-id': second });
  expect(done.code).toBe(0);
  expect(done.outputs).toMatchObject({ status: 'SUCCESSFUL', 'lifecycle-stage': 'CLEAN_UP', 'hook-id': '' });
  expect(controlRequests(world).map((r) => r.hookId)).toEqual([first, second]);
});

/**
 * The LINEAR strategy through the deploy-service, continue-deployment and stop-deployment bundles: every cell
 * of the strategy matrix (matrix.ts says what each cell does, and which cells cannot happen with which
 * strategy), and a hook whose timeout action is CONTINUE: it times out and the deployment goes on.
 */
import { expect, it } from '@jest/globals';
import {
  HOOK_FUNCTION,
  PROFILES,
  deployV2,
  describeSd,
  lambda,
  seedService,
  strategyMatrix
} from './matrix.js';

const world = strategyMatrix('LINEAR');

it('a hook that times out with timeout action CONTINUE lets the deployment complete', async () => {
  const hook = lambda(['POST_SCALE_UP'], 2);
  hook.timeoutConfiguration = { timeoutInMinutes: 2, action: 'CONTINUE' };
  await seedService(world, 'LINEAR', { ...PROFILES.LINEAR.fast, lifecycleHooks: [hook] });
  world.local.ecs.setHookAnswer(HOOK_FUNCTION, { hookStatus: 'IN_PROGRESS', callBackDelay: 30 });
  const run = await deployV2(world);
  expect({ code: run.code, errors: run.errors }).toEqual({ code: 0, errors: [] });
  expect(run.outputs).toMatchObject({ status: 'SUCCESSFUL', 'rollout-state': 'COMPLETED' });
  const sd = await describeSd(world, run.outputs['service-deployment-arn']!);
  expect(sd.lifecycleHookDetails).toEqual([
    expect.objectContaining({ status: 'TIMED_OUT', timeoutAction: 'CONTINUE' })
  ]);
});

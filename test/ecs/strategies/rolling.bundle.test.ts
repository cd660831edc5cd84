/**
 * The ROLLING strategy through the deploy-service, continue-deployment and stop-deployment bundles: every
 * cell of the strategy matrix (matrix.ts says what each cell does, and which cells cannot happen with which
 * strategy: ROLLING has no lifecycle hooks), and a stop with stop-type ABORT, which ECS refuses (the
 * StopServiceDeployment reference: "The valid values are ROLLBACK"): the step fails saying why and the
 * deployment goes on.
 */
import { expect, it } from '@jest/globals';
import { errorText } from '../../helpers/bad-inputs.js';
import {
  ALARM,
  PROFILES,
  controlRequests,
  createAlarm,
  deployV2,
  describeSd,
  runBundle,
  seedService,
  strategyMatrix
} from './matrix.js';

const world = strategyMatrix('ROLLING');

it('stop-deployment with stop-type ABORT fails with ECS’s refusal, and the deployment goes on', async () => {
  await seedService(world, 'ROLLING', {
    ...PROFILES.ROLLING.fast,
    alarms: { alarmNames: [ALARM], enable: true, rollback: true }
  });
  await createAlarm(world);
  const deploy = await deployV2(world, { wait: 'false' });
  expect(deploy.code).toBe(0);
  const arn = deploy.outputs['service-deployment-arn']!;
  const stop = await runBundle(world, 'stop-deployment', {
    'service-deployment-arn': arn,
    'stop-type': 'ABORT'
  });
  expect(stop.code).toBe(1);
  expect(errorText(stop)).toMatch(/^::error::.*stopType ABORT is not supported; the valid value is ROLLBACK/);
  expect(controlRequests(world)).toEqual([
    { operation: 'StopServiceDeployment', serviceDeploymentArn: arn, stopType: 'ABORT' }
  ]);
  expect((await describeSd(world, arn)).status).toBe('IN_PROGRESS');
});

/**
 * The BLUE_GREEN strategy through the deploy-service, continue-deployment and stop-deployment bundles: every
 * cell of the strategy matrix (matrix.ts says what each cell does, and which cells cannot happen with which
 * strategy), the failures that arrive while a lifecycle hook is still pending: they are reported as what
 * they are (an alarm rollback names the alarm), not as a failed hook; and continue-deployment waiting until
 * traffic has shifted (it knows the strategy and the bake time from the service deployment itself).
 */
import { expect, it } from '@jest/globals';
import { SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  ALARM,
  HOLD_MINUTES,
  PROFILES,
  createAlarm,
  deployV2,
  expectFailedDeploy,
  expectRolledBackToV1,
  pause,
  reachServiceDeployment,
  runBundle,
  seedService,
  strategyMatrix
} from './matrix.js';

const world = strategyMatrix('BLUE_GREEN');

it('an alarm in ALARM while a PAUSE hook awaits action is an alarm rollback, naming the alarm', async () => {
  await seedService(world, 'BLUE_GREEN', {
    ...PROFILES.BLUE_GREEN.fast,
    lifecycleHooks: [pause()],
    alarms: { alarmNames: [ALARM], enable: true, rollback: true }
  });
  await createAlarm(world);
  const running = deployV2(world);
  await reachServiceDeployment(
    world,
    (sd) => sd.lifecycleHookDetails?.some((h) => h.status === 'AWAITING_ACTION') ?? false
  );
  await world.cw.send(
    new SetAlarmStateCommand({ AlarmName: ALARM, StateValue: 'ALARM', StateReason: 'matrix test' })
  );
  const run = await running;
  expectFailedDeploy(
    world,
    run,
    'POST_TEST_TRAFFIC_SHIFT',
    new RegExp(`failed: alarm rollback: deployment alarm ${ALARM} in ALARM`)
  );
  expect(run.errors.join('\n')).not.toMatch(/lifecycle hook/);
  await expectRolledBackToV1(world, run.outputs['service-deployment-arn']!);
});

it('continue-deployment with wait-until traffic-shifted stops once production traffic is on green', async () => {
  await seedService(world, 'BLUE_GREEN', {
    ...PROFILES.BLUE_GREEN.fast,
    bakeTimeInMinutes: HOLD_MINUTES,
    lifecycleHooks: [pause()]
  });
  const deploy = await deployV2(world, { 'wait-until': 'paused' });
  expect(deploy.code).toBe(0);
  const cont = await runBundle(world, 'continue-deployment', { 'wait-until': 'traffic-shifted' });
  expect({ code: cont.code, errors: cont.errors }).toEqual({ code: 0, errors: [] });
  expect(cont.outputs).toMatchObject({
    'service-deployment-arn': deploy.outputs['service-deployment-arn'],
    status: 'IN_PROGRESS',
    'lifecycle-stage': 'BAKE_TIME'
  });
  // The bake time comes from the service deployment's own configuration (60 simulated minutes).
  expect(cont.stdout).toMatch(/stage BAKE_TIME, traffic production 100% test 100%, .*bake time left 60 min/);
});

/**
 * Deployment alarms: the simulator reads the alarms' state from moto's CloudWatch (DescribeAlarms); the test
 * puts an alarm in ALARM with SetAlarmState during the deployment's bake time and sees ECS's failure shapes.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from '@jest/globals';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ECSClient,
  type Service
} from '@aws-sdk/client-ecs';
import { startEcsSimulator, type EcsSimulator } from '../../src/local/ecs-simulator/index.js';
import { startMoto, type MotoServer } from '../../src/local/moto.js';
import { expectConformance, keepExchanges } from '../helpers/botocore-model.js';
import { describe, ecsClient, messages, taskDefinition, waitFor } from './ecs-simulator-helpers.js';
import {
  advancedLoadBalancer,
  createService,
  followServiceDeployment
} from './service-deployment-helpers.js';

let moto: MotoServer;
let sim: EcsSimulator;
let ecs: ECSClient;
let cw: CloudWatchClient;
const cluster = 'al';
const kept = keepExchanges(() => sim);

beforeAll(async () => {
  moto = await startMoto();
  // A ROLLING deployment bakes for the alarm's Period × EvaluationPeriods: 60 s × 2 is 2 simulated minutes
  // (200 ms here). A test that sets the alarm during bake time gives it more periods (see BAKE_PERIODS).
  sim = await startEcsSimulator({
    taskPhaseMs: 40,
    minuteMs: 100,
    cloudwatchEndpoint: moto.endpoint,
    alarmPollMs: 10
  });
  ecs = ecsClient(sim.endpoint);
  cw = new CloudWatchClient({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });
});
afterAll(async () => {
  ecs.destroy();
  cw.destroy();
  await sim.stop();
  await moto.stop();
  expectConformance(kept.all());
});
beforeEach(async () => {
  kept.save();
  sim.reset();
  await moto.reset();
});

const primary = (s: Service) => s.deployments?.find((d) => d.status === 'PRIMARY');
const completed = (s: Service) => primary(s)?.rolloutState === 'COMPLETED';

/**
 * Evaluation periods of an alarm that a test puts in ALARM during bake time: 60 s × 50 bakes for 50 simulated
 * minutes (5 s here), so SetAlarmState lands in bake time even on a loaded host. The deployment ends in
 * rollback as soon as the simulator sees the alarm, so the test does not wait the bake time out.
 */
const BAKE_PERIODS = 50;

async function alarm(name: string, evaluationPeriods = 2): Promise<void> {
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: evaluationPeriods,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold'
    })
  );
}
const setAlarm = (name: string, value: 'OK' | 'ALARM') =>
  cw.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: value, StateReason: 'test' }));

async function update(service: string): Promise<string> {
  const v2 = (await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition(service, `${service}:2`))))
    .taskDefinition!.taskDefinitionArn!;
  const out = await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: v2 }));
  return out.service!.currentServiceDeployment!;
}

test('ROLLING: an alarm in ALARM during bake time fails the deployment and rolls back to the old deployment id', async () => {
  await alarm('api-5xx', BAKE_PERIODS);
  await createService(ecs, {
    cluster,
    service: 'r',
    family: 'r',
    image: 'r:1',
    desiredCount: 2,
    deploymentConfiguration: { alarms: { alarmNames: ['api-5xx'], enable: true, rollback: true } }
  });
  const before = await waitFor(() => describe(ecs, cluster, 'r'), completed);
  const arn = await update('r');
  const baking = await followServiceDeployment(ecs, arn, (x) => x.lifecycleStage === 'BAKE_TIME');
  expect(baking.last.alarms).toMatchObject({
    status: 'MONITORING',
    alarmNames: ['api-5xx'],
    triggeredAlarmNames: []
  });
  await setAlarm('api-5xx', 'ALARM');
  const { last } = await followServiceDeployment(ecs, arn, (x) => x.status === 'ROLLBACK_SUCCESSFUL');
  expect(last.alarms).toEqual({
    status: 'TRIGGERED',
    alarmNames: ['api-5xx'],
    triggeredAlarmNames: ['api-5xx']
  });
  expect(last.rollback?.serviceRevisionArn).toBe(before.currentServiceRevisions?.[0]?.arn);
  const s = await waitFor(() => describe(ecs, cluster, 'r'), completed);
  const failedId = (await describe(ecs, cluster, 'r'))
    .events!.map(
      (e) => /\(deployment (ecs-svc\/\d+)\) deployment failed: alarm detected\./.exec(e.message ?? '')?.[1]
    )
    .find(Boolean);
  expect(failedId).toBeDefined();
  expect(messages(s)).toContain(`(service r) rolling back to deployment ${primary(before)?.id}.`);
  expect(primary(s)?.id).toBe(primary(before)?.id);
});

test('ROLLING: alarms that stay OK through bake time let the deployment complete (MONITORING_COMPLETE)', async () => {
  await alarm('quiet');
  await setAlarm('quiet', 'OK');
  await createService(ecs, {
    cluster,
    service: 'ok',
    family: 'ok',
    image: 'ok:1',
    desiredCount: 1,
    deploymentConfiguration: { alarms: { alarmNames: ['quiet'], enable: true, rollback: true } }
  });
  await waitFor(() => describe(ecs, cluster, 'ok'), completed);
  const arn = await update('ok');
  const { last, stages } = await followServiceDeployment(ecs, arn, (x) => x.status === 'SUCCESSFUL');
  expect(stages).toEqual(['SCALE_UP', 'BAKE_TIME', 'CLEAN_UP']);
  expect(last.alarms?.status).toBe('MONITORING_COMPLETE');
});

test('without rollback, an alarm leaves the deployment FAILED and its service deployment STOPPED', async () => {
  await alarm('nr');
  await createService(ecs, {
    cluster,
    service: 'nr',
    family: 'nr',
    image: 'nr:1',
    desiredCount: 1,
    deploymentConfiguration: { alarms: { alarmNames: ['nr'], enable: true, rollback: false } }
  });
  await waitFor(() => describe(ecs, cluster, 'nr'), completed);
  await setAlarm('nr', 'ALARM');
  const arn = await update('nr');
  const { last } = await followServiceDeployment(ecs, arn, (x) => x.status === 'STOPPED');
  expect(last.alarms?.triggeredAlarmNames).toEqual(['nr']);
  const s = await describe(ecs, cluster, 'nr');
  expect(primary(s)).toMatchObject({
    rolloutState: 'FAILED',
    rolloutStateReason: 'ECS deployment alarms: alarm detected.'
  });
});

test('BLUE_GREEN: an alarm during bakeTimeInMinutes rolls traffic back to blue', async () => {
  await alarm('bg');
  await createService(ecs, {
    cluster,
    service: 'bg',
    family: 'bg',
    image: 'bg:1',
    desiredCount: 1,
    deploymentConfiguration: {
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: BAKE_PERIODS,
      alarms: { alarmNames: ['bg'], enable: true, rollback: true }
    },
    extra: { loadBalancers: [advancedLoadBalancer] }
  });
  await waitFor(() => describe(ecs, cluster, 'bg'), completed);
  const arn = await update('bg');
  await followServiceDeployment(ecs, arn, (x) => x.lifecycleStage === 'BAKE_TIME');
  await setAlarm('bg', 'ALARM');
  const { last } = await followServiceDeployment(ecs, arn, (x) => x.status === 'ROLLBACK_SUCCESSFUL');
  expect(last.sourceServiceRevisions?.[0]?.requestedProductionTrafficWeight).toBe(100);
  expect(last.targetServiceRevision?.requestedProductionTrafficWeight).toBe(0);
});

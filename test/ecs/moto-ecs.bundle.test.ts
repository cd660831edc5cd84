/**
 * The ECS bundles against another implementation of the ECS API: moto's own ECS (the embedded moto server,
 * not the project's simulator), which has no ServiceDeployment API and answers ListServiceDeployments,
 * DescribeServiceDeployments and DescribeServiceRevisions with an HTML 500 (REFERENCE.md §5: no rollouts,
 * no DescribeServiceDeployments). deploy-service and rollback must fall back to what the control plane has
 * (DescribeServices, ListTaskDefinitions) and say so once; continue-deployment and stop-deployment, which
 * have nothing to fall back to, must refuse clearly. moto never rolls a deployment out, so the waits here are
 * off or bounded: what is asserted is which requests the bundles make and what they change.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand
} from '@aws-sdk/client-ecs';
import { startLocalAws, type LocalAws } from '../../src/local/local-aws.js';
import { runActionBundle } from '../helpers/action.js';
import { errorText } from '../helpers/bad-inputs.js';

jest.setTimeout(120000);

let local: LocalAws;
let ecs: ECSClient;
let env: Record<string, string>;
const cluster = 'moto';
const service = 'app';
let v1: string;
let v2: string;

beforeAll(async () => {
  local = await startLocalAws({ taskPhaseMs: 60 });
  // Every ECS request of the bundles goes to moto, not to the simulator.
  env = { ...local.env, AWS_ENDPOINT_URL_ECS: local.moto.endpoint };
  ecs = new ECSClient({
    endpoint: local.moto.endpoint,
    region: local.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const td = (tag: string) =>
    new RegisterTaskDefinitionCommand({
      family: 'app',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'api', image: `api:${tag}`, essential: true }]
    });
  v1 = (await ecs.send(td('1'))).taskDefinition!.taskDefinitionArn!;
  v2 = (await ecs.send(td('2'))).taskDefinition!.taskDefinitionArn!;
});
afterAll(async () => {
  ecs?.destroy();
  await local?.stop();
});
beforeEach(async () => {
  await ecs.send(new DeleteServiceCommand({ cluster, service, force: true })).catch(() => undefined);
  await ecs.send(
    new CreateServiceCommand({ cluster, serviceName: service, taskDefinition: v1, desiredCount: 1 })
  );
});

const running = async () =>
  (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!
    .taskDefinition;
const fallbackLines = (stdout: string) =>
  stdout.split('\n').filter((l) => l.includes('has no ServiceDeployment API'));

describe("the ECS bundles against moto's ECS (no ServiceDeployment API)", () => {
  it('deploy-service with wait false: UpdateService to the new revision, done', async () => {
    const run = await runActionBundle(
      'deploy-service',
      { cluster, service, 'task-definition-arn': v2, wait: 'false' },
      env
    );
    expect({ code: run.code, errors: run.errors }).toEqual({ code: 0, errors: [] });
    expect(run.outputs).toMatchObject({ 'task-definition-arn': v2, 'service-deployment-arn': '' });
    expect(await running()).toBe(v2);
    // wait false: nothing to follow, so no ServiceDeployment lookup and nothing to say about it.
    expect(fallbackLines(run.stdout)).toEqual([]);
  });

  it('deploy-service waiting: bounded by timeout-minutes, and the failure says what already changed', async () => {
    const run = await runActionBundle(
      'deploy-service',
      {
        cluster,
        service,
        'task-definition-arn': v2,
        'timeout-minutes': '0.05',
        'poll-interval-seconds': '1'
      },
      env
    );
    expect(run.code).toBe(1);
    expect(errorText(run)).toMatch(/did not complete within 3 s/);
    expect(errorText(run)).toMatch(/Already changed in AWS: service app now runs app:2/);
    expect(fallbackLines(run.stdout)).toHaveLength(1);
  });

  it('rollback finds the revision before from the family (ListTaskDefinitions) and goes back to it', async () => {
    await runActionBundle(
      'deploy-service',
      { cluster, service, 'task-definition-arn': v2, wait: 'false' },
      env
    );
    const run = await runActionBundle('rollback', { cluster, service, wait: 'false' }, env);
    expect({ code: run.code, errors: run.errors }).toEqual({ code: 0, errors: [] });
    expect(run.outputs['task-definition-arn']).toBe(v1);
    expect(await running()).toBe(v1);
    expect(run.stdout).toMatch(
      /no ServiceDeployment API; the task definition before is the previous ACTIVE revision/
    );
  });

  it.each(['continue-deployment', 'stop-deployment'])(
    '%s refuses: there is no service deployment to act on, and nothing changes',
    async (name) => {
      const run = await runActionBundle(name, { cluster, service }, env);
      expect(run.code).toBe(1);
      expect(errorText(run)).toMatch(/ServiceDeployment API/);
      expect(await running()).toBe(v1);
    }
  );
});

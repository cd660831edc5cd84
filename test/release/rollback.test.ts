/**
 * rollback of both tiers against the local AWS (moto S3 and the ECS simulator, real SDK clients over HTTP):
 * the service goes back to the task definition it ran before (from the last SUCCESSFUL ServiceDeployment),
 * a deployment in flight is rolled back by ECS itself (StopServiceDeployment ROLLBACK), the frontend goes
 * back to the previous release; the bundle does both parts as the runner runs it; bad inputs change nothing.
 * The fallback without the ServiceDeployment API is checked with aws-sdk-client-mock (no emulator lacks it).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  DescribeServicesCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
  UpdateServiceCommand,
  DescribeServiceDeploymentsCommand
} from '@aws-sdk/client-ecs';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { registerNextRevision, seedBackend, type BackendFixture } from '../../src/demo/backend-fixture.js';
import { startLocalAws, type LocalAws } from '../../src/local/local-aws.js';
import { rollbackService } from '../../src/ecs/rollback.js';
import { deployService } from '../../src/ecs/deploy.js';
import { Duration } from '../../src/lib/duration.js';
import { MemoryReporter } from '../../src/lib/reporter.js';
import { runUploadFrontend } from '../../src/frontend/upload-phases.js';
import { runActionBundle } from '../helpers/action.js';
import { errorText, expectRefused } from '../helpers/bad-inputs.js';
import { viteSite, writeSite } from '../frontend/world.js';

let local: LocalAws;
let fixture: BackendFixture;
let ecs: ECSClient;
let s3: S3Client;

beforeAll(async () => {
  local = await startLocalAws({ taskPhaseMs: 60 });
  const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
  ecs = new ECSClient({ endpoint: local.ecs.endpoint, region: local.region, credentials });
  s3 = new S3Client({
    endpoint: local.moto.endpoint,
    region: local.region,
    forcePathStyle: true,
    credentials
  });
});
afterAll(async () => {
  ecs?.destroy();
  s3?.destroy();
  await local?.stop();
});
beforeEach(async () => {
  local.ecs.reset();
  await local.moto.reset();
  fixture = await seedBackend(local, { topology: 'sidecar', desiredCount: 1 });
});

const fast = { pollInterval: Duration.seconds(1), timeout: Duration.minutes(1) };
const service = () => fixture.services[0]!.name;
const running = async () =>
  (await ecs.send(new DescribeServicesCommand({ cluster: fixture.cluster, services: [service()] })))
    .services![0]!.taskDefinition!;

const nextRevision = () => registerNextRevision(ecs, fixture.cluster, service());

describe('service rollback', () => {
  it('takes a settled service back to the task definition it ran before', async () => {
    const before = await running();
    const next = await nextRevision();
    await deployService(
      { cluster: fixture.cluster, service: service(), taskDefinitionArn: next, ...fast, client: ecs },
      new MemoryReporter()
    );
    expect(await running()).toBe(next);
    const reporter = new MemoryReporter();
    const result = await rollbackService(
      { cluster: fixture.cluster, service: service(), ...fast, client: ecs },
      reporter
    );
    expect(result).toMatchObject({
      mode: 'updated-to-previous',
      source: 'service-deployment',
      fromTaskDefinition: next,
      toTaskDefinition: before,
      outcome: 'completed',
      ok: true
    });
    expect(await running()).toBe(before);
    const ops = local.ecs.requests.map((r) => r.operation);
    expect(ops).toEqual(
      expect.arrayContaining(['ListServiceDeployments', 'DescribeServiceRevisions', 'UpdateService'])
    );
  });

  it('rolls a deployment in flight back through ECS (StopServiceDeployment ROLLBACK)', async () => {
    const before = await running();
    const next = await nextRevision();
    await ecs.send(
      new UpdateServiceCommand({ cluster: fixture.cluster, service: service(), taskDefinition: next })
    );
    const result = await rollbackService(
      { cluster: fixture.cluster, service: service(), ...fast, client: ecs },
      new MemoryReporter()
    );
    expect(result.mode).toBe('stopped-in-flight');
    expect(result.outcome).toBe('rollback-successful');
    expect(local.ecs.requests.map((r) => r.operation)).toContain('StopServiceDeployment');
    expect(local.ecs.requests.map((r) => r.operation)).not.toContain('ListTaskDefinitions');
    expect(await running()).toBe(before);
  });

  it('a service that never ran another task definition: a configuration error, nothing changed', async () => {
    const mark = local.ecs.requests.length;
    const error = await rollbackService(
      { cluster: fixture.cluster, service: service(), ...fast, client: ecs },
      new MemoryReporter()
    ).catch((e: unknown) => e);
    expect((error as Error).name).toBe('ConfigurationError');
    expect((error as Error).message).toMatch(/no earlier task definition/);
    expect(local.ecs.requests.slice(mark).map((r) => r.operation)).not.toContain('UpdateService');
  });
});

describe('service rollback without the ServiceDeployment API (documented fallback)', () => {
  it('goes back to the highest ACTIVE revision of the family below the running one', async () => {
    const mock = mockClient(ECSClient);
    const TD = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/app:${n}`;
    const unknown = Object.assign(new Error('Unknown operation'), { name: 'UnknownOperationException' });
    mock.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'app',
          status: 'ACTIVE',
          taskDefinition: TD(9),
          deployments: [
            {
              id: 'ecs-svc/2',
              status: 'PRIMARY',
              taskDefinition: TD(7),
              rolloutState: 'COMPLETED',
              runningCount: 1,
              desiredCount: 1
            }
          ]
        }
      ]
    });
    mock.on(DescribeServiceDeploymentsCommand).rejects(unknown);
    mock.on(ListServiceDeploymentsCommand).rejects(unknown);
    mock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [TD(9), TD(7), TD(3)] });
    mock.on(UpdateServiceCommand).resolves({
      service: {
        serviceName: 'app',
        deployments: [{ id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: TD(7) }]
      }
    });
    const result = await rollbackService(
      { cluster: 'c', service: 'app', wait: false, client: mock as unknown as ECSClient },
      new MemoryReporter()
    );
    expect(result).toMatchObject({
      source: 'family-revisions',
      toTaskDefinition: TD(7),
      fromTaskDefinition: TD(9)
    });
    expect(mock.commandCalls(UpdateServiceCommand)[0]!.args[0].input.taskDefinition).toBe(TD(7));
    mock.restore();
  });
});

describe('the rollback bundle', () => {
  async function twoReleases(bucket: string): Promise<void> {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const dir = writeSite(viteSite('v1'));
    const deploy = (phase: 'stage' | 'publish', releaseId: string) =>
      runUploadFrontend(
        { sourceDir: dir, bucket, phase, releaseId, s3, env: {} },
        new MemoryReporter(),
        (_n, fn) => fn()
      );
    await deploy('stage', 'one');
    await deploy('publish', 'one');
    writeSite(viteSite('v2'), dir);
    await deploy('stage', 'two');
    await deploy('publish', 'two');
  }
  const page = async (bucket: string) =>
    (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'index.html' }))).Body!.transformToString();

  it('rolls both tiers back: frontend first, then the service', async () => {
    const bucket = 'rollback-both';
    await twoReleases(bucket);
    expect(await page(bucket)).toContain('v2');
    const before = await running();
    const next = await nextRevision();
    await deployService(
      { cluster: fixture.cluster, service: service(), taskDefinitionArn: next, ...fast, client: ecs },
      new MemoryReporter()
    );
    const run = await runActionBundle(
      'rollback',
      {
        cluster: fixture.cluster,
        service: service(),
        bucket,
        'poll-interval-seconds': '1',
        'timeout-minutes': '1'
      },
      local.env
    );
    expect(run.stderr).not.toMatch(/Unhandled/);
    expect(run.code).toBe(0);
    expect(run.outputs['frontend-release-id']).toBe('one');
    expect(run.outputs['rolled-back-release-id']).toBe('two');
    expect(JSON.parse(run.outputs['changed-paths'] ?? '')).toEqual(['/index.html']);
    expect(run.outputs['task-definition-arn']).toBe(before);
    expect(await page(bucket)).toContain('v1');
    expect(await running()).toBe(before);
    expect(run.summary).toContain('| frontend');
    expect(run.stdout.indexOf('Frontend: two → one')).toBeLessThan(run.stdout.indexOf('Service '));
  });

  it('refuses a frontend rollback over a phase: all deploy: the recorded previous release is no longer one back', async () => {
    const bucket = 'rollback-after-all';
    await twoReleases(bucket);
    await runUploadFrontend(
      { sourceDir: writeSite(viteSite('v3')), bucket, releaseId: 'three', delete: true, s3, env: {} },
      new MemoryReporter(),
      (_n, fn) => fn()
    );
    expect(await page(bucket)).toContain('v3');
    const manifest = JSON.parse(
      await (
        await s3.send(new GetObjectCommand({ Bucket: bucket, Key: '.twotier/manifest.json' }))
      ).Body!.transformToString()
    ) as { releases: { current: { id: string }; previous?: unknown } };
    expect(manifest.releases.current.id).toBe('three');
    expect(manifest.releases.previous).toBeUndefined();
    const run = await runActionBundle('rollback', { bucket }, local.env);
    expect(run.code).toBe(1);
    expect(errorText(run)).toMatch(/records only the current release three; .*Nothing was written/);
    // Release one's HTML (whose chunks the phase: all deploy may have deleted) did not come back.
    expect(await page(bucket)).toContain('v3');
  });

  it.each([
    {
      title: 'cluster without service',
      inputs: { cluster: 'c' },
      input: 'service',
      value: '',
      valid: /give both/
    },
    { title: 'nothing to roll back', inputs: {}, input: 'service', value: '', valid: /Nothing to roll back/ },
    {
      title: 'distribution-id without bucket',
      inputs: { cluster: 'c', service: 's', 'distribution-id': 'E123' },
      input: 'distribution-id',
      value: 'E123',
      valid: /needs `bucket`/
    }
  ])('refuses $title with no mutating request', async (bad) => {
    const mark = local.ecs.requests.length;
    const run = await runActionBundle('rollback', bad.inputs as Record<string, string>, local.env);
    const mutating = local.ecs.requests
      .slice(mark)
      .map((r) => r.operation)
      .filter((op) => ['UpdateService', 'StopServiceDeployment'].includes(op));
    if (bad.value)
      expectRefused(run, { ...bad, inputs: () => bad.inputs as Record<string, string> }, mutating);
    expect({ code: run.code, mutating }).toEqual({ code: 1, mutating: [] });
    expect(errorText(run)).toMatch(/^::error::Configuration error: /);
    expect(errorText(run)).toContain(bad.input);
    expect(errorText(run)).toMatch(bad.valid);
  });
});

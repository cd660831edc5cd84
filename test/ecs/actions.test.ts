/**
 * The ECS bundles run as the runner runs them (node dist/<name>/index.js, INPUT_*, GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY) against the local AWS: the ECS rollout simulator over HTTP, moto for CloudWatch Logs.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeServicesCommand, ECSClient, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { errorText, runActionBundle } from '../helpers/action.js';
import { startLocalAws, type LocalAws } from '../../src/local/local-aws.js';
import { seedBackend, type BackendFixture } from '../../src/demo/backend-fixture.js';
import { imageByDigest, imageByTag, pushTestImages } from './ecr-images.js';

// The images register-task-definition's preflight finds in the local ECR (pushed after every reset): the
// bootstrap tags the example task definitions name, v1..v4 for keep-revisions, and one digest per container.
const TEST_IMAGES = {
  'twotier/api': ['bootstrap', 'candidate', 'v1', 'v2', 'v3', 'v4'],
  'twotier/web': ['bootstrap', 'candidate']
};
const API_IMAGE = imageByDigest('twotier/api', 'candidate');
const WEB_IMAGE = imageByDigest('twotier/web', 'candidate');
const MUTATING = [
  'RegisterTaskDefinition',
  'DeregisterTaskDefinition',
  'UpdateService',
  'CreateService',
  'RunTask',
  'StopTask'
];

let local: LocalAws;
let fixture: BackendFixture;
let ecs: ECSClient;

beforeAll(async () => {
  local = await startLocalAws({ taskPhaseMs: 60 });
  ecs = new ECSClient({
    endpoint: local.ecs.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' }
  });
});
afterAll(async () => {
  ecs?.destroy();
  await local?.stop();
});
beforeEach(async () => {
  local.ecs.reset();
  await local.moto.reset();
  fixture = await seedBackend(local, { topology: 'sidecar', desiredCount: 2 });
  await pushTestImages(local, TEST_IMAGES);
});

const sidecar = () => fixture.services[0]!;
const FAST: Record<string, Record<string, string>> = {
  'deploy-service': { 'poll-interval-seconds': '1', 'timeout-minutes': '1' },
  'run-task': { 'poll-interval-seconds': '1', 'timeout-minutes': '1' }
};
const run = (name: string, inputs: Record<string, string>) =>
  runActionBundle(name, { ...FAST[name], ...inputs }, local.env);

const mutatingSince = (index: number) =>
  local.ecs.requests.slice(index).filter((r) => MUTATING.includes(r.operation));

async function register(extra: Record<string, string> = {}) {
  const out = await run('register-task-definition', {
    'task-definition': sidecar().taskDefinitionFile,
    images: `api=${API_IMAGE}\nweb=${WEB_IMAGE}`,
    ...extra
  });
  expect(out.code).toBe(0);
  return out;
}

describe('register-task-definition', () => {
  it('registers new images, writes outputs and a diff summary, then skips an identical run', async () => {
    const first = await register();
    expect(first.outputs.changed).toBe('true');
    expect(first.outputs.revision).toBe('2');
    expect(first.outputs['task-definition-arn']).toMatch(/task-definition\/twotier-sidecar:2$/);
    expect(first.summary).toContain('containerDefinitions[api].image');
    const second = await register();
    expect(second.outputs.changed).toBe('false');
    expect(second.outputs['task-definition-arn']).toBe(first.outputs['task-definition-arn']);
  });

  it('starts from the live service and keeps fields it does not know', async () => {
    const out = await run('register-task-definition', {
      cluster: fixture.cluster,
      service: sidecar().name,
      images: `api=${API_IMAGE}`
    });
    expect(out.code).toBe(0);
    const arn = out.outputs['task-definition-arn']!;
    const registered = local.ecs.requests.filter((r) => r.operation === 'RegisterTaskDefinition').pop()!
      .body as Record<string, unknown>;
    expect(registered.family).toBe('twotier-sidecar');
    expect(JSON.stringify(registered)).toContain(API_IMAGE);
    expect(arn).toMatch(/:2$/);
  });

  it('passes unknown task definition fields through to RegisterTaskDefinition', async () => {
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/td-');
    const doc = JSON.parse(readFileSync(sidecar().taskDefinitionFile, 'utf8'));
    doc.futureTopLevelField = { mode: 'on' };
    doc.containerDefinitions[0].futureContainerField = 42;
    writeFileSync(`${dir}/td.json`, JSON.stringify(doc));
    const out = await run('register-task-definition', { 'task-definition': `${dir}/td.json` });
    expect(out.code).toBe(0);
    const body = local.ecs.requests.filter((r) => r.operation === 'RegisterTaskDefinition').pop()!.body as {
      networkConfiguration: { awsvpcConfiguration: { subnets: string[] } };
      overrides: { containerOverrides: unknown[] };
      futureTopLevelField?: unknown;
      containerDefinitions: Record<string, unknown>[];
    };
    expect(body.futureTopLevelField).toEqual({ mode: 'on' });
    expect(body.containerDefinitions[0]?.futureContainerField).toBe(42);
  });

  it('deregisters revisions beyond keep-revisions but never the one the service runs', async () => {
    for (const tag of ['1', '2', '3']) {
      await register({ images: `api=${imageByTag('twotier/api', `v${tag}`)}` });
    }
    const out = await register({
      images: `api=${imageByTag('twotier/api', 'v4')}`,
      cluster: fixture.cluster,
      service: sidecar().name,
      'keep-revisions': '1'
    });
    expect(out.code).toBe(0);
    const active = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'twotier-sidecar', status: 'ACTIVE' })
    );
    expect(active.taskDefinitionArns?.map((a) => a.split(':').pop()).sort()).toEqual(['1', '5']);
  });

  it('masks sensitive environment values in the log and the summary', async () => {
    const secret = 'hunter2-do-not-print';
    const out = await register({ environment: `api.API_TOKEN=${secret}` });
    expect(out.stdout).toContain(`::add-mask::${secret}`);
    const leaks = out.stdout.split('\n').filter((l) => l.includes(secret) && !l.startsWith('::add-mask::'));
    expect(leaks).toEqual([]);
    expect(out.summary).not.toContain(secret);
    expect(out.summary).toContain('API_TOKEN');
  });
});

describe('deploy-service', () => {
  it('rolls out a new revision, streams events and reports COMPLETED', async () => {
    const arn = (await register()).outputs['task-definition-arn']!;
    const out = await run('deploy-service', {
      cluster: fixture.cluster,
      service: sidecar().name,
      'task-definition-arn': arn,
      'poll-interval-seconds': '1'
    });
    expect(out.stderr).not.toMatch(/Error|Unhandled|Deprecation/);
    expect(out.code).toBe(0);
    expect(out.outputs['rollout-state']).toBe('COMPLETED');
    expect(out.outputs['deployment-id']).toMatch(/^ecs-svc\/\d{19}$/);
    expect(out.stdout).toMatch(/event .*has started 2 tasks/);
    expect(out.stdout).toMatch(/deployment completed/);
    expect(out.summary).toContain('twotier-sidecar:1 → **twotier-sidecar:2**');
    const events = out.stdout.split('\n').filter((l) => l.startsWith('event '));
    expect(new Set(events).size).toBe(events.length);
  });

  it('registers a task definition file first when given one', async () => {
    const out = await run('deploy-service', {
      cluster: fixture.cluster,
      service: sidecar().name,
      'task-definition': sidecar().taskDefinitionFile,
      images: `api=${API_IMAGE}`,
      'poll-interval-seconds': '1'
    });
    expect(out.code).toBe(0);
    expect(out.outputs['task-definition-arn']).toMatch(/twotier-sidecar:2$/);
  });

  it.each([
    ['image-pull-failure', /CannotPullContainerError/, /NAT gateway, or VPC endpoints/],
    ['missing-secret', /ParameterNotFound|unable to retrieve secrets/, /secret `valueFrom`/],
    ['essential-container-exit', /Essential container in task exited/, /exited with code 1/],
    ['health-check-failure', /ELB health checks/, /health check path and port/]
  ] as const)(
    'fails when the breaker trips on %s, with the reason and its hint',
    async (scenario, reason, hint) => {
      local.ecs.addFailure({ image: API_IMAGE, scenario, containerName: 'api' });
      const arn = (await register()).outputs['task-definition-arn']!;
      const out = await run('deploy-service', {
        cluster: fixture.cluster,
        service: sidecar().name,
        'task-definition-arn': arn,
        'poll-interval-seconds': '1'
      });
      expect(out.code).toBe(1);
      expect(out.stdout).toMatch(reason);
      expect(out.errors.join('\n')).toMatch(hint);
      expect(out.outputs['rollout-state']).toBe('FAILED');
      expect(out.summary).toContain('Why tasks stopped');
    }
  );

  it('names exit code 137 as memory', async () => {
    local.ecs.addFailure({
      image: API_IMAGE,
      scenario: 'essential-container-exit',
      exitCode: 137,
      containerName: 'api'
    });
    const arn = (await register()).outputs['task-definition-arn']!;
    const out = await run('deploy-service', {
      cluster: fixture.cluster,
      service: sidecar().name,
      'task-definition-arn': arn,
      'poll-interval-seconds': '1'
    });
    expect(out.code).toBe(1);
    expect(out.errors.join('\n')).toMatch(/SIGKILL \(exit 137\).*memory/);
  });

  it('retries throttled calls and still completes', async () => {
    const arn = (await register()).outputs['task-definition-arn']!;
    const before = local.ecs.requests.length;
    local.ecs.throttleNext(3);
    const out = await run('deploy-service', {
      cluster: fixture.cluster,
      service: sidecar().name,
      'task-definition-arn': arn,
      'poll-interval-seconds': '1'
    });
    expect(out.code).toBe(0);
    expect(out.outputs['rollout-state']).toBe('COMPLETED');
    const ops = local.ecs.requests.slice(before).map((r) => r.operation);
    expect(ops.slice(0, 4)).toEqual([
      'DescribeServices',
      'DescribeServices',
      'DescribeServices',
      'DescribeServices'
    ]);
  });

  it('without a breaker, rolls back to the previous revision on timeout and waits for it', async () => {
    local.ecs.reset();
    fixture = await seedBackend(local, {
      topology: 'sidecar',
      desiredCount: 2,
      circuitBreaker: false,
      rollback: false
    });
    local.ecs.addFailure({ image: API_IMAGE, scenario: 'never-healthy' });
    const arn = (await register()).outputs['task-definition-arn']!;
    const out = await run('deploy-service', {
      cluster: fixture.cluster,
      service: sidecar().name,
      'task-definition-arn': arn,
      'poll-interval-seconds': '1',
      'timeout-minutes': '0.05',
      'rollback-on-timeout': 'true'
    });
    expect(out.code).toBe(1);
    expect(out.errors.join('\n')).toMatch(/did not complete within 3 s\. Rolled back to twotier-sidecar:1/);
    const svc = (
      await ecs.send(new DescribeServicesCommand({ cluster: fixture.cluster, services: [sidecar().name] }))
    ).services![0]!;
    expect(svc.taskDefinition).toBe(sidecar().taskDefinitionArn);
    expect(svc.deployments?.find((d) => d.status === 'PRIMARY')?.rolloutState).toBe('COMPLETED');
  });
});

describe('deploy-service while ECS rolls back (slow tasks)', () => {
  let slow: LocalAws;
  beforeAll(async () => {
    slow = await startLocalAws({ taskPhaseMs: 1500 });
  });
  afterAll(async () => {
    await slow?.stop();
  });

  it('fails at the first poll that shows FAILED, while the rollback is still in progress', async () => {
    const f = await seedBackend(slow, { topology: 'sidecar', desiredCount: 1 });
    await pushTestImages(slow, TEST_IMAGES);
    slow.ecs.addFailure({ image: API_IMAGE, scenario: 'image-pull-failure' });
    const reg = await runActionBundle(
      'register-task-definition',
      { 'task-definition': f.services[0]!.taskDefinitionFile, images: `api=${API_IMAGE}` },
      slow.env
    );
    const out = await runActionBundle(
      'deploy-service',
      {
        cluster: f.cluster,
        service: f.services[0]!.name,
        'task-definition-arn': reg.outputs['task-definition-arn']!,
        'poll-interval-seconds': '1'
      },
      slow.env
    );
    expect(out.code).toBe(1);
    expect(out.errors.join('\n')).toMatch(/ECS is rolling back to twotier-sidecar:1/);
    const client = new ECSClient({
      endpoint: slow.ecs.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' }
    });
    const svc = (
      await client.send(new DescribeServicesCommand({ cluster: f.cluster, services: [f.services[0]!.name] }))
    ).services![0]!;
    const rollback = svc.deployments?.find((d) => d.status === 'PRIMARY');
    expect(rollback?.taskDefinition).toBe(f.services[0]!.taskDefinitionArn);
    expect(rollback?.rolloutState).toBe('IN_PROGRESS');
    client.destroy();
  });
});

describe('run-task', () => {
  it('runs a migration with the service network, exits 0 and prints the container log', async () => {
    const out = await run('run-task', {
      cluster: fixture.cluster,
      'task-definition': 'twotier-sidecar',
      service: sidecar().name,
      container: 'api',
      command: '["python","-m","app.migrate"]'
    });
    expect(out.code).toBe(0);
    expect(out.outputs['exit-code']).toBe('0');
    expect(out.stdout).toMatch(/\| .*python -m app\.migrate/);
    const body = local.ecs.requests.find((r) => r.operation === 'RunTask')!.body as {
      networkConfiguration: { awsvpcConfiguration: { subnets: string[] } };
      overrides: { containerOverrides: unknown[] };
      futureTopLevelField?: unknown;
      containerDefinitions: Record<string, unknown>[];
    };
    expect(body.networkConfiguration.awsvpcConfiguration.subnets).toEqual(fixture.subnets);
    expect(body.overrides.containerOverrides[0]).toEqual({
      name: 'api',
      command: ['python', '-m', 'app.migrate']
    });
  });

  it('fails on a non-zero exit and shows the log lines that explain it', async () => {
    local.ecs.addFailure({
      command: 'app.migrate',
      scenario: 'essential-container-exit',
      exitCode: 3,
      logLines: ['Traceback: relation "users" already exists']
    });
    const out = await run('run-task', {
      cluster: fixture.cluster,
      'task-definition': 'twotier-sidecar',
      service: sidecar().name,
      container: 'api',
      command: 'python -m app.migrate'
    });
    expect(out.code).toBe(1);
    expect(out.outputs['exit-code']).toBe('3');
    expect(out.stdout).toContain('relation "users" already exists');
    expect(out.errors.join('\n')).toMatch(/api exited with code 3/);
  });

  it('fails with the reason when the container never started', async () => {
    local.ecs.addFailure({ family: 'twotier-sidecar', scenario: 'image-pull-failure' });
    const out = await run('run-task', {
      cluster: fixture.cluster,
      'task-definition': 'twotier-sidecar',
      service: sidecar().name,
      container: 'api'
    });
    expect(out.code).toBe(1);
    expect(out.errors.join('\n')).toMatch(/never started.*CannotPullContainerError/);
  });
});

describe('bad inputs fail before anything in AWS changes', () => {
  const file = () => sidecar().taskDefinitionFile;
  const cases: [string, string, () => Record<string, string>, RegExp][] = [
    ['register: no source', 'register-task-definition', () => ({}), /Give `task-definition`/],
    [
      'register: missing file',
      'register-task-definition',
      () => ({ 'task-definition': '/nope/td.json' }),
      /cannot read "\/nope\/td\.json"/
    ],
    [
      'register: unknown container',
      'register-task-definition',
      () => ({ 'task-definition': file(), images: 'worker=nginx:1' }),
      /no container named "worker".*its containers are: web, api/
    ],
    [
      'register: images line without =',
      'register-task-definition',
      () => ({ 'task-definition': file(), images: 'api' }),
      /images: line 1 "api" is not of the form key=value/
    ],
    [
      'register: bad image',
      'register-task-definition',
      () => ({ 'task-definition': file(), images: 'api=Not An Image' }),
      /is not an image reference/
    ],
    [
      'register: env key without container',
      'register-task-definition',
      () => ({ 'task-definition': file(), environment: 'LOG_LEVEL=debug' }),
      /must be CONTAINER\.NAME=value/
    ],
    [
      'register: bad secret',
      'register-task-definition',
      () => ({ 'task-definition': file(), secrets: 'api.DB=not an arn!' }),
      /is not an SSM parameter or Secrets Manager ARN/
    ],
    [
      'register: keep-revisions 0',
      'register-task-definition',
      () => ({ 'task-definition': file(), 'keep-revisions': '0' }),
      /keep-revisions is "0"; expected a whole number from 1 to 1000/
    ],
    [
      'register: force-register yes',
      'register-task-definition',
      () => ({ 'task-definition': file(), 'force-register': 'yes' }),
      /force-register is "yes"; expected true or false/
    ],
    [
      'register: preflight maybe',
      'register-task-definition',
      () => ({ 'task-definition': file(), preflight: 'maybe' }),
      /preflight is "maybe"; expected true or false/
    ],
    [
      'register: service without cluster',
      'register-task-definition',
      () => ({ service: 'twotier-sidecar' }),
      /needs its `cluster`/
    ],
    [
      'register: bad region',
      'register-task-definition',
      () => ({ 'task-definition': file(), 'aws-region': 'mars' }),
      /aws-region "mars" is not an AWS region name/
    ],
    [
      'deploy: no cluster',
      'deploy-service',
      () => ({ service: 'twotier-sidecar', 'task-definition-arn': 'twotier-sidecar:1' }),
      /Input required and not supplied: cluster/
    ],
    [
      'deploy: no task definition',
      'deploy-service',
      () => ({ cluster: fixture.cluster, service: 'twotier-sidecar' }),
      /Give `task-definition-arn`/
    ],
    [
      'deploy: malformed arn',
      'deploy-service',
      () => ({
        cluster: fixture.cluster,
        service: 'twotier-sidecar',
        'task-definition-arn': 'twotier-sidecar'
      }),
      /is not a task definition ARN or family:revision/
    ],
    [
      'deploy: timeout not a number',
      'deploy-service',
      () => ({
        cluster: fixture.cluster,
        service: 'twotier-sidecar',
        'task-definition-arn': 'twotier-sidecar:1',
        'timeout-minutes': 'soon'
      }),
      /timeout-minutes is "soon"; expected a number from 0.05 to 720/
    ],
    [
      'deploy: poll interval 0',
      'deploy-service',
      () => ({
        cluster: fixture.cluster,
        service: 'twotier-sidecar',
        'task-definition-arn': 'twotier-sidecar:1',
        'poll-interval-seconds': '0'
      }),
      /poll-interval-seconds is "0"; expected a whole number from 1 to 300/
    ],
    [
      'deploy: negative desired count',
      'deploy-service',
      () => ({
        cluster: fixture.cluster,
        service: 'twotier-sidecar',
        'task-definition-arn': 'twotier-sidecar:1',
        'desired-count': '-1'
      }),
      /desired-count is "-1"/
    ],
    [
      'deploy: unregistered revision',
      'deploy-service',
      () => ({
        cluster: fixture.cluster,
        service: 'twotier-sidecar',
        'task-definition-arn': 'twotier-sidecar:99'
      }),
      /twotier-sidecar:99 is not registered; the service was not changed/
    ],
    [
      'deploy: unknown service',
      'deploy-service',
      () => ({ cluster: fixture.cluster, service: 'nope', 'task-definition-arn': 'twotier-sidecar:1' }),
      /Service nope not found in cluster/
    ],
    [
      'deploy: both arn and file',
      'deploy-service',
      () => ({
        cluster: fixture.cluster,
        service: 'twotier-sidecar',
        'task-definition-arn': 'twotier-sidecar:1',
        'task-definition': file()
      }),
      /not both/
    ],
    [
      'run-task: bad command JSON',
      'run-task',
      () => ({
        cluster: fixture.cluster,
        'task-definition': 'twotier-sidecar',
        service: 'twotier-sidecar',
        command: '["python",'
      }),
      /not a JSON array of strings/
    ],
    [
      'run-task: unknown container',
      'run-task',
      () => ({
        cluster: fixture.cluster,
        'task-definition': 'twotier-sidecar',
        service: 'twotier-sidecar',
        container: 'worker'
      }),
      /container "worker" is not in twotier-sidecar:1; its containers are: web, api/
    ],
    [
      'run-task: bad subnet',
      'run-task',
      () => ({ cluster: fixture.cluster, 'task-definition': 'twotier-sidecar', subnets: 'subnet-xyz' }),
      /subnets: "subnet-xyz" is not a subnet id/
    ],
    [
      'run-task: no network source',
      'run-task',
      () => ({ cluster: fixture.cluster, 'task-definition': 'twotier-sidecar' }),
      /Give `service`/
    ]
  ];
  it.each(cases)('%s', async (_title, action, inputs, message) => {
    const mark = local.ecs.requests.length;
    const out = await run(action, inputs());
    expect(out.code).toBe(1);
    expect(out.errors.join('\n')).toMatch(message);
    expect(mutatingSince(mark)).toEqual([]);
  });
});

describe('register-task-definition preflight', () => {
  const SECRET_ARN_SUFFIX = ':password::';
  const registrations = (since: number) =>
    local.ecs.requests.slice(since).filter((r) => r.operation === 'RegisterTaskDefinition');

  /** A copy of the sidecar task definition with `edit` applied, in a temporary file. */
  function editedTaskDefinition(edit: (doc: { containerDefinitions: Record<string, unknown>[] }) => void) {
    const doc = JSON.parse(readFileSync(sidecar().taskDefinitionFile, 'utf8'));
    edit(doc);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'td-preflight-')), 'td.json');
    writeFileSync(file, JSON.stringify(doc));
    return file;
  }
  const logOptions = (doc: { containerDefinitions: Record<string, unknown>[] }, container: string) =>
    (
      doc.containerDefinitions.find((c) => c.name === container)!.logConfiguration as {
        options: Record<string, string>;
      }
    ).options;

  async function createSecret(name: string): Promise<string> {
    const sm = new SecretsManagerClient({
      endpoint: local.moto.endpoint,
      region: local.region,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
    });
    const out = await sm.send(new CreateSecretCommand({ Name: name, SecretString: '{"password":"dummy"}' }));
    sm.destroy();
    return out.ARN!;
  }

  const base = () => ({
    'task-definition': sidecar().taskDefinitionFile,
    images: `api=${API_IMAGE}\nweb=${WEB_IMAGE}`
  });

  it.each([
    [
      'a missing ECR image',
      () => ({ images: `api=${imageByTag('twotier/api', 'never-pushed')}` }),
      /container api: image \S+\/twotier\/api:never-pushed \(repository twotier\/api has no tag never-pushed\)\. Fix: push the image/
    ],
    [
      'a missing SSM parameter',
      () => ({ secrets: 'api.EXTRA=arn:aws:ssm:us-east-1:123456789012:parameter/twotier/nope' }),
      /container api: SSM parameter \/twotier\/nope \(not found in us-east-1\)\. Fix: create the parameter/
    ],
    [
      'a missing Secrets Manager secret',
      () => ({
        secrets: `api.API_KEY=arn:aws:secretsmanager:us-east-1:123456789012:secret:twotier/api-key-AbCdEf${SECRET_ARN_SUFFIX}`
      }),
      /container api: Secrets Manager secret arn:aws:secretsmanager:us-east-1:123456789012:secret:twotier\/api-key-AbCdEf \(not found in us-east-1\)\. Fix: create the secret/
    ],
    [
      'a missing log group',
      () => ({
        'task-definition': editedTaskDefinition((doc) => {
          logOptions(doc, 'web')['awslogs-group'] = '/ecs/elsewhere';
        })
      }),
      /container web: log group \/ecs\/elsewhere \(not found in us-east-1\)\. Fix: create the log group.*awslogs-create-group/
    ]
  ] as const)('fails on %s, says what to do and registers nothing', async (_what, extra, message) => {
    const mark = local.ecs.requests.length;
    const out = await run('register-task-definition', { ...base(), ...extra() });
    expect(out.code).toBe(1);
    const text = errorText(out);
    expect(text).toMatch(
      /Configuration error: Preflight: the tasks of twotier-sidecar could not start; 1 thing/
    );
    expect(text).toMatch(message);
    expect(text).toContain('Set `preflight: false`');
    expect(registrations(mark)).toEqual([]);
    expect(out.outputs['task-definition-arn']).toBeUndefined();
  });

  it('reports every miss of every container in one error', async () => {
    const mark = local.ecs.requests.length;
    const out = await run('register-task-definition', {
      'task-definition': editedTaskDefinition((doc) => {
        logOptions(doc, 'web')['awslogs-group'] = '/ecs/elsewhere';
      }),
      images: `api=${imageByTag('twotier/api', 'never-pushed')}\nweb=${imageByTag('twotier/nope', 'v1')}`,
      secrets: [
        'api.EXTRA=/twotier/nope',
        `web.API_KEY=arn:aws:secretsmanager:us-east-1:123456789012:secret:twotier/api-key-AbCdEf${SECRET_ARN_SUFFIX}`
      ].join('\n')
    });
    expect(out.code).toBe(1);
    const text = errorText(out);
    expect(text).toMatch(/5 thing\(s\)/);
    const misses = text.split('\n').filter((l) => l.startsWith('  - container '));
    expect(misses.map((l) => l.replace(/:.*/, ''))).toEqual([
      '  - container api',
      '  - container api',
      '  - container web',
      '  - container web',
      '  - container web'
    ]);
    expect(text).toMatch(
      /container web: image \S+\/twotier\/nope:v1 \(no repository twotier\/nope in registry 123456789012/
    );
    expect(registrations(mark)).toEqual([]);
  });

  it('registers when every image, parameter, secret and log group exists', async () => {
    const secretArn = await createSecret('twotier/api-key');
    const mark = local.ecs.requests.length;
    const out = await run('register-task-definition', {
      ...base(),
      secrets: [
        `api.API_KEY=${secretArn}${SECRET_ARN_SUFFIX}`,
        'web.DATABASE_URL=/twotier/database-url',
        'web.SAME_URL=arn:aws:ssm:us-east-1:123456789012:parameter/twotier/database-url'
      ].join('\n')
    });
    expect(out.code).toBe(0);
    expect(out.warnings).toEqual([]);
    // 2 images (by digest); 1 SSM parameter (the file's ARN, the same ARN and its bare name: one lookup);
    // 1 secret; 1 log group (both containers').
    expect(out.stdout).toMatch(
      /preflight: 5 of 5 image\(s\), secret\(s\) and log group\(s\) checked and present/
    );
    expect(out.summary).toMatch(/Preflight: 5 of 5 image\(s\), secret\(s\) and log group\(s\) present/);
    const body = registrations(mark)[0]?.body as {
      containerDefinitions: { secrets?: { valueFrom: string }[] }[];
    };
    expect(JSON.stringify(body.containerDefinitions)).toContain(`${secretArn}${SECRET_ARN_SUFFIX}`);
  });

  it('with preflight: false registers without checking', async () => {
    const mark = local.ecs.requests.length;
    const out = await run('register-task-definition', {
      ...base(),
      images: `api=${imageByTag('twotier/api', 'never-pushed')}`,
      preflight: 'false'
    });
    expect(out.code).toBe(0);
    expect(out.stdout).not.toMatch(/preflight/);
    expect(registrations(mark)).toHaveLength(1);
  });

  it('does not look for a log group the awslogs driver creates itself (awslogs-create-group)', async () => {
    const mark = local.ecs.requests.length;
    const out = await run('register-task-definition', {
      ...base(),
      'task-definition': editedTaskDefinition((doc) => {
        Object.assign(logOptions(doc, 'web'), {
          'awslogs-group': '/ecs/created-at-start',
          'awslogs-create-group': 'true'
        });
      })
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/preflight: 4 of 4 .*; 1 skipped/);
    expect(registrations(mark)).toHaveLength(1);
  });
});

/**
 * The ECS bundles run as the runner runs them (node dist/<name>/index.js, INPUT_*, GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY) against the local AWS: the ECS rollout simulator over HTTP, moto for CloudWatch Logs.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeServicesCommand, ECSClient, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { runActionBundle } from '../helpers/action.js';
import { startLocalAws, type LocalAws } from '../../src/local/local-aws.js';
import { seedBackend, type BackendFixture } from '../../src/demo/backend-fixture.js';

const API_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/twotier-api@sha256:' + 'b'.repeat(64);
const WEB_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/twotier-web@sha256:' + 'c'.repeat(64);
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
      await register({ images: `api=123456789012.dkr.ecr.us-east-1.amazonaws.com/twotier-api:v${tag}` });
    }
    const out = await register({
      images: `api=123456789012.dkr.ecr.us-east-1.amazonaws.com/twotier-api:v4`,
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

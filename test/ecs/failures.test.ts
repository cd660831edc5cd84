/**
 * The ECS bundles when something goes wrong after a write, against the local AWS: run-task's timeout stops
 * the task (or says it keeps running) and always sets task-arn; a 5xx after UpdateService or after
 * RegisterTaskDefinition (injected by the recording proxy between the bundle and the ECS simulator) fails
 * the step with a message that says what was already changed. And the path rule and the file+service rule.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import path from 'node:path';
import { runActionBundle } from '../helpers/action.js';
import { errorText } from '../helpers/bad-inputs.js';
import { startFaultProxy, type FaultProxy, type FaultSchedule } from '../helpers/fault-proxy.js';
import { imageByDigest } from './ecr-images.js';
import { useEcsWorld } from './world.js';

const API_IMAGE = imageByDigest('twotier/api', 'candidate');
const world = useEcsWorld({ 'twotier/api': ['bootstrap', 'candidate'], 'twotier/web': ['bootstrap'] });
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await startFaultProxy({ target: world.local.ecs.endpoint, maxRequests: 5000, lifetimeMs: 600000 });
});
afterAll(async () => {
  await proxy?.stop();
});
beforeEach(() => {
  proxy.setSchedule(undefined);
  proxy.clear();
});

const sidecar = () => world.fixture.services[0]!;
/** The bundle's ECS requests go through the proxy. */
const viaProxy = () => ({ ...world.local.env, AWS_ENDPOINT_URL_ECS: proxy.endpoint });
const operations = () => world.local.ecs.requests.map((r) => r.operation);

/** Faults `op` 5 times (every attempt the SDK makes) once `after` has been forwarded. */
function failAfter(after: string, op: string): FaultSchedule {
  let armed = false;
  let left = 5;
  return (request) => {
    if (request.operation === after) armed = true;
    else if (armed && request.operation === op && left > 0) {
      left -= 1;
      return '500';
    }
    return undefined;
  };
}

describe('run-task on timeout', () => {
  const neverStops = () => world.local.ecs.addFailure({ command: 'app.forever', scenario: 'never-healthy' });
  const inputs = (extra: Record<string, string> = {}) => ({
    cluster: world.fixture.cluster,
    'task-definition': 'twotier-sidecar',
    service: sidecar().name,
    container: 'api',
    command: 'python -m app.forever',
    'timeout-minutes': '0.05',
    'poll-interval-seconds': '1',
    ...extra
  });

  it('stops the task, says so, and sets task-arn', async () => {
    neverStops();
    const out = await runActionBundle('run-task', inputs(), world.local.env);
    expect(out.code).toBe(1);
    const arn = out.outputs['task-arn']!;
    expect(arn).toMatch(/^arn:aws:ecs:us-east-1:\d{12}:task\/twotier-demo\/\w+$/);
    expect(errorText(out)).toMatch(/did not stop within 3 s \(waiter: \w+\); it was stopped \(StopTask\)\./);
    expect(errorText(out)).toMatch(
      /Already changed in AWS: started task \w+ of twotier-sidecar:1 in cluster twotier-demo; stopped task/
    );
    const stop = world.local.ecs.requests.find((r) => r.operation === 'StopTask')?.body as { task?: string };
    expect(stop?.task).toBe(arn);
    const task = (
      await world.ecs.send(new DescribeTasksCommand({ cluster: world.fixture.cluster, tasks: [arn] }))
    ).tasks?.[0];
    expect(task?.desiredStatus).toBe('STOPPED');
    expect(out.summary).toContain('One-off task');
  });

  it('with stop-on-timeout false leaves it running, says so, and sets task-arn', async () => {
    neverStops();
    const out = await runActionBundle('run-task', inputs({ 'stop-on-timeout': 'false' }), world.local.env);
    expect(out.code).toBe(1);
    const arn = out.outputs['task-arn']!;
    expect(arn).toMatch(/task\/twotier-demo\//);
    expect(errorText(out)).toMatch(/it keeps running \(stop-on-timeout is false\)/);
    expect(operations()).not.toContain('StopTask');
    const task = (
      await world.ecs.send(new DescribeTasksCommand({ cluster: world.fixture.cluster, tasks: [arn] }))
    ).tasks?.[0];
    expect(task?.desiredStatus).toBe('RUNNING');
    await world.ecs.send(new StopTaskCommand({ cluster: world.fixture.cluster, task: arn }));
  });
});

describe('a failure after a write says what was changed', () => {
  /** deploy-service of the sidecar task definition file with a new api image, through the proxy. */
  const deployFile = () =>
    runActionBundle(
      'deploy-service',
      {
        cluster: world.fixture.cluster,
        service: sidecar().name,
        'task-definition': sidecar().taskDefinitionFile,
        images: `api=${API_IMAGE}`
      },
      viaProxy()
    );

  it('deploy-service: ECS 5xx on DescribeServices right after a successful UpdateService', async () => {
    proxy.setSchedule(failAfter('UpdateService', 'DescribeServices'));
    const out = await deployFile();
    expect(out.code).toBe(1);
    expect(errorText(out)).toBe(
      '::error::ECS DescribeServices for service twotier-sidecar in cluster twotier-demo (us-east-1) failed: ServerException: injected 500: We encountered an internal error. Please try again.\nAlready changed in AWS: registered twotier-sidecar:2; service twotier-sidecar now runs twotier-sidecar:2.'
    );
    expect(proxy.requests.filter((r) => r.fault).map((r) => r.operation)).toEqual(
      Array(5).fill('DescribeServices')
    );
  });

  it('deploy-service: ECS 5xx on UpdateService right after RegisterTaskDefinition', async () => {
    proxy.setSchedule(failAfter('RegisterTaskDefinition', 'UpdateService'));
    const out = await deployFile();
    expect(out.code).toBe(1);
    expect(errorText(out)).toMatch(
      /^::error::ECS UpdateService for service twotier-sidecar in cluster twotier-demo \(us-east-1\) failed: ServerException: .*\nAlready changed in AWS: registered twotier-sidecar:2\.$/
    );
    expect(operations()).not.toContain('UpdateService');
  });

  it('register-task-definition: a failed prune still sets the outputs of the registered revision', async () => {
    // Revision 2 exists, so keep-revisions 1 deregisters it after registering 3 (1 is the service's).
    const extra = {
      'task-definition': sidecar().taskDefinitionFile,
      images: `api=${API_IMAGE}`,
      'force-register': 'true'
    };
    expect((await runActionBundle('register-task-definition', extra, world.local.env)).code).toBe(0);
    proxy.setSchedule(failAfter('RegisterTaskDefinition', 'DeregisterTaskDefinition'));
    const out = await runActionBundle(
      'register-task-definition',
      {
        'task-definition': sidecar().taskDefinitionFile,
        images: `api=${API_IMAGE}`,
        cluster: world.fixture.cluster,
        service: sidecar().name,
        'keep-revisions': '1',
        'force-register': 'true'
      },
      viaProxy()
    );
    expect(out.code).toBe(1);
    expect(errorText(out)).toMatch(
      /^::error::ECS DeregisterTaskDefinition for task definition twotier-sidecar:2 \(us-east-1\) failed: ServerException: .*\nAlready changed in AWS: registered twotier-sidecar:3\.$/
    );
    expect(out.outputs['task-definition-arn']).toMatch(/twotier-sidecar:3$/);
    expect(out.outputs.changed).toBe('true');
  });
});

describe('paths and sources', () => {
  it('accepts a relative task definition path inside the workspace', async () => {
    const relative = path.relative(process.cwd(), sidecar().taskDefinitionFile);
    expect(relative.startsWith('..')).toBe(false);
    const out = await runActionBundle(
      'register-task-definition',
      { 'task-definition': relative },
      world.local.env
    );
    expect(out.code).toBe(0);
  });

  it('warns that cluster and service with a file only protect the revision from keep-revisions', async () => {
    const out = await runActionBundle(
      'register-task-definition',
      {
        'task-definition': sidecar().taskDefinitionFile,
        cluster: world.fixture.cluster,
        service: sidecar().name
      },
      world.local.env
    );
    expect(out.code).toBe(0);
    expect(out.warnings.join('\n')).toMatch(
      /the file is the source.*without keep-revisions they change nothing/
    );
  });
});

/**
 * bench/ecs: how fast a failed rollout is reported, and how many AWS calls waiting costs, for this toolkit's
 * deploy-service bundle and for the waiting strategies the peers use, on the same local control plane (the ECS
 * rollout simulator) and the same input, in one process:
 *
 *  - twotier deploy-service: the committed bundle, run as the runner runs it (default poll interval 10 s).
 *  - `aws ecs wait services-stable` (AWS CLI): what the CircleCI aws-ecs orb runs after update-service.
 *  - the SDK's waitUntilServicesStable: the waiter amazon-ecs-deploy-task-definition v2 waits with
 *    (REFERENCE §1), here with the SDK's default delays.
 *
 * Latency = from the moment the simulator marks the deployment FAILED (its failedAt clock) to the moment the
 * tool returns. "reports failure" says whether the tool's result says the deploy failed at all: both waiters
 * return success once the circuit breaker's rollback has settled, because the service is stable again.
 * Also: each bundle's size and cold start (process start to its first AWS request).
 *
 *   npx tsx bench/ecs/run.ts [--scenarios image-pull-failure,essential-container-exit] [--phase-ms 1000]
 */
import { spawn, execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ECSClient, UpdateServiceCommand, waitUntilServicesStable } from '@aws-sdk/client-ecs';
import { startLocalAws, type LocalAws } from '../../src/local/local-aws.js';
import { seedBackend } from '../../src/demo/backend-fixture.js';
import type { FailureScenario } from '../../src/local/ecs-simulator/index.js';
import { runActionBundle } from '../../test/helpers/action.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const scenarioList = arg(
  'scenarios',
  'image-pull-failure,missing-secret,essential-container-exit,health-check-failure'
).split(',');
const scenarios = (scenarioList[0] === 'none' ? [] : scenarioList) as FailureScenario[];
const phaseMs = Number(arg('phase-ms', '1000'));
const API_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/twotier-api@sha256:' + 'e'.repeat(64);

interface Row {
  tool: string;
  scenario: string;
  reportsFailure: string;
  latencySeconds: string;
  callsPerMinute: string;
}

function hasAwsCli(): boolean {
  try {
    execFileSync('aws', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Seeds a service, registers the failing revision, and returns what a tool needs to deploy it. */
async function prepare(local: LocalAws, scenario: FailureScenario) {
  local.ecs.reset();
  const fixture = await seedBackend(local, { topology: 'sidecar', desiredCount: 2 });
  local.ecs.addFailure({ image: API_IMAGE, scenario, containerName: 'api' });
  const reg = await runActionBundle(
    'register-task-definition',
    // No preflight: this benchmark is about failure detection, and API_IMAGE is deliberately not in ECR.
    {
      'task-definition': fixture.services[0]!.taskDefinitionFile,
      images: `api=${API_IMAGE}`,
      preflight: 'false'
    },
    local.env
  );
  return {
    cluster: fixture.cluster,
    service: fixture.services[0]!.name,
    arn: reg.outputs['task-definition-arn']!
  };
}

function measure(
  local: LocalAws,
  started: number,
  ended: number,
  deploymentId: string | undefined,
  failed: boolean
): Pick<Row, 'latencySeconds' | 'callsPerMinute'> {
  const failedAt = deploymentId ? local.ecs.failedAt(deploymentId) : undefined;
  const waitingCalls = local.ecs.requests.filter(
    (r) => r.at >= started && r.at <= ended && r.operation === 'DescribeServices'
  ).length;
  const minutes = (ended - started) / 60000;
  return {
    latencySeconds:
      failedAt && failed
        ? ((ended - failedAt) / 1000).toFixed(1)
        : failedAt
          ? `(returned ${((ended - failedAt) / 1000).toFixed(1)} s after)`
          : 'n/a',
    callsPerMinute: minutes > 0 ? `${waitingCalls} in ${((ended - started) / 1000).toFixed(0)} s` : 'n/a'
  };
}

async function benchTwotier(local: LocalAws, scenario: FailureScenario): Promise<Row> {
  const p = await prepare(local, scenario);
  const started = Date.now();
  const out = await runActionBundle(
    'deploy-service',
    { cluster: p.cluster, service: p.service, 'task-definition-arn': p.arn, 'timeout-minutes': '10' },
    local.env,
    900000
  );
  const ended = Date.now();
  return {
    tool: 'twotier deploy-service (poll 10 s)',
    scenario,
    reportsFailure: out.code !== 0 ? 'yes' : 'NO',
    ...measure(local, started, ended, out.outputs['deployment-id'], out.code !== 0)
  };
}

async function benchSdkWaiter(local: LocalAws, scenario: FailureScenario): Promise<Row> {
  const p = await prepare(local, scenario);
  const ecs = new ECSClient({
    endpoint: local.ecs.endpoint,
    region: local.region,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' }
  });
  const started = Date.now();
  const updated = await ecs.send(
    new UpdateServiceCommand({ cluster: p.cluster, service: p.service, taskDefinition: p.arn })
  );
  const id = updated.service?.deployments?.find((d) => d.status === 'PRIMARY')?.id;
  const result = await waitUntilServicesStable(
    { client: ecs, maxWaitTime: 600 },
    { cluster: p.cluster, services: [p.service] }
  ).catch((e: Error) => ({ state: `error ${e.name}` }));
  const ended = Date.now();
  ecs.destroy();
  const failed = result.state !== 'SUCCESS';
  return {
    tool: 'SDK waitUntilServicesStable (aws-actions v2)',
    scenario,
    reportsFailure: failed ? 'yes' : 'NO (stable after rollback)',
    ...measure(local, started, ended, id, failed)
  };
}

async function benchAwsCli(local: LocalAws, scenario: FailureScenario): Promise<Row> {
  const p = await prepare(local, scenario);
  const env = { ...process.env, ...local.env };
  const endpoint = ['--endpoint-url', local.ecs.endpoint, '--region', local.region, '--output', 'json'];
  const started = Date.now();
  // Asynchronous: the simulator answers from this same process.
  const { stdout } = await promisify(execFile)(
    'aws',
    [
      'ecs',
      'update-service',
      '--cluster',
      p.cluster,
      '--service',
      p.service,
      '--task-definition',
      p.arn,
      ...endpoint
    ],
    { env, encoding: 'utf8' }
  );
  const update = JSON.parse(stdout);
  const id = (update.service.deployments as { id: string; status: string }[]).find(
    (d) => d.status === 'PRIMARY'
  )?.id;
  const code = await new Promise<number>((resolve) => {
    const child = spawn(
      'aws',
      ['ecs', 'wait', 'services-stable', '--cluster', p.cluster, '--services', p.service, ...endpoint],
      { env, stdio: 'ignore' }
    );
    child.on('close', (c) => resolve(c ?? -1));
  });
  const ended = Date.now();
  return {
    tool: 'aws ecs wait services-stable (CircleCI orb)',
    scenario,
    reportsFailure: code !== 0 ? 'yes' : 'NO (stable after rollback)',
    ...measure(local, started, ended, id, code !== 0)
  };
}

/** DescribeServices calls per minute during a long wait (a rollout that never settles), 45 s each. */
async function steadyRates(local: LocalAws): Promise<string[]> {
  const lines: string[] = [];
  /** Polls per minute between the first and the last DescribeServices in [from, to]: (n - 1) intervals. */
  const rate = (from: number, to: number) => {
    const polls = local.ecs.requests.filter(
      (r) => r.at >= from && r.at <= to && r.operation === 'DescribeServices'
    );
    const span = polls.at(-1)!.at - polls[0]!.at;
    return (((polls.length - 1) * 60000) / span).toFixed(1);
  };
  let p = await prepare(local, 'never-healthy');
  const mark = local.ecs.requests.length;
  await runActionBundle(
    'deploy-service',
    { cluster: p.cluster, service: p.service, 'task-definition-arn': p.arn, 'timeout-minutes': '0.75' },
    local.env,
    120000
  );
  // From UpdateService to the last poll: the waiting itself, not the checks before and the diagnosis after.
  const updatedAt = local.ecs.requests.slice(mark).find((r) => r.operation === 'UpdateService')!.at;
  const polls = local.ecs.requests
    .slice(mark)
    .filter((r) => r.operation === 'DescribeServices' && r.at > updatedAt);
  lines.push(
    `| twotier deploy-service (poll-interval-seconds 10, fixed) | ${rate(updatedAt, polls.at(-2)!.at)} |`
  );
  p = await prepare(local, 'never-healthy');
  const ecs = new ECSClient({
    endpoint: local.ecs.endpoint,
    region: local.region,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' }
  });
  await ecs.send(new UpdateServiceCommand({ cluster: p.cluster, service: p.service, taskDefinition: p.arn }));
  const t0 = Date.now();
  await waitUntilServicesStable(
    { client: ecs, maxWaitTime: 45 },
    { cluster: p.cluster, services: [p.service] }
  ).catch(() => undefined);
  lines.push(`| SDK waitUntilServicesStable, default delays (aws-actions v2) | ${rate(t0, Date.now())} |`);
  ecs.destroy();
  return lines;
}

function coldInputs(
  name: string,
  cluster: string,
  service: { name: string; taskDefinitionFile: string }
): Record<string, string> {
  // No preflight here: its first request goes to ECR, and this measures the time to the first ECS request.
  if (name === 'register-task-definition')
    return { 'task-definition': service.taskDefinitionFile, preflight: 'false' };
  if (name === 'deploy-service')
    return { cluster, service: service.name, 'task-definition-arn': 'twotier-sidecar:1', wait: 'false' };
  return { cluster, service: service.name, 'task-definition': 'twotier-sidecar:1', wait: 'false' };
}

async function coldStarts(local: LocalAws): Promise<string[]> {
  const lines: string[] = [];
  local.ecs.reset();
  const fixture = await seedBackend(local, { topology: 'sidecar', desiredCount: 1 });
  for (const name of readdirSync('dist').sort()) {
    const bundle = path.join('dist', name, 'index.js');
    const size = statSync(bundle).size;
    let cold = 'n/a';
    if (['register-task-definition', 'deploy-service', 'run-task'].includes(name)) {
      const samples: number[] = [];
      for (let i = 0; i < 5; i++) {
        const mark = local.ecs.requests.length;
        const t0 = Date.now();
        await runActionBundle(name, coldInputs(name, fixture.cluster, fixture.services[0]!), local.env);
        const first = local.ecs.requests[mark];
        if (first) samples.push(first.at - t0);
      }
      samples.sort((a, b) => a - b);
      if (samples.length)
        cold = `${samples[Math.floor(samples.length / 2)]} ms (median of ${samples.length})`;
    }
    lines.push(`| ${name} | ${(size / 1024 / 1024).toFixed(2)} MB | ${cold} |`);
  }
  lines.push('| amazon-ecs-deploy-task-definition v2.6.3 (REFERENCE §1, not measured here) | 2.6 MB | – |');
  return lines;
}

async function main() {
  const local = await startLocalAws({ taskPhaseMs: phaseMs });
  const rows: Row[] = [];
  const cli = hasAwsCli();
  try {
    for (const scenario of scenarios) {
      rows.push(await benchTwotier(local, scenario));
      console.error(`  twotier: ${JSON.stringify(rows.at(-1))}`);
      rows.push(await benchSdkWaiter(local, scenario));
      console.error(`  sdk waiter: ${JSON.stringify(rows.at(-1))}`);
      if (cli) rows.push(await benchAwsCli(local, scenario));
      console.error(`done: ${scenario}`);
    }
    console.log(
      `\n## Failure detection (simulated task phase ${phaseMs} ms, desiredCount 2, breaker with rollback)\n`
    );
    console.log(
      '| Tool | Scenario | Reports failure | Latency after FAILED (s) | DescribeServices calls, whole run |'
    );
    console.log('| --- | --- | --- | --- | --- |');
    for (const r of rows)
      console.log(
        `| ${r.tool} | ${r.scenario} | ${r.reportsFailure} | ${r.latencySeconds} | ${r.callsPerMinute} |`
      );
    if (!cli)
      console.log(
        '\n(aws CLI not installed: `pip install awscli` or `apt-get install awscli` to add the CircleCI orb row)'
      );
    console.log('\n## Waiting cost: DescribeServices per minute over a 45 s wait that never settles\n');
    console.log('| Tool | DescribeServices per minute |');
    console.log('| --- | --- |');
    for (const line of await steadyRates(local)) console.log(line);
    console.log('\n## Bundle size and cold start (process start to first AWS request)\n');
    console.log('| Bundle | Size | Cold start |');
    console.log('| --- | --- | --- |');
    for (const line of await coldStarts(local)) console.log(line);
  } finally {
    await local.stop();
  }
}

await main();

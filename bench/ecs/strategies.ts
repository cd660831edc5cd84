/**
 * bench/ecs/strategies.ts: for each ECS deployment strategy (ROLLING, BLUE_GREEN, LINEAR, CANARY) and each
 * way a rollout ends (success, circuit breaker rollback, alarm rollback, lifecycle hook failure), how long
 * after ECS's service deployment shows the outcome each tool returns, what it says, and how many ECS calls
 * it makes a minute while it waits. On one ECS rollout simulator in one process, the three tools at once,
 * each on its own cluster (so the calls are counted per tool):
 *
 *  - twotier deploy-service: the library function `deployService` (what the action bundle runs), default
 *    poll interval 10 s (`--poll-seconds` to change);
 *  - the SDK's `waitUntilServicesStable` (@aws-sdk/client-ecs, default delays: what
 *    amazon-ecs-deploy-task-definition v2 waits with);
 *  - `aws ecs wait services-stable` (awscli 1.46.3 from the project venv, requirements-dev.txt: what the
 *    CircleCI aws-ecs orb runs).
 *
 * The clock: the simulator's timeline (src/local/ecs-simulator/timeline.ts) says when it set the service
 * deployment's first failure status (ROLLBACK_REQUESTED, or STOPPED) or SUCCESSFUL; the delay is from that
 * moment to the tool's return. Goal (issue 10): our exit within one poll interval (+1 s) of either.
 * ROLLING has no lifecycle hooks, so ROLLING × hook failure is not run.
 *
 *   npx tsx bench/ecs/strategies.ts [--strategies ROLLING,CANARY] [--kinds success,breaker] [--poll-seconds 10]
 *     [--phase-ms 1000] [--minute-ms 1000]
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  waitUntilServicesStable
} from '@aws-sdk/client-ecs';
import { startLocalAws, type LocalAws } from '../../src/local/local-aws.js';
import { projectRoot } from '../../src/local/moto.js';
import { seedBackend, topologyServices } from '../../src/demo/backend-fixture.js';
import {
  SMOKE_TEST_HOOK,
  createDeploymentAlarm,
  fireAlarmAtStage,
  rolloutSettings,
  type EcsStrategy
} from '../../src/demo/rollouts.js';
import { deployService } from '../../src/ecs/index.js';
import { FAILED_STATUSES } from '../../src/ecs/service-deployment.js';
import { Duration } from '../../src/lib/duration.js';
import { resultOf } from '../../src/lib/errors.js';
import { MemoryReporter } from '../../src/lib/reporter.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const KINDS = ['success', 'breaker', 'alarm', 'hook'] as const;
type Kind = (typeof KINDS)[number];
const strategies = arg('strategies', 'ROLLING,BLUE_GREEN,LINEAR,CANARY').split(',') as EcsStrategy[];
const kinds = arg('kinds', KINDS.join(',')).split(',') as Kind[];
const pollSeconds = Number(arg('poll-seconds', '10'));
const phaseMs = Number(arg('phase-ms', '1000'));
const minuteMs = Number(arg('minute-ms', '1000'));
const steadySeconds = Number(arg('steady-seconds', '60'));

const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com/twotier/api@sha256:';
const GOOD_IMAGE = ECR + 'a'.repeat(64);
const BAD_IMAGE = ECR + 'b'.repeat(64);
const SERVICE = 'twotier-sidecar';
const FAILED: readonly string[] = FAILED_STATUSES;
const TOOLS = [
  { id: 'twotier', cluster: 'bench-twotier', name: `twotier deploy-service (poll ${pollSeconds} s)` },
  { id: 'sdk', cluster: 'bench-sdkwaiter', name: 'SDK waitUntilServicesStable' },
  { id: 'cli', cluster: 'bench-awscli', name: 'aws ecs wait services-stable' }
] as const;
type Tool = (typeof TOOLS)[number];

/** The AWS CLI of the project venv, else one on PATH, else none. */
function awsCli(): string | undefined {
  const venv = path.join(projectRoot, '.venv', 'bin', 'aws');
  if (existsSync(venv)) return venv;
  return process.env.PATH?.split(':')
    .map((dir) => path.join(dir, 'aws'))
    .find((p) => existsSync(p));
}

interface Row {
  strategy: string;
  kind: Kind;
  tool: string;
  /** What the tool said: failed / succeeded, with its reason. */
  verdict: string;
  /** ms from the outcome state to the tool's return (negative: it returned before the outcome). */
  delayMs?: number;
  /** What the delay is measured from. */
  from: string;
  calls: number;
  waitMs: number;
  goal?: boolean;
}

interface Prepared {
  cluster: string;
  taskDefinitionArn: string;
  alarm?: string;
}

/** Seeds the tool's cluster with the strategy's service and registers the revision to deploy. */
async function prepare(local: LocalAws, tool: Tool, strategy: EcsStrategy, kind: Kind, round: number) {
  const alarm = kind === 'alarm' ? `${tool.cluster}-${round}-5xx` : undefined;
  if (alarm) await createDeploymentAlarm(local, alarm);
  const settings = rolloutSettings(strategy, {
    alarm,
    hook: kind === 'hook' ? SMOKE_TEST_HOOK : undefined
  });
  await seedBackend(local, {
    topology: 'sidecar',
    desiredCount: 2,
    cluster: tool.cluster,
    deploymentConfiguration: settings.deploymentConfiguration,
    advancedConfiguration: settings.advancedConfiguration
  });
  const doc = JSON.parse(readFileSync(topologyServices('sidecar')[0]!.file, 'utf8'));
  for (const c of doc.containerDefinitions as { name: string; image: string }[])
    if (c.name === 'api') c.image = kind === 'breaker' ? BAD_IMAGE : GOOD_IMAGE;
  const ecs = client(local);
  const registered = await ecs.send(new RegisterTaskDefinitionCommand(doc));
  ecs.destroy();
  return {
    cluster: tool.cluster,
    taskDefinitionArn: registered.taskDefinition!.taskDefinitionArn!,
    alarm
  } satisfies Prepared;
}

const client = (local: LocalAws) =>
  new ECSClient({
    endpoint: local.ecs.endpoint,
    region: local.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });

/** twotier's deploy-service (the library function the bundle runs) on the prepared service, waiting `timeout`. */
const twotierDeploy = (local: LocalAws, p: Prepared, timeout: Duration) =>
  resultOf(
    deployService(
      {
        region: local.region,
        cluster: p.cluster,
        service: SERVICE,
        taskDefinitionArn: p.taskDefinitionArn,
        pollInterval: Duration.seconds(pollSeconds),
        timeout
      },
      new MemoryReporter()
    )
  );

/** Runs one tool from UpdateService to its return; the service deployment ARN and what it said. */
async function runTool(
  local: LocalAws,
  tool: Tool,
  p: Prepared,
  cli: string | undefined
): Promise<{ arn?: string; verdict: string; failed: boolean; start: number; end: number }> {
  if (tool.id === 'twotier') {
    const start = Date.now();
    const result = await twotierDeploy(local, p, Duration.minutes(10));
    const end = Date.now();
    return {
      arn: result.serviceDeploymentArn,
      verdict: `${result.ok ? 'succeeded' : 'FAILED'}: ${result.outcome}`,
      failed: !result.ok,
      start,
      end
    };
  }
  const ecs = client(local);
  const start = Date.now();
  const updated = await ecs.send(
    new UpdateServiceCommand({ cluster: p.cluster, service: SERVICE, taskDefinition: p.taskDefinitionArn })
  );
  const arn = updated.service?.currentServiceDeployment;
  let failed: boolean;
  let verdict: string;
  if (tool.id === 'sdk') {
    const state = await waitUntilServicesStable(
      { client: ecs, maxWaitTime: 600 },
      { cluster: p.cluster, services: [SERVICE] }
    )
      .then((r) => r.state as string)
      .catch((e: Error) => `${e.name}`);
    failed = state !== 'SUCCESS';
    verdict = failed ? `FAILED: ${state}` : 'succeeded: SUCCESS';
  } else {
    const code = await new Promise<number>((resolve) => {
      const child = spawn(
        cli!,
        [
          'ecs',
          'wait',
          'services-stable',
          '--cluster',
          p.cluster,
          '--services',
          SERVICE,
          '--endpoint-url',
          local.ecs.endpoint,
          '--region',
          local.region
        ],
        { env: { ...process.env, ...local.env }, stdio: 'ignore' }
      );
      child.on('close', (c) => resolve(c ?? -1));
    });
    failed = code !== 0;
    verdict = failed ? `FAILED: exit ${code}` : 'succeeded: exit 0';
  }
  const end = Date.now();
  ecs.destroy();
  return { arn, verdict, failed, start, end };
}

/** ECS requests of one cluster (by name or in an ARN) in [from, to]. */
function callsOf(local: LocalAws, cluster: string, from: number, to: number): number {
  return local.ecs.requests.filter((r) => {
    if (r.at < from || r.at > to) return false;
    const body = JSON.stringify(r.body);
    return body.includes(`"${cluster}"`) || body.includes(`/${cluster}/`);
  }).length;
}

async function round(
  local: LocalAws,
  strategy: EcsStrategy,
  kind: Kind,
  n: number,
  cli: string | undefined
): Promise<Row[]> {
  local.ecs.reset();
  local.ecs.addFailure({ image: BAD_IMAGE, scenario: 'essential-container-exit', containerName: 'api' });
  if (kind === 'hook') local.ecs.setHookAnswer(SMOKE_TEST_HOOK, { hookStatus: 'FAILED' });
  const tools = TOOLS.filter((t) => t.id !== 'cli' || cli);
  const prepared = await Promise.all(tools.map((t) => prepare(local, t, strategy, kind, n)));
  const alarms = prepared.map((p) =>
    p.alarm ? fireAlarmAtStage(local, { cluster: p.cluster, service: SERVICE, alarm: p.alarm }) : undefined
  );
  const runs = await Promise.all(tools.map((t, i) => runTool(local, t, prepared[i]!, cli)));
  for (const a of alarms) a?.stop();
  return tools.map((tool, i) => {
    const run = runs[i]!;
    const timeline = run.arn ? local.ecs.timeline(run.arn) : [];
    const failure = timeline.find((e) => FAILED.includes(e.status));
    const success = timeline.find((e) => e.status === 'SUCCESSFUL');
    const outcome = failure ?? success;
    const delayMs = outcome ? run.end - outcome.at : undefined;
    return {
      strategy,
      kind,
      tool: tool.name,
      verdict: run.verdict,
      delayMs,
      from: failure ? failure.status : success ? 'SUCCESSFUL' : 'no outcome',
      calls: callsOf(local, tool.cluster, run.start, run.end),
      waitMs: run.end - run.start,
      goal:
        tool.id === 'twotier' && delayMs !== undefined
          ? delayMs <= pollSeconds * 1000 + 1000 && (failure ? run.failed : !run.failed)
          : undefined
    };
  });
}

const secs = (ms: number) => (ms / 1000).toFixed(1);

/**
 * ECS calls per minute while waiting on a rollout that never settles (ROLLING, tasks that never leave
 * PENDING), each tool waiting `seconds`: its steady cost, without the calls before the wait and after it.
 */
async function steadyRates(local: LocalAws, cli: string | undefined, seconds: number): Promise<string[]> {
  local.ecs.reset();
  local.ecs.addFailure({ image: BAD_IMAGE, scenario: 'never-healthy', containerName: 'api' });
  const tools = TOOLS.filter((t) => t.id !== 'cli' || cli);
  const prepared = await Promise.all(tools.map((t) => prepare(local, t, 'ROLLING', 'breaker', -1)));
  const spans = await Promise.all(
    tools.map(async (tool, i) => {
      const p = prepared[i]!;
      if (tool.id === 'twotier') {
        await twotierDeploy(local, p, Duration.seconds(seconds));
        return tool;
      }
      const ecs = client(local);
      await ecs.send(
        new UpdateServiceCommand({
          cluster: p.cluster,
          service: SERVICE,
          taskDefinition: p.taskDefinitionArn
        })
      );
      if (tool.id === 'sdk') {
        await waitUntilServicesStable(
          { client: ecs, maxWaitTime: seconds },
          { cluster: p.cluster, services: [SERVICE] }
        ).catch(() => undefined);
      } else {
        await new Promise<void>((resolve) => {
          const args = ['ecs', 'wait', 'services-stable', '--cluster', p.cluster, '--services', SERVICE];
          const child = spawn(
            cli!,
            [...args, '--endpoint-url', local.ecs.endpoint, '--region', local.region],
            { env: { ...process.env, ...local.env }, stdio: 'ignore' }
          );
          const timer = setTimeout(() => child.kill(), seconds * 1000);
          child.on('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      ecs.destroy();
      return tool;
    })
  );
  return spans.map((tool) => {
    // The waiting calls: from the first look at the rollout after UpdateService to the last.
    const mine = local.ecs.requests.filter((r) => {
      const body = JSON.stringify(r.body);
      return body.includes(`"${tool.cluster}"`) || body.includes(`/${tool.cluster}/`);
    });
    const updatedAt = mine.find((r) => r.operation === 'UpdateService')!.at;
    const polls = mine.filter(
      (r) =>
        r.at > updatedAt &&
        (r.operation === 'DescribeServices' || r.operation === 'DescribeServiceDeployments')
    );
    const first = polls[0]?.at ?? updatedAt;
    // Up to the last poll before the deadline (the tool's own diagnosis after the timeout is not waiting).
    const inWait = polls.filter((r) => r.at <= updatedAt + seconds * 1000);
    const span = (inWait.at(-1)?.at ?? first) - first;
    const ops = [...new Set(inWait.map((r) => r.operation))].join(' + ');
    // Calls a minute: those before the last look (a look is one call, or two sent together) over the span.
    const lastAt = inWait.at(-1)?.at ?? first;
    const before = inWait.filter((r) => r.at < lastAt - 500).length;
    const rate = span > 0 ? ((before * 60000) / span).toFixed(1) : 'n/a';
    return `| ${tool.name} | ${inWait.length} (${ops}) | ${secs(span)} | ${rate} |`;
  });
}

async function main() {
  const cli = awsCli();
  const local = await startLocalAws({ taskPhaseMs: phaseMs, minuteMs, staleReads: 1 });
  const saved = { ...process.env };
  Object.assign(process.env, local.env);
  const rows: Row[] = [];
  let steady: string[] = [];
  let n = 0;
  try {
    for (const strategy of strategies) {
      for (const kind of kinds) {
        if (kind === 'hook' && strategy === 'ROLLING') continue;
        const t0 = Date.now();
        const got = await round(local, strategy, kind, n++, cli);
        rows.push(...got);
        console.error(
          `${strategy} ${kind} (${secs(Date.now() - t0)} s): ` +
            got.map((r) => `${r.tool}: ${r.verdict}, ${r.delayMs ?? '?'} ms`).join(' | ')
        );
      }
    }
    steady = await steadyRates(local, cli, steadySeconds);
  } finally {
    process.env = saved;
    await local.stop();
  }
  console.log(
    `\n## Rollout outcome to tool exit (task phase ${phaseMs} ms, 1 simulated minute = ${minuteMs} ms, desiredCount 2)\n`
  );
  console.log(
    '| Strategy | Outcome | Tool | Tool says | From (first state) | Delay to exit (s) | ECS calls, start to exit | Goal (≤ poll + 1 s) |'
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const goal = r.goal === undefined ? '' : r.goal ? 'met' : '**missed**';
    console.log(
      `| ${r.strategy} | ${r.kind} | ${r.tool} | ${r.verdict} | ${r.from} | ${r.delayMs === undefined ? 'n/a' : secs(r.delayMs)} | ${r.calls} in ${secs(r.waitMs)} s | ${goal} |`
    );
  }
  console.log(`\n## Waiting cost: ECS calls over a ${steadySeconds} s wait that never settles\n`);
  console.log('| Tool | Calls while waiting | Between first and last (s) | Calls / min |');
  console.log('| --- | --- | --- | --- |');
  for (const line of steady) console.log(line);
  if (!cli) console.log('\n(no aws CLI found: `bash scripts/setup.sh` installs awscli into .venv)');
}

await main();

/**
 * `npm run demo` / `twotier demo`: the whole deploy of examples/twotier-app into the embedded local AWS,
 * through the same library functions the actions call. Each phase prints as it goes; the job summary the
 * actions would write is written to a file and printed at the end.
 */
import { Duration } from '../lib/duration.js';
import { resultOf } from '../lib/errors.js';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { startLocalAws, type LocalAws } from '../local/local-aws.js';
import { projectRoot } from '../local/moto.js';
import { MemoryReporter, StreamReporter, type Reporter } from '../lib/reporter.js';
import {
  deployService,
  deploySummaryMarkdown,
  registerTaskDefinition,
  registerSummaryMarkdown,
  runTask,
  runTaskSummaryMarkdown
} from '../ecs/index.js';
import { resolveImageTag } from '../ecr/index.js';
import { seedBackend, type Topology } from './backend-fixture.js';
import { pushImageManifest } from './images.js';
import { finishRelease, startStaging } from './release.js';
import { provisionInfrastructure } from './infrastructure.js';
import { isRolloutScenario, type DemoScenario } from './options.js';
import { prepareRolloutScene, type RolloutReport } from './rollout-scene.js';
import type { DemoStrategy } from './rollouts.js';

/** Demo options (the CLI flags of `twotier demo`). */
export interface DemoOptions {
  topology: Topology;
  /** The services' ECS deployment strategy (default rolling); src/demo/rollouts.ts has the settings. */
  strategy?: DemoStrategy;
  /**
   * Make the deploy fail: an image failure (the new api image fails this way, to show the circuit breaker
   * caught with its hint), alarm-rollback or hook-rollback (src/demo/rollout-scene.ts).
   */
  scenario?: DemoScenario;
  /** Deploy the frontend after the backend (default true; the strategy tests leave it out). */
  frontend?: boolean;
  /** Where the job summary is written (default .twotier-demo/summary.md). */
  summaryFile?: string;
  /** Milliseconds per simulated task start phase (default 400). */
  taskPhaseMs?: number;
  /** Milliseconds per simulated minute: bake times, the alarms' bake (default 4 × taskPhaseMs). */
  minuteMs?: number;
  reporter?: Reporter;
}

/** The demo's outcome: ok false when a deploy failed (the CLI exits 1). */
export interface DemoResult {
  ok: boolean;
  summaryFile: string;
  lines: string[];
  /** What ECS did with each service deploy: stages, statuses, the state after a rollback. */
  rollouts: RolloutReport[];
}

const APP = path.join(projectRoot, 'examples', 'twotier-app');

/** The commit being deployed (GITHUB_SHA in CI, else the checkout's HEAD): images are tagged with it. */
function commitSha(): string {
  if (process.env.GITHUB_SHA && /^[0-9a-f]{40}$/.test(process.env.GITHUB_SHA)) return process.env.GITHUB_SHA;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: projectRoot, encoding: 'utf8' }).trim();
  } catch {
    return createHash('sha1').update(String(Date.now())).digest('hex');
  }
}

/**
 * The demo deploys the repository's example app into the local AWS of the repository's venv, so it runs from a
 * checkout only; an installed `twotier` package ships neither (and writes nothing into its own folder).
 * @param root the folder holding src/ and examples/ (default the project root).
 * @throws Error saying it runs from a checkout, naming what is missing, when examples/twotier-app, the moto
 *   launcher or the templates are not there.
 */
export function assertCheckout(root = projectRoot): void {
  const needed = ['examples/twotier-app', 'src/local/moto_launcher.py', 'templates'];
  const missing = needed.filter((p) => !existsSync(path.join(root, p)));
  if (missing.length > 0) {
    throw new Error(
      `the demo runs from a checkout of the twotier-actions repository (it deploys examples/twotier-app into ` +
        `the local AWS that scripts/setup.sh installs), and ${root} has no ${missing.join(', ')}. ` +
        'Clone the repository and run `npm run demo` there.'
    );
  }
}

/**
 * Runs the demo end to end; the local AWS is always stopped.
 * @throws Error from assertCheckout when not run from a checkout, before anything is started or written.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  assertCheckout();
  const reporter = options.reporter ?? new StreamReporter();
  const summaryFile = options.summaryFile ?? path.join(projectRoot, '.twotier-demo', 'summary.md');
  mkdirSync(path.dirname(summaryFile), { recursive: true });
  writeFileSync(
    summaryFile,
    `# twotier demo: ${options.topology} topology, ${options.strategy ?? 'rolling'} deployments${options.scenario ? `, scenario ${options.scenario}` : ''}\n\n`
  );
  const summary = (markdown: string) => appendFileSync(summaryFile, `${markdown}\n`);
  const overview: string[] = [];
  const local = await reporter.group(
    'Start the local AWS (moto server + ECS rollout simulator)',
    async () => {
      const taskPhaseMs = options.taskPhaseMs ?? 400;
      const started = await startLocalAws({
        taskPhaseMs,
        minuteMs: options.minuteMs ?? 4 * taskPhaseMs
      });
      reporter.info(`moto: ${started.moto.endpoint}   ECS simulator: ${started.ecs.endpoint}`);
      return started;
    }
  );
  const saved = { ...process.env };
  Object.assign(process.env, local.env);
  try {
    const infrastructure = await provisionInfrastructure(
      local,
      options.topology,
      {
        api: '123456789012.dkr.ecr.us-east-1.amazonaws.com/twotier/api:bootstrap',
        web: '123456789012.dkr.ecr.us-east-1.amazonaws.com/twotier/web:bootstrap'
      },
      reporter,
      summary
    );
    overview.push(...infrastructure.lines);
    const ecrOutputs = infrastructure.outputs['twotier-ecr'] ?? {};
    // The repositories the ecr stack created (…/twotier/api): the images are pushed there.
    const repositories = {
      api: repositoryName(ecrOutputs.ApiRepositoryUri) ?? 'twotier-api',
      web: repositoryName(ecrOutputs.WebRepositoryUri) ?? 'twotier-web'
    };
    // One release of both tiers: the frontend is staged while the backend rolls out and published only
    // once the backend is healthy (src/demo/release.ts).
    const staging = options.frontend !== false ? await startStaging(local, reporter) : undefined;
    const rollouts: RolloutReport[] = [];
    const ok = await deployBackend(
      local,
      { ...options, repositories },
      reporter,
      summary,
      overview,
      rollouts
    );
    if (staging) overview.push(...(await finishRelease(local, staging, ok, reporter, summary)));
    return { ok, summaryFile, lines: overview, rollouts };
  } finally {
    process.env = saved;
    await local.stop();
  }
}

/** `123456789012.dkr.ecr.us-east-1.amazonaws.com/twotier/api` → `twotier/api`. */
function repositoryName(uri: string | undefined): string | undefined {
  return uri?.includes('/') ? uri.slice(uri.indexOf('/') + 1) : undefined;
}

async function deployBackend(
  local: LocalAws,
  options: DemoOptions & { repositories: { api: string; web: string } },
  reporter: Reporter,
  summary: (markdown: string) => void,
  overview: string[],
  rollouts: RolloutReport[]
): Promise<boolean> {
  const aws = { region: local.region };
  const scene = await prepareRolloutScene(local, options, reporter);
  const fixture = await reporter.group(
    `Backend: the ${options.topology} services the stack created, mirrored into the ECS rollout simulator (moto's ECS has no rollouts)`,
    async () => {
      const f = await seedBackend(local, {
        topology: options.topology,
        desiredCount: 2,
        cluster: 'twotier',
        ...scene.seed
      });
      for (const s of f.services)
        reporter.info(`${f.cluster}/${s.name} runs ${s.taskDefinitionArn.split('/').pop()}`);
      return f;
    }
  );
  const sha = commitSha();
  const images = await reporter.group(
    'Images: push to ECR (manifests stand in for docker build), resolve digests',
    async () => {
      const out: Record<string, string> = {};
      for (const [container, repository, dir] of [
        ['api', options.repositories.api, path.join(APP, 'api')],
        ['web', options.repositories.web, path.join(APP, 'web')]
      ] as const) {
        const tag = sha.slice(0, 12);
        const before = await resolveImageTag({ ...aws, repository, sha }, reporter).catch(() => undefined);
        if (!before?.exists) await pushImageManifest(local, repository, dir, tag);
        // Read back quietly: the digest ECR assigned to what was just pushed.
        const resolved = await resolveImageTag({ ...aws, repository, sha }, new MemoryReporter());
        out[container] = resolved.imageWithDigest ?? resolved.image;
        reporter.info(
          `${container}: ${out[container]}${before?.exists ? ' (tag existed: build skipped)' : ''}`
        );
      }
      return out;
    }
  );
  if (options.scenario && !isRolloutScenario(options.scenario)) {
    local.ecs.addFailure({ image: images.api!, scenario: options.scenario, containerName: 'api' });
    reporter.warn(`scenario ${options.scenario}: tasks running ${images.api} will fail`);
  }
  const migrate = await reporter.group('Migrations: one-off task on the api container', () =>
    resultOf(
      runTask(
        {
          ...aws,
          cluster: fixture.cluster,
          taskDefinition: fixture.services[0]!.taskDefinitionArn,
          service: fixture.services[0]!.name,
          container: 'api',
          command: ['python', '-m', 'app.migrate'],
          pollInterval: Duration.seconds(1)
        },
        reporter
      )
    )
  );
  summary(runTaskSummaryMarkdown(migrate));
  overview.push(`migrations: ${migrate.message}`);
  let ok = migrate.ok;
  for (const service of fixture.services) {
    const wanted = service.containers.filter((c) => images[c]).map((c) => ({ key: c, value: images[c]! }));
    const registered = await reporter.group(`Register task definition for ${service.name}`, () =>
      registerTaskDefinition(
        {
          ...aws,
          taskDefinitionFile: service.taskDefinitionFile,
          images: wanted,
          keepRevisions: 5,
          cluster: fixture.cluster,
          service: service.name
        },
        reporter
      )
    );
    summary(registerSummaryMarkdown(registered));
    const disarm = scene.arm(fixture.cluster, service.name);
    const deployed = await reporter.group(`Deploy ${service.name} (${scene.strategy})`, () =>
      resultOf(
        deployService(
          {
            ...aws,
            cluster: fixture.cluster,
            service: service.name,
            taskDefinitionArn: registered.taskDefinitionArn,
            pollInterval: Duration.seconds(1),
            timeout: Duration.minutes(2)
          },
          reporter
        )
      )
    );
    disarm();
    summary(deploySummaryMarkdown(deployed));
    overview.push(`${service.name}: ${deployed.message}`);
    const rollout = await scene.report(fixture.cluster, service.name, deployed.serviceDeploymentArn);
    rollouts.push(rollout);
    overview.push(...rollout.lines);
    for (const f of deployed.failures) if (f.hint) overview.push(`  hint: ${f.hint}`);
    if (!deployed.ok) {
      ok = false;
      break;
    }
  }
  return ok;
}

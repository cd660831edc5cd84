/**
 * `npm run demo` / `twotier demo`: the whole deploy of examples/twotier-app into the embedded local AWS,
 * through the same library functions the actions call. Each phase prints as it goes; the job summary the
 * actions would write is written to a file and printed at the end.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { startLocalAws, type LocalAws } from '../local/local-aws.js';
import { projectRoot } from '../local/moto.js';
import type { FailureScenario } from '../local/ecs-simulator/index.js';
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
import { buildFrontend, deployFrontendOnce, seedFrontend } from './frontend.js';
import { provisionInfrastructure } from './infrastructure.js';

/** Demo options (the CLI flags of `twotier demo`). */
export interface DemoOptions {
  topology: Topology;
  /** Make the new api image fail this way, to show the circuit breaker caught with its hint. */
  scenario?: FailureScenario;
  /** Where the job summary is written (default .twotier-demo/summary.md). */
  summaryFile?: string;
  /** Milliseconds per simulated task start phase (default 400). */
  taskPhaseMs?: number;
  reporter?: Reporter;
}

/** The demo's outcome: ok false when a deploy failed (the CLI exits 1). */
export interface DemoResult {
  ok: boolean;
  summaryFile: string;
  lines: string[];
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

/** Runs the demo end to end; the local AWS is always stopped. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const reporter = options.reporter ?? new StreamReporter();
  const summaryFile = options.summaryFile ?? path.join(projectRoot, '.twotier-demo', 'summary.md');
  mkdirSync(path.dirname(summaryFile), { recursive: true });
  writeFileSync(
    summaryFile,
    `# twotier demo: ${options.topology} topology${options.scenario ? `, scenario ${options.scenario}` : ''}\n\n`
  );
  const summary = (markdown: string) => appendFileSync(summaryFile, `${markdown}\n`);
  const overview: string[] = [];
  const local = await reporter.group(
    'Start the local AWS (moto server + ECS rollout simulator)',
    async () => {
      const started = await startLocalAws({ taskPhaseMs: options.taskPhaseMs ?? 400 });
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
    const ok = await deployBackend(local, { ...options, repositories }, reporter, summary, overview);
    await deployFrontend(local, reporter, summary, overview);
    return { ok, summaryFile, lines: overview };
  } finally {
    process.env = saved;
    await local.stop();
  }
}

async function deployFrontend(
  local: LocalAws,
  reporter: Reporter,
  summary: (markdown: string) => void,
  overview: string[]
): Promise<void> {
  const target = await reporter.group(
    'Existing frontend: private bucket with the previous release, CloudFront distribution',
    async () => {
      const t = await seedFrontend(local);
      reporter.info(`bucket ${t.bucket}, distribution ${t.distributionId} (${t.domain})`);
      return t;
    }
  );
  const dist = await reporter.group('Frontend: build examples/twotier-app/frontend (vite)', async () =>
    buildFrontend(reporter)
  );
  overview.push(await deployFrontendOnce(local, target, dist, 'first deploy', reporter, summary));
  const rebuilt = await reporter.group(
    'Frontend: fresh rebuild with identical content (new mtimes)',
    async () => buildFrontend(reporter)
  );
  overview.push(
    await deployFrontendOnce(local, target, rebuilt, 'second deploy of a fresh rebuild', reporter, summary)
  );
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
  overview: string[]
): Promise<boolean> {
  const aws = { region: local.region };
  const fixture = await reporter.group(
    `Backend: the ${options.topology} services the stack created, mirrored into the ECS rollout simulator (moto's ECS has no rollouts)`,
    async () => {
      const f = await seedBackend(local, { topology: options.topology, desiredCount: 2, cluster: 'twotier' });
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
  if (options.scenario) {
    local.ecs.addFailure({ image: images.api!, scenario: options.scenario, containerName: 'api' });
    reporter.warn(`scenario ${options.scenario}: tasks running ${images.api} will fail`);
  }
  const migrate = await reporter.group('Migrations: one-off task on the api container', () =>
    runTask(
      {
        ...aws,
        cluster: fixture.cluster,
        taskDefinition: fixture.services[0]!.taskDefinitionArn,
        service: fixture.services[0]!.name,
        container: 'api',
        command: ['python', '-m', 'app.migrate'],
        pollIntervalSeconds: 1
      },
      reporter
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
    const deployed = await reporter.group(`Deploy ${service.name}`, () =>
      deployService(
        {
          ...aws,
          cluster: fixture.cluster,
          service: service.name,
          taskDefinitionArn: registered.taskDefinitionArn,
          pollIntervalSeconds: 1,
          timeoutSeconds: 120
        },
        reporter
      )
    );
    summary(deploySummaryMarkdown(deployed));
    overview.push(`${service.name}: ${deployed.message}`);
    for (const f of deployed.failures) if (f.hint) overview.push(`  hint: ${f.hint}`);
    if (!deployed.ok) {
      ok = false;
      break;
    }
  }
  return ok;
}

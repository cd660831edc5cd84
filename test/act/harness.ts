/**
 * Runs workflows under nektos/act (the pinned release scripts/setup.sh installs into .tools/bin) in host mode
 * (`-P <runs-on>=-self-hosted`: the steps run as processes on this machine, no Docker), against the embedded
 * local AWS (src/local/local-aws.ts), with the project's Node 24 (test/helpers/node24.ts) first on the PATH,
 * in a temporary git repository as the workspace, and collects what a test asserts on:
 *  - every step output act logs (`--json`: `set-output` entries, with job, matrix and step id path, so the
 *    outputs of a composite action's inner steps too),
 *  - job results, annotations (`::error::`, `::warning::`),
 *  - what collector steps/jobs added by the test wrote (`toJSON(steps)`, `toJSON(needs)`: job outputs, which
 *    act does not log), see collectStepsStep and collectNeedsJob,
 *  - what the stand-ins of third-party actions recorded (test/stand-ins, one JSON line per call).
 *
 * The toolkit itself is the working tree (action.yml, actions/, dist/, .github/workflows/ copied into a
 * snapshot directory), reachable as `your-org/twotier-actions@<ref>` through `act --local-repository`, as a
 * repository checked out by the checkout stand-in (TWOTIER_ACT_REPOSITORIES), and named by the OIDC token the
 * harness serves (job_workflow_ref / job_workflow_sha, as GitHub puts them in a called workflow's token).
 *
 * Each run has a hard timeout: act's whole process group is killed with SIGKILL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { actionNode } from '../helpers/node24.js';

/** The project root. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The act release scripts/setup.sh installs (ACT_VERSION there). */
export const ACT_VERSION = 'v0.2.89';
/** Where scripts/setup.sh installs act. */
export const actPath = path.join(projectRoot, '.tools', 'bin', 'act');
/** The stand-ins of third-party actions, one directory per owner/name. */
export const standInsDir = path.join(projectRoot, 'test', 'stand-ins');
/** The name users give the toolkit in the README and the starter workflows. */
export const TOOLKIT_REPOSITORY = 'your-org/twotier-actions';
/** The commit the harness's OIDC token names as the reusable workflow's (job_workflow_sha); a made-up SHA. */
export const TOOLKIT_SHA = '7f3c2a1b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a';
/** The repository act sees the workspace as (its origin remote). */
export const APP_REPOSITORY = 'your-org/app';
/** The runs-on labels of the project's workflows, all mapped to the host. */
export const RUNS_ON_LABELS = ['ubuntu-latest', 'ubuntu-24.04', 'ubuntu-22.04'];

/**
 * The act binary (`bin`, default actPath), checked: exists and is the pinned version.
 * @throws Error saying to run `bash scripts/setup.sh` when act is missing or another version.
 */
export function requireAct(bin = actPath): string {
  if (!existsSync(bin)) {
    throw new Error(
      `nektos/act ${ACT_VERSION} is not installed (expected ${bin}); run \`bash scripts/setup.sh\` to install it.`
    );
  }
  const version = (spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout ?? '').trim();
  if (version !== `act version ${ACT_VERSION.slice(1)}`) {
    throw new Error(`${bin} is "${version}", expected ${ACT_VERSION}; run \`bash scripts/setup.sh\`.`);
  }
  return bin;
}

/** The files whose `uses:` lines the stand-ins must cover: the actions and the workflows the act tests run. */
export function projectActionFiles(): string[] {
  const files = [path.join(projectRoot, 'action.yml')];
  for (const name of readdirSync(path.join(projectRoot, 'actions'))) {
    const file = path.join(projectRoot, 'actions', name, 'action.yml');
    if (existsSync(file)) files.push(file);
  }
  // The reusable workflow and the starter workflows run under act; ci.yml and release.yml do not.
  files.push(path.join(projectRoot, '.github', 'workflows', 'deploy.yml'));
  for (const name of readdirSync(path.join(projectRoot, 'workflows'))) {
    if (/\.ya?ml$/.test(name)) files.push(path.join(projectRoot, 'workflows', name));
  }
  return files;
}

/** `owner/name@ref` of every remote `uses:` in `text` other than the toolkit's own (paths, docker:// excluded). */
export function remoteUses(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/^\s*(?:-\s+)?uses:\s*['"]?([^\s'"#]+)/gm)) {
    const uses = match[1]!;
    if (uses.startsWith('./') || uses.startsWith('docker://')) continue;
    const parsed = /^([^/@]+)\/([^/@]+)(?:\/[^@]*)?@(.+)$/.exec(uses);
    if (!parsed) continue;
    const [, owner, name, ref] = parsed;
    if (`${owner}/${name}` === TOOLKIT_REPOSITORY) continue;
    found.add(`${owner}/${name}@${ref}`);
  }
  return [...found].sort();
}

/**
 * The `--local-repository` map of the stand-ins: each third-party `owner/name@ref` used in `texts` (default:
 * the project's action and workflow files) → test/stand-ins/owner/name.
 * @throws Error naming the actions that have no stand-in directory.
 */
export function standInRepositories(texts?: string[]): Record<string, string> {
  const sources = texts ?? projectActionFiles().map((file) => readFileSync(file, 'utf8'));
  const map: Record<string, string> = {};
  const missing: string[] = [];
  for (const uses of new Set(sources.flatMap(remoteUses))) {
    const repository = uses.slice(0, uses.indexOf('@'));
    const dir = path.join(standInsDir, repository);
    if (existsSync(path.join(dir, 'action.yml'))) map[uses] = dir;
    else missing.push(uses);
  }
  if (missing.length > 0) {
    throw new Error(
      `No stand-in under test/stand-ins for ${missing.join(', ')}: add one (see test/stand-ins/README.md).`
    );
  }
  return map;
}

/**
 * Copies the toolkit as it is in the working tree (action.yml, actions/, dist/, .github/workflows/) into a
 * new temporary directory, the "repository" your-org/twotier-actions at every ref the tests use, with the
 * composite actions' run steps protected from act's INPUT_* leak (neutralizeCompositeInputLeak; pass
 * neutralizeInputLeak false to see act's own behaviour).
 * @returns the directory (remove it with rmSync when done).
 */
export function toolkitSnapshot(options: { neutralizeInputLeak?: boolean } = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'act-toolkit-'));
  for (const entry of ['action.yml', 'actions', 'dist', path.join('.github', 'workflows')]) {
    cpSync(path.join(projectRoot, entry), path.join(dir, entry), { recursive: true });
  }
  if (options.neutralizeInputLeak ?? true) {
    for (const file of [
      path.join(dir, 'action.yml'),
      ...readdirSync(path.join(dir, 'actions')).map((a) => path.join(dir, 'actions', a, 'action.yml'))
    ]) {
      if (existsSync(file))
        writeFileSync(file, neutralizeCompositeInputLeak(readFileSync(file, 'utf8')).text);
    }
  }
  return dir;
}

/**
 * act (nektos/act#2874) gives every `run:` step of a composite action the composite's inputs as
 * `INPUT_<NAME>` environment variables; GitHub's runner gives them none. A bundle started by such a step
 * (`node .../dist/<action>/index.js`) would then read, under act only, the composite's value of any input it
 * shares a name with (the root action's task-definition reaching deploy-service, its timeout-minutes reaching
 * invalidate-cdn). To run the toolkit under act as GitHub runs it, this adds `INPUT_<NAME>: ''` to the env of
 * every composite run step for each composite input the step does not set itself: on GitHub that changes
 * nothing (@actions/core reads an unset and an empty variable alike), under act it overrides the leak.
 * @returns the rewritten action.yml text (unchanged for a non-composite action) and what was added, by step.
 */
export function neutralizeCompositeInputLeak(text: string): {
  text: string;
  added: Record<string, string[]>;
} {
  const doc = YAML.parse(text) as {
    inputs?: Record<string, unknown>;
    runs?: {
      using?: string;
      steps?: { id?: string; name?: string; run?: string; env?: Record<string, string> }[];
    };
  };
  const added: Record<string, string[]> = {};
  if (doc.runs?.using !== 'composite' || !doc.inputs) return { text, added };
  const names = Object.keys(doc.inputs).map((n) => `INPUT_${n.replace(/ /g, '_').toUpperCase()}`);
  doc.runs.steps?.forEach((step, index) => {
    if (step.run === undefined) return;
    const own = new Set(Object.keys(step.env ?? {}).map((k) => k.toUpperCase()));
    const missing = names.filter((n) => !own.has(n));
    if (missing.length === 0) return;
    step.env = { ...step.env, ...Object.fromEntries(missing.map((n) => [n, ''])) };
    added[step.id ?? step.name ?? String(index)] = missing;
  });
  return { text: YAML.stringify(doc, { lineWidth: 0 }), added };
}

/** A temporary git repository act runs in. */
export interface Workspace {
  dir: string;
  /** The commit act reports as github.sha. */
  sha: string;
  remove(): void;
}

/**
 * Creates a git repository with `files` (relative path → content) and `copies` (relative path → a file or
 * directory to copy), one commit on branch main, origin https://github.com/your-org/app.git (act reads
 * github.repository, github.sha and github.ref from it).
 */
export function createWorkspace(
  files: Record<string, string>,
  copies: Record<string, string> = {}
): Workspace {
  const dir = mkdtempSync(path.join(tmpdir(), 'act-workspace-'));
  for (const [relative, source] of Object.entries(copies)) {
    cpSync(source, path.join(dir, relative), {
      recursive: true,
      filter: (src) =>
        !/(^|\/)(node_modules|dist|__pycache__|\.pytest_cache)(\/|$)/.test(path.relative(source, src))
    });
  }
  for (const [relative, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    writeFileSync(path.join(dir, relative), content);
  }
  const git = (...args: string[]) => {
    const out = spawnSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'act harness',
        GIT_AUTHOR_EMAIL: 'act@example.invalid',
        GIT_COMMITTER_NAME: 'act harness',
        GIT_COMMITTER_EMAIL: 'act@example.invalid'
      }
    });
    if (out.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${dir}: ${out.stderr}`);
    return out.stdout.trim();
  };
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '--no-gpg-sign', '-m', 'workspace');
    git('remote', 'add', 'origin', `https://github.com/${APP_REPOSITORY}.git`);
    return { dir, sha: git('rev-parse', 'HEAD'), remove };
  } catch (error) {
    remove();
    throw error;
  }
}

/** One decoded ID token request the OIDC stand-in answered. */
export interface OidcRequest {
  audience: string;
}

/** A loopback stand-in for GitHub's OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL). */
export interface OidcStandIn {
  /** ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN for the runner's environment. */
  env: Record<string, string>;
  requests: OidcRequest[];
  stop(): Promise<void>;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Starts an HTTP server on 127.0.0.1 that answers `GET /token?...&audience=X` (with the bearer token it hands
 * out) with `{"value": <JWT>}`, an unsigned JWT whose claims are GitHub's for a job of a called workflow:
 * job_workflow_ref `<toolkit>/.github/workflows/deploy.yml@refs/tags/v1`, job_workflow_sha TOOLKIT_SHA,
 * repository APP_REPOSITORY, aud X. Not reproduced: signatures, per-job claims (every job gets the same).
 */
export async function startOidcStandIn(claims: Record<string, string> = {}): Promise<OidcStandIn> {
  const bearer = randomBytes(16).toString('hex');
  const requests: OidcRequest[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/token' || req.headers.authorization?.toLowerCase() !== `bearer ${bearer}`) {
      res.writeHead(401).end('{"message":"bad token request"}');
      return;
    }
    const audience = url.searchParams.get('audience') ?? '';
    requests.push({ audience });
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      iss: 'https://token.actions.githubusercontent.com',
      aud: audience,
      sub: `repo:${APP_REPOSITORY}:ref:refs/heads/main`,
      repository: APP_REPOSITORY,
      job_workflow_ref: `${TOOLKIT_REPOSITORY}/.github/workflows/deploy.yml@refs/tags/v1`,
      job_workflow_sha: TOOLKIT_SHA,
      iat: now,
      exp: now + 600,
      ...claims
    };
    const jwt = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.stand-in`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: jwt }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    env: {
      ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: bearer
    },
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve()))
  };
}

/** One line of act's `--json` log. */
export interface ActLogEntry {
  msg?: string;
  level?: string;
  job?: string;
  jobID?: string;
  matrix?: Record<string, unknown>;
  stepID?: string[];
  stage?: string;
  command?: string;
  name?: string;
  arg?: string;
  stepResult?: string;
  jobResult?: string;
  raw_output?: boolean;
  [key: string]: unknown;
}

/** A step output as act logged it (`::set-output::` entries, written by the step to GITHUB_OUTPUT). */
export interface StepOutput {
  jobID: string;
  matrix: Record<string, unknown>;
  /** The step id path: [id] for a job's step, [id, inner] for a composite action's inner step. */
  stepID: string[];
  name: string;
  value: string;
}

/** What a collectStepsStep wrote: the job, its matrix values and `toJSON(steps)`. */
export interface CollectedSteps {
  job: string;
  matrix: Record<string, unknown> | null;
  steps: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }>;
}

/** The outcome of one act run. */
export interface ActResult {
  code: number | null;
  timedOut: boolean;
  entries: ActLogEntry[];
  /** The run as readable lines (job, step, message), for failure messages. */
  log: string;
  /** Each finished job (matrix legs separately) with its result (success, failure). */
  jobs: { jobID: string; matrix: Record<string, unknown>; result: string }[];
  stepOutputs: StepOutput[];
  /** `::error::` and `::warning::` annotations. */
  annotations: { level: 'error' | 'warning'; jobID: string; stepID: string[]; message: string }[];
  /** What collectStepsStep steps wrote, in the order they ran. */
  collectedSteps: CollectedSteps[];
  /** What the collectNeedsJob wrote: `toJSON(needs)` (job outputs and results), or null. */
  needs: Record<string, { result: string; outputs: Record<string, string> }> | null;
  /** The stand-ins' records (test/stand-ins), one per call, in call order. */
  records: Record<string, string>[];
  /**
   * The outputs of step `stepID` (a path: ['deploy'] or ['deploy', 'register']) of job `jobID`, from the log,
   * merged in log order; `matrix` restricts to one leg.
   */
  outputs(jobID: string, stepID: string[], matrix?: Record<string, unknown>): Record<string, string>;
  /** The result of job `jobID` (the first leg's when a matrix), or undefined when it did not run. */
  jobResult(jobID: string): string | undefined;
}

/** Options of runAct. */
export interface ActOptions {
  workspace: Workspace;
  /** The workflow file, relative to the workspace. */
  workflow: string;
  /** The event (default push). */
  event?: string;
  /** The event payload (written to a file, `-e`). */
  eventPayload?: Record<string, unknown>;
  /** `-j`: run one job (and what it needs). */
  job?: string;
  /** workflow_dispatch inputs (`--input`). */
  inputs?: Record<string, string>;
  /** Configuration variables (`--var`, the `vars` context). */
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
  /**
   * The runner's environment on top of the harness's (PATH with Node 24 first, HOME): in host mode every
   * step inherits it. Give the local AWS endpoints here (localAwsRunnerEnv) and the OIDC stand-in's env.
   */
  env?: Record<string, string>;
  /** Extra `--local-repository` entries (`owner/name@ref` → directory). */
  localRepositories?: Record<string, string>;
  /** Repositories the checkout stand-in can check out (`owner/name@ref` → directory). */
  checkoutRepositories?: Record<string, string>;
  /** Kill act after this long (milliseconds; default 180000). */
  timeoutMs?: number;
  /** `--concurrent-jobs` (default 1: the workflow's jobs one after another; act still runs the matrix legs of a called workflow's job in parallel). */
  concurrentJobs?: number;
}

/**
 * The runner environment for the local AWS: its endpoints only. The credentials and the region come from the
 * configure-aws-credentials stand-in (as on GitHub from the real action), so a workflow that forgets that
 * step fails here too.
 */
export function localAwsRunnerEnv(localEnv: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(localEnv)) {
    if (key.startsWith('AWS_ENDPOINT_URL') || key === 'AWS_EC2_METADATA_DISABLED') env[key] = value;
  }
  return env;
}

/** A step for a workflow under test: writes `{job, matrix, steps: toJSON(steps)}` for ActResult.collectedSteps. */
export function collectStepsStep(): Record<string, unknown> {
  return {
    name: 'act harness - collect the steps',
    if: 'always()',
    shell: 'bash',
    env: { STEPS: '${{ toJSON(steps) }}', MATRIX: '${{ toJSON(matrix) }}' },
    run:
      'out=$(mktemp -p "$TWOTIER_ACT_OUT" "steps-$(date +%s%N)-XXXX.json")\n' +
      'jq -n --arg job "$GITHUB_JOB" --argjson steps "$STEPS" --argjson matrix "${MATRIX:-null}" ' +
      '\'{job: $job, matrix: $matrix, steps: $steps}\' > "$out"'
  };
}

/** A job for a workflow under test that needs `needs` and writes `toJSON(needs)` for ActResult.needs. */
export function collectNeedsJob(needs: string[]): Record<string, unknown> {
  return {
    'runs-on': 'ubuntu-latest',
    needs,
    if: 'always()',
    steps: [
      {
        name: 'act harness - collect the job outputs',
        shell: 'bash',
        env: { NEEDS: '${{ toJSON(needs) }}' },
        run: 'printf \'%s\' "$NEEDS" > "$TWOTIER_ACT_OUT/needs.json"'
      }
    ]
  };
}

/**
 * Adds the collectNeedsJob `act-harness-collect` to a workflow's text, needing every job it has.
 * @returns the new workflow text (YAML).
 */
export function withNeedsCollector(workflowText: string): string {
  const doc = YAML.parse(workflowText) as { jobs: Record<string, unknown> };
  doc.jobs['act-harness-collect'] = collectNeedsJob(Object.keys(doc.jobs));
  return YAML.stringify(doc, { lineWidth: 0 });
}

/** PATH for the runner: Node 24 first, then the machine's PATH without the project's own tool directories. */
function runnerPath(): string {
  const node24Bin = path.dirname(actionNode());
  const rest = (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin')
    .split(':')
    .filter((entry) => entry && !entry.includes('node_modules') && !entry.startsWith(projectRoot));
  return [node24Bin, ...rest].join(':');
}

const LOG_TAIL = 200;

/**
 * Runs `act <event>` on options.workflow in host mode and collects the result (see ActResult). Never throws
 * for a failing workflow: assert on `code`, `jobs` and `log`.
 * @throws Error when act is not installed (requireAct) or Node 24 is missing (actionNode).
 */
export async function runAct(options: ActOptions): Promise<ActResult> {
  const act = requireAct();
  const workflowText = readFileSync(path.join(options.workspace.dir, options.workflow), 'utf8');
  const localRepositories = {
    ...standInRepositories([...projectActionFiles().map((f) => readFileSync(f, 'utf8')), workflowText]),
    ...options.localRepositories
  };
  const scratch = mkdtempSync(path.join(tmpdir(), 'act-run-'));
  const out = path.join(scratch, 'out');
  const home = path.join(scratch, 'home');
  mkdirSync(out);
  mkdirSync(home);
  const record = path.join(scratch, 'records.jsonl');
  writeFileSync(record, '');
  const args = [options.event ?? 'push', '-W', options.workflow, '--json', '--no-cache-server'];
  args.push('--action-cache-path', path.join(scratch, 'cache'));
  args.push('--concurrent-jobs', String(options.concurrentJobs ?? 1));
  for (const label of RUNS_ON_LABELS) args.push('-P', `${label}=-self-hosted`);
  for (const [key, dir] of Object.entries(localRepositories))
    args.push('--local-repository', `${key}=${dir}`);
  if (options.eventPayload) {
    const eventFile = path.join(scratch, 'event.json');
    writeFileSync(eventFile, JSON.stringify(options.eventPayload));
    args.push('-e', eventFile);
  }
  if (options.job) args.push('-j', options.job);
  for (const [key, value] of Object.entries(options.inputs ?? {})) args.push('--input', `${key}=${value}`);
  for (const [key, value] of Object.entries(options.vars ?? {})) args.push('--var', `${key}=${value}`);
  for (const [key, value] of Object.entries(options.secrets ?? {})) args.push('--secret', `${key}=${value}`);
  // act reads .env/.secrets/.vars/.input files from the workspace by default: point them at nothing.
  for (const flag of ['--env-file', '--secret-file', '--var-file', '--input-file']) {
    args.push(flag, path.join(scratch, 'none'));
  }
  const env: Record<string, string> = {
    PATH: runnerPath(),
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    LANG: 'C.UTF-8',
    TMPDIR: tmpdir(),
    TWOTIER_ACT_OUT: out,
    TWOTIER_ACT_RECORD: record,
    TWOTIER_ACT_PYTHON: path.join(projectRoot, '.venv', 'bin', 'python'),
    TWOTIER_ACT_REPOSITORIES: Object.entries(options.checkoutRepositories ?? {})
      .map(([key, dir]) => `${key}=${dir}`)
      .join('\n'),
    ...options.env
  };
  const timeoutMs = options.timeoutMs ?? 180000;
  const raw = await new Promise<{ code: number | null; output: string; timedOut: boolean }>((resolve) => {
    const child = spawn(act, args, {
      cwd: options.workspace.dir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let output = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const kill = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      kill(); // steps left running in act's process group (a background process of a step)
      resolve({ code, output, timedOut });
    });
  });
  const entries: ActLogEntry[] = [];
  const plain: string[] = [];
  for (const line of raw.output.split('\n')) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line) as ActLogEntry);
    } catch {
      plain.push(line);
    }
  }
  const log = [
    ...plain,
    ...entries.map((e) =>
      `[${e.jobID ?? '-'}${matrixLabel(e.matrix)}] ${(e.stepID ?? []).join('/')} ${e.msg ?? ''}`.trimEnd()
    )
  ];
  const stepOutputs: StepOutput[] = entries
    .filter((e) => e.command === 'set-output' && e.name !== undefined)
    .map((e) => ({
      jobID: e.jobID ?? '',
      matrix: e.matrix ?? {},
      stepID: e.stepID ?? [],
      name: e.name!,
      value: e.arg ?? ''
    }));
  const collectedSteps = readdirSync(out)
    .filter((f) => f.startsWith('steps-'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(out, f), 'utf8')) as CollectedSteps);
  const needsFile = path.join(out, 'needs.json');
  const needs = existsSync(needsFile)
    ? (JSON.parse(readFileSync(needsFile, 'utf8')) as ActResult['needs'])
    : null;
  const records = readFileSync(record, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, string>);
  rmSync(scratch, { recursive: true, force: true });
  const jobs = entries
    .filter((e) => e.jobResult !== undefined)
    .map((e) => ({ jobID: e.jobID ?? '', matrix: e.matrix ?? {}, result: e.jobResult! }));
  const sameMatrix = (a: Record<string, unknown>, b?: Record<string, unknown>) =>
    !b || Object.entries(b).every(([k, v]) => a[k] === v);
  return {
    code: raw.code,
    timedOut: raw.timedOut,
    entries,
    log: log.slice(-LOG_TAIL).join('\n'),
    jobs,
    stepOutputs,
    annotations: entries
      .filter((e) => e.command === 'error' || e.command === 'warning')
      .map((e) => ({
        level: e.command as 'error' | 'warning',
        jobID: e.jobID ?? '',
        stepID: e.stepID ?? [],
        message: e.arg ?? ''
      })),
    collectedSteps,
    needs,
    records,
    outputs(jobID, stepID, matrix) {
      const result: Record<string, string> = {};
      for (const o of stepOutputs) {
        if (o.jobID === jobID && o.stepID.join('/') === stepID.join('/') && sameMatrix(o.matrix, matrix)) {
          result[o.name] = o.value;
        }
      }
      return result;
    },
    jobResult(jobID) {
      return jobs.find((j) => j.jobID === jobID)?.result;
    }
  };
}

function matrixLabel(matrix?: Record<string, unknown>): string {
  if (!matrix || Object.keys(matrix).length === 0) return '';
  return ` ${Object.entries(matrix)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',')}`;
}

/** A failure message for expect(): the exit code and the end of the log. */
export function describeRun(result: ActResult): string {
  return `act exited with ${result.code}${result.timedOut ? ' (killed at the timeout)' : ''}; last lines:\n${result.log}`;
}

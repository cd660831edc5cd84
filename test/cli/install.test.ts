/**
 * `twotier` as users install it: `npm pack` of this repository, the tarball installed with
 * `npm install --omit=dev` into an empty folder outside the checkout, and the installed command run on the
 * machine's Node, with only the package's runtime dependencies: `--help`, a real register-task-definition
 * against the local AWS, and the demo's refusal to run outside a checkout.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startLocalAws, type LocalAws } from '../../src/local/local-aws.js';
import { seedBackend } from '../../src/demo/backend-fixture.js';
import { imageByDigest, pushTestImages } from '../ecs/ecr-images.js';

const run = promisify(execFile);
const root = process.cwd();
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

let work: string;
let tarball: string;
let installed: string;
let bin: string;
let local: LocalAws | undefined;

/** The environment a user's shell would give: PATH with the machine's Node first, HOME; nothing of jest's. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    HOME: work,
    ...extra
  };
}

/** Runs the installed `twotier` (node_modules/.bin/twotier); never rejects, returns the exit code. */
async function twotier(args: string[], env: Record<string, string> = {}) {
  try {
    const out = await run(bin, args, { env: userEnv(env), cwd: work, timeout: 120000 });
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Every file under dir, relative, with / separators. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)).split(path.sep).join('/'));
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'twotier-install-'));
  // npm pack runs prepack (npm run build:cli, which compiles src/cli into the gitignored lib/).
  await run('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: root, timeout: 240000 });
  tarball = path.join(work, `${manifest.name}-${manifest.version}.tgz`);
  const app = path.join(work, 'app');
  await run('mkdir', [app]);
  writeFileSync(
    path.join(app, 'package.json'),
    '{ "name": "install-test", "version": "0.0.0", "private": true }\n'
  );
  await run(
    'npm',
    ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball],
    { cwd: app, timeout: 240000 }
  );
  installed = path.join(app, 'node_modules', manifest.name);
  bin = path.join(app, 'node_modules', '.bin', 'twotier');
}, 600000);

afterAll(async () => {
  await local?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed and installed twotier', () => {
  it('ships the compiled command and nothing of the repository it does not need', () => {
    const files = filesUnder(installed);
    expect(files).toContain('bin/twotier.js');
    expect(files).toContain('lib/cli/main.js');
    const commands = readdirSync(path.join(root, 'src', 'cli', 'commands')).filter((f) => f.endsWith('.ts'));
    for (const command of commands)
      expect(files).toContain(`lib/cli/commands/${command.replace(/\.ts$/, '.js')}`);
    const stray = files.filter(
      (f) => !/^(bin\/twotier\.js|lib\/.+\.js|lib\/.+\.json|package\.json|README\.md|LICENSE(\..+)?)$/.test(f)
    );
    expect({ stray }).toEqual({ stray: [] });
    // JSON in lib/ is only the data the compiled code imports (tsc re-emits it), each the same data as a src/ file.
    const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));
    for (const json of files.filter((f) => /^lib\/.+\.json$/.test(f)))
      expect({ json, data: readJson(path.join(installed, json)) }).toEqual({
        json,
        data: readJson(path.join(root, json.replace(/^lib\//, 'src/')))
      });
    // The actions run from their dist/ bundles, never from this package: no action entry is compiled in.
    expect(files.filter((f) => /^lib\/actions\/[^/]+\//.test(f))).toEqual([]);
  });

  it('installs only runtime dependencies, and lists every package the compiled code imports', () => {
    const modules = path.join(path.dirname(installed));
    for (const dev of ['tsx', 'typescript', 'jest', 'ts-jest', '@vercel/ncc', '@actions/core'])
      expect({ dev, installed: existsSync(path.join(modules, dev)) }).toEqual({ dev, installed: false });
    const imported = new Set<string>();
    for (const file of filesUnder(path.join(installed, 'lib'))) {
      const code = readFileSync(path.join(installed, 'lib', file), 'utf8');
      for (const m of code.matchAll(/(?:from|import)\s*\(?\s*'([^'.][^']*)'/g)) {
        const spec = m[1]!;
        if (spec.startsWith('node:')) continue;
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
    expect([...imported].sort()).toEqual(Object.keys(manifest.dependencies).sort());
  });

  it('answers --help on the machine Node with every command', async () => {
    const help = await twotier(['--help']);
    expect(help.code).toBe(0);
    for (const command of [
      'register-task-definition',
      'deploy-service',
      'run-task',
      'upload-frontend',
      'demo'
    ])
      expect(help.stdout).toContain(command);
  });

  it('registers a task definition in the local AWS', async () => {
    local = await startLocalAws({ taskPhaseMs: 60 });
    const fixture = await seedBackend(local, { topology: 'sidecar', desiredCount: 1 });
    await pushTestImages(local, { 'twotier/api': ['bootstrap', 'candidate'], 'twotier/web': ['bootstrap'] });
    const image = imageByDigest('twotier/api', 'candidate');
    const out = await twotier(
      [
        'register-task-definition',
        '--task-definition',
        fixture.services[0]!.taskDefinitionFile,
        '--image',
        `api=${image}`
      ],
      local.env
    );
    expect({ code: out.code, stderr: out.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const arn = out.stdout.trim().split('\n').pop()!;
    expect(arn).toMatch(/:task-definition\/twotier-sidecar:2$/);
    const ecs = new ECSClient({
      endpoint: local.ecs.endpoint,
      region: local.region,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' }
    });
    try {
      const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
      expect(taskDefinition?.revision).toBe(2);
      expect(taskDefinition?.containerDefinitions?.find((c) => c.name === 'api')?.image).toBe(image);
    } finally {
      ecs.destroy();
    }
  });

  it('refuses the demo outside a checkout, saying so, and writes nothing into the package', async () => {
    const out = await twotier(['demo']);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('the demo runs from a checkout of the twotier-actions repository');
    expect(out.stderr).toContain('examples/twotier-app');
    expect(existsSync(path.join(installed, '.twotier-demo'))).toBe(false);
  });
});

/**
 * Credential-shaped environment values never reach the log, the outputs or the job summary of the
 * register-task-definition bundle, whatever their variable is called: every byte of stdout, stderr,
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY is searched for each secret, for the new values and for the old ones
 * the diff shows, and each such variable gets one warning that it belongs in `secrets`.
 */
import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { runActionBundle, type ActionRun } from '../helpers/action.js';
import { useEcsWorld } from './world.js';

const world = useEcsWorld({ 'twotier/api': ['bootstrap'], 'twotier/web': ['bootstrap'] });

/** One secret per detector, under names the name rule does not catch; `tag` makes each set different. */
function secretsFor(
  tag: string
): Record<string, { variable: string; line: (s: string) => string; secret: string }> {
  // Fixed, so the entropy rule's known gaps (a random token without digits) never make the test flaky.
  const random = tag === 'old' ? 'Zq8xV2mK4pL9sT1wR7nB3cY6Hd0' : 'Jt5Rw9Qm2Lx7Vc4Nb8Ks1Pz6Gy3F';
  return {
    url: {
      variable: 'DATABASE_URL',
      line: (s) => `postgres://app:${s}@db.internal:5432/app`,
      secret: `Pg-${tag}-w0rd!x`
    },
    dsn: {
      variable: 'LEGACY_DSN',
      line: (s) => `host=db user=app password=${s} dbname=app`,
      secret: `dsn${tag}Pass99`
    },
    jwt: {
      variable: 'UPSTREAM_BEARER',
      line: (s) => s,
      secret: `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIke${tag}0In0.${randomBytes(24).toString('base64url')}`
    },
    stripe: {
      variable: 'BILLING',
      line: (s) => s,
      secret: `sk_live_${tag}${randomBytes(12).toString('hex')}`
    },
    github: {
      variable: 'GH',
      line: (s) => s,
      secret: `ghp_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'a')}`
    },
    aws: {
      variable: 'UPLOADER_ID',
      line: (s) => s,
      secret: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`
    },
    random: { variable: 'OPAQUE_BLOB', line: (s) => s, secret: random }
  };
}

const environmentOf = (set: ReturnType<typeof secretsFor>) =>
  Object.values(set)
    .map((e) => `api.${e.variable}=${e.line(e.secret)}`)
    .join('\n');

/** Every byte the step printed or wrote, except the ::add-mask:: commands the runner consumes. */
function everything(run: ActionRun): string {
  const stdout = run.stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
  return [stdout, run.stderr, JSON.stringify(run.outputs), run.summary].join('\n');
}

const register = (environment: string) =>
  runActionBundle(
    'register-task-definition',
    { 'task-definition': world.fixture.services[0]!.taskDefinitionFile, environment },
    world.local.env
  );

describe('credential-shaped environment values', () => {
  it('are masked before the first line, redacted in the diff (old and new), and each warned about once', async () => {
    const old = secretsFor('old');
    const first = await register(environmentOf(old));
    expect(first.code).toBe(0);
    const fresh = secretsFor('new');
    const second = await register(environmentOf(fresh));
    expect(second.code).toBe(0);
    expect(second.outputs.changed).toBe('true');

    for (const run of [first, second]) {
      const text = everything(run);
      for (const set of [old, fresh])
        for (const { secret } of Object.values(set)) expect(text).not.toContain(secret);
    }
    // The diff still shows which variables changed, with the credential part masked.
    expect(second.summary).toContain('containerDefinitions[api].environment[DATABASE_URL].value');
    expect(second.summary).toContain('postgres://app:***@db.internal:5432/app');

    // Masked before anything else is printed: each new secret's ::add-mask:: precedes every other line.
    const lines = second.stdout.split('\n');
    const firstOther = lines.findIndex((l) => l && !/^::(add-mask|group|debug)/.test(l));
    for (const { secret } of Object.values(fresh)) {
      const mask = lines.indexOf(`::add-mask::${secret}`);
      expect({ secret, before: mask >= 0 && mask < firstOther }).toEqual({ secret, before: true });
    }
    // The old values are masked too (they appear in the diff's "before" column).
    for (const { secret } of Object.values(old)) expect(lines).toContain(`::add-mask::${secret}`);

    const warned = second.warnings.filter((w) => w.includes('put it in `secrets`'));
    expect(warned).toHaveLength(Object.keys(fresh).length);
    for (const { variable } of Object.values(fresh)) {
      expect(warned.filter((w) => w.includes(`api.${variable} `))).toHaveLength(1);
    }
  });

  it('a malformed environment line is quoted with its password masked', async () => {
    const out = await register('api.DATABASE_URL postgres://app:Quoted-S3cret-pw@db/app');
    expect(out.code).toBe(1);
    expect(out.errors.join('\n')).toContain('postgres://app:***@db/app');
    expect(everything(out)).not.toContain('Quoted-S3cret-pw');
  });

  it('a task definition file of the wrong shape is quoted with its credentials masked', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const doc = JSON.parse(readFileSync(world.fixture.services[0]!.taskDefinitionFile, 'utf8'));
    doc.containerDefinitions[1].environment = 'DATABASE_URL=postgres://app:File-S3cret-pw@db/app';
    const file = `${mkdtempSync(`${tmpdir()}/td-secret-`)}/td.json`;
    writeFileSync(file, JSON.stringify(doc));
    const out = await runActionBundle(
      'register-task-definition',
      { 'task-definition': file },
      world.local.env
    );
    expect(out.code).toBe(1);
    expect(out.errors.join('\n')).toMatch(/environment = .*postgres:\/\/app:\*\*\*@db\/app.*expected a list/);
    expect(everything(out)).not.toContain('File-S3cret-pw');
  });
});

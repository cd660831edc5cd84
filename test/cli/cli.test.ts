/** The `twotier` command as a user runs it: node bin/twotier.js. */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';

const twotier = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/twotier.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, AWS_REGION: 'us-east-1' }
  });

describe('twotier CLI', () => {
  it('lists every command in --help', () => {
    const out = twotier('--help');
    expect(out.status).toBe(0);
    for (const command of [
      'demo',
      'register-task-definition',
      'deploy-service',
      'run-task',
      'upload-frontend',
      'invalidate-cdn',
      'deploy-stack'
    ]) {
      expect(out.stdout).toContain(command);
    }
  });

  it.each(['register-task-definition', 'deploy-service', 'run-task', 'demo'])(
    'has --help for %s',
    (command) => {
      const out = twotier(command, '--help');
      expect(out.status).toBe(0);
      expect(out.stdout).toMatch(new RegExp(`Usage: twotier ${command}`));
    }
  );

  it('exits 2 on a usage mistake and on a configuration error, naming the option', () => {
    const missing = twotier('deploy-service', '--cluster', 'c');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/required option '--service <name>' not specified/);
    const bad = twotier('demo', '--topology', 'triple');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--topology is "triple"; expected one of sidecar, split.');
    // The demo's flags come from its option declarations (src/demo/options.ts), checks and rules included.
    const strategy = twotier('demo', '--strategy', 'red-black');
    expect(strategy.status).toBe(2);
    expect(strategy.stderr).toContain(
      '--strategy is "red-black"; expected one of rolling, blue-green, linear, canary.'
    );
    const hook = twotier('demo', '--scenario', 'hook-rollback');
    expect(hook.status).toBe(2);
    expect(hook.stderr).toMatch(/--scenario hook-rollback needs lifecycle hooks.*`--strategy` blue-green/);
    const badNumber = twotier(
      'deploy-service',
      '--cluster',
      'c',
      '--service',
      's',
      '--task-definition-arn',
      'a:1',
      '--poll-interval-seconds',
      '0'
    );
    expect(badNumber.status).toBe(2);
    expect(badNumber.stderr).toMatch(/--poll-interval-seconds is "0"; expected a whole number from 1 to 300/);
  });
});

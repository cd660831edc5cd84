/**
 * `twotier deploy-stack` as a user runs it (node bin/twotier.js): the flags come from the same declaration as
 * the action's inputs, so `--termination-protection` takes true/false (the old on/off is refused), and a bad
 * value exits 2 naming the flag, before any AWS call (no endpoint is reachable here).
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';

const twotier = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/twotier.js', 'deploy-stack', ...args], {
    encoding: 'utf8',
    env: { ...process.env, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
    timeout: 60000
  });
const network = ['--stack-name', 'twotier-network', '--template', 'templates/network.yml'];

describe('twotier deploy-stack', () => {
  test.each(['on', 'off', 'maybe'])('--termination-protection %s is refused: true or false', (value) => {
    const out = twotier(...network, '--termination-protection', value);
    expect(out.status).toBe(2);
    expect(out.stderr).toContain(`--termination-protection is "${value}"; expected true or false.`);
  });

  test('--help shows --termination-protection <true|false>', () => {
    const out = twotier('--help');
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/--termination-protection <true\|false>\s+true or false \(not on\/off\)/);
  });

  test('a parameter against the template is refused with the flag’s input named, before any AWS call', () => {
    const out = twotier(...network, '--parameter', 'EgressMode=nat', '--termination-protection', 'true');
    expect(out.status).toBe(2);
    expect(out.stderr).toContain(
      'parameters: EgressMode="nat" is not allowed by the template; allowed values: nat-per-az, single-nat, endpoints.'
    );
    expect(out.stdout).not.toContain('does not exist yet');
  });
});

/**
 * run-task's bundle refuses each bad input with a configuration error that names the input, quotes the
 * value and says what is valid, before any mutating ECS request (no RunTask).
 */
import { describe, it } from '@jest/globals';
import type { BadInput } from '../../helpers/bad-inputs.js';
import { useEcsWorld } from '../world.js';

const world = useEcsWorld();
const SUBNET = 'subnet-0a1b2c3d4e5f60001';
const task = () => ({
  cluster: world.fixture.cluster,
  'task-definition': 'twotier-sidecar',
  service: 'twotier-sidecar',
  container: 'api'
});

const cases: BadInput[] = [
  {
    title: 'no container in the sidecar task (two essential containers)',
    inputs: () => ({ ...task(), container: '', command: 'python -m app.migrate' }),
    input: 'container',
    value: '',
    valid: /one of "web", "api"/
  },
  {
    title: 'a container the task lacks',
    inputs: () => ({ ...task(), container: 'worker' }),
    input: 'container',
    value: 'worker',
    valid: /its containers are: web, api/
  },
  {
    title: 'a command that is broken JSON',
    inputs: () => ({ ...task(), command: '["python",' }),
    input: 'command',
    value: '["python",',
    valid: /JSON array of strings/
  },
  {
    title: 'an empty JSON command',
    inputs: () => ({ ...task(), command: '[]' }),
    input: 'command',
    value: '[]',
    valid: /non-empty JSON array of strings/
  },
  {
    title: 'a subnet that is not an id',
    inputs: () => ({ ...task(), service: '', subnets: 'subnet-xyz' }),
    input: 'subnets',
    value: 'subnet-xyz',
    valid: /subnet-0123abcd/
  },
  {
    title: 'a security group that is not an id',
    inputs: () => ({ ...task(), service: '', subnets: SUBNET, 'security-groups': 'sg-nope' }),
    input: 'security-groups',
    value: 'sg-nope',
    valid: /sg-0123abcd/
  },
  {
    title: 'both a service and subnets',
    inputs: () => ({ ...task(), subnets: SUBNET }),
    input: 'subnets',
    value: SUBNET,
    valid: /Give `service` .* or `subnets` .*, not both/
  },
  {
    title: 'security groups without subnets',
    inputs: () => ({ ...task(), 'security-groups': 'sg-0a1b2c3d4e5f60001' }),
    input: 'security-groups',
    value: 'sg-0a1b2c3d4e5f60001',
    valid: /needs `subnets`/
  },
  {
    title: 'a malformed task definition',
    inputs: () => ({ ...task(), 'task-definition': 'twotier-sidecar:0x1' }),
    input: 'task-definition',
    value: 'twotier-sidecar:0x1',
    valid: /a task definition family, family:revision or ARN/
  },
  {
    title: 'a revision that is not registered',
    inputs: () => ({ ...task(), 'task-definition': 'twotier-sidecar:42' }),
    input: 'task-definition',
    value: 'twotier-sidecar:42',
    valid: /must name a registered revision/
  },
  {
    title: 'a cluster that does not exist (with subnets)',
    inputs: () => ({ ...task(), service: '', subnets: SUBNET, cluster: 'nope' }),
    input: 'cluster',
    value: 'nope',
    valid: /must name an existing ECS cluster/
  },
  {
    title: 'a cluster that does not exist (with a service)',
    inputs: () => ({ ...task(), cluster: 'nope' }),
    input: 'cluster',
    value: 'nope',
    valid: /must name an existing ECS cluster/
  },
  {
    title: 'a service that does not exist',
    inputs: () => ({ ...task(), service: 'nope' }),
    input: 'service',
    value: 'nope',
    valid: /must name an existing ACTIVE service/
  },
  {
    title: 'timeout-minutes 0x10',
    inputs: () => ({ ...task(), 'timeout-minutes': '0x10' }),
    input: 'timeout-minutes',
    value: '0x10',
    valid: /a number from 0.05 to 720/
  },
  {
    title: 'poll-interval-seconds 0',
    inputs: () => ({ ...task(), 'poll-interval-seconds': '0' }),
    input: 'poll-interval-seconds',
    value: '0',
    valid: /a whole number from 1 to 300/
  },
  {
    title: 'stop-on-timeout sometimes',
    inputs: () => ({ ...task(), 'stop-on-timeout': 'sometimes' }),
    input: 'stop-on-timeout',
    value: 'sometimes',
    valid: /true or false/
  },
  {
    title: 'assign-public-ip yes',
    inputs: () => ({ ...task(), service: '', subnets: SUBNET, 'assign-public-ip': 'yes' }),
    input: 'assign-public-ip',
    value: 'yes',
    valid: /true or false/
  },
  {
    title: 'wait no',
    inputs: () => ({ ...task(), wait: 'no' }),
    input: 'wait',
    value: 'no',
    valid: /true or false/
  }
];

describe('run-task refuses bad inputs before starting anything', () => {
  it.each(cases.map((c) => [c.title, c] as const))('%s', async (_title, bad) => {
    await world.refuses('run-task', bad);
  });
});

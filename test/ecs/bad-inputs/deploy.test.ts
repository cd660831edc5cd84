/**
 * deploy-service's bundle refuses each bad input with a configuration error that names the input, quotes
 * the value and says what is valid, before any mutating ECS request: in particular a task definition file
 * with a service that is malformed or does not exist registers nothing (issue 9).
 */
import { describe, it } from '@jest/globals';
import type { BadInput } from '../../helpers/bad-inputs.js';
import { useEcsWorld } from '../world.js';

const world = useEcsWorld();
const target = () => ({ cluster: world.fixture.cluster, service: 'twotier-sidecar' });
const byArn = () => ({ ...target(), 'task-definition-arn': 'twotier-sidecar:1' });
const byFile = () => ({ ...target(), 'task-definition': world.file() });

const cases: BadInput[] = [
  {
    title: 'a file and a service with a space',
    inputs: () => ({ ...byFile(), service: 'my service' }),
    input: 'service',
    value: 'my service',
    valid: /an ECS service name .* or service ARN/
  },
  {
    title: 'a file and a service that does not exist',
    inputs: () => ({ ...byFile(), service: 'nope' }),
    input: 'service',
    value: 'nope',
    valid: /must name an existing ACTIVE service of that cluster/
  },
  {
    title: 'a file and a cluster that does not exist',
    inputs: () => ({ ...byFile(), cluster: 'nope' }),
    input: 'cluster',
    value: 'nope',
    valid: /must name an existing ECS cluster/
  },
  {
    title: 'a file whose memory is "lots"',
    inputs: () => ({ ...target(), 'task-definition': world.edited((d) => void (d.memory = 'lots')) }),
    input: 'task-definition',
    value: 'lots',
    valid: /expected MiB as a whole number/
  },
  {
    title: 'a file out of the workspace',
    inputs: () => ({ ...target(), 'task-definition': '../td.json' }),
    input: 'task-definition',
    value: '../td.json',
    valid: /give a path inside it, or an absolute path/
  },
  {
    title: 'a file and an ARN',
    inputs: () => ({ ...byArn(), 'task-definition': world.file() }),
    input: 'task-definition',
    value: 'twotier-sidecar:1',
    valid: /Give `task-definition-arn` .* or `task-definition` .*, not both/
  },
  {
    title: 'images without a file',
    inputs: () => ({ ...byArn(), images: 'api=nginx:1' }),
    input: 'images',
    value: 'api=nginx:1',
    valid: /needs `task-definition`/
  },
  {
    title: 'desired-count 0x2',
    inputs: () => ({ ...byArn(), 'desired-count': '0x2' }),
    input: 'desired-count',
    value: '0x2',
    valid: /a whole number from 0 to 5000/
  },
  {
    title: 'desired-count 2e0',
    inputs: () => ({ ...byArn(), 'desired-count': '2e0' }),
    input: 'desired-count',
    value: '2e0',
    valid: /a whole number from 0 to 5000/
  },
  {
    title: 'desired-count -1',
    inputs: () => ({ ...byArn(), 'desired-count': '-1' }),
    input: 'desired-count',
    value: '-1',
    valid: /a whole number from 0 to 5000/
  },
  {
    title: 'timeout-minutes soon',
    inputs: () => ({ ...byArn(), 'timeout-minutes': 'soon' }),
    input: 'timeout-minutes',
    value: 'soon',
    valid: /a number from 0.05 to 720/
  },
  {
    title: 'timeout-minutes 0',
    inputs: () => ({ ...byArn(), 'timeout-minutes': '0' }),
    input: 'timeout-minutes',
    value: '0',
    valid: /a number from 0.05 to 720/
  },
  {
    title: 'rollback-timeout-minutes ten',
    inputs: () => ({ ...byArn(), 'rollback-timeout-minutes': 'ten' }),
    input: 'rollback-timeout-minutes',
    value: 'ten',
    valid: /a number from 0.05 to 720/
  },
  {
    title: 'poll-interval-seconds 1.5',
    inputs: () => ({ ...byArn(), 'poll-interval-seconds': '1.5' }),
    input: 'poll-interval-seconds',
    value: '1.5',
    valid: /a whole number from 1 to 300/
  },
  {
    title: 'rollback-on-timeout yes',
    inputs: () => ({ ...byArn(), 'rollback-on-timeout': 'yes' }),
    input: 'rollback-on-timeout',
    value: 'yes',
    valid: /true or false/
  },
  {
    title: 'wait nope',
    inputs: () => ({ ...byArn(), wait: 'nope' }),
    input: 'wait',
    value: 'nope',
    valid: /true or false/
  },
  {
    title: 'a family without a revision',
    inputs: () => ({ ...byArn(), 'task-definition-arn': 'twotier-sidecar' }),
    input: 'task-definition-arn',
    value: 'twotier-sidecar',
    valid: /a task definition ARN or family:revision/
  },
  {
    title: 'a revision that is not registered',
    inputs: () => ({ ...byArn(), 'task-definition-arn': 'twotier-sidecar:99' }),
    input: 'task-definition-arn',
    value: 'twotier-sidecar:99',
    valid: /must name a registered revision/
  },
  {
    title: 'a cluster name with a slash',
    inputs: () => ({ ...byArn(), cluster: 'a/b' }),
    input: 'cluster',
    value: 'a/b',
    valid: /an ECS cluster name .* or cluster ARN/
  }
];

describe('deploy-service refuses bad inputs before any ECS write', () => {
  it.each(cases.map((c) => [c.title, c] as const))('%s', async (_title, bad) => {
    await world.refuses('deploy-service', bad);
  });
});

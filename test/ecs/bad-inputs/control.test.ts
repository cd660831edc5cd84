/**
 * continue-deployment and stop-deployment refuse each bad input with a configuration error that names the
 * input, quotes the value and says what is valid, before any mutating ECS request (no
 * ContinueServiceDeployment, no StopServiceDeployment, nothing else that changes ECS); and deploy-service
 * refuses a bad `wait-until` before it updates the service. The world: the seeded sidecar service, steady,
 * its current service deployment SUCCESSFUL and without hooks.
 */
import { describe, it } from '@jest/globals';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import type { BadInput } from '../../helpers/bad-inputs.js';
import { useEcsWorld } from '../world.js';

const world = useEcsWorld();
const SD = 'arn:aws:ecs:us-east-1:123456789012:service-deployment';
const target = () => ({ cluster: world.fixture.cluster, service: 'twotier-sidecar' });
/** A well-formed ARN of a service deployment ECS does not know, of the seeded service. */
const unknownSd = () => `${SD}/${world.fixture.cluster}/twotier-sidecar/AbCdEfGhIjKlMnOpQrStU`;
/** The seeded service's current service deployment (SUCCESSFUL). */
const currentSd = async () =>
  (
    await world.ecs.send(
      new DescribeServicesCommand({ cluster: world.fixture.cluster, services: ['twotier-sidecar'] })
    )
  ).services![0]!.currentServiceDeployment!;

/** The inputs every row of both control actions shares, and what is valid for each. */
const shared = (action: 'continue-deployment' | 'stop-deployment'): BadInput[] => [
  {
    title: `${action}: a cluster name with a slash`,
    inputs: () => ({ ...target(), cluster: 'a/b' }),
    input: 'cluster',
    value: 'a/b',
    valid: /an ECS cluster name .* or cluster ARN/
  },
  {
    title: `${action}: a cluster that does not exist`,
    inputs: () => ({ ...target(), cluster: 'nope' }),
    input: 'cluster',
    value: 'nope',
    valid: /must name an existing ECS cluster/
  },
  {
    title: `${action}: a service with a space`,
    inputs: () => ({ ...target(), service: 'my service' }),
    input: 'service',
    value: 'my service',
    valid: /an ECS service name .* or service ARN/
  },
  {
    title: `${action}: a service that does not exist`,
    inputs: () => ({ ...target(), service: 'nope' }),
    input: 'service',
    value: 'nope',
    valid: /must name an existing ACTIVE service of that cluster/
  },
  {
    title: `${action}: a service-deployment-arn that is a service ARN`,
    inputs: () => ({
      ...target(),
      'service-deployment-arn': `arn:aws:ecs:us-east-1:123456789012:service/${world.fixture.cluster}/twotier-sidecar`
    }),
    input: 'service-deployment-arn',
    value: `arn:aws:ecs:us-east-1:123456789012:service/twotier-demo/twotier-sidecar`,
    valid: /a service deployment ARN \(arn:aws:ecs:REGION:ACCOUNT:service-deployment\/CLUSTER\/SERVICE\/ID\)/
  },
  {
    title: `${action}: a service-deployment-arn that is a bare id`,
    inputs: () => ({ ...target(), 'service-deployment-arn': 'AbCdEfGhIjKlMnOpQrStU' }),
    input: 'service-deployment-arn',
    value: 'AbCdEfGhIjKlMnOpQrStU',
    valid: /a service deployment ARN/
  },
  {
    title: `${action}: a service-deployment-arn ECS does not know`,
    inputs: () => ({ ...target(), 'service-deployment-arn': unknownSd() }),
    input: 'service-deployment-arn',
    value: `${SD}/twotier-demo/twotier-sidecar/AbCdEfGhIjKlMnOpQrStU`,
    valid: /is not a service deployment ECS knows/
  },
  {
    title: `${action}: a service-deployment-arn of another service`,
    inputs: () => ({
      ...target(),
      'service-deployment-arn': `${SD}/${world.fixture.cluster}/twotier-other/AbCdEfGhIjKlMnOpQrStU`
    }),
    input: 'service-deployment-arn',
    value: `${SD}/twotier-demo/twotier-other/AbCdEfGhIjKlMnOpQrStU`,
    valid:
      /is a deployment of service twotier-other in cluster twotier-demo, not of `service` "twotier-sidecar"/
  },
  {
    title: `${action}: wait maybe`,
    inputs: () => ({ ...target(), wait: 'maybe' }),
    input: 'wait',
    value: 'maybe',
    valid: /true or false/
  },
  {
    title: `${action}: timeout-minutes 0`,
    inputs: () => ({ ...target(), 'timeout-minutes': '0' }),
    input: 'timeout-minutes',
    value: '0',
    valid: /a number from 0.05 to 720/
  },
  {
    title: `${action}: timeout-minutes 1h`,
    inputs: () => ({ ...target(), 'timeout-minutes': '1h' }),
    input: 'timeout-minutes',
    value: '1h',
    valid: /a number from 0.05 to 720/
  },
  {
    title: `${action}: poll-interval-seconds 0.5`,
    inputs: () => ({ ...target(), 'poll-interval-seconds': '0.5' }),
    input: 'poll-interval-seconds',
    value: '0.5',
    valid: /a whole number from 1 to 300/
  },
  {
    title: `${action}: poll-interval-seconds 301`,
    inputs: () => ({ ...target(), 'poll-interval-seconds': '301' }),
    input: 'poll-interval-seconds',
    value: '301',
    valid: /a whole number from 1 to 300/
  },
  {
    title: `${action}: aws-region mars`,
    inputs: () => ({ ...target(), 'aws-region': 'mars' }),
    input: 'aws-region',
    value: 'mars',
    valid: /an AWS region name/
  }
];

const continueCases: BadInput[] = [
  ...shared('continue-deployment'),
  {
    title: 'continue-deployment: action rollback (lower case)',
    inputs: () => ({ ...target(), action: 'rollback' }),
    input: 'action',
    value: 'rollback',
    valid: /one of CONTINUE, ROLLBACK/
  },
  {
    title: 'continue-deployment: action ABORT (a stop type)',
    inputs: () => ({ ...target(), action: 'ABORT' }),
    input: 'action',
    value: 'ABORT',
    valid: /one of CONTINUE, ROLLBACK/
  },
  {
    title: 'continue-deployment: wait-until done',
    inputs: () => ({ ...target(), 'wait-until': 'done' }),
    input: 'wait-until',
    value: 'done',
    valid: /one of completed, traffic-shifted, paused/
  },
  {
    title: 'continue-deployment: a hook-id with a space',
    inputs: () => ({ ...target(), 'hook-id': 'my hook' }),
    input: 'hook-id',
    value: 'my hook',
    valid: /a lifecycle hook id/
  },
  {
    title: 'continue-deployment: a hook-id the deployment does not have',
    inputs: () => ({ ...target(), 'hook-id': 'ecs-pause-nope' }),
    input: 'hook-id',
    value: 'ecs-pause-nope',
    valid: /is not awaiting action in \w+; its hooks: none/
  }
];

const stopCases: BadInput[] = [
  ...shared('stop-deployment'),
  {
    title: 'stop-deployment: stop-type rollback (lower case)',
    inputs: () => ({ ...target(), 'stop-type': 'rollback' }),
    input: 'stop-type',
    value: 'rollback',
    valid: /one of ROLLBACK, ABORT/
  },
  {
    title: 'stop-deployment: stop-type CONTINUE (a hook action)',
    inputs: () => ({ ...target(), 'stop-type': 'CONTINUE' }),
    input: 'stop-type',
    value: 'CONTINUE',
    valid: /one of ROLLBACK, ABORT/
  }
];

const deployCases: BadInput[] = [
  {
    title: 'deploy-service: wait-until Completed (capitalised)',
    inputs: () => ({ ...target(), 'task-definition-arn': 'twotier-sidecar:1', 'wait-until': 'Completed' }),
    input: 'wait-until',
    value: 'Completed',
    valid: /one of completed, traffic-shifted, paused/
  },
  {
    title: 'deploy-service: wait-until paused,completed',
    inputs: () => ({
      ...target(),
      'task-definition-arn': 'twotier-sidecar:1',
      'wait-until': 'paused,completed'
    }),
    input: 'wait-until',
    value: 'paused,completed',
    valid: /one of completed, traffic-shifted, paused/
  }
];

describe('continue-deployment refuses bad inputs before any ECS write', () => {
  it.each(continueCases.map((c) => [c.title, c] as const))('%s', async (_title, bad) => {
    await world.refuses('continue-deployment', bad);
  });
});

describe('stop-deployment refuses bad inputs before any ECS write', () => {
  it.each(stopCases.map((c) => [c.title, c] as const))('%s', async (_title, bad) => {
    await world.refuses('stop-deployment', bad);
  });

  it('refuses a service deployment that has already ended, quoting its ARN', async () => {
    const arn = await currentSd();
    await world.refuses('stop-deployment', {
      title: 'a SUCCESSFUL service deployment',
      inputs: () => ({ ...target(), 'service-deployment-arn': arn }),
      input: 'service-deployment-arn',
      value: arn,
      valid: /is SUCCESSFUL; only a PENDING or IN_PROGRESS service deployment can be stopped/
    });
  });
});

describe('deploy-service refuses a bad wait-until before any ECS write', () => {
  it.each(deployCases.map((c) => [c.title, c] as const))('%s', async (_title, bad) => {
    await world.refuses('deploy-service', bad);
  });
});

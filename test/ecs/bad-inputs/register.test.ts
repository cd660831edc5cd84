/**
 * register-task-definition's bundle refuses each bad input with a configuration error that names the input,
 * quotes the value and says what is valid, before any mutating ECS request (the simulator's request log).
 */
import { afterAll, describe, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { BadInput } from '../../helpers/bad-inputs.js';
import { useEcsWorld } from '../world.js';

const world = useEcsWorld();
const file = () => ({ 'task-definition': world.file() });
const container = (doc: { containerDefinitions: Record<string, unknown>[] }, name: string) =>
  doc.containerDefinitions.find((c) => c.name === name)!;

const links: string[] = [];
afterAll(() => {
  for (const dir of links) rmSync(dir, { recursive: true, force: true });
});

/** A link inside the workspace (the bundle's working directory) to a task definition file outside it. */
function linkOutOfWorkspace(): string {
  mkdirSync(path.join(process.cwd(), 'build'), { recursive: true });
  const dir = mkdtempSync(path.join(process.cwd(), 'build', 'link-'));
  links.push(dir);
  const link = path.join(dir, 'td.json');
  symlinkSync(
    world.edited(() => undefined),
    link
  );
  return path.relative(process.cwd(), link);
}

const cases: BadInput[] = [
  {
    title: 'keep-revisions 0x10',
    inputs: () => ({ ...file(), 'keep-revisions': '0x10' }),
    input: 'keep-revisions',
    value: '0x10',
    valid: /a whole number from 1 to 1000/
  },
  {
    title: 'keep-revisions 2e0',
    inputs: () => ({ ...file(), 'keep-revisions': '2e0' }),
    input: 'keep-revisions',
    value: '2e0',
    valid: /a whole number from 1 to 1000/
  },
  {
    title: 'keep-revisions 1 without a service',
    inputs: () => ({ ...file(), 'keep-revisions': '1' }),
    input: 'keep-revisions',
    value: '1',
    valid: /needs `cluster` and `service`.*or keep 2 or more/
  },
  {
    title: 'force-register yes',
    inputs: () => ({ ...file(), 'force-register': 'yes' }),
    input: 'force-register',
    value: 'yes',
    valid: /true or false/
  },
  {
    title: 'preflight maybe',
    inputs: () => ({ ...file(), preflight: 'maybe' }),
    input: 'preflight',
    value: 'maybe',
    valid: /true or false/
  },
  {
    title: 'a region that is not one',
    inputs: () => ({ ...file(), 'aws-region': 'mars' }),
    input: 'aws-region',
    value: 'mars',
    valid: /something like us-east-1/
  },
  {
    title: 'an environment name with a space',
    inputs: () => ({ ...file(), environment: 'api.MY VAR=x' }),
    input: 'environment',
    value: 'api.MY VAR',
    valid: /CONTAINER\.NAME=value/
  },
  {
    title: 'an environment line without a container',
    inputs: () => ({ ...file(), environment: 'LOG_LEVEL=debug' }),
    input: 'environment',
    value: 'LOG_LEVEL',
    valid: /CONTAINER\.NAME=value/
  },
  {
    title: 'an image for a container the task lacks',
    inputs: () => ({ ...file(), images: 'worker=nginx:1' }),
    input: 'images',
    value: 'worker',
    valid: /its containers are: web, api/
  },
  {
    title: 'an image that is not a reference',
    inputs: () => ({ ...file(), images: 'api=Not An Image' }),
    input: 'images',
    value: 'Not An Image',
    valid: /REGISTRY\/REPOSITORY:TAG/
  },
  {
    title: 'a secret that is not an ARN',
    inputs: () => ({ ...file(), secrets: 'api.DB=not an arn!' }),
    input: 'secrets',
    value: 'not an arn!',
    valid: /SSM parameter or Secrets Manager ARN/
  },
  {
    title: 'a service name with a space',
    inputs: () => ({ cluster: world.fixture.cluster, service: 'my service' }),
    input: 'service',
    value: 'my service',
    valid: /an ECS service name \(letters, digits, hyphens, underscores\) or service ARN/
  },
  {
    title: 'a service without its cluster',
    inputs: () => ({ service: 'twotier-sidecar' }),
    input: 'cluster',
    value: 'twotier-sidecar',
    valid: /the name or ARN of the cluster/
  },
  {
    title: 'a service that does not exist',
    inputs: () => ({ cluster: world.fixture.cluster, service: 'nope' }),
    input: 'service',
    value: 'nope',
    valid: /must name an existing ACTIVE service/
  },
  {
    title: 'a cluster that does not exist',
    inputs: () => ({ cluster: 'nope', service: 'twotier-sidecar' }),
    input: 'cluster',
    value: 'nope',
    valid: /must name an existing ECS cluster.*us-east-1/
  },
  {
    title: 'a file that does not exist',
    inputs: () => ({ 'task-definition': '/nope/td.json' }),
    input: 'task-definition',
    value: '/nope/td.json',
    valid: /a JSON or YAML task definition file/
  },
  {
    title: 'a relative path out of the workspace',
    inputs: () => ({ 'task-definition': '../../etc/td.json' }),
    input: 'task-definition',
    value: '../../etc/td.json',
    valid: /give a path inside it, or an absolute path/
  },
  {
    title: 'a link out of the workspace',
    inputs: () => ({ 'task-definition': linkOutOfWorkspace() }),
    input: 'task-definition',
    value: '',
    valid: /outside the workspace.*give the absolute path/
  },
  {
    title: 'a file whose environment is a string',
    inputs: () => ({
      'task-definition': world.edited((d) => void (container(d, 'api').environment = 'A=B'))
    }),
    input: 'task-definition',
    value: 'A=B',
    valid: /containerDefinitions\[api\]\.environment = .*expected a list of \{name, value\} objects/
  },
  {
    title: 'a file whose memory is "lots"',
    inputs: () => ({ 'task-definition': world.edited((d) => void (d.memory = 'lots')) }),
    input: 'task-definition',
    value: 'lots',
    valid: /memory = .*expected MiB as a whole number/
  },
  {
    title: 'a file whose containerPort is a string',
    inputs: () => ({
      'task-definition': world.edited(
        (d) =>
          void ((container(d, 'api').portMappings as Record<string, unknown>[])[0]!.containerPort = '8000')
      )
    }),
    input: 'task-definition',
    value: '8000',
    valid: /portMappings\[api\]\.containerPort = .*expected a whole number/
  },
  {
    title: 'a file whose essential is "yes"',
    inputs: () => ({ 'task-definition': world.edited((d) => void (container(d, 'web').essential = 'yes')) }),
    input: 'task-definition',
    value: 'yes',
    valid: /containerDefinitions\[web\]\.essential = .*expected a boolean/
  }
];

describe('register-task-definition refuses bad inputs before any ECS write', () => {
  it.each(cases.map((c) => [c.title, c] as const))('%s', async (_title, bad) => {
    // The link case's value is the relative path it made; quote what the error must quote.
    const inputs = bad.inputs();
    const value = bad.value || inputs['task-definition']!;
    await world.refuses('register-task-definition', { ...bad, inputs: () => inputs, value });
  });
});

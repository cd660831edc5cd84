import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  applyContainerUpdates,
  asTaskDefinition,
  loadTaskDefinitionFile
} from '../../src/ecs/task-definition.js';
import { diffTaskDefinitions, sameTaskDefinition } from '../../src/ecs/compare.js';
import { ConfigurationError } from '../../src/lib/errors.js';

const base = () =>
  asTaskDefinition(
    {
      family: 'app',
      networkMode: 'awsvpc',
      cpu: 256,
      memory: '512',
      someFutureField: { enabled: true },
      containerDefinitions: [
        { name: 'web', image: 'nginx:1', portMappings: [{ containerPort: 8080 }], futureContainerField: 'x' },
        {
          name: 'api',
          image: 'api:1',
          environment: [
            { name: 'B', value: '2' },
            { name: 'A', value: '1' }
          ]
        }
      ]
    },
    'test'
  );

describe('task definition documents', () => {
  it('applies images, environment and secrets per container and keeps unknown fields', () => {
    const out = applyContainerUpdates(base(), {
      images: [
        { key: 'api', value: '123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:' + 'a'.repeat(64) }
      ],
      environment: [
        { key: 'api.A', value: 'changed' },
        { key: 'web.NEW', value: 'n' }
      ],
      secrets: [{ key: 'api.DB', value: 'arn:aws:ssm:us-east-1:123456789012:parameter/db' }]
    });
    const api = out.containerDefinitions.find((c) => c.name === 'api')!;
    expect(api.image).toContain('@sha256:');
    expect(api.environment).toEqual([
      { name: 'B', value: '2' },
      { name: 'A', value: 'changed' }
    ]);
    expect(api.secrets).toEqual([
      { name: 'DB', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/db' }
    ]);
    expect(out.containerDefinitions[0]!.environment).toEqual([{ name: 'NEW', value: 'n' }]);
    expect(out.someFutureField).toEqual({ enabled: true });
    expect(out.containerDefinitions[0]!.futureContainerField).toBe('x');
  });

  it('names the containers when an update targets an unknown one', () => {
    expect(() => applyContainerUpdates(base(), { images: [{ key: 'worker', value: 'x:1' }] })).toThrow(
      /no container named "worker".*its containers are: web, api/
    );
  });

  it('rejects an image that is not a reference', () => {
    expect(() => applyContainerUpdates(base(), { images: [{ key: 'api', value: 'Not An Image' }] })).toThrow(
      ConfigurationError
    );
  });

  it('strips read-only fields and unwraps describe-task-definition output', () => {
    const doc = asTaskDefinition(
      {
        taskDefinition: {
          family: 'x',
          revision: 3,
          status: 'ACTIVE',
          taskDefinitionArn: 'arn',
          containerDefinitions: [{ name: 'a', image: 'a:1' }]
        }
      },
      'test'
    );
    expect(doc).toEqual({ family: 'x', containerDefinitions: [{ name: 'a', image: 'a:1' }] });
  });

  it('reads YAML files and reports bad ones by name', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'td-'));
    writeFileSync(
      path.join(dir, 'td.yml'),
      'family: y\ncontainerDefinitions:\n  - name: a\n    image: a:1\n'
    );
    expect(loadTaskDefinitionFile(path.join(dir, 'td.yml')).family).toBe('y');
    writeFileSync(path.join(dir, 'bad.json'), '{ nope');
    expect(() => loadTaskDefinitionFile(path.join(dir, 'bad.json'))).toThrow(/bad\.json.*is not valid JSON/);
    expect(() => loadTaskDefinitionFile(path.join(dir, 'missing.json'))).toThrow(/cannot read/);
  });
});

describe('normalised comparison', () => {
  it('treats what ECS returns after registering as equal to what was sent', () => {
    const sent = base();
    const returned = {
      ...structuredClone(sent),
      cpu: '256',
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:1',
      revision: 1,
      status: 'ACTIVE',
      requiresAttributes: [{ name: 'x' }],
      compatibilities: ['EC2', 'FARGATE'],
      containerDefinitions: [
        {
          name: 'api',
          image: 'api:1',
          cpu: 0,
          essential: true,
          environment: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' }
          ],
          mountPoints: [],
          volumesFrom: []
        },
        {
          name: 'web',
          image: 'nginx:1',
          cpu: 0,
          essential: true,
          portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }],
          futureContainerField: 'x'
        }
      ]
    };
    expect(sameTaskDefinition(returned, sent)).toBe(true);
  });

  it('sees a changed image and names the field in the diff', () => {
    const changed = applyContainerUpdates(base(), { images: [{ key: 'web', value: 'nginx:2' }] });
    expect(sameTaskDefinition(base(), changed)).toBe(false);
    expect(diffTaskDefinitions(base(), changed)).toEqual([
      { path: 'containerDefinitions[web].image', before: '"nginx:1"', after: '"nginx:2"' }
    ]);
  });
});

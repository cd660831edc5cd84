/**
 * The type check of task definition files against botocore's RegisterTaskDefinitionRequest shapes: wrong
 * JSON types of known fields are errors naming the file, the JSON path, the value and what is valid; unknown
 * fields pass; enum values outside the model warn; the committed model is what the venv's botocore gives.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkTaskDefinitionShape, MODEL_SOURCE } from '../../src/ecs/task-definition-shape.js';
import { ConfigurationError } from '../../src/lib/errors.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
type Doc = Record<string, unknown> & { containerDefinitions: Record<string, unknown>[] };
const doc = (): Doc => ({
  family: 'app',
  cpu: '256',
  memory: '512',
  containerDefinitions: [
    {
      name: 'api',
      image: 'api:1',
      essential: true,
      environment: [{ name: 'A', value: 'b' }],
      portMappings: [{ containerPort: 8000, protocol: 'tcp' }],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/app' } }
    }
  ]
});
const check = (edit: (d: Doc) => void) => {
  const d = doc();
  edit(d);
  return { doc: d, ...checkTaskDefinitionShape(d, '"td.json"') };
};
const refused = (edit: (d: Doc) => void) => {
  try {
    check(edit);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).input).toBe('task-definition');
    return (error as Error).message;
  }
  throw new Error('accepted');
};
const api = (d: Doc) => d.containerDefinitions[0]!;

describe('checkTaskDefinitionShape', () => {
  it('accepts a valid task definition and passes unknown fields through', () => {
    const { doc: d, warnings } = check((d) => {
      d.futureTopLevel = { on: true };
      api(d).futureContainerField = 42;
    });
    expect(warnings).toEqual([]);
    expect(d.futureTopLevel).toEqual({ on: true });
  });

  it.each([
    [
      'environment as a string',
      (d: Doc) => void (api(d).environment = 'A=B'),
      'task-definition: "td.json" has containerDefinitions[api].environment = "A=B" (a string); expected a list of {name, value} objects.'
    ],
    [
      'memory "lots"',
      (d: Doc) => void (d.memory = 'lots'),
      'task-definition: "td.json" has memory = "lots" (a string); expected MiB as a whole number (512, 2048) or GB as a string ("1 GB", "2GB").'
    ],
    [
      'cpu "fast"',
      (d: Doc) => void (d.cpu = 'fast'),
      'task-definition: "td.json" has cpu = "fast" (a string); expected CPU units as a whole number (256, 1024) or vCPUs as a string ("0.25 vCPU", "1 vcpu").'
    ],
    [
      'a port as a string',
      (d: Doc) => void ((api(d).portMappings as Record<string, unknown>[])[0]!.containerPort = '8000'),
      'task-definition: "td.json" has containerDefinitions[api].portMappings[0].containerPort = "8000" (a string); expected a whole number (a JSON number, not a string).'
    ],
    [
      'essential "yes"',
      (d: Doc) => void (api(d).essential = 'yes'),
      'task-definition: "td.json" has containerDefinitions[api].essential = "yes" (a string); expected a boolean (true or false).'
    ],
    [
      'a secret without valueFrom',
      (d: Doc) => void (api(d).secrets = [{ name: 'X' }]),
      'task-definition: "td.json" has containerDefinitions[api].secrets[X] = {"name":"X"} (an object); expected a {name, valueFrom} object with its required valueFrom.'
    ],
    [
      'a log option that is a number',
      (d: Doc) => void ((api(d).logConfiguration as { options: Record<string, unknown> }).options.mode = 1),
      'task-definition: "td.json" has containerDefinitions[api].logConfiguration.options.mode = 1 (a number); expected a string.'
    ],
    [
      'tags as a mapping',
      (d: Doc) => void (d.tags = { team: 'web' }),
      'task-definition: "td.json" has tags = {"team":"web"} (an object); expected a list of {key, value} objects.'
    ]
  ])('refuses %s', (_what, edit, message) => {
    expect(refused(edit)).toBe(message);
  });

  it('masks credentials in the value it quotes', () => {
    const message = refused(
      (d) => void (api(d).environment = 'DATABASE_URL=postgres://app:Pw-S3cret-x@db/app')
    );
    expect(message).toContain('postgres://app:***@db/app');
    expect(message).not.toContain('Pw-S3cret-x');
  });

  it('writes a numeric task cpu and memory back as the strings the API takes', () => {
    const { doc: d } = check((d) => {
      d.cpu = 1024;
      d.memory = 2048;
    });
    expect([d.cpu, d.memory]).toEqual(['1024', '2048']);
    expect(check((d) => void (d.cpu = '0.5 vCPU')).doc.cpu).toBe('0.5 vCPU');
    expect(check((d) => void (d.memory = '1 GB')).doc.memory).toBe('1 GB');
  });

  it('warns about an enum value the model does not know, since ECS adds values', () => {
    const { warnings } = check((d) => void (d.networkMode = 'awsvpc2'));
    expect(warnings).toEqual([
      `task-definition: "td.json" has networkMode = "awsvpc2", which is not one of bridge, host, awsvpc, none (${MODEL_SOURCE}); ECS may refuse it.`
    ]);
  });
});

describe('the committed model', () => {
  const venv = existsSync(path.join(ROOT, '.venv', 'lib'));
  (venv ? it : it.skip)('is what scripts/gen-ecs-shapes.mjs extracts from the venv botocore', () => {
    expect(() =>
      execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'gen-ecs-shapes.mjs'), '--check'], {
        stdio: 'pipe'
      })
    ).not.toThrow();
  });
});

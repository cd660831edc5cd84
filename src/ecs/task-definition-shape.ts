/**
 * Checks the JSON types of the fields of a task definition that ECS's RegisterTaskDefinition model knows,
 * before anything is registered, so that `environment: "A=B"` or `memory: "lots"` is a clear error naming
 * the file, the JSON path and the value instead of a registration ECS refuses (or, worse, one it accepts in
 * a form nobody meant). Fields the model does not know pass through untouched: ECS adds fields often, and
 * this toolkit sends the document as it is (raw-json.ts).
 *
 * The model is botocore's (src/ecs/task-definition-model.json, extracted by scripts/gen-ecs-shapes.mjs), read
 * as data; no Python runs. Rules, per botocore shape type:
 * - structure: a JSON object; its `required` members must be present; unknown members pass;
 * - list: a JSON array; map: a JSON object of the value type; string: a JSON string; integer and long: a
 *   whole JSON number (`"512"` is refused: the API takes a number); boolean: true or false; double: a number;
 * - enum strings: a value outside botocore's list is a warning, not an error, because AWS adds values (a
 *   newer ECS may accept what this model does not know yet).
 * - the task-level `cpu` and `memory` (strings in the API) also accept a JSON number, which is written back
 *   as its string, and must have the documented forms: cpu `256` (CPU units) or `0.25 vCPU`; memory `512`
 *   (MiB) or `1 GB` / `1GB`.
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html#ECS-RegisterTaskDefinition-request-cpu
 */
import model from './task-definition-model.json' with { type: 'json' };
import { ConfigurationError, show } from '../lib/errors.js';
import { redactCredentials } from '../lib/secrets.js';

interface Shape {
  type: string;
  members?: Record<string, string>;
  required?: string[];
  member?: string;
  key?: string;
  value?: string;
  enum?: string[];
}

const SHAPES = model.shapes as Record<string, Shape>;

/** Where botocore's model came from (`botocore 1.44.8, ecs 2014-11-13`), for messages and docs. */
export const MODEL_SOURCE = model.source;

/** The documented forms of the task-level cpu and memory strings. */
const TASK_SIZE: Record<'cpu' | 'memory', { pattern: RegExp; doc: string }> = {
  cpu: {
    pattern: /^(\d+|\d+(\.\d+)?\s?vcpu)$/i,
    doc: 'CPU units as a whole number (256, 1024) or vCPUs as a string ("0.25 vCPU", "1 vcpu")'
  },
  memory: {
    pattern: /^(\d+|\d+(\.\d+)?\s?gb)$/i,
    doc: 'MiB as a whole number (512, 2048) or GB as a string ("1 GB", "2GB")'
  }
};

/** What a value of the shape is, as a noun phrase without an article, singular and plural. */
function noun(shapeName: string): { one: string; many: string } {
  const shape = SHAPES[shapeName]!;
  switch (shape.type) {
    case 'structure': {
      const names = Object.keys(shape.members ?? {});
      const what = names.length <= 4 ? `{${names.join(', ')}} object` : `${shapeName} object`;
      return { one: what, many: `${what}s` };
    }
    case 'list':
      return { one: `list of ${noun(shape.member!).many}`, many: `lists of ${noun(shape.member!).many}` };
    case 'map':
      return {
        one: `object whose values are ${noun(shape.value!).many}`,
        many: `objects whose values are ${noun(shape.value!).many}`
      };
    case 'integer':
    case 'long':
      return { one: 'whole number (a JSON number, not a string)', many: 'whole numbers' };
    case 'double':
    case 'float':
      return { one: 'number', many: 'numbers' };
    case 'boolean':
      return { one: 'boolean (true or false)', many: 'booleans' };
    default:
      return { one: 'string', many: 'strings' };
  }
}

function expected(shapeName: string): string {
  const { one } = noun(shapeName);
  return `${/^[aeio{]/.test(one) ? 'an' : 'a'} ${one}`.replace(/^an \{/, 'a {');
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** What a check reports besides errors. */
export interface ShapeReport {
  /** Values outside botocore's enum lists, one sentence each. */
  warnings: string[];
}

/**
 * Checks `doc` (a task definition, read-only fields already stripped) against RegisterTaskDefinitionRequest,
 * in place: a numeric task-level `cpu`/`memory` becomes its string. Values quoted in messages have their
 * credential-shaped parts masked (src/lib/secrets.ts).
 * @param source the file (quoted) or `service NAME`, for messages.
 * @param input the action input that named the file.
 * @throws ConfigurationError naming the file, the JSON path, the value and what is valid.
 */
export function checkTaskDefinitionShape(
  doc: Record<string, unknown>,
  source: string,
  input = 'task-definition'
): ShapeReport {
  const warnings: string[] = [];
  const fail = (path: string, value: unknown, valid: string) =>
    new ConfigurationError(
      `${input}: ${source} has ${path} = ${redactCredentials(show(value))} (${kindOf(value)}); expected ${valid}.`,
      input
    );

  for (const field of ['cpu', 'memory'] as const) {
    const value = doc[field];
    if (value === undefined) continue;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) doc[field] = String(value);
    else if (typeof value !== 'string' || !TASK_SIZE[field].pattern.test(value.trim()))
      throw fail(field, value, TASK_SIZE[field].doc);
  }

  const visit = (value: unknown, shapeName: string, path: string): void => {
    const shape = SHAPES[shapeName];
    if (!shape || value === null || value === undefined) return;
    switch (shape.type) {
      case 'structure': {
        if (typeof value !== 'object' || Array.isArray(value)) throw fail(path, value, expected(shapeName));
        const object = value as Record<string, unknown>;
        for (const name of shape.required ?? []) {
          if (object[name] === undefined)
            throw fail(path, value, `${expected(shapeName)} with its required ${name}`);
        }
        for (const [name, member] of Object.entries(shape.members ?? {})) {
          if (object[name] !== undefined) visit(object[name], member, path ? `${path}.${name}` : name);
        }
        return;
      }
      case 'list': {
        if (!Array.isArray(value)) throw fail(path, value, expected(shapeName));
        value.forEach((item, i) => {
          const name = (item as { name?: unknown } | null)?.name;
          visit(item, shape.member!, `${path}[${typeof name === 'string' && name ? name : i}]`);
        });
        return;
      }
      case 'map': {
        if (typeof value !== 'object' || Array.isArray(value)) throw fail(path, value, expected(shapeName));
        for (const [key, item] of Object.entries(value as Record<string, unknown>))
          visit(item, shape.value!, `${path}.${key}`);
        return;
      }
      case 'integer':
      case 'long':
        if (typeof value !== 'number' || !Number.isInteger(value))
          throw fail(path, value, expected(shapeName));
        return;
      case 'double':
      case 'float':
        if (typeof value !== 'number') throw fail(path, value, expected(shapeName));
        return;
      case 'boolean':
        if (typeof value !== 'boolean') throw fail(path, value, expected(shapeName));
        return;
      case 'string':
        if (typeof value !== 'string') throw fail(path, value, expected(shapeName));
        if (shape.enum && !shape.enum.includes(value)) {
          warnings.push(
            `${input}: ${source} has ${path} = ${redactCredentials(show(value))}, which is not one of ${shape.enum.join(', ')} (${MODEL_SOURCE}); ECS may refuse it.`
          );
        }
        return;
      default:
        return;
    }
  };
  const root = SHAPES[model.root]!;
  for (const [name, member] of Object.entries(root.members ?? {})) {
    if (name === 'cpu' || name === 'memory') continue;
    if (doc[name] !== undefined) visit(doc[name], member, name);
  }
  return { warnings };
}

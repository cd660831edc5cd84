/**
 * botocore's service models (the JSON the AWS CLI and boto3 are generated from), loaded from the project venv
 * that `scripts/setup.sh` installs, and a validator of wire-format JSON against them: unknown members, wrong
 * types, enum values, required members and min/max constraints, the checks botocore's own ParamValidator runs
 * before it sends a request. The ECS simulator validates every request with it (as ECS validates input), and
 * the conformance tests validate the toolkit's requests and the simulator's responses with it.
 *
 * Model format: https://github.com/boto/botocore/tree/develop/botocore/data (`service-2.json`); wire format of
 * the JSON 1.1 protocol (timestamps are epoch seconds): https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { projectRoot } from './moto.js';

/** One shape of a botocore model (the members this validator reads). */
export interface ModelShape {
  type: string;
  members?: Record<string, { shape: string }>;
  required?: string[];
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  min?: number;
  max?: number;
  document?: boolean;
  union?: boolean;
  exception?: boolean;
}

/** What is wrong at one place of a document. */
export interface ModelProblem {
  /** Where: `containerDefinitions[0].portMappings[1].protocol`; empty for the document itself. */
  path: string;
  kind: 'unknown member' | 'wrong type' | 'enum' | 'required' | 'range';
  /** Human-readable detail, e.g. `"TCP" is not one of tcp, udp`. */
  detail: string;
}

/** A parsed botocore service model. */
export interface ServiceModel {
  metadata: Record<string, unknown>;
  operations: Record<string, { input?: { shape: string }; output?: { shape: string } }>;
  shapes: Record<string, ModelShape>;
}

const cache = new Map<string, ServiceModel>();

/**
 * Finds `botocore/data/<service>/<version>/service-2.json(.gz)` in the project venv's site-packages.
 * @throws Error naming `scripts/setup.sh` when the venv or the model is missing.
 */
export function botocoreModelPath(service: string, version: string, root = projectRoot): string {
  const lib = path.join(root, '.venv', 'lib');
  const pythons = existsSync(lib) ? readdirSync(lib).filter((d) => d.startsWith('python')) : [];
  for (const python of pythons) {
    const dir = path.join(lib, python, 'site-packages', 'botocore', 'data', service, version);
    for (const file of ['service-2.json.gz', 'service-2.json']) {
      if (existsSync(path.join(dir, file))) return path.join(dir, file);
    }
  }
  throw new Error(
    `botocore's ${service} ${version} model is not in ${lib}/python*/site-packages; run \`bash scripts/setup.sh\`.`
  );
}

/**
 * Loads (once per process) botocore's model of `service`, e.g. `loadBotocoreModel('ecs', '2014-11-13')`.
 * @throws Error when the model cannot be found or parsed.
 */
export function loadBotocoreModel(service: string, version: string): ServiceModel {
  const key = `${service}/${version}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const file = botocoreModelPath(service, version);
  const bytes = readFileSync(file);
  const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  const model = JSON.parse(text) as ServiceModel;
  cache.set(key, model);
  return model;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const join = (base: string, key: string): string => (base ? `${base}.${key}` : key);

/**
 * Validates `value` against shape `shapeName` of `model`; returns every problem found (empty when it conforms).
 * `allowUnknown(path)` may excuse unknown members at chosen paths (and everything below them).
 */
export function checkShape(
  model: ServiceModel,
  shapeName: string,
  value: unknown,
  at = '',
  allowUnknown: (path: string) => boolean = () => false
): ModelProblem[] {
  const out: ModelProblem[] = [];
  const walk = (name: string, v: unknown, p: string): void => {
    const shape = model.shapes[name];
    if (!shape) {
      out.push({ path: p, kind: 'wrong type', detail: `the model has no shape ${name}` });
      return;
    }
    if (v === null) return; // JSON null reads as "absent" in AWS JSON protocols
    const wrong = (expected: string): void => {
      out.push({ path: p, kind: 'wrong type', detail: `expected ${expected}, got ${JSON.stringify(v)}` });
    };
    switch (shape.type) {
      case 'structure': {
        if (shape.document) return; // a JSON document: anything goes
        if (!isObject(v)) return wrong('an object');
        for (const req of shape.required ?? []) {
          if (v[req] === undefined || v[req] === null) {
            out.push({ path: join(p, req), kind: 'required', detail: `${join(p, req)} is required` });
          }
        }
        const members = shape.members ?? {};
        for (const [key, child] of Object.entries(v)) {
          const member = members[key];
          if (!member) {
            if (!allowUnknown(join(p, key)))
              out.push({
                path: join(p, key),
                kind: 'unknown member',
                detail: `${name} has no member ${key}`
              });
            continue;
          }
          walk(member.shape, child, join(p, key));
        }
        if (shape.union && Object.keys(v).filter((k) => v[k] !== undefined).length > 1) {
          out.push({ path: p, kind: 'wrong type', detail: `${name} is a union: set exactly one member` });
        }
        return;
      }
      case 'list': {
        if (!Array.isArray(v)) return wrong('a list');
        checkLength(v.length, shape, p, out);
        v.forEach((item, i) => walk(shape.member!.shape, item, `${p}[${i}]`));
        return;
      }
      case 'map': {
        if (!isObject(v)) return wrong('a map');
        for (const [k, child] of Object.entries(v)) {
          walk(shape.key!.shape, k, `${p}{key}`);
          walk(shape.value!.shape, child, `${p}.${k}`);
        }
        return;
      }
      case 'string': {
        if (typeof v !== 'string') return wrong('a string');
        if (shape.enum && !shape.enum.includes(v)) {
          out.push({
            path: p,
            kind: 'enum',
            detail: `${JSON.stringify(v)} is not one of ${shape.enum.join(', ')}`
          });
        }
        checkLength(v.length, shape, p, out);
        return;
      }
      case 'integer':
      case 'long':
        if (typeof v !== 'number' || !Number.isInteger(v)) return wrong('an integer');
        return checkRange(v, shape, p, out);
      case 'double':
      case 'float':
        if (typeof v !== 'number' || !Number.isFinite(v)) return wrong('a number');
        return checkRange(v, shape, p, out);
      case 'boolean':
        if (typeof v !== 'boolean') return wrong('a boolean');
        return;
      case 'timestamp':
        // JSON 1.1 sends timestamps as epoch seconds (a number, fractions allowed).
        if (typeof v !== 'number' || !Number.isFinite(v)) return wrong('epoch seconds (a number)');
        return;
      case 'blob':
        if (typeof v !== 'string') return wrong('a base64 string');
        return;
      default:
        return;
    }
  };
  walk(shapeName, value, at);
  return out;
}

function checkRange(v: number, shape: ModelShape, p: string, out: ModelProblem[]): void {
  if ((shape.min !== undefined && v < shape.min) || (shape.max !== undefined && v > shape.max)) {
    out.push({
      path: p,
      kind: 'range',
      detail: `${v} is outside [${shape.min ?? '-∞'}, ${shape.max ?? '∞'}]`
    });
  }
}

function checkLength(n: number, shape: ModelShape, p: string, out: ModelProblem[]): void {
  if ((shape.min !== undefined && n < shape.min) || (shape.max !== undefined && n > shape.max)) {
    out.push({
      path: p,
      kind: 'range',
      detail: `length ${n} is outside [${shape.min ?? 0}, ${shape.max ?? '∞'}]`
    });
  }
}

/**
 * Validates the request (`input`) or response (`output`) body of `operation`.
 * @returns the problems; an unknown operation is one problem.
 */
export function operationProblems(
  model: ServiceModel,
  operation: string,
  direction: 'input' | 'output',
  body: unknown,
  allowUnknown?: (path: string) => boolean
): ModelProblem[] {
  const op = model.operations[operation];
  if (!op) return [{ path: '', kind: 'unknown member', detail: `the model has no operation ${operation}` }];
  const ref = op[direction];
  if (!ref) {
    const empty = isObject(body) && Object.keys(body).length === 0;
    return empty || body === undefined
      ? []
      : [{ path: '', kind: 'unknown member', detail: `${operation} has no ${direction} members` }];
  }
  return checkShape(model, ref.shape, body, '', allowUnknown);
}

/**
 * A copy of `value` with every member the shape does not model removed (what an AWS JSON service does with
 * members it does not know: it ignores them).
 */
export function pruneUnknown(model: ServiceModel, shapeName: string, value: unknown): unknown {
  const shape = model.shapes[shapeName];
  if (!shape || value === null || value === undefined) return value;
  if (shape.type === 'structure' && !shape.document && isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const member = shape.members?.[key];
      if (member) out[key] = pruneUnknown(model, member.shape, child);
    }
    return out;
  }
  if (shape.type === 'list' && Array.isArray(value)) {
    return value.map((item) => pruneUnknown(model, shape.member!.shape, item));
  }
  if (shape.type === 'map' && isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(value)) out[k] = pruneUnknown(model, shape.value!.shape, child);
    return out;
  }
  return value;
}

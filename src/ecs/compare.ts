/**
 * Normalised comparison of task definitions, so that registering the same content twice is detected even
 * though ECS fills in defaults (essential, cpu 0, protocol tcp, hostPort, empty lists) and returns lists in
 * its own order; and a readable diff for the job summary.
 */
import { stripReadOnly, type TaskDefinitionDoc } from './task-definition.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function prune(value: unknown): Json | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(prune).filter((v): v is Json => v !== undefined);
    return items.length ? items : undefined;
  }
  if (typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const key of Object.keys(value as object).sort()) {
      const v = prune((value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value as Json;
}

const byName = (a: { name?: unknown }, b: { name?: unknown }) => String(a.name).localeCompare(String(b.name));

/**
 * Returns the comparable form of a task definition: read-only fields and tags removed, ECS defaults made
 * explicit, name-keyed lists sorted, empty values dropped, numbers for cpu/memory as strings.
 */
export function normalizeTaskDefinition(doc: Record<string, unknown>): Record<string, Json> {
  const copy = structuredClone(stripReadOnly(doc)) as Record<string, unknown>;
  delete copy.tags;
  for (const field of ['cpu', 'memory'])
    if (typeof copy[field] === 'number') copy[field] = String(copy[field]);
  const awsvpc = copy.networkMode === 'awsvpc';
  const containers = (copy.containerDefinitions as Record<string, unknown>[] | undefined) ?? [];
  for (const c of containers) {
    if (c.essential === undefined) c.essential = true;
    if (c.cpu === 0) delete c.cpu;
    if (Array.isArray(c.environment)) c.environment = [...(c.environment as { name: string }[])].sort(byName);
    if (Array.isArray(c.secrets)) c.secrets = [...(c.secrets as { name: string }[])].sort(byName);
    if (Array.isArray(c.portMappings)) {
      for (const p of c.portMappings as Record<string, unknown>[]) {
        if (p.protocol === undefined) p.protocol = 'tcp';
        if (awsvpc && p.hostPort === undefined && p.containerPort !== undefined) p.hostPort = p.containerPort;
      }
    }
  }
  copy.containerDefinitions = [...containers].sort(byName);
  return (prune(copy) ?? {}) as Record<string, Json>;
}

/** True when the two task definitions register the same thing. */
export function sameTaskDefinition(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return JSON.stringify(normalizeTaskDefinition(a)) === JSON.stringify(normalizeTaskDefinition(b));
}

function flatten(value: Json | undefined, path: string, out: Map<string, string>): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const key =
        item && typeof item === 'object' && !Array.isArray(item) && typeof item.name === 'string'
          ? item.name
          : String(i);
      flatten(item, `${path}[${key}]`, out);
    });
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, out);
  } else {
    out.set(path, JSON.stringify(value));
  }
}

/** One changed leaf of a task definition: `before`/`after` are JSON texts, undefined when absent. */
export interface FieldChange {
  path: string;
  before?: string;
  after?: string;
}

/**
 * Leaf-level differences from `before` to `after` (after normalisation), paths like
 * `containerDefinitions[api].environment[LOG_LEVEL].value`, sorted by path.
 */
export function diffTaskDefinitions(
  before: Record<string, unknown> | undefined,
  after: TaskDefinitionDoc | Record<string, unknown>
): FieldChange[] {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  if (before) flatten(normalizeTaskDefinition(before), '', a);
  flatten(normalizeTaskDefinition(after), '', b);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((p) => a.get(p) !== b.get(p))
    .map((path) => ({ path, before: a.get(path), after: b.get(path) }));
}

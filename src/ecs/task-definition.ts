/**
 * Task definition documents: loading them from files, stripping the fields ECS adds on registration, and
 * applying per-container image, environment and secret updates. A document is kept as plain JSON so that
 * fields this toolkit does not know pass through untouched.
 *
 * Shapes follow RegisterTaskDefinition:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigurationError, messageOf, show } from '../lib/errors.js';
import type { KeyValue } from '../lib/lines.js';
import { checkTaskDefinitionShape } from './task-definition-shape.js';

/** A container definition; unknown fields are kept. */
export interface ContainerDefinitionDoc {
  name: string;
  image: string;
  environment?: { name: string; value: string }[];
  secrets?: { name: string; valueFrom: string }[];
  [field: string]: unknown;
}

/** A task definition as sent to RegisterTaskDefinition; unknown fields are kept. */
export interface TaskDefinitionDoc {
  family: string;
  containerDefinitions: ContainerDefinitionDoc[];
  [field: string]: unknown;
}

/** Fields DescribeTaskDefinition returns that RegisterTaskDefinition does not accept. */
export const READ_ONLY_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt'
] as const;

/** Returns a copy of `doc` without the read-only fields ECS adds. */
export function stripReadOnly(doc: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...doc };
  for (const field of READ_ONLY_FIELDS) delete copy[field];
  return copy;
}

/**
 * Checks that `value` is a registrable task definition and returns it typed: family and containers, then the
 * JSON types of every field ECS's model knows (task-definition-shape.ts; unknown fields pass through).
 * @param source where it came from, for messages (a file path or "service NAME").
 * @param warn receives the warnings of the shape check (values outside the model's enum lists).
 * @throws ConfigurationError when family or containerDefinitions are missing or malformed, or a known field
 *   has the wrong type (naming the JSON path and the value).
 */
export function asTaskDefinition(
  value: unknown,
  source: string,
  input = 'task-definition',
  warn: (message: string) => void = () => undefined
): TaskDefinitionDoc {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigurationError(`${input}: ${source} is not a JSON/YAML object.`, input);
  }
  let doc = value as Record<string, unknown>;
  // Accept the output of `aws ecs describe-task-definition` as it is.
  if (doc.taskDefinition && typeof doc.taskDefinition === 'object' && !doc.containerDefinitions) {
    doc = doc.taskDefinition as Record<string, unknown>;
  }
  doc = stripReadOnly(doc);
  if (typeof doc.family !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(doc.family)) {
    throw new ConfigurationError(
      `${input}: ${source} has family ${show(doc.family)}; expected up to 255 letters, numbers, hyphens and underscores.`,
      input
    );
  }
  const containers = doc.containerDefinitions;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw new ConfigurationError(
      `${input}: ${source} has no containerDefinitions (a non-empty list).`,
      input
    );
  }
  containers.forEach((c: unknown, i) => {
    const container = c as Record<string, unknown> | null;
    if (!container || typeof container.name !== 'string' || !container.name) {
      throw new ConfigurationError(`${input}: ${source} containerDefinitions[${i}] has no name.`, input);
    }
    if (typeof container.image !== 'string' || !container.image) {
      throw new ConfigurationError(
        `${input}: ${source} container ${show(container.name)} has no image.`,
        input
      );
    }
  });
  for (const warning of checkTaskDefinitionShape(doc, source, input).warnings) warn(warning);
  return doc as TaskDefinitionDoc;
}

/**
 * Reads a task definition file (JSON, or YAML when the name ends in .yml/.yaml or JSON fails to parse).
 * @throws ConfigurationError naming the file when it is missing, unreadable, unparsable or not a task definition.
 */
export function loadTaskDefinitionFile(
  file: string,
  input = 'task-definition',
  warn: (message: string) => void = () => undefined
): TaskDefinitionDoc {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigurationError(
      `${input}: cannot read ${show(file)} (${messageOf(error)}); give the path of a JSON or YAML task definition file.`,
      input
    );
  }
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(
      `${input}: ${show(file)} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${messageOf(error)}`,
      input
    );
  }
  return asTaskDefinition(value, show(file), input, warn);
}

/** Per-container updates: `images` by container name; `environment`/`secrets` as `container.NAME`. */
export interface ContainerUpdates {
  images?: KeyValue[];
  environment?: KeyValue[];
  secrets?: KeyValue[];
}

const IMAGE_PATTERN =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** True when `image` is a valid image reference (registry/repository with a tag and/or an `@sha256:` digest). */
export function isImageReference(image: string): boolean {
  return IMAGE_PATTERN.test(image) && image.length <= 1024;
}

function containerNamed(doc: TaskDefinitionDoc, name: string, input: string): ContainerDefinitionDoc {
  const container = doc.containerDefinitions.find((c) => c.name === name);
  if (!container) {
    const names = doc.containerDefinitions.map((c) => c.name).join(', ');
    throw new ConfigurationError(
      `${input}: no container named ${show(name)} in task definition family ${show(doc.family)}; its containers are: ${names}.`,
      input
    );
  }
  return container;
}

function splitContainerKey(key: string, input: string): { container: string; name: string } {
  const dot = key.indexOf('.');
  if (dot <= 0 || dot === key.length - 1) {
    throw new ConfigurationError(
      `${input}: ${show(key)} must be CONTAINER.NAME=value (for example api.LOG_LEVEL=debug).`,
      input
    );
  }
  return { container: key.slice(0, dot), name: key.slice(dot + 1) };
}

/**
 * Returns a copy of `doc` with the updates applied. Environment and secret entries replace an entry of the
 * same name in that container, or are added; other fields are untouched.
 * @throws ConfigurationError for an unknown container (listing the task definition's containers), a bad
 *   image reference, or a key that is not CONTAINER.NAME.
 */
export function applyContainerUpdates(doc: TaskDefinitionDoc, updates: ContainerUpdates): TaskDefinitionDoc {
  const copy = structuredClone(doc);
  for (const { key, value } of updates.images ?? []) {
    const container = containerNamed(copy, key, 'images');
    if (!isImageReference(value)) {
      throw new ConfigurationError(
        `images: ${show(value)} for container ${show(key)} is not an image reference; expected REGISTRY/REPOSITORY:TAG or REPOSITORY@sha256:DIGEST.`,
        'images'
      );
    }
    container.image = value;
  }
  for (const { key, value } of updates.environment ?? []) {
    const { container: name, name: variable } = splitContainerKey(key, 'environment');
    const container = containerNamed(copy, name, 'environment');
    const list = (container.environment ??= []);
    const existing = list.find((e) => e.name === variable);
    if (existing) existing.value = value;
    else list.push({ name: variable, value });
  }
  for (const { key, value } of updates.secrets ?? []) {
    const { container: name, name: variable } = splitContainerKey(key, 'secrets');
    const container = containerNamed(copy, name, 'secrets');
    if (!/^(arn:aws[\w-]*:(ssm|secretsmanager):|[\w./-]+$)/.test(value)) {
      throw new ConfigurationError(
        `secrets: ${show(value)} for ${show(key)} is not an SSM parameter or Secrets Manager ARN (or a parameter name).`,
        'secrets'
      );
    }
    const list = (container.secrets ??= []);
    const existing = list.find((e) => e.name === variable);
    if (existing) existing.valueFrom = value;
    else list.push({ name: variable, valueFrom: value });
  }
  return copy;
}

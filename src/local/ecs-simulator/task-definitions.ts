/**
 * Task definition operations: RegisterTaskDefinition, DescribeTaskDefinition, DeregisterTaskDefinition,
 * ListTaskDefinitions (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html
 * and neighbours). Every member botocore's ECS model knows is kept and returned; members it does not know are
 * ignored, as ECS ignores them. ECS's read-only fields are added, container definitions get the defaults ECS
 * fills in, and the task size rules are checked (Fargate: awsvpc, task-level cpu and memory, a supported
 * pair; every task: a memory value for each container when the task has none).
 */
import { clientException, invalidParameter, optionalInt, type EcsApiError } from './errors.js';
import { fargateSizeSupported, parseCpu, parseMemory } from './fargate.js';
import { pruneToShape } from './model.js';
import { type Json, type SimulatorState, type Tag, type TaskDefinitionRecord } from './state.js';
import { decodeToken, encodeToken } from './pagination.js';

const FAMILY = /^[a-zA-Z0-9_-]{1,255}$/;

/** Adds the fields ECS fills in on every container definition when the caller leaves them out. */
function withContainerDefaults(container: Json, networkMode: unknown): Json {
  const out: Json = { ...container };
  out.cpu ??= 0;
  out.essential ??= true;
  out.environment ??= [];
  out.mountPoints ??= [];
  out.volumesFrom ??= [];
  out.systemControls ??= [];
  out.portMappings = (Array.isArray(out.portMappings) ? (out.portMappings as Json[]) : []).map((p) => {
    const mapping: Json = { ...p };
    mapping.protocol ??= 'tcp';
    if (networkMode === 'awsvpc' && mapping.hostPort === undefined) mapping.hostPort = mapping.containerPort;
    return mapping;
  });
  return out;
}

/** The `requiresAttributes` ECS derives from a task definition (the common ones). */
function requiresAttributes(body: Json, containers: Json[]): Json[] {
  const names = new Set<string>();
  if (body.networkMode === 'awsvpc') names.add('ecs.capability.task-eni');
  if (body.taskRoleArn) names.add('com.amazonaws.ecs.capability.task-iam-role');
  for (const c of containers) {
    const log = c.logConfiguration as Json | undefined;
    if (log?.logDriver === 'awslogs') {
      names.add('com.amazonaws.ecs.capability.logging-driver.awslogs');
      if (body.executionRoleArn) names.add('ecs.capability.execution-role-awslogs');
      names.add('com.amazonaws.ecs.capability.docker-remote-api.1.19');
    }
    if (Array.isArray(c.secrets) && c.secrets.length > 0) {
      names.add('ecs.capability.secrets.ssm.environment-variables');
      if ((c.secrets as Json[]).some((s) => String(s.valueFrom).includes(':secretsmanager:'))) {
        names.add('ecs.capability.secrets.asm.environment-variables');
      }
    }
    if (c.healthCheck) names.add('ecs.capability.container-health-check');
    if (c.repositoryCredentials)
      names.add('com.amazonaws.ecs.capability.private-registry-authentication.secretsmanager');
    if (typeof c.image === 'string' && /\.dkr\.ecr\./.test(c.image) && body.executionRoleArn) {
      names.add('com.amazonaws.ecs.capability.ecr-auth');
      names.add('ecs.capability.execution-role-ecr-pull');
    }
  }
  return [...names].map((name) => ({ name }));
}

/**
 * Checks task-level cpu/memory and, for Fargate, network mode and the CPU/memory pair, with ECS's messages
 * (ClientException). Returns cpu and memory as the integer strings ECS stores.
 */
function checkTaskSize(body: Json, containers: Json[]): { cpu?: string; memory?: string } {
  const fargate =
    Array.isArray(body.requiresCompatibilities) && body.requiresCompatibilities.includes('FARGATE');
  const cpuText = typeof body.cpu === 'string' ? body.cpu : undefined;
  const memoryText = typeof body.memory === 'string' ? body.memory : undefined;
  const cpu = cpuText === undefined ? undefined : parseCpu(cpuText);
  const memory = memoryText === undefined ? undefined : parseMemory(memoryText);
  if (cpuText !== undefined && cpu === undefined) throw clientException("Invalid 'cpu' setting for task.");
  if (memoryText !== undefined && memory === undefined)
    throw clientException("Invalid 'memory' setting for task.");
  if (fargate) {
    if ((body.networkMode ?? 'bridge') !== 'awsvpc')
      throw clientException('Fargate only supports network mode \u2018awsvpc\u2019.');
    if (cpu === undefined) throw clientException("Fargate requires that 'cpu' be defined at the task level.");
    if (memory === undefined)
      throw clientException("Fargate requires that 'memory' be defined at the task level.");
    if (!fargateSizeSupported(cpu, memory)) {
      throw clientException(
        `No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. See the Amazon ECS documentation for the valid values.`
      );
    }
  }
  for (const c of containers) {
    if (memory === undefined && c.memory === undefined && c.memoryReservation === undefined) {
      throw clientException(
        `Invalid setting for container '${String(c.name)}'. At least one of 'memory' or 'memoryReservation' must be specified.`
      );
    }
    if (memory !== undefined && typeof c.memory === 'number' && c.memory > memory) {
      throw clientException(
        `The 'memory' setting for container '${String(c.name)}' is greater than for the task.`
      );
    }
  }
  return {
    cpu: cpu === undefined ? undefined : String(cpu),
    memory: memory === undefined ? undefined : String(memory)
  };
}

/**
 * RegisterTaskDefinition: validates `family`, `containerDefinitions[].name/image` and the task size, then
 * stores a new revision (revisions count per family from 1).
 * @returns `{taskDefinition, tags}`
 * @throws ClientException for a missing/invalid family, container definition or task size.
 */
export function registerTaskDefinition(state: SimulatorState, body: Json): Json {
  const family = body.family;
  if (typeof family !== 'string' || family === '') throw clientException('Family must be specified.');
  if (!FAMILY.test(family)) {
    throw clientException(
      'Family contains invalid characters: up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.'
    );
  }
  const containers = body.containerDefinitions;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw clientException('Container list cannot be empty.');
  }
  const names = new Set<string>();
  for (const c of containers as Json[]) {
    if (typeof c?.name !== 'string' || c.name === '')
      throw clientException('Container.name should not be null or empty.');
    if (typeof c.image !== 'string' || c.image === '')
      throw clientException('Container.image should not be null or empty.');
    if (names.has(c.name)) throw clientException(`Duplicate container name found: ${c.name}`);
    names.add(c.name);
  }
  if (body.tags !== undefined && !Array.isArray(body.tags)) throw clientException('tags must be a list.');
  const size = checkTaskSize(body, containers as Json[]);
  const { tags, ...rest } = pruneToShape('RegisterTaskDefinitionRequest', body);
  const revisions = state.taskDefinitions.get(family) ?? [];
  const revision = revisions.length + 1;
  const arn = state.arn(`task-definition/${family}:${revision}`);
  const containerDefinitions = ((rest.containerDefinitions as Json[]) ?? []).map((c) =>
    withContainerDefaults(c, body.networkMode)
  );
  const compatibilities = ['EC2'];
  if (
    body.networkMode === 'awsvpc' &&
    size.cpu !== undefined &&
    size.memory !== undefined &&
    fargateSizeSupported(Number(size.cpu), Number(size.memory))
  ) {
    compatibilities.push('FARGATE');
  }
  if (size.cpu !== undefined) rest.cpu = size.cpu;
  if (size.memory !== undefined) rest.memory = size.memory;
  const taskDefinition: Json = {
    ...rest,
    taskDefinitionArn: arn,
    containerDefinitions,
    family,
    revision,
    volumes: rest.volumes ?? [],
    placementConstraints: rest.placementConstraints ?? [],
    status: 'ACTIVE',
    requiresAttributes: requiresAttributes(body, containerDefinitions),
    compatibilities,
    registeredAt: Date.now() / 1000,
    registeredBy: `arn:aws:iam::${state.options.accountId}:root`
  };
  const record: TaskDefinitionRecord = {
    family,
    revision,
    arn,
    body: taskDefinition,
    tags: (tags as Tag[]) ?? []
  };
  revisions.push(record);
  state.taskDefinitions.set(family, revisions);
  return { taskDefinition, tags: record.tags };
}

/**
 * Finds a task definition by `family` (latest ACTIVE revision), `family:revision` or full ARN.
 * @returns the record, or undefined when there is none.
 */
export function findTaskDefinition(state: SimulatorState, ref: string): TaskDefinitionRecord | undefined {
  const name = ref.startsWith('arn:')
    ? ref.slice(ref.indexOf('task-definition/') + 'task-definition/'.length)
    : ref;
  const [family, revisionText] = name.split(':');
  const revisions = state.taskDefinitions.get(family ?? '') ?? [];
  if (revisionText === undefined) {
    if (ref.startsWith('arn:')) return undefined;
    return [...revisions].reverse().find((r) => r.body.status === 'ACTIVE');
  }
  return revisions.find((r) => String(r.revision) === revisionText);
}

/**
 * Resolves the task definition a service or RunTask uses; it must exist and be ACTIVE.
 * @throws InvalidParameterException "TaskDefinition not found." / "TaskDefinition is inactive".
 */
export function activeTaskDefinition(
  state: SimulatorState,
  ref: string,
  make: (message: string) => EcsApiError = invalidParameter
): TaskDefinitionRecord {
  const record = findTaskDefinition(state, ref);
  if (!record) throw make('TaskDefinition not found.');
  if (record.body.status !== 'ACTIVE') throw make('TaskDefinition is inactive');
  return record;
}

/**
 * DescribeTaskDefinition; `include: ["TAGS"]` adds the tags.
 * @throws ClientException "Unable to describe task definition." when it does not exist.
 */
export function describeTaskDefinition(state: SimulatorState, body: Json): Json {
  const ref = body.taskDefinition;
  if (typeof ref !== 'string' || ref === '') throw clientException('taskDefinition must be specified.');
  const record = findTaskDefinition(state, ref);
  if (!record) throw clientException('Unable to describe task definition.');
  const out: Json = { taskDefinition: record.body };
  if (Array.isArray(body.include) && body.include.includes('TAGS')) out.tags = record.tags;
  return out;
}

/**
 * DeregisterTaskDefinition: the revision becomes INACTIVE (still describable by revision or ARN).
 * @throws ClientException when the revision does not exist or no revision is given.
 */
export function deregisterTaskDefinition(state: SimulatorState, body: Json): Json {
  const ref = body.taskDefinition;
  if (typeof ref !== 'string' || ref === '') throw clientException('taskDefinition must be specified.');
  if (!/:\d+$/.test(ref))
    throw clientException('A revision must be specified: family:revision or the full ARN.');
  const record = findTaskDefinition(state, ref);
  if (!record) throw clientException('The specified task definition does not exist.');
  record.body.status = 'INACTIVE';
  record.body.deregisteredAt ??= Date.now() / 1000;
  return { taskDefinition: record.body };
}

/**
 * ListTaskDefinitions: `familyPrefix` (the full family name, as ECS documents), `status` (ACTIVE by
 * default, or INACTIVE), `sort` (ASC by default: family then revision), `maxResults` (1-100), `nextToken`.
 */
export function listTaskDefinitions(state: SimulatorState, body: Json): Json {
  const status = body.status ?? 'ACTIVE';
  if (status !== 'ACTIVE' && status !== 'INACTIVE' && status !== 'DELETE_IN_PROGRESS') {
    throw invalidParameter('status must be ACTIVE, INACTIVE or DELETE_IN_PROGRESS.');
  }
  const sort = body.sort ?? 'ASC';
  if (sort !== 'ASC' && sort !== 'DESC') throw invalidParameter('sort must be ASC or DESC.');
  const maxResults = optionalInt(body, 'maxResults', 1, 100) ?? 100;
  const families = [...state.taskDefinitions.keys()]
    .filter((f) => body.familyPrefix === undefined || f === body.familyPrefix)
    .sort();
  let arns = families.flatMap((f) =>
    (state.taskDefinitions.get(f) ?? []).filter((r) => r.body.status === status).map((r) => r.arn)
  );
  if (sort === 'DESC') arns = arns.reverse();
  const start = decodeToken(body.nextToken);
  const page = arns.slice(start, start + maxResults);
  const out: Json = { taskDefinitionArns: page };
  if (start + maxResults < arns.length) out.nextToken = encodeToken(start + maxResults);
  return out;
}

/**
 * register-task-definition: render a task definition (from a file or the live service's current revision)
 * with new images, environment and secrets, register it unless it equals the current revision, and
 * optionally deregister old revisions.
 *
 * AWS APIs: RegisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions, DeregisterTaskDefinition,
 * DescribeServices — https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Operations.html
 * — and, for the preflight, ECR DescribeImages, SSM DescribeParameters, Secrets Manager DescribeSecret and
 * CloudWatch Logs DescribeLogGroups (see preflight.ts).
 */
import {
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type ECSClient
} from '@aws-sdk/client-ecs';
import type { AwsOptions } from '../lib/aws.js';
import { ConfigurationError, DeploymentError, show } from '../lib/errors.js';
import type { KeyValue } from '../lib/lines.js';
import type { Reporter } from '../lib/reporter.js';
import { arnName, ecsClient } from './client.js';
import { diffTaskDefinitions, sameTaskDefinition, type FieldChange } from './compare.js';
import { preflightTaskDefinition, type PreflightResult } from './preflight.js';
import { captureRawJson, sendRawJson, type RawCapture } from './raw-json.js';
import {
  applyContainerUpdates,
  asTaskDefinition,
  loadTaskDefinitionFile,
  stripReadOnly,
  type TaskDefinitionDoc
} from './task-definition.js';
import { describeService } from './watch.js';

/** Options of registerTaskDefinition. Give `taskDefinitionFile`, or `cluster` + `service` as the source. */
export interface RegisterOptions extends AwsOptions {
  /** Path of a JSON or YAML task definition file. */
  taskDefinitionFile?: string;
  /** Cluster of `service`. */
  cluster?: string;
  /** Service whose current task definition is the source (when no file) and is never deregistered. */
  service?: string;
  /** New image per container name. */
  images?: KeyValue[];
  /** `CONTAINER.NAME` → value. */
  environment?: KeyValue[];
  /** `CONTAINER.NAME` → SSM parameter / Secrets Manager ARN. */
  secrets?: KeyValue[];
  /** Register even when the result equals the latest revision. */
  forceRegister?: boolean;
  /** Keep this many newest ACTIVE revisions of the family; deregister older ones (never the service's). */
  keepRevisions?: number;
  /**
   * Check before registering that the ECR images, SSM parameters, Secrets Manager secrets and awslogs log
   * groups the tasks need exist (preflight.ts); a miss fails with every miss listed. Default true.
   */
  preflight?: boolean;
  /** Reuse a client (tests, or the deploy-service action registering first). */
  client?: ECSClient;
}

/** What registerTaskDefinition did. */
export interface RegisterResult {
  family: string;
  /** The ARN to deploy: the new revision, or the existing one when nothing changed. */
  taskDefinitionArn: string;
  revision: number;
  /** False when the rendered task definition equalled the latest revision and nothing was registered. */
  changed: boolean;
  /** The latest revision before this call, if any. */
  previousArn?: string;
  /** Differences from the previous revision (normalised). */
  changes: FieldChange[];
  /** Image per container in the result. */
  images: { container: string; image: string }[];
  /** Revisions deregistered by keep-revisions. */
  deregistered: string[];
  /** What the preflight checked; undefined when it was turned off. */
  preflight?: PreflightResult;
}

/**
 * Checks the options without calling AWS.
 * @throws ConfigurationError naming the input that is missing or inconsistent.
 */
export function validateRegisterOptions(options: RegisterOptions): void {
  if (!options.taskDefinitionFile && !options.service) {
    throw new ConfigurationError(
      "Give `task-definition` (a JSON or YAML file) or `cluster` and `service` (use the live service's task definition as the source).",
      'task-definition'
    );
  }
  if (options.service && !options.cluster) {
    throw new ConfigurationError(`service ${show(options.service)} needs its \`cluster\`.`, 'cluster');
  }
  if (options.keepRevisions !== undefined) {
    if (
      !Number.isInteger(options.keepRevisions) ||
      options.keepRevisions < 1 ||
      options.keepRevisions > 1000
    ) {
      throw new ConfigurationError(
        `keep-revisions is ${show(options.keepRevisions)}; expected a whole number from 1 to 1000.`,
        'keep-revisions'
      );
    }
    if (!options.service && options.keepRevisions < 2) {
      throw new ConfigurationError(
        'keep-revisions below 2 needs `cluster` and `service`, so the revision the service runs is never deregistered.',
        'keep-revisions'
      );
    }
  }
}

async function describeRaw(
  ecs: ECSClient,
  taskDefinition: string
): Promise<Record<string, unknown> | undefined> {
  const capture: RawCapture = {};
  try {
    const out = await ecs.send(
      captureRawJson(new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] }), capture)
    );
    const raw =
      (capture.json?.taskDefinition as Record<string, unknown> | undefined) ??
      (out.taskDefinition as Record<string, unknown>);
    const tags = (capture.json?.tags as unknown[] | undefined) ?? out.tags;
    return tags && tags.length ? { ...raw, tags } : raw;
  } catch (error) {
    if ((error as { name?: string }).name === 'ClientException') return undefined;
    throw error;
  }
}

/** Lists ACTIVE revisions of exactly `family`, newest first. */
async function activeRevisions(ecs: ECSClient, family: string): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', sort: 'DESC', nextToken })
    );
    arns.push(
      ...(page.taskDefinitionArns ?? []).filter((arn) => arnName(arn).replace(/:\d+$/, '') === family)
    );
    nextToken = page.nextToken;
  } while (nextToken);
  return arns.sort((a, b) => Number(b.split(':').pop()) - Number(a.split(':').pop()));
}

/**
 * Renders and registers a task definition.
 * @throws ConfigurationError for bad options, an unreadable file, an unknown container, a bad image, or
 *   (preflight) images, secrets or log groups that do not exist — always before anything is registered.
 * @throws DeploymentError when the source service is missing.
 */
export async function registerTaskDefinition(
  options: RegisterOptions,
  reporter: Reporter
): Promise<RegisterResult> {
  validateRegisterOptions(options);
  const fileDoc = options.taskDefinitionFile ? loadTaskDefinitionFile(options.taskDefinitionFile) : undefined;
  if (fileDoc) applyContainerUpdates(fileDoc, options); // bad updates fail here, before any AWS call
  const ecs = options.client ?? ecsClient(options);

  let serviceTaskDefinition: string | undefined;
  if (options.service && options.cluster) {
    const service = await describeService(ecs, options.cluster, options.service);
    serviceTaskDefinition = service.taskDefinition;
  }
  let source: TaskDefinitionDoc;
  if (fileDoc) {
    source = fileDoc;
  } else {
    const live = serviceTaskDefinition ? await describeRaw(ecs, serviceTaskDefinition) : undefined;
    if (!live) throw new DeploymentError(`Cannot read the task definition of service ${options.service}.`);
    source = asTaskDefinition(live, `service ${options.service}`);
  }
  const rendered = applyContainerUpdates(source, options);
  const sensitive = sensitiveValues(rendered);
  for (const value of sensitive) reporter.secret(value);
  const images = rendered.containerDefinitions.map((c) => ({ container: c.name, image: c.image }));
  const preflight =
    options.preflight === false
      ? undefined
      : await preflightTaskDefinition(
          rendered,
          // Not `endpoint`: that one is ECS's; the other services resolve theirs (AWS_ENDPOINT_URL_<SERVICE>).
          { region: options.region, maxAttempts: options.maxAttempts },
          reporter
        );

  const latest = await describeRaw(ecs, rendered.family);
  const previousArn = latest?.taskDefinitionArn as string | undefined;
  if (latest) for (const value of sensitiveValues(latest as TaskDefinitionDoc)) sensitive.add(value);
  const changes = redact(diffTaskDefinitions(latest, rendered), sensitive);
  if (latest && previousArn && !options.forceRegister && sameTaskDefinition(latest, rendered)) {
    reporter.info(`${arnName(previousArn)} already has this content; nothing registered.`);
    const deregistered = await pruneRevisions(
      ecs,
      rendered.family,
      previousArn,
      serviceTaskDefinition,
      options,
      reporter
    );
    return {
      family: rendered.family,
      taskDefinitionArn: previousArn,
      revision: Number(latest.revision),
      changed: false,
      previousArn,
      changes: [],
      images,
      deregistered,
      preflight
    };
  }
  const body = stripReadOnly(rendered);
  const out = await ecs.send(sendRawJson(new RegisterTaskDefinitionCommand(body as never), body));
  const arn = out.taskDefinition?.taskDefinitionArn;
  if (!arn) throw new DeploymentError('RegisterTaskDefinition returned no taskDefinitionArn.');
  reporter.info(`registered ${arnName(arn)}${previousArn ? ` (previous ${arnName(previousArn)})` : ''}`);
  for (const change of changes)
    reporter.info(`  ${change.path}: ${change.before ?? '∅'} → ${change.after ?? '∅'}`);
  const deregistered = await pruneRevisions(
    ecs,
    rendered.family,
    arn,
    serviceTaskDefinition,
    options,
    reporter
  );
  return {
    family: rendered.family,
    taskDefinitionArn: arn,
    revision: out.taskDefinition?.revision ?? Number(arn.split(':').pop()),
    changed: true,
    previousArn,
    changes,
    images,
    deregistered,
    preflight
  };
}

/** Names of environment variables whose values must never reach a log or a job summary. */
export const SENSITIVE_NAME = /PASS|SECRET|TOKEN|KEY|CREDENTIAL|PRIVATE|AUTH|COOKIE|SESSION/i;

/** Plain environment values under sensitive names (they belong in `secrets`, but people do this). */
function sensitiveValues(doc: TaskDefinitionDoc): Set<string> {
  const values = new Set<string>();
  for (const container of doc.containerDefinitions ?? []) {
    for (const e of container.environment ?? [])
      if (SENSITIVE_NAME.test(e.name) && e.value) values.add(e.value);
  }
  return values;
}

function redact(changes: FieldChange[], values: Set<string>): FieldChange[] {
  const hide = (text: string | undefined) =>
    text === undefined
      ? undefined
      : [...values].reduce((acc, v) => acc.split(JSON.stringify(v).slice(1, -1)).join('***'), text);
  return changes.map((c) => ({ ...c, before: hide(c.before), after: hide(c.after) }));
}

async function pruneRevisions(
  ecs: ECSClient,
  family: string,
  current: string,
  serviceTaskDefinition: string | undefined,
  options: RegisterOptions,
  reporter: Reporter
): Promise<string[]> {
  if (options.keepRevisions === undefined) return [];
  const revisions = await activeRevisions(ecs, family);
  const keep = new Set(revisions.slice(0, options.keepRevisions));
  keep.add(current);
  if (serviceTaskDefinition) keep.add(serviceTaskDefinition);
  const deregistered: string[] = [];
  for (const arn of revisions) {
    if (keep.has(arn)) continue;
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    deregistered.push(arn);
  }
  if (deregistered.length) {
    reporter.info(
      `deregistered ${deregistered.length} old revision(s): ${deregistered.map(arnName).join(', ')}`
    );
  }
  return deregistered;
}

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
import { ChangeLog } from '../lib/changes.js';
import { DeploymentError, messageOf } from '../lib/errors.js';
import { resolveOptions, type InputOf, type ValuesOf } from '../lib/options.js';
import { workspacePath } from '../lib/paths.js';
import type { Reporter } from '../lib/reporter.js';
import { ecsError, ecsSend, regionOf } from './call.js';
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
import { registerOptions } from './options.js';
import { protectTaskDefinition, redactChanges } from './sensitive.js';
import { describeService } from './watch.js';

export { SENSITIVE_NAME } from './sensitive.js';

/** What registerTaskDefinition needs besides its declared options (src/ecs/options.ts `registerOptions`). */
export interface RegisterRuntime {
  /** Attempts per request including the first (SDK standard retry mode). Default 5. */
  maxAttempts?: number;
  /** Reuse a client (tests, or deploy-service registering first). */
  client?: ECSClient;
}

/**
 * Options of registerTaskDefinition: the declared options (taskDefinitionFile, or cluster + service as the
 * source; images, environment, secrets, forceRegister, keepRevisions, preflight, region).
 */
export type RegisterOptions = InputOf<typeof registerOptions> & RegisterRuntime;

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
 * Checks the options without calling AWS and fills the declared defaults.
 * @throws ConfigurationError naming the input that is missing or inconsistent.
 */
export function validateRegisterOptions(options: RegisterOptions): ValuesOf<typeof registerOptions> {
  return resolveOptions(registerOptions, options);
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
    // "Unable to describe task definition." is ECS's answer for a family or revision that does not exist;
    // any other ClientException (a malformed name, a permission) keeps its own message.
    if (/unable to describe task definition/i.test(messageOf(error))) return undefined;
    throw ecsError(error, 'DescribeTaskDefinition', { taskDefinition }, await regionOf(ecs));
  }
}

/** Lists ACTIVE revisions of exactly `family`, newest first. */
async function activeRevisions(ecs: ECSClient, family: string): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecsSend(
      ecs,
      new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', sort: 'DESC', nextToken }),
      { taskDefinition: family }
    );
    arns.push(
      ...(page.taskDefinitionArns ?? []).filter((arn) => arnName(arn).replace(/:\d+$/, '') === family)
    );
    nextToken = page.nextToken;
  } while (nextToken);
  return arns.sort((a, b) => Number(b.split(':').pop()) - Number(a.split(':').pop()));
}

/**
 * A rendered task definition and what registering it would do, found without any write: the output of
 * {@link prepareRegistration}, the input of {@link applyRegistration}.
 */
export interface PreparedRegistration {
  options: ValuesOf<typeof registerOptions>;
  ecs: ECSClient;
  /** The document to register (read-only fields stripped on send). */
  rendered: TaskDefinitionDoc;
  /** The latest revision of the family as ECS returned it, if any. */
  latest?: Record<string, unknown>;
  /** True when `rendered` equals `latest` and nothing needs registering (unless forceRegister). */
  unchanged: boolean;
  /** Redacted differences from the latest revision. */
  changes: FieldChange[];
  images: { container: string; image: string }[];
  /** The task definition the source service runs (never deregistered). */
  serviceTaskDefinition?: string;
  preflight?: PreflightResult;
}

/**
 * Resolves everything a registration needs without writing anything: checks the options, reads (a path inside
 * the workspace, or an absolute one: src/lib/paths.ts), type-checks and renders the file (or the live
 * service's task definition), masks sensitive and credential-shaped values before anything is printed, runs
 * the preflight and reads the latest revision of the family.
 * @throws ConfigurationError for bad options, a file outside the workspace, unreadable or of the wrong shape,
 *   an unknown container, a bad image, a cluster or service that does not exist, or (preflight) images,
 *   secrets or log groups that do not exist.
 * @throws DeploymentError when the source service's task definition cannot be read, or a request fails.
 */
export async function prepareRegistration(
  input: RegisterOptions,
  reporter: Reporter
): Promise<PreparedRegistration> {
  const options = validateRegisterOptions(input);
  const notes: string[] = []; // printed once the values to hide are masked
  if (options.taskDefinitionFile && options.service && options.keepRevisions === undefined) {
    notes.push(
      `cluster and service are given with a task-definition file: the file is the source, and the service is only read so that keep-revisions never deregisters its revision; without keep-revisions they change nothing.`
    );
  }
  const updates = { images: options.images, environment: options.environment, secrets: options.secrets };
  const file = options.taskDefinitionFile
    ? workspacePath(options.taskDefinitionFile, 'task-definition')
    : undefined;
  const fileDoc = file ? loadTaskDefinitionFile(file, 'task-definition', (w) => notes.push(w)) : undefined;
  if (fileDoc) applyContainerUpdates(fileDoc, updates); // bad updates fail here, before any AWS call
  const ecs = input.client ?? ecsClient({ region: options.region, maxAttempts: input.maxAttempts });

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
    if (!live) {
      throw new DeploymentError(
        `Cannot read task definition ${serviceTaskDefinition ?? '(none)'} of service ${options.service} in cluster ${options.cluster} (DescribeTaskDefinition found no such revision).`
      );
    }
    source = asTaskDefinition(live, `service ${options.service}`, 'service', (w) => notes.push(w));
  }
  const rendered = applyContainerUpdates(source, updates);
  const { hidden } = protectTaskDefinition(rendered, reporter, { warn: true });
  for (const note of notes) reporter.warn(note);
  const images = rendered.containerDefinitions.map((c) => ({ container: c.name, image: c.image }));
  const preflight = !options.preflight
    ? undefined
    : await preflightTaskDefinition(
        rendered,
        // Not `endpoint`: that one is ECS's; the other services resolve theirs (AWS_ENDPOINT_URL_<SERVICE>).
        { region: options.region, maxAttempts: input.maxAttempts },
        reporter
      );
  const latest = await describeRaw(ecs, rendered.family);
  if (latest) {
    const old = protectTaskDefinition(latest as Partial<TaskDefinitionDoc>, reporter, { warn: false });
    for (const value of old.hidden) hidden.add(value);
  }
  const changes = redactChanges(diffTaskDefinitions(latest, rendered), hidden);
  const unchanged =
    Boolean(latest?.taskDefinitionArn) && !options.forceRegister && sameTaskDefinition(latest!, rendered);
  return { options, ecs, rendered, latest, unchanged, changes, images, serviceTaskDefinition, preflight };
}

/**
 * Registers a prepared task definition (unless it is unchanged) and prunes old revisions, recording each write
 * in `changes`.
 * AWS: RegisterTaskDefinition, ListTaskDefinitions, DeregisterTaskDefinition.
 * @throws ConfigurationError when ECS refuses the registration (its message kept; nothing registered).
 * @throws DeploymentError when a request fails; after the registration its message says what was changed
 *   and its `result` has the registered revision.
 */
export async function applyRegistration(
  prepared: PreparedRegistration,
  reporter: Reporter,
  changes: ChangeLog = new ChangeLog()
): Promise<RegisterResult> {
  return changes.guard(async () => {
    const { ecs, rendered, latest, options } = prepared;
    const previousArn = latest?.taskDefinitionArn as string | undefined;
    const base = {
      family: rendered.family,
      previousArn,
      images: prepared.images,
      preflight: prepared.preflight
    };
    let result: RegisterResult;
    if (prepared.unchanged && previousArn) {
      reporter.info(`${arnName(previousArn)} already has this content; nothing registered.`);
      result = {
        ...base,
        taskDefinitionArn: previousArn,
        revision: Number(latest!.revision),
        changed: false,
        changes: [],
        deregistered: []
      };
    } else {
      const body = stripReadOnly(rendered);
      const out = await ecsSend(ecs, sendRawJson(new RegisterTaskDefinitionCommand(body as never), body), {
        taskDefinition: rendered.family,
        note: 'nothing was registered'
      });
      const arn = out.taskDefinition?.taskDefinitionArn;
      if (!arn) throw new DeploymentError('RegisterTaskDefinition returned no taskDefinitionArn.');
      changes.record(`registered ${arnName(arn)}`);
      reporter.info(`registered ${arnName(arn)}${previousArn ? ` (previous ${arnName(previousArn)})` : ''}`);
      for (const change of prepared.changes)
        reporter.info(`  ${change.path}: ${change.before ?? '∅'} → ${change.after ?? '∅'}`);
      result = {
        ...base,
        taskDefinitionArn: arn,
        revision: out.taskDefinition?.revision ?? Number(arn.split(':').pop()),
        changed: true,
        changes: prepared.changes,
        deregistered: []
      };
    }
    try {
      result.deregistered = await pruneRevisions(
        ecs,
        rendered.family,
        result.taskDefinitionArn,
        prepared.serviceTaskDefinition,
        options,
        reporter,
        changes
      );
    } catch (error) {
      throw changes.error(messageOf(error), { result, cause: error });
    }
    return result;
  });
}

/**
 * Renders and registers a task definition: {@link prepareRegistration} (no writes), then
 * {@link applyRegistration}.
 * @throws ConfigurationError for bad options, an unreadable file, an unknown container, a bad image, or
 *   (preflight) images, secrets or log groups that do not exist — always before anything is registered.
 * @throws DeploymentError when a request fails (after a write, saying what was changed).
 */
export async function registerTaskDefinition(
  options: RegisterOptions,
  reporter: Reporter
): Promise<RegisterResult> {
  return applyRegistration(await prepareRegistration(options, reporter), reporter, new ChangeLog());
}

async function pruneRevisions(
  ecs: ECSClient,
  family: string,
  current: string,
  serviceTaskDefinition: string | undefined,
  options: ValuesOf<typeof registerOptions>,
  reporter: Reporter,
  changes: ChangeLog
): Promise<string[]> {
  if (options.keepRevisions === undefined) return [];
  const revisions = await activeRevisions(ecs, family);
  const keep = new Set(revisions.slice(0, options.keepRevisions));
  keep.add(current);
  if (serviceTaskDefinition) keep.add(serviceTaskDefinition);
  const deregistered: string[] = [];
  for (const arn of revisions) {
    if (keep.has(arn)) continue;
    await ecsSend(ecs, new DeregisterTaskDefinitionCommand({ taskDefinition: arn }), {
      taskDefinition: arnName(arn)
    });
    changes.record(`deregistered ${arnName(arn)}`);
    deregistered.push(arn);
  }
  if (deregistered.length) {
    reporter.info(
      `deregistered ${deregistered.length} old revision(s): ${deregistered.map(arnName).join(', ')}`
    );
  }
  return deregistered;
}

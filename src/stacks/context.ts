/**
 * The state one deploy-stack run threads through its phases (planStack, applyStack), the one way every phase
 * talks to CloudFormation (`call`: any SDK error becomes a DeploymentError naming the API, the stack or change
 * set and the region), and the record of the writes made so far, from which every failure says what was
 * already changed in AWS.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ChangeLog } from '../lib/changes.js';
import { DeploymentError, errorName, messageOf } from '../lib/errors.js';
import type { Reporter } from '../lib/reporter.js';
import type { DeployStackOptions, DeployStackResult, PreparedDeployment, StackOperation } from './types.js';

/** The CloudFormation APIs that change something. */
export type WriteApi =
  'CreateChangeSet' | 'DeleteChangeSet' | 'ExecuteChangeSet' | 'CreateStack' | 'UpdateTerminationProtection';

/** One write this run made, in order. */
export interface Write {
  api: WriteApi;
  /** UpdateTerminationProtection: the setting it made. */
  enabled?: boolean;
}

/** One deploy-stack run: its client, options (raw and validated), the result so far, its writes. */
export interface DeployContext {
  client: CloudFormationClient;
  reporter: Reporter;
  options: DeployStackOptions;
  prepared: PreparedDeployment;
  /** The region the client sends to (for messages). */
  region: string;
  operation: StackOperation;
  /** The result so far; each phase fills in what it learns. */
  result: DeployStackResult;
  /** ClientRequestToken of this run's stack operation (the change set name): tags its stack events. */
  token: string;
  /** Every write made so far, oldest first. */
  writes: Write[];
  /** True once the stack's status after ExecuteChangeSet/CreateStack has been read. */
  settled: boolean;
}

/** What `call` sends and how it names the request in an error. */
export interface CallOptions {
  /** The resource the request is about, e.g. `stack twotier-network` or `change set cs-1 of stack x`. */
  resource: string;
  /** Errors that are an expected outcome: `call` then returns undefined instead of throwing. */
  expected?: (error: unknown) => boolean;
}

/**
 * Sends one CloudFormation request. A write API (CreateChangeSet, ...) is recorded in `ctx.writes` once it
 * succeeded.
 * @throws DeploymentError `<API> for <resource> in <region> failed: <SDK error name>: <message>` plus what was
 *   already changed, with the result so far (status `<API>_FAILED`), `changed`, and the SDK error as `cause`.
 */
export async function call<T>(
  ctx: DeployContext,
  api: string,
  options: CallOptions,
  send: () => Promise<T>
): Promise<T | undefined> {
  let out: T;
  try {
    out = await send();
  } catch (error) {
    if (options.expected?.(error)) return undefined;
    throw failure(
      ctx,
      `${api} for ${options.resource} in ${ctx.region} failed: ${errorName(error)}: ${messageOf(error)}`,
      { status: `${api.toUpperCase()}_FAILED`, cause: error }
    );
  }
  if (isWrite(api)) ctx.writes.push({ api });
  return out;
}

function isWrite(api: string): api is WriteApi {
  return ['CreateChangeSet', 'DeleteChangeSet', 'ExecuteChangeSet', 'CreateStack'].includes(api);
}

/** `stack <name>` as messages name it. */
export function stackResource(ctx: DeployContext): string {
  return `stack ${ctx.prepared.stackName}`;
}

/** `change set <name> of stack <name>` as messages name it. */
export function changeSetResource(ctx: DeployContext): string {
  return `change set ${ctx.prepared.changeSetName} of stack ${ctx.prepared.stackName}`;
}

/**
 * What this run has changed in AWS so far, one sentence each, from its writes and what it knows of the
 * stack now: "the change set X was created and kept for review", "the stack update was started;
 * CloudFormation rolled it back ...". Empty when nothing was written.
 */
export function changedSoFar(ctx: DeployContext): string[] {
  const { prepared, result } = ctx;
  const { stackName, changeSetName } = prepared;
  const apis = new Set(ctx.writes.map((w) => w.api));
  const sentences: string[] = [];
  const started = apis.has('ExecuteChangeSet') || apis.has('CreateStack');
  if (apis.has('CreateChangeSet') && !started) {
    if (apis.has('DeleteChangeSet')) {
      sentences.push(`the empty change set ${changeSetName} was created and deleted again`);
    } else if (ctx.operation === 'CREATE') {
      sentences.push(
        `the change set ${changeSetName} was created and kept for review; the new stack ${stackName} is REVIEW_IN_PROGRESS (no resources) until the change set is executed or deleted`
      );
    } else {
      sentences.push(
        `the change set ${changeSetName} was created and kept for review; the stack itself is unchanged`
      );
    }
  }
  if (started) {
    const what = ctx.operation === 'CREATE' ? 'creation' : 'update';
    const how = apis.has('CreateStack') ? 'with CreateStack' : `by executing change set ${changeSetName}`;
    const status = result.status;
    if (!ctx.settled) {
      sentences.push(`the stack ${what} of ${stackName} was started ${how}; its outcome is not known`);
    } else if (status === `${ctx.operation}_COMPLETE`) {
      sentences.push(
        `the stack ${stackName} was ${ctx.operation === 'CREATE' ? 'created' : 'updated'} (${status})`
      );
    } else if (status === 'UPDATE_ROLLBACK_COMPLETE') {
      sentences.push(
        `the stack update of ${stackName} was started ${how}; CloudFormation rolled it back to the previous template and parameters (UPDATE_ROLLBACK_COMPLETE)`
      );
    } else if (status === 'ROLLBACK_COMPLETE') {
      sentences.push(
        `the stack creation of ${stackName} was started ${how}; CloudFormation rolled it back (ROLLBACK_COMPLETE): the stack exists without resources and must be deleted before it can be deployed again`
      );
    } else if (status.endsWith('_IN_PROGRESS')) {
      sentences.push(
        `the stack ${what} of ${stackName} was started ${how} and is still ${status}; CloudFormation carries on with it after this step`
      );
    } else {
      sentences.push(`the stack ${what} of ${stackName} was started ${how} and ended in ${status}`);
    }
  }
  for (const write of ctx.writes) {
    if (write.api === 'UpdateTerminationProtection')
      sentences.push(`termination protection of ${stackName} was turned ${write.enabled ? 'on' : 'off'}`);
  }
  return sentences;
}

/**
 * A DeploymentError whose message ends, on a line of its own, with what was already changed in the shared
 * form of every domain (src/lib/changes.ts: "Already changed in AWS: a; b."), or "Nothing was changed in
 * AWS.", carrying the result so far (its status set to `status` when given), `changed` and `cause`.
 */
export function failure(
  ctx: DeployContext,
  message: string,
  options: { status?: string; cause?: unknown; details?: Record<string, unknown> } = {}
): DeploymentError<DeployStackResult> {
  const log = new ChangeLog();
  for (const sentence of changedSoFar(ctx)) log.record(sentence);
  const text = `${message.replace(/\.$/, '')}.`;
  const result = options.status ? { ...ctx.result, status: options.status } : ctx.result;
  const errorOptions = { result, cause: options.cause, details: options.details };
  if (log.changed.length) return log.error(text, errorOptions);
  return new DeploymentError(`${text}\n${NOTHING_CHANGED}`, { ...errorOptions, changed: [] });
}

/** The last line of a failure that changed nothing. */
export const NOTHING_CHANGED = 'Nothing was changed in AWS.';

/**
 * SDK waiter configuration: waits at most `timeoutSeconds`, polls every `pollDelaySeconds` at first and
 * backs off to at most max(pollDelaySeconds, 30) seconds between polls.
 */
export function waiterConfig(ctx: DeployContext): {
  client: CloudFormationClient;
  maxWaitTime: number;
  minDelay: number;
  maxDelay: number;
} {
  return {
    client: ctx.client,
    maxWaitTime: ctx.prepared.timeoutSeconds,
    minDelay: ctx.prepared.pollDelaySeconds,
    maxDelay: Math.max(ctx.prepared.pollDelaySeconds, 30)
  };
}

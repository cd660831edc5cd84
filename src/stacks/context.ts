/**
 * The state one deployStack run threads through its phases, and the two ways every phase talks to
 * CloudFormation: `attempt` for the calls that change the stack, `waiterConfig` for the SDK waiters.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DeploymentError, messageOf } from '../lib/errors.js';
import type { Reporter } from '../lib/reporter.js';
import type { DeployStackOptions, DeployStackResult, PreparedDeployment } from './types.js';

/** One deployStack run: its client, options (raw and validated), the result so far and its request token. */
export interface DeployContext {
  client: CloudFormationClient;
  reporter: Reporter;
  options: DeployStackOptions;
  prepared: PreparedDeployment;
  /** The result so far; each phase fills in what it learns. */
  result: DeployStackResult;
  /** ClientRequestToken of this run's stack operation (the change set name): tags its stack events. */
  token: string;
}

/**
 * Sends a command that changes the stack.
 * @param api the API's name (CreateChangeSet, ...), used in the message and the `<API>_FAILED` status.
 * @param expected errors that are an expected outcome: attempt then returns undefined instead of throwing.
 * @throws DeploymentError for any other SDK error, carrying the result so far (`details.result`, with
 *   status `<API>_FAILED`) and the SDK error as `cause`.
 */
export async function attempt<T>(
  ctx: DeployContext,
  api: string,
  call: () => Promise<T>,
  expected: (error: unknown) => boolean = () => false
): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (expected(error)) return undefined;
    throw new DeploymentError(`${api} for ${ctx.prepared.stackName} failed: ${messageOf(error)}`, {
      result: { ...ctx.result, status: `${api.toUpperCase()}_FAILED` },
      cause: error
    });
  }
}

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

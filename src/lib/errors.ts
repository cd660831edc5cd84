/**
 * Typed errors shared by the library, the actions and the CLI: the one failure contract of every operation.
 *
 * Every operation (registerTaskDefinition, deployService, runTask, uploadFrontend, invalidateCdn,
 * deployStack, …) resolves to its typed result when it succeeded, and otherwise throws one of:
 * - `ConfigurationError`: a user mistake (a bad input, a missing file, a resource that does not exist). It is
 *   raised before anything in AWS is changed; its message names the input, quotes the value given and says
 *   what would be valid.
 * - `DeploymentError`: an AWS-side outcome the user asked us to watch (a failed rollout, a task that exited
 *   non-zero, a stack rolled back) or a request that failed after the SDK's retries. It carries the
 *   operation's partial `result` (so the face can still write outputs and the job summary) and `changed`:
 *   what the operation had already changed in AWS when it failed, which its message also says.
 */
export class ConfigurationError extends Error {
  /** @param input the action input (action.yml name) or option the mistake is in, when there is one. */
  constructor(
    message: string,
    readonly input?: string
  ) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** What a DeploymentError carries besides its message. */
export interface DeploymentErrorOptions<R> {
  /** The operation's result as far as it got (outputs and the job summary are written from it). */
  result?: R;
  /** What had already been changed in AWS when the failure happened, oldest first (one sentence each). */
  changed?: readonly string[];
  /** The error that caused this one (an SDK error). */
  cause?: unknown;
  /** Anything else worth keeping for a person or a test. */
  details?: Record<string, unknown>;
}

/** An AWS-side failure of the thing being deployed (rollout failed, task exit code, timeout, request failure). */
export class DeploymentError<R = unknown> extends Error {
  readonly result?: R;
  readonly changed: readonly string[];
  readonly details: Record<string, unknown>;
  constructor(message: string, options: DeploymentErrorOptions<R> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeploymentError';
    this.result = options.result;
    this.changed = options.changed ?? [];
    this.details = options.details ?? {};
  }
}

/** Quotes a user value for an error message: JSON string form, cut to 200 characters. */
export function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value ?? null);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/** The message of any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The `name` of a thrown value (an SDK error's exception type, e.g. `ClusterNotFoundException`), or `Error`. */
export function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name ? name : 'Error';
}

/**
 * The result of an operation whether it succeeded or failed with a DeploymentError carrying its result (for
 * faces that report a failed rollout instead of stopping at it: the demo, benchmarks).
 * @throws whatever `operation` throws when it carries no result (a ConfigurationError, an SDK error).
 */
export async function resultOf<R>(operation: Promise<R>): Promise<R> {
  try {
    return await operation;
  } catch (error) {
    if (error instanceof DeploymentError && error.result !== undefined) return error.result as R;
    throw error;
  }
}

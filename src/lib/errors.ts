/**
 * Typed errors shared by the library, the actions and the CLI.
 *
 * A `ConfigurationError` is a user mistake (a bad input, a missing file): it is raised before anything
 * in AWS is changed, and its message names the input, the value given and what would be valid.
 * A `DeploymentError` is an AWS-side outcome the user asked us to watch (a failed rollout, a task that
 * exited non-zero): the action fails with it after reporting the diagnosis.
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

/** An AWS-side failure of the thing being deployed (rollout FAILED, task exit code, timeout). */
export class DeploymentError extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {}
  ) {
    super(message);
    this.name = 'DeploymentError';
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

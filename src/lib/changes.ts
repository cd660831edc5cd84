/**
 * What an operation has changed in AWS so far, so that a failure after a write says so. Every write of an
 * operation (RegisterTaskDefinition, UpdateService, RunTask, StopTask, DeregisterTaskDefinition, …) records
 * one sentence once it succeeded; `guard` turns any error thrown after the first record into a
 * DeploymentError whose message ends with those sentences and whose `changed` lists them, the original
 * error kept as its `cause`. Before the first write errors pass through untouched (a ConfigurationError
 * stays one: nothing was changed).
 */
import { DeploymentError, messageOf, type DeploymentErrorOptions } from './errors.js';

/** The heading of the sentence a failure message ends with. */
export const CHANGED_PREFIX = 'Already changed in AWS:';

/** The writes an operation made, oldest first. */
export class ChangeLog {
  private readonly entries: string[] = [];

  /** The sentences recorded so far, oldest first. */
  get changed(): readonly string[] {
    return [...this.entries];
  }

  /** Records one successful write, as a sentence fragment (`service api now runs app:8`). */
  record(sentence: string): void {
    this.entries.push(sentence);
  }

  /** `Already changed in AWS: a; b.`, or '' when nothing was changed. */
  sentence(): string {
    return this.entries.length ? `${CHANGED_PREFIX} ${this.entries.join('; ')}.` : '';
  }

  /**
   * A DeploymentError whose message is `message` followed (on a new line) by what was changed, and whose
   * `changed` is this log.
   */
  error<R>(message: string, options: Omit<DeploymentErrorOptions<R>, 'changed'> = {}): DeploymentError<R> {
    const tail = this.sentence();
    return new DeploymentError<R>(tail ? `${message}\n${tail}` : message, {
      ...options,
      changed: this.changed
    });
  }

  /**
   * Runs `fn`. An error it throws after something was recorded is rethrown as a DeploymentError that says
   * what was changed (the original as its `cause`, its `result` kept when it had one); an error thrown
   * before any write, or one already made by {@link error} of this log, is rethrown as it is.
   */
  async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (!this.entries.length) throw error;
      if (error instanceof DeploymentError && error.message.includes(CHANGED_PREFIX)) throw error;
      throw this.error(messageOf(error), {
        cause: error,
        result: error instanceof DeploymentError ? (error.result as unknown) : undefined,
        details: error instanceof DeploymentError ? error.details : undefined
      });
    }
  }
}

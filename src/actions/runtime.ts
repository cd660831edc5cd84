/**
 * What every JavaScript action shares: reading inputs the way the runner passes them, a Reporter over
 * `@actions/core`, and the single try/catch that turns an error into `core.setFailed`.
 */
import * as core from '@actions/core';
import { ConfigurationError, DeploymentError, messageOf, show } from '../lib/errors.js';
import type { Reporter } from '../lib/reporter.js';

/** A Reporter that writes through `@actions/core` (groups, annotations, masking). */
export const coreReporter: Reporter = {
  info: (m) => core.info(m),
  warn: (m) => core.warning(m),
  debug: (m) => core.debug(m),
  group: (name, fn) => core.group(name, fn),
  secret: (v) => core.setSecret(v)
};

/** A string input; `required` fails with a ConfigurationError naming the input. */
export function stringInput(name: string, required = false): string {
  const value = core.getInput(name, { required: false });
  if (required && !value) {
    throw new ConfigurationError(`Input required and not supplied: ${name}`, name);
  }
  return value;
}

/** A boolean input (YAML 1.2 core schema: true/True/TRUE/false/False/FALSE); empty gives `fallback`. */
export function booleanInput(name: string, fallback: boolean): boolean {
  const raw = core.getInput(name).trim();
  if (!raw) return fallback;
  if (['true', 'True', 'TRUE'].includes(raw)) return true;
  if (['false', 'False', 'FALSE'].includes(raw)) return false;
  throw new ConfigurationError(`Input ${name} is ${show(raw)}; expected true or false.`, name);
}

/**
 * A number input within [min, max]; empty gives `fallback` (undefined allowed).
 * @throws ConfigurationError naming the input, the value and the valid range.
 */
export function numberInput<T extends number | undefined>(
  name: string,
  fallback: T,
  min: number,
  max: number,
  integer = true
): number | T {
  const raw = core.getInput(name).trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw new ConfigurationError(
      `Input ${name} is ${show(raw)}; expected ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}.`,
      name
    );
  }
  return value;
}

/** Sets every defined output (numbers and booleans as strings, objects as JSON). */
export function setOutputs(outputs: Record<string, string | number | boolean | undefined | object>): void {
  for (const [key, value] of Object.entries(outputs)) {
    if (value === undefined) continue;
    core.setOutput(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
}

/** Appends markdown to the job summary when the runner provides one (GITHUB_STEP_SUMMARY). */
export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY || !markdown) return;
  await core.summary.addRaw(markdown, true).write();
}

/**
 * Runs an action's main function: any error fails the step with its message; a ConfigurationError is
 * prefixed so the user knows the fix is in the workflow file, not in AWS.
 */
export async function runAction(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof ConfigurationError) {
      core.setFailed(`Configuration error: ${error.message}`);
    } else if (error instanceof DeploymentError) {
      core.setFailed(error.message);
    } else {
      core.setFailed(messageOf(error));
    }
  }
}

/**
 * The bad-input tables of the action bundles: each case is one input with one bad value, and the step must
 * fail (exit 1) with a configuration error that names the input, quotes the value and says what is valid,
 * while the server saw no mutating request.
 */
import { expect } from '@jest/globals';
import type { ActionRun } from './action.js';

/** One bad input. */
export interface BadInput {
  /** What the case is, for the test title. */
  title: string;
  /** The inputs of the run (the bad one and whatever the step needs besides). */
  inputs: () => Record<string, string>;
  /** The input the error must name. */
  input: string;
  /** The value the error must quote (as JSON quotes it). */
  value: string;
  /** What the error must say is valid. */
  valid: RegExp;
}

/** The text of the step's ::error:: annotations, with the newlines @actions/core escapes restored. */
export function errorText(run: Pick<ActionRun, 'errors'>): string {
  return run.errors.join('\n').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Asserts the failure contract of a bad input: exit code 1, a configuration error naming the input (as a
 * word: `keep-revisions`, `Input keep-revisions`, `` `keep-revisions` ``), quoting the value and saying what
 * is valid, and no mutating request (`mutating`: the requests the server saw that change something).
 */
export function expectRefused(run: ActionRun, bad: BadInput, mutating: readonly string[]): void {
  const text = errorText(run);
  expect({ code: run.code, mutating }).toEqual({ code: 1, mutating: [] });
  expect(text).toMatch(/^::error::Configuration error: /);
  expect(text).toMatch(new RegExp(`(^|[^A-Za-z0-9-])${escape(bad.input)}([^A-Za-z0-9-]|$)`));
  expect(text).toContain(JSON.stringify(bad.value));
  expect(text).toMatch(bad.valid);
}

/** Option parsing helpers shared by the CLI commands. */
import { appendFileSync } from 'node:fs';
import { ConfigurationError, show } from '../lib/errors.js';

/** Parses a whole number option within [min, max]. */
export function wholeNumber(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ConfigurationError(
        `--${name} is ${show(value)}; expected a whole number from ${min} to ${max}.`,
        name
      );
    }
    return n;
  };
}

/** Collects a repeatable option into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Appends a markdown summary to `file` when given (the CLI's stand-in for GITHUB_STEP_SUMMARY). */
export function writeSummaryFile(file: string | undefined, markdown: string): void {
  const target = file ?? process.env.GITHUB_STEP_SUMMARY;
  if (target) appendFileSync(target, markdown);
}

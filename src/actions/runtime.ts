/**
 * What every JavaScript action shares: reading its declared inputs the way the runner passes them, a
 * Reporter over `@actions/core`, setting its declared outputs, and the single try/catch that turns an error
 * into `core.setFailed`. An action's main.ts is then: inputs → library call(s), each in a `group` → outputs +
 * job summary (`runOperation`).
 */
import * as core from '@actions/core';
import { ConfigurationError, DeploymentError, messageOf } from '../lib/errors.js';
import {
  parseOptions,
  type Decls,
  type OptionSpec,
  type OptionValues,
  type RawOptions
} from '../lib/options.js';
import type { Reporter } from '../lib/reporter.js';
import type { ActionDefinition, OutputValues } from './definition.js';

/** A Reporter that writes through `@actions/core` (annotations, masking). */
export const coreReporter: Reporter = {
  info: (m) => core.info(m),
  warn: (m) => core.warning(m),
  debug: (m) => core.debug(m),
  group: (name, fn) => core.group(name, fn),
  secret: (v) => core.setSecret(v)
};

/**
 * Reads every input `spec` declares (INPUT_<NAME>, as the runner sets them) and decodes, checks and
 * defaults them through the declaration.
 * @throws ConfigurationError naming the first bad or missing input; nothing in AWS has been touched.
 */
export function readInputs<D extends Decls>(spec: OptionSpec<D>): OptionValues<D> {
  const raw: RawOptions = {};
  for (const decl of Object.values(spec.options)) {
    if (decl.action === false) continue;
    raw[decl.name] = core.getInput(decl.name, { trimWhitespace: !decl.type.multiline });
  }
  return parseOptions(spec, raw);
}

/** Runs `fn` as one collapsible group of the step's log (the only place actions open groups). */
export function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  return core.group(name, fn);
}

/**
 * The whole life of an operation action: read the declared inputs, run `execute` (which opens its groups),
 * then set the outputs and write the job summary from its result. When `execute` throws a DeploymentError
 * that carries a result, the outputs and the summary are still written from it before the step fails.
 */
export async function runOperation<D extends Decls, O extends string, R>(
  definition: ActionDefinition<D, O>,
  face: {
    execute(values: OptionValues<D>): Promise<R>;
    outputs(result: R): OutputValues<O>;
    summary?(result: R): string;
    /** The line logged after success (default none). */
    done?(result: R): string | undefined;
  }
): Promise<void> {
  await runAction(async () => {
    const values = readInputs(definition.options);
    let result: R;
    try {
      result = await face.execute(values);
    } catch (error) {
      if (error instanceof DeploymentError && error.result !== undefined) {
        const partial = error.result as R;
        setOutputs(face.outputs(partial));
        if (face.summary) await writeSummary(face.summary(partial));
      }
      throw error;
    }
    setOutputs(face.outputs(result));
    if (face.summary) await writeSummary(face.summary(result));
    const line = face.done?.(result);
    if (line) core.info(line);
  });
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

/**
 * The command-line face of an operation: one `twotier <action>` command per action, with the action's
 * declared options as flags (src/cli/options.ts), `--summary-file`, the library call, and what it prints.
 * Failures: a ConfigurationError exits 2, a DeploymentError exits 1 after the summary of its partial result
 * is written (src/cli/main.ts).
 */
import type { Command } from 'commander';
import { DeploymentError } from '../lib/errors.js';
import type { Decls, OptionValues } from '../lib/options.js';
import { StreamReporter, type Reporter } from '../lib/reporter.js';
import type { ActionDefinition } from '../actions/definition.js';
import { addOptions, valuesOf, writeSummaryFile } from './options.js';

/** How a command runs its operation and shows the result. */
export interface CommandFace<D extends Decls, R> {
  /** The one-line description in `twotier --help`. */
  description: string;
  /** Runs the library call(s). */
  execute(values: OptionValues<D>, reporter: Reporter): Promise<R>;
  /** The markdown job summary of a result (written with --summary-file or GITHUB_STEP_SUMMARY). */
  summary?(result: R): string;
  /** The lines printed on stdout after success (machine-readable: an ARN, JSON, key=value). */
  print(result: R): string[];
}

/**
 * Adds `twotier <definition.name>` to `program`, with every declared option of the action.
 * @returns the command, for extra command-only options.
 */
export function operationCommand<D extends Decls, O extends string, R>(
  program: Command,
  definition: Pick<ActionDefinition<D, O>, 'name' | 'options'>,
  face: CommandFace<D, R>
): Command {
  const command = program.command(definition.name).description(face.description);
  addOptions(command, definition.options);
  command.option(
    '--summary-file <file>',
    'append the markdown job summary here (default GITHUB_STEP_SUMMARY)'
  );
  command.action(async (parsed: Record<string, unknown>) => {
    const values = valuesOf(definition.options, parsed);
    const summaryFile = parsed.summaryFile as string | undefined;
    let result: R;
    try {
      result = await face.execute(values, new StreamReporter());
    } catch (error) {
      if (error instanceof DeploymentError && error.result !== undefined && face.summary) {
        writeSummaryFile(summaryFile, face.summary(error.result as R));
      }
      throw error;
    }
    if (face.summary) writeSummaryFile(summaryFile, face.summary(result));
    for (const line of face.print(result)) process.stdout.write(`${line}\n`);
  });
  return command;
}

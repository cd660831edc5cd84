/**
 * The command-line face of the option declarations (src/lib/options.ts): every declared option becomes a
 * flag of its command, with the same name, doc, default and checks as the action input.
 *
 * - `--<name> <kind>` for a value (`--timeout-minutes <minutes>`), or the declared `cli.flag`.
 * - A true/false option is a flag: `--<name>` when it defaults to false, `--no-<name>` when it defaults to
 *   true (commander's negatable flags).
 * - A lines/list option (`images`, `environment`, `paths`) is repeatable: each use is one line.
 * The raw strings go through `parseOptions`, exactly like INPUT_* variables do, so a value the action
 * refuses the command refuses with the same message.
 */
import { appendFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { ConfigurationError } from '../lib/errors.js';
import {
  parseOptions,
  type Decls,
  type OptionDecl,
  type OptionSpec,
  type OptionValues,
  type RawOptions
} from '../lib/options.js';

/** The flag of a declared option, as commander spells it (`--timeout-minutes <minutes>`, `--no-wait`). */
export function flagOf(decl: OptionDecl<unknown>): string {
  const base = (decl.cli && decl.cli.flag) || `--${decl.name}`;
  if (decl.type.flag && decl.default === true) return base.replace(/^--/, '--no-');
  if (decl.type.flag && decl.default === false) return base;
  return `${base} <${decl.type.kind}>`;
}

/** commander's attribute name for a flag (`--timeout-minutes` → `timeoutMinutes`, `--no-wait` → `wait`). */
export function attributeOf(decl: OptionDecl<unknown>): string {
  const long = ((decl.cli && decl.cli.flag) || `--${decl.name}`).replace(/^--/, '');
  return long.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** The help text of a declared option: its doc, what is valid, and its default. */
function helpOf(decl: OptionDecl<unknown>): string {
  const parts = [decl.doc.replace(/\.$/, '')];
  const isFlag = decl.type.flag && decl.default !== undefined;
  if (!isFlag && decl.type.kind !== 'text') parts.push(decl.type.describe());
  if (decl.type.multiline) parts.push('repeatable, one line each');
  if (decl.default !== undefined && !isFlag) {
    const shown = decl.type.format(decl.default);
    if (shown !== '') parts.push(`default ${shown}`);
  }
  if (decl.required) parts.push('required');
  return parts.join('; ');
}

/** Adds every declared option of `spec` that has a command-line face to `command`. */
export function addOptions<D extends Decls>(command: Command, spec: OptionSpec<D>): Command {
  for (const decl of Object.values(spec.options)) {
    if (decl.cli === false) continue;
    const option = new Option(flagOf(decl), helpOf(decl));
    if (decl.type.multiline)
      option.argParser((value: string, previous: string[] = []) => [...previous, value]);
    if (decl.required) option.makeOptionMandatory();
    command.addOption(option);
  }
  return command;
}

/**
 * Turns commander's parsed options into the declaration's values (same decoding and checks as the action).
 * @throws ConfigurationError naming the first bad or missing option.
 */
export function valuesOf<D extends Decls>(
  spec: OptionSpec<D>,
  parsed: Record<string, unknown>
): OptionValues<D> {
  const raw: RawOptions = {};
  for (const decl of Object.values(spec.options)) {
    if (decl.cli === false) continue;
    const value = parsed[attributeOf(decl)];
    if (value === undefined) continue;
    raw[decl.name] = Array.isArray(value) ? value.join('\n') : (value as string | boolean);
  }
  try {
    return parseOptions(spec, raw);
  } catch (error) {
    throw error instanceof ConfigurationError ? asFlags(spec, error) : error;
  }
}

/** The same error with the options named as the command spells them (`Input wait` → `--wait`). */
export function asFlags<D extends Decls>(spec: OptionSpec<D>, error: ConfigurationError): ConfigurationError {
  let message = error.message;
  const longestFirst = Object.values(spec.options).sort((a, b) => b.name.length - a.name.length);
  for (const decl of longestFirst) {
    if (decl.cli === false) continue;
    const flag = (decl.cli && decl.cli.flag) || `--${decl.name}`;
    const name = decl.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    message = message
      .replace(new RegExp(`Input ${name}\\b`, 'g'), flag)
      .replace(new RegExp(`\`${name}\``, 'g'), `\`${flag}\``);
  }
  return new ConfigurationError(message, error.input);
}

/** Appends a markdown summary to `file` when given (the CLI's stand-in for GITHUB_STEP_SUMMARY). */
export function writeSummaryFile(file: string | undefined, markdown: string): void {
  const target = file ?? process.env.GITHUB_STEP_SUMMARY;
  if (target) appendFileSync(target, markdown);
}

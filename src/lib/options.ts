/**
 * One declaration per operation of every option it takes: the action.yml input name, the type with its
 * unit and range, the default, whether it is required, its one-line doc, and the cross-field rules. The
 * action's input reader (src/actions/runtime.ts), the `twotier` command's flags (src/cli/options.ts), the
 * action.yml `inputs` (scripts/gen-actions.ts), the generated docs tables and the library's own defaults
 * (`resolveOptions`) all come from it, so they cannot drift; test/contract/options.test.ts proves it.
 *
 * Two ways in, one check:
 * - `parseOptions(spec, raw)`: strings as a face received them (INPUT_* variables, command-line flags).
 *   Each is decoded by its type (a clear ConfigurationError for `0x10`, `2e0`, `lots`), then checked.
 * - `resolveOptions(spec, values)`: typed values from a library caller. Each is checked the same way.
 * Both fill the declared defaults, enforce `required`, then run the spec's rules, and throw before anything
 * in AWS is touched.
 */
import { ConfigurationError, show } from './errors.js';
import { Duration, type DurationUnit } from './duration.js';
import { parseKeyValueLines, parseList, type KeyValue } from './lines.js';
import { redactCredentials } from './secrets.js';

/** How one option's values are written, decoded, checked and described. */
export interface OptionType<T> {
  /** Short kind for docs and the CLI placeholder, e.g. `minutes`, `n`, `true|false`, `lines`. */
  readonly kind: string;
  /** True for true/false options (the CLI gives them as flags). */
  readonly flag?: boolean;
  /** True when the value is written one item a line (the CLI makes the flag repeatable). */
  readonly multiline?: boolean;
  /** True for free text, whose doc already says what is valid. */
  readonly text?: boolean;
  /**
   * Decodes a non-empty string input.
   * @throws ConfigurationError naming `name`, quoting `raw`, saying what is valid.
   */
  parse(raw: string, name: string): T;
  /**
   * Checks a decoded or library-given value (range, pattern, shape).
   * @throws ConfigurationError naming `name`, quoting the value, saying what is valid.
   */
  check(value: T, name: string): void;
  /** Writes a value back as an input string (action.yml defaults, docs). */
  format(value: T): string;
  /** What is valid, for docs and errors: `minutes, 0.05 to 720`. */
  describe(): string;
}

/** One declared option. */
export interface OptionDecl<T> {
  /** The action.yml input name (kebab-case); the CLI flag is `--<name>` unless `cli.flag` says otherwise. */
  readonly name: string;
  readonly type: OptionType<T>;
  /** The one-line doc: action.yml description, CLI help, docs tables. Say what it does, not its type. */
  readonly doc: string;
  /** The value when the input is empty or the library caller leaves it out. */
  readonly default?: T;
  /** A missing value is an error (no default). */
  readonly required?: boolean;
  /** Command-line face: another flag (`--region`), or `false` when the option is action-only. */
  readonly cli?: { readonly flag?: string } | false;
  /** `false` when the option exists only on the command line (no action input). */
  readonly action?: false;
}

/**
 * A cross-field rule over the resolved values; `names` maps each option key to its input name for the
 * message. Throws ConfigurationError naming the input.
 */
export type OptionRule<V> = (values: V, names: Record<keyof V, string>) => void;

/** The declaration of an operation's options, keyed by their library names. */
export interface OptionSpec<D extends Decls> {
  readonly operation: string;
  readonly options: D;
  readonly rules: readonly OptionRule<OptionValues<D>>[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Decls = Record<string, OptionDecl<any>>;
type TypeOf<O> = O extends { type: OptionType<infer T> } ? T : never;
type HasValue<O> = O extends { required: true } ? true : O extends { default: unknown } ? true : false;
type DefinedKeys<D extends Decls> = { [K in keyof D]: HasValue<D[K]> extends true ? K : never }[keyof D];
type OptionalKeys<D extends Decls> = Exclude<keyof D, DefinedKeys<D>>;
type RequiredKeys<D extends Decls> = { [K in keyof D]: D[K] extends { required: true } ? K : never }[keyof D];

/** The resolved values: defaulted and required options are always set, the others may be undefined. */
export type OptionValues<D extends Decls> = { [K in DefinedKeys<D>]: TypeOf<D[K]> } & {
  [K in OptionalKeys<D>]?: TypeOf<D[K]>;
};

/** What a library caller passes: required options, then any of the others. */
export type OptionInput<D extends Decls> = { [K in RequiredKeys<D>]: TypeOf<D[K]> } & {
  [K in Exclude<keyof D, RequiredKeys<D>>]?: TypeOf<D[K]>;
};

/** Raw values by input name, as a face received them (missing or '' means not given). */
export type RawOptions = Record<string, string | boolean | undefined>;

/**
 * Declares an operation's options.
 * @param operation the operation's name (`deploy-service`), used in docs and errors.
 */
export function defineOptions<const D extends Decls>(
  operation: string,
  options: D,
  rules: readonly OptionRule<OptionValues<D>>[] = []
): OptionSpec<D> {
  const names = new Set<string>();
  for (const [key, decl] of Object.entries(options)) {
    if (names.has(decl.name))
      throw new Error(`${operation}: option name ${decl.name} declared twice (${key})`);
    names.add(decl.name);
    if (decl.default !== undefined) decl.type.check(decl.default, decl.name);
  }
  return { operation, options, rules };
}

/**
 * Decodes, checks and defaults raw face values (strings by input name).
 * @throws ConfigurationError for the first bad or missing input (before any AWS call).
 */
export function parseOptions<D extends Decls>(spec: OptionSpec<D>, raw: RawOptions): OptionValues<D> {
  const values: Record<string, unknown> = {};
  for (const [key, decl] of Object.entries(spec.options)) {
    const given = raw[decl.name];
    if (typeof given === 'boolean') {
      values[key] = decl.type.parse(String(given), decl.name);
      continue;
    }
    const text = decl.type.multiline ? (given ?? '') : (given ?? '').trim();
    if (text.trim() === '') continue;
    values[key] = decl.type.parse(text, decl.name);
  }
  return finish(spec, values);
}

/**
 * Checks and defaults typed values from a library caller.
 * @throws ConfigurationError for the first bad or missing option (before any AWS call).
 */
export function resolveOptions<D extends Decls>(
  spec: OptionSpec<D>,
  input: OptionInput<D> | OptionValues<D>
): OptionValues<D> {
  const values: Record<string, unknown> = {};
  for (const key of Object.keys(spec.options)) {
    const value = (input as Record<string, unknown>)[key];
    if (value !== undefined) values[key] = value;
  }
  return finish(spec, values);
}

function finish<D extends Decls>(spec: OptionSpec<D>, values: Record<string, unknown>): OptionValues<D> {
  for (const [key, decl] of Object.entries(spec.options)) {
    if (values[key] === undefined) {
      if (decl.default !== undefined) values[key] = decl.default;
      else if (decl.required) {
        throw new ConfigurationError(
          `Input required and not supplied: ${decl.name} (${decl.doc.replace(/\.$/, '')}).`,
          decl.name
        );
      }
      continue;
    }
    decl.type.check(values[key], decl.name);
  }
  const resolved = values as OptionValues<D>;
  const names = Object.fromEntries(Object.entries(spec.options).map(([k, d]) => [k, d.name]));
  for (const rule of spec.rules) rule(resolved, names as Record<keyof OptionValues<D>, string>);
  return resolved;
}

// ------------------------------------------------------------------------------------------------- types

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const WHOLE = /^[+-]?\d+$/;

/** The error for a bad value; credential-shaped parts of the quoted value are masked (src/lib/secrets.ts). */
function invalid(name: string, raw: unknown, valid: string): ConfigurationError {
  return new ConfigurationError(`Input ${name} is ${redactCredentials(show(raw))}; expected ${valid}.`, name);
}

function range(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `from ${min} to ${max}`;
  if (min !== undefined) return `${min} or more`;
  if (max !== undefined) return `at most ${max}`;
  return '';
}

/**
 * Free text, optionally matching `pattern`; `patternDoc` says what a valid value is, as a noun phrase that
 * completes "… is not …" (e.g. "a cluster name or ARN (letters, digits, hyphens, underscores)").
 */
export function text(
  options: {
    pattern?: RegExp;
    patternDoc?: string;
    maxLength?: number;
    /** The CLI placeholder (`--cluster <name>`); default `text`. */
    placeholder?: string;
    /** How a mismatch is worded: `Input x "v" is not <doc>.` (default) or `Input x is "v"; expected <doc>.` */
    style?: 'is-not' | 'expected';
  } = {}
): OptionType<string> {
  const valid = options.patternDoc ?? 'text';
  const isNot = (name: string, value: unknown) =>
    options.style === 'expected'
      ? invalid(name, value, valid)
      : new ConfigurationError(`Input ${name} ${redactCredentials(show(value))} is not ${valid}.`, name);
  return {
    kind: options.placeholder ?? 'text',
    text: true,
    parse: (raw) => raw,
    check(value, name) {
      if (typeof value !== 'string') throw isNot(name, value);
      if (options.maxLength !== undefined && value.length > options.maxLength) {
        throw new ConfigurationError(
          `Input ${name} is ${value.length} characters long; at most ${options.maxLength} are allowed (${valid}).`,
          name
        );
      }
      if (options.pattern && !options.pattern.test(value)) throw isNot(name, value);
    },
    format: (value) => value,
    describe: () => valid
  };
}

/** true or false (YAML 1.2 core schema spellings: true/True/TRUE/false/False/FALSE). */
export function bool(): OptionType<boolean> {
  return {
    kind: 'true|false',
    flag: true,
    parse(raw, name) {
      if (['true', 'True', 'TRUE'].includes(raw)) return true;
      if (['false', 'False', 'FALSE'].includes(raw)) return false;
      throw invalid(name, raw, 'true or false');
    },
    check(value, name) {
      if (typeof value !== 'boolean') throw invalid(name, value, 'true or false');
    },
    format: (value) => String(value),
    describe: () => 'true or false'
  };
}

/** A whole number written in decimal digits (no `0x10`, `2e0` or `2.0`), within [min, max]. */
export function int(options: { min?: number; max?: number; unit?: string } = {}): OptionType<number> {
  const unit = options.unit ? ` (${options.unit})` : '';
  const valid = `a whole number ${range(options.min, options.max)}${unit}`.replace('  ', ' ').trim();
  const inRange = (n: number) =>
    Number.isSafeInteger(n) &&
    (options.min === undefined || n >= options.min) &&
    (options.max === undefined || n <= options.max);
  return {
    kind: options.unit ?? 'n',
    parse(raw, name) {
      const value = Number(raw);
      if (!WHOLE.test(raw) || !inRange(value)) throw invalid(name, raw, valid);
      return value;
    },
    check(value, name) {
      if (
        typeof value !== 'number' ||
        !Number.isSafeInteger(value) ||
        (options.min !== undefined && value < options.min) ||
        (options.max !== undefined && value > options.max)
      )
        throw invalid(name, value, valid);
    },
    format: (value) => String(value),
    describe: () => valid
  };
}

/** A decimal number (fractions allowed, no exponents or hex) within [min, max], in `unit`. */
export function num(options: { min?: number; max?: number; unit?: string } = {}): OptionType<number> {
  const unit = options.unit ? ` (${options.unit})` : '';
  const valid = `a number ${range(options.min, options.max)}${unit}`.replace('  ', ' ').trim();
  return {
    kind: options.unit ?? 'n',
    parse(raw, name) {
      const value = Number(raw);
      if (
        !DECIMAL.test(raw) ||
        (options.min !== undefined && value < options.min) ||
        (options.max !== undefined && value > options.max)
      )
        throw invalid(name, raw, valid);
      return value;
    },
    check(value, name) {
      if (
        typeof value !== 'number' ||
        !Number.isFinite(value) ||
        (options.min !== undefined && value < options.min) ||
        (options.max !== undefined && value > options.max)
      )
        throw invalid(name, value, valid);
    },
    format: (value) => String(value),
    describe: () => valid
  };
}

/**
 * A length of time written in `unit` (`timeout-minutes: 0.5`), within [min, max] of that unit; the library
 * sees a Duration.
 */
export function duration(options: {
  unit: Exclude<DurationUnit, 'milliseconds'>;
  min: number;
  max: number;
  /** Whole numbers of the unit only (`poll-interval-seconds`). */
  whole?: boolean;
}): OptionType<Duration> {
  const valid = options.whole
    ? `a whole number from ${options.min} to ${options.max} (${options.unit})`
    : `a number from ${options.min} to ${options.max} (${options.unit}, fractions allowed)`;
  const inRange = (n: number) =>
    Number.isFinite(n) && n >= options.min && n <= options.max && (!options.whole || Number.isInteger(n));
  return {
    kind: options.unit,
    parse(raw, name) {
      if (!(options.whole ? WHOLE : DECIMAL).test(raw) || !inRange(Number(raw)))
        throw invalid(name, raw, valid);
      return Duration.of(Number(raw), options.unit);
    },
    check(value, name) {
      if (!(value instanceof Duration) || !inRange(value.in(options.unit))) {
        const shown = value instanceof Duration ? `${value.in(options.unit)} ${options.unit}` : value;
        throw invalid(name, shown, valid);
      }
    },
    format: (value) => String(value.in(options.unit)),
    describe: () => valid
  };
}

/** A size written in MiB (`multipart-threshold-mb: 16`) within [min, max] MiB; the library sees bytes. */
export function mebibytes(options: { min: number; max: number }): OptionType<number> {
  const MiB = 1024 * 1024;
  const valid = `a whole number of MiB from ${options.min} to ${options.max}`;
  const inRange = (bytes: number) =>
    Number.isSafeInteger(bytes) && bytes >= options.min * MiB && bytes <= options.max * MiB;
  return {
    kind: 'MiB',
    parse(raw, name) {
      if (!WHOLE.test(raw) || !inRange(Number(raw) * MiB)) throw invalid(name, raw, valid);
      return Number(raw) * MiB;
    },
    check(value, name) {
      if (typeof value !== 'number' || !inRange(value)) throw invalid(name, value / MiB, valid);
    },
    format: (value) => String(value / MiB),
    describe: () => valid
  };
}

/** One of `values`, exactly as written. */
export function oneOf<const V extends string>(values: readonly V[]): OptionType<V> {
  const valid = `one of ${values.join(', ')}`;
  return {
    kind: values.join('|'),
    parse(raw, name) {
      if (!(values as readonly string[]).includes(raw)) throw invalid(name, raw, valid);
      return raw as V;
    },
    check(value, name) {
      if (!(values as readonly string[]).includes(value)) throw invalid(name, value, valid);
    },
    format: (value) => value,
    describe: () => valid
  };
}

/**
 * `key=value` lines (blank lines and `#` comments skipped), e.g. `images`, `environment`, `tags`.
 * @param checkPair checks one pair (key shape, value shape) and throws a ConfigurationError naming the input.
 */
export function keyValueLines(
  options: { doc: string; checkPair?: (pair: KeyValue, name: string) => void } = { doc: 'key=value lines' }
): OptionType<KeyValue[]> {
  return {
    kind: 'lines',
    multiline: true,
    parse: (raw, name) => parseKeyValueLines(raw, name),
    check(value, name) {
      if (!Array.isArray(value)) throw invalid(name, value, options.doc);
      const seen = new Set<string>();
      for (const pair of value) {
        if (typeof pair?.key !== 'string' || typeof pair.value !== 'string' || !pair.key)
          throw invalid(name, pair, options.doc);
        if (seen.has(pair.key))
          throw new ConfigurationError(`${name}: ${show(pair.key)} is given twice.`, name);
        seen.add(pair.key);
        options.checkPair?.(pair, name);
      }
    },
    format: (value) => value.map((p) => `${p.key}=${p.value}`).join('\n'),
    describe: () => options.doc
  };
}

/**
 * A list, comma- or newline-separated (items trimmed, empties dropped).
 * @param checkItem checks one item and throws a ConfigurationError naming the input.
 */
export function list(
  options: { doc: string; checkItem?: (item: string, name: string) => void; maxItems?: number } = {
    doc: 'a comma- or newline-separated list'
  }
): OptionType<string[]> {
  return {
    kind: 'list',
    multiline: true,
    parse: (raw) => parseList(raw),
    check(value, name) {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
        throw invalid(name, value, options.doc);
      if (options.maxItems !== undefined && value.length > options.maxItems) {
        throw new ConfigurationError(
          `Input ${name} has ${value.length} items; at most ${options.maxItems} are allowed (${options.doc}).`,
          name
        );
      }
      for (const item of value) options.checkItem?.(item, name);
    },
    format: (value) => value.join(','),
    describe: () => options.doc
  };
}

/** Any type, with its own decoding (JSON lists, commands): `parse` and `check` given by the caller. */
export function custom<T>(
  type: Omit<OptionType<T>, 'check'> & { check?: OptionType<T>['check'] }
): OptionType<T> {
  return { check: () => undefined, ...type };
}

// ------------------------------------------------------------------------------------------------- rules

/**
 * A given value as an error message quotes it: JSON string form, lists of `key=value` pairs written back as
 * lines joined by `, `, credential-shaped parts masked (src/lib/secrets.ts).
 */
export function quoteValue(value: unknown): string {
  const text = Array.isArray(value)
    ? value
        .map((item: unknown) =>
          item && typeof item === 'object' && 'key' in item
            ? `${String((item as KeyValue).key)}=${String((item as KeyValue).value)}`
            : String(item)
        )
        .join(', ')
    : value;
  return redactCredentials(show(text));
}

/** Rule: `a` and `b` are not both given. */
export function notBoth<V>(a: keyof V, b: keyof V, why = ''): OptionRule<V> {
  return (values, names) => {
    if (given(values, a) && given(values, b)) {
      throw new ConfigurationError(
        `Give \`${names[a]}\` (${quoteValue(values[a])}) or \`${names[b]}\` (${quoteValue(values[b])}), not both${why ? `: ${why}` : '.'}`,
        names[b]
      );
    }
  };
}

/** Rule: exactly one of `a` and `b` is given. */
export function exactlyOne<V>(a: keyof V, b: keyof V, what: string): OptionRule<V> {
  return (values, names) => {
    notBoth<V>(a, b)(values, names);
    if (!given(values, a) && !given(values, b)) {
      throw new ConfigurationError(
        `Give \`${names[a]}\` or \`${names[b]}\` (${what}); both are empty ("").`,
        names[a]
      );
    }
  };
}

/** Rule: `dependent` is only given together with `on`. */
export function requires<V>(dependent: keyof V, on: keyof V, why: string): OptionRule<V> {
  return (values, names) => {
    if (given(values, dependent) && !given(values, on)) {
      throw new ConfigurationError(
        `\`${names[dependent]}\` (${quoteValue(values[dependent])}) needs \`${names[on]}\`, which is empty: ${why}`,
        names[dependent]
      );
    }
  };
}

/** True when the option has a value (an empty list or string counts as not given). */
export function given<V>(values: V, key: keyof V): boolean {
  const value = values[key] as unknown;
  if (value === undefined || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** The values a spec resolves to. */
export type ValuesOf<S> = S extends OptionSpec<infer D> ? OptionValues<D> : never;
/** What a library caller passes for a spec. */
export type InputOf<S> = S extends OptionSpec<infer D> ? OptionInput<D> : never;

/**
 * `key=value` lines read as a mapping (stack parameters and tags): the same lines as keyValueLines, with
 * the library seeing `Record<key, value>`.
 */
export function keyValueRecord(
  options: { doc: string; checkPair?: (pair: KeyValue, name: string) => void } = { doc: 'key=value lines' }
): OptionType<Record<string, string>> {
  const lines = keyValueLines(options);
  const toPairs = (value: Record<string, string>) =>
    Object.entries(value).map(([key, v]) => ({ key, value: v }));
  return {
    kind: 'lines',
    multiline: true,
    parse: (raw, name) => Object.fromEntries(lines.parse(raw, name).map((p) => [p.key, p.value])),
    check(value, name) {
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        throw new ConfigurationError(`Input ${name} must be a mapping of ${options.doc}.`, name);
      }
      lines.check(toPairs(value), name);
    },
    format: (value) => lines.format(toPairs(value)),
    describe: () => options.doc
  };
}

/**
 * The reporter is how library code talks to whoever drives it (an action, the CLI, a test) without
 * importing `@actions/core`. Every phase of a deploy runs inside `group`; non-fatal problems go to `warn`.
 */
export interface Reporter {
  /** One line of progress for a person. */
  info(message: string): void;
  /** A non-fatal problem (an action shows it as an annotation). */
  warn(message: string): void;
  /** Detail for troubleshooting only. */
  debug(message: string): void;
  /** Runs `fn` as one named, collapsible phase. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Masks a value in every later log line. Call before the value can reach a log. */
  secret(value: string): void;
}

/**
 * Opens one named, collapsible group of the face's output around `fn` (the action's `core.group`, the CLI's
 * heading); library code takes one where a face wants each step of an operation in its own group.
 */
export type GroupFn = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

/** A reporter that records everything: for tests and for the CLI's `--quiet` mode. */
export class MemoryReporter implements Reporter {
  readonly lines: string[] = [];
  readonly warnings: string[] = [];
  readonly secrets: string[] = [];
  info(message: string): void {
    this.lines.push(message);
  }
  warn(message: string): void {
    this.warnings.push(message);
    this.lines.push(`warning: ${message}`);
  }
  debug(_message: string): void {}
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.lines.push(`## ${name}`);
    return fn();
  }
  secret(value: string): void {
    if (value) this.secrets.push(value);
  }
}

/** A reporter that writes to a stream (the CLI's stdout/stderr), masking secrets. */
export class StreamReporter implements Reporter {
  private readonly masked: string[] = [];
  constructor(
    private readonly out: { write(text: string): unknown } = process.stdout,
    private readonly verbose = false
  ) {}
  private mask(text: string): string {
    return this.masked.reduce((acc, s) => acc.split(s).join('***'), text);
  }
  info(message: string): void {
    this.out.write(`${this.mask(message)}\n`);
  }
  warn(message: string): void {
    this.out.write(`warning: ${this.mask(message)}\n`);
  }
  debug(message: string): void {
    if (this.verbose) this.out.write(`debug: ${this.mask(message)}\n`);
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.out.write(`▸ ${this.mask(name)}\n`);
    return fn();
  }
  secret(value: string): void {
    if (value) this.masked.push(value);
  }
}

/**
 * Keeping the secrets people put in a task definition's plain `environment` out of every log line, output
 * and job summary: masked before anything about the task definition is printed, redacted in the diff (old
 * and new values), and a warning per variable that such a value belongs in `secrets`.
 *
 * A value is hidden when
 * - its variable's name looks sensitive ({@link SENSITIVE_NAME}: the whole value), or
 * - it holds a credential-shaped part (src/lib/secrets.ts: a URL or connection string with a password, a
 *   JWT, a well-known key format, a random-looking token: that part), or
 * - any other string of the task definition (a command, a health check, a label) holds a credential of a
 *   known format (the random-token rule is kept to environment values, where people paste secrets; a
 *   command or an ARN holds many random-looking identifiers that are not).
 */
import type { Reporter } from '../lib/reporter.js';
import { findCredentials } from '../lib/secrets.js';
import type { FieldChange } from './compare.js';
import type { TaskDefinitionDoc } from './task-definition.js';

/** Names of environment variables whose values must never reach a log or a job summary. */
export const SENSITIVE_NAME = /PASS|SECRET|TOKEN|KEY|CREDENTIAL|PRIVATE|AUTH|COOKIE|SESSION/i;

/** The substrings to hide, and what was found where. */
export interface SensitiveValues {
  /** Substrings that must never be printed (whole values or their credential parts). */
  hidden: Set<string>;
  /** `container.NAME` → what its value looks like, for variables whose values hold credentials. */
  credentials: Map<string, string>;
}

function strings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, out);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) strings(item, out);
}

/** Finds what must be hidden in `doc` (see the module doc); pure. */
export function findSensitiveValues(doc: Partial<TaskDefinitionDoc>): SensitiveValues {
  const hidden = new Set<string>();
  const credentials = new Map<string, string>();
  for (const container of doc.containerDefinitions ?? []) {
    const { environment, ...rest } = container;
    for (const e of Array.isArray(environment) ? environment : []) {
      if (typeof e?.value !== 'string' || !e.value) continue;
      if (SENSITIVE_NAME.test(e.name)) hidden.add(e.value);
      const found = findCredentials(e.value, { entropy: true });
      for (const match of found) hidden.add(match.value);
      if (found.length) credentials.set(`${container.name}.${e.name}`, found[0]!.kind);
    }
    const texts: string[] = [];
    strings(rest, texts);
    for (const text of texts) for (const match of findCredentials(text)) hidden.add(match.value);
  }
  const { containerDefinitions: _containers, ...task } = doc;
  const texts: string[] = [];
  strings(task, texts);
  for (const text of texts) for (const match of findCredentials(text)) hidden.add(match.value);
  return { hidden, credentials };
}

/**
 * Masks every value to hide (`reporter.secret`, also each line of a multi-line value) and, with `warn`,
 * warns once per variable whose value holds a credential. Call before anything about `doc` is printed.
 * @returns what was found.
 */
export function protectTaskDefinition(
  doc: Partial<TaskDefinitionDoc>,
  reporter: Reporter,
  options: { warn: boolean }
): SensitiveValues {
  const found = findSensitiveValues(doc);
  for (const value of found.hidden) {
    reporter.secret(value);
    if (value.includes('\n'))
      for (const line of value.split(/\r?\n/)) if (line.trim().length >= 4) reporter.secret(line.trim());
  }
  if (options.warn) {
    for (const [variable, kind] of found.credentials) {
      reporter.warn(
        `environment ${variable} holds ${kind}; it is masked here, but a task definition keeps environment values in clear for anyone who may describe it: put it in \`secrets\` (an SSM SecureString parameter or a Secrets Manager secret, referenced by valueFrom).`
      );
    }
  }
  return found;
}

/** `changes` with every hidden substring (as it appears in their JSON text) replaced by `***`. */
export function redactChanges(changes: FieldChange[], hidden: Set<string>): FieldChange[] {
  const ordered = [...hidden].sort((a, b) => b.length - a.length);
  const hide = (text: string | undefined) =>
    text === undefined
      ? undefined
      : ordered.reduce((acc, v) => acc.split(JSON.stringify(v).slice(1, -1)).join('***'), text);
  return changes.map((c) => ({ ...c, before: hide(c.before), after: hide(c.after) }));
}

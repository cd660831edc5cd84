/**
 * Parsing of the multi-line `key=value` inputs that actions take (`images`, `environment`, `secrets`).
 */
import { ConfigurationError, show } from './errors.js';
import { redactCredentials } from './secrets.js';

/** One `key=value` pair from a multi-line input. */
export interface KeyValue {
  key: string;
  value: string;
}

/**
 * Parses lines of `key=value` (blank lines and `#` comments skipped; whitespace around key and value trimmed).
 * @param input the action input name, for error messages.
 * @throws ConfigurationError naming the input and the line (credential-shaped parts masked) when a line has no
 *   `=` or an empty key, or a key repeats.
 */
export function parseKeyValueLines(text: string, input: string): KeyValue[] {
  const result: KeyValue[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      throw new ConfigurationError(
        `${input}: line ${index + 1} ${redactCredentials(show(line))} is not of the form key=value.`,
        input
      );
    }
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (seen.has(key)) {
      throw new ConfigurationError(`${input}: ${show(key)} is given twice (line ${index + 1}).`, input);
    }
    seen.add(key);
    result.push({ key, value });
  });
  return result;
}

/** Splits a list input on newlines and commas, trimming and dropping empties. */
export function parseList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

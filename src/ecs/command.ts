/** The command override of a one-off task (run-task's `command`, the root action's `migration-command`). */
import { ConfigurationError, show } from '../lib/errors.js';

/**
 * Splits a command input: a JSON array (`["python","-m","app.migrate"]`, exec form) or words separated by
 * white space (no shell quoting: use the JSON form for arguments with spaces).
 * @param input the input's name, for messages.
 * @throws ConfigurationError naming the input when a JSON array is malformed, empty or holds non-strings.
 */
export function parseCommand(text: string, input = 'command'): string[] | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new ConfigurationError(
        `${input} ${show(trimmed)} starts with [ but is not a JSON array of strings.`,
        input
      );
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((p) => typeof p === 'string')) {
      throw new ConfigurationError(
        `${input} ${show(trimmed)} must be a non-empty JSON array of strings.`,
        input
      );
    }
    return parsed as string[];
  }
  return trimmed.split(/\s+/);
}

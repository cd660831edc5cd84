/** The changed-paths list passed from upload-frontend to invalidate-cdn (its output, its input). */
import { ConfigurationError, show } from '../lib/errors.js';
import { parseList } from '../lib/lines.js';

/**
 * Parses a changed-paths value: upload-frontend's JSON list (`["/index.html"]`), or paths separated by
 * newlines or commas.
 * @param input the input's name, for messages.
 * @throws ConfigurationError naming the input when a value that starts with `[` is not a JSON list of strings.
 */
export function parseChangedPaths(text: string, input = 'changed-paths'): string[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  if (!trimmed.startsWith('[')) return parseList(trimmed);
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    throw new ConfigurationError(`${input} ${show(trimmed)} is not a JSON list of paths.`, input);
  }
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new ConfigurationError(`${input} ${show(trimmed)} must be a JSON list of strings.`, input);
  }
  return value as string[];
}

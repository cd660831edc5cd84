/** Globs the frontend inputs take (`entry-points`, `hashed-paths`): picomatch syntax, paths relative to the site. */
import picomatch from 'picomatch';
import { ConfigurationError, show } from '../lib/errors.js';

/**
 * Checks one glob of a list input: relative (no leading `/`), balanced brackets and braces.
 * @param name the input's name, for the message.
 * @throws ConfigurationError naming the input, quoting the glob and saying what is valid.
 */
export function checkGlob(pattern: string, name: string): void {
  if (pattern.startsWith('/')) {
    throw new ConfigurationError(
      `Input ${name}: ${show(pattern)} starts with "/"; globs are relative to the site root (write ${show(pattern.replace(/^\/+/, ''))}).`,
      name
    );
  }
  try {
    picomatch.makeRe(pattern, { strictBrackets: true, dot: true });
  } catch (error) {
    throw new ConfigurationError(
      `Input ${name}: ${show(pattern)} is not a valid glob (${(error as Error).message}); expected picomatch globs such as **/*.html or assets/**.`,
      name
    );
  }
}

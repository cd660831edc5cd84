/**
 * Cache-Control by ordered glob rules: the first rule whose glob matches a file's path (relative to
 * `source-dir`) gives its Cache-Control header. Rules are lines of `<glob> = <cache-control>`; the line
 * `spa` inserts the preset {@link SPA_PRESET} at that point. Globs are picomatch globs matched against
 * the whole relative path (`*.html` matches only top-level files, `**\/*.html` matches them all), dotfiles
 * included.
 */
import picomatch from 'picomatch';
import { ConfigurationError, show } from '../lib/errors.js';

/** One parsed rule. */
export interface CacheControlRule {
  /** The glob as written. */
  pattern: string;
  /** The Cache-Control header value, normalised (`public, max-age=300`). */
  value: string;
  /** Where it came from: `line N` of the input, or `spa preset`. */
  source: string;
  /** Tests a relative path. */
  matches: (relativePath: string) => boolean;
}

/**
 * The `spa` preset, for a Vite/Vue build: HTML entry points are revalidated on every load, Vite's
 * content-hashed `assets/` directory is cached for a year and marked immutable, everything else
 * (favicon, robots.txt, images in public/) gets five minutes.
 */
export const SPA_PRESET = `**/*.html = no-cache
assets/** = public, max-age=31536000, immutable
** = public, max-age=300`;

/** Directives accepted in a value; those in NUMERIC need `=<seconds>`. */
const DIRECTIVES = new Set([
  'public',
  'private',
  'no-cache',
  'no-store',
  'no-transform',
  'must-revalidate',
  'proxy-revalidate',
  'must-understand',
  'immutable',
  'max-age',
  's-maxage',
  'stale-while-revalidate',
  'stale-if-error'
]);
const NUMERIC = new Set(['max-age', 's-maxage', 'stale-while-revalidate', 'stale-if-error']);

/**
 * Parses the `cache-control` input.
 * @param text rule lines (`#` comments and blank lines skipped); `spa` alone on a line is the preset.
 * @param input the input name used in error messages.
 * @throws ConfigurationError naming the line when it is not `<glob> = <cache-control>`, the glob is
 *   malformed (unbalanced brackets or braces), or a directive is unknown or lacks its number of seconds.
 */
export function parseCacheControlRules(text: string, input = 'cache-control'): CacheControlRule[] {
  const rules: CacheControlRule[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    if (line === 'spa') {
      rules.push(...parseCacheControlRules(SPA_PRESET, input).map((r) => ({ ...r, source: 'spa preset' })));
      return;
    }
    const where = `${input}: line ${index + 1} ${show(line)}`;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      throw new ConfigurationError(
        `${where} is not a rule; expected \`<glob> = <cache-control>\` (for example \`assets/** = public, max-age=31536000, immutable\`) or \`spa\`.`,
        input
      );
    }
    const pattern = line.slice(0, eq).trim();
    const value = normaliseValue(line.slice(eq + 1), where, input);
    if (DIRECTIVES.has(pattern.toLowerCase())) {
      throw new ConfigurationError(
        `${where} starts with a Cache-Control directive, not a glob; expected \`<glob> = <cache-control>\`.`,
        input
      );
    }
    if (pattern.startsWith('/')) {
      throw new ConfigurationError(
        `${where}: globs are relative to source-dir and must not start with "/" (write ${show(pattern.replace(/^\/+/, ''))}).`,
        input
      );
    }
    let matches: (p: string) => boolean;
    try {
      picomatch.makeRe(pattern, { strictBrackets: true, dot: true });
      matches = picomatch(pattern, { dot: true });
    } catch (error) {
      throw new ConfigurationError(
        `${where}: ${show(pattern)} is not a valid glob (${(error as Error).message}).`,
        input
      );
    }
    rules.push({ pattern, value, source: `line ${index + 1}`, matches });
  });
  return rules;
}

function normaliseValue(raw: string, where: string, input: string): string {
  const parts = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) {
    throw new ConfigurationError(`${where} has no Cache-Control value after "=".`, input);
  }
  return parts
    .map((part) => {
      const m = /^([A-Za-z-]+)(?:\s*=\s*(.+))?$/.exec(part);
      const name = m?.[1]?.toLowerCase();
      if (!m || !name || !DIRECTIVES.has(name)) {
        throw new ConfigurationError(
          `${where}: ${show(part)} is not a Cache-Control directive; valid: ${[...DIRECTIVES].join(', ')}.`,
          input
        );
      }
      const arg = m[2]?.trim();
      if (NUMERIC.has(name)) {
        if (!arg || !/^\d+$/.test(arg)) {
          throw new ConfigurationError(
            `${where}: ${name} needs a whole number of seconds (for example ${name}=300).`,
            input
          );
        }
        return `${name}=${Number(arg)}`;
      }
      if (arg !== undefined) {
        throw new ConfigurationError(`${where}: ${name} takes no value.`, input);
      }
      return name;
    })
    .join(', ');
}

/** The Cache-Control of the first matching rule, or undefined when none matches (no header is sent). */
export function cacheControlFor(
  relativePath: string,
  rules: readonly CacheControlRule[]
): string | undefined {
  return rules.find((rule) => rule.matches(relativePath))?.value;
}

/**
 * Invalidation planning: which CloudFront paths a deploy made stale. Only paths cached under their own
 * name need it (HTML entry points, `/` for `index.html` and `/dir/` for `dir/index.html`, other non-hashed
 * files); content-hashed assets get new names when they change, so they never do. Past a budget the list
 * collapses to directory wildcards, and finally to `/*`.
 *
 * CloudFront limits (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-invalidations):
 * 3,000 file paths and 15 wildcard paths in progress per distribution; the first 1,000 paths a month are
 * free, then each path (a wildcard counts as one) is billed.
 */
import picomatch from 'picomatch';
import { ConfigurationError, show } from '../lib/errors.js';

/** Options of {@link planInvalidation}. */
export interface InvalidationPlanOptions {
  /**
   * The most paths one invalidation may hold: changed paths collapse to wildcards to fit what explicit
   * paths leave of it. Default 20 (1–3000).
   */
  maxPaths?: number;
  /**
   * CloudFront paths invalidated as given (the `paths` input): never collapsed, at most `maxPaths` of them
   * and {@link MAX_WILDCARDS} wildcards, each checked by {@link checkCloudFrontPath}. Default none.
   */
  explicitPaths?: readonly string[];
  /** Globs (no leading `/`) of content-hashed files that need no invalidation. Default {@link DEFAULT_HASHED}. */
  hashedPatterns?: string[];
  /** Prepended to every path (for a distribution whose origin path is not the upload prefix). Default ''. */
  pathPrefix?: string;
}

/** The plan. */
export interface InvalidationPlan {
  /** CloudFront paths, each starting with `/`; empty when nothing needs invalidating. */
  paths: string[];
  /** Changed paths skipped because they are content-hashed. */
  skippedHashed: string[];
  /** How the list was shortened: `none`, `wildcards` or `all` (`/*`). */
  collapsed: 'none' | 'wildcards' | 'all';
}

/**
 * Hashed by default: Vite's `assets/` directory, and any file whose name ends in a build hash
 * (`app.3f2a1b9c.js`, `chunk-5FQ3ZPUL.js`: 8 or more letters/digits with at least one digit).
 */
export const DEFAULT_HASHED = ['assets/**'];
const HASHED_NAME = /[.-](?=[A-Za-z0-9_]*\d)[A-Za-z0-9_]{8,}\.[A-Za-z0-9]+$/;
/** CloudFront's limit of wildcard paths in progress per distribution. */
export const MAX_WILDCARDS = 15;
/** CloudFront's limit of file paths in progress per distribution (so of one invalidation). */
export const MAX_PATHS_IN_PROGRESS = 3000;

/**
 * Checks one CloudFront invalidation path as CloudFront takes it
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Invalidation_Specifying_Objects.html):
 * it starts with `/`, is URL-encoded (no spaces, control characters or other characters RFC 1738 calls
 * unsafe), has `*` only as its last character, and has no `.` or `..` segment (browsers resolve those, so
 * such a path matches nothing). At most 4,000 characters.
 * @param name the input's name, for the message.
 * @throws ConfigurationError naming the input, quoting the path and saying what is valid.
 */
export function checkCloudFrontPath(value: string, name: string): void {
  const fail = (why: string): never => {
    throw new ConfigurationError(`Input ${name}: ${show(value)} ${why}.`, name);
  };
  if (!value.startsWith('/')) fail('must start with "/" (a CloudFront path such as /index.html or /img/*)');
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(value))
    fail('contains a space or control character; URL-encode it (a space is %20)');
  if (/["<>\\^`{|}]/.test(value)) fail('contains a character that must be URL-encoded (" < > \\ ^ ` { | })');
  if (value.indexOf('*') !== -1 && value.indexOf('*') !== value.length - 1)
    fail('has a "*" before its end; CloudFront takes "*" only as the last character (such as /img/*)');
  if (/(^|\/)\.\.?(\/|$)/.test(value)) fail('has a "." or ".." segment; give the path a browser requests');
  if (value.length > 4000) fail(`is ${value.length} characters long; at most 4,000 are allowed`);
}

/**
 * A changed path (an object path relative to the site, as upload-frontend's `changed-paths` lists it, not
 * encoded) as the URL path a browser requests: each character outside RFC 3986's unreserved and sub-delims
 * (and `:`, `@`, `/`) percent-encoded as UTF-8, so `/my file.html` is invalidated as `/my%20file.html`. A
 * final `*` stays a wildcard; a `*` anywhere else is encoded as `%2A`.
 */
export function urlPathOf(objectPath: string): string {
  const last = objectPath.endsWith('*') ? '*' : '';
  const body = last ? objectPath.slice(0, -1) : objectPath;
  const encoded = Array.from(body, (ch) =>
    /[A-Za-z0-9\-._~!$&'()+,;=:@/]/.test(ch)
      ? ch
      : Array.from(Buffer.from(ch, 'utf8'), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(
          ''
        )
  ).join('');
  return encoded + last;
}

/**
 * Plans the invalidation for the changed paths of a deploy.
 * @param changedPaths object paths relative to the site root (`/index.html`, `/favicon.ico`), as
 *   upload-frontend's `changed-paths` output lists them (not URL-encoded: {@link urlPathOf} encodes them); a
 *   final `*` is a wildcard. They collapse to fit what `explicitPaths` leave of `maxPaths`; when the explicit
 *   paths take all of it, any changed path left makes the invalidation `/*`.
 * @throws ConfigurationError (input `max-paths`) for a budget outside 1–3000; (`changed-paths`) for a path
 *   not starting with `/`; (`paths`) for a bad explicit path, more than `maxPaths` of them or more than 15
 *   wildcards; (`path-prefix`) for a prefix not starting with `/`.
 */
export function planInvalidation(
  changedPaths: readonly string[],
  options: InvalidationPlanOptions = {}
): InvalidationPlan {
  const maxPaths = options.maxPaths ?? 20;
  if (!Number.isInteger(maxPaths) || maxPaths < 1 || maxPaths > 3000) {
    throw new ConfigurationError(
      `max-paths ${show(maxPaths)} must be a whole number from 1 to 3000.`,
      'max-paths'
    );
  }
  const hashed = picomatch(options.hashedPatterns ?? DEFAULT_HASHED, { dot: true });
  const prefix = (options.pathPrefix ?? '').replace(/\/+$/, '');
  if (prefix && !prefix.startsWith('/')) {
    throw new ConfigurationError(
      `path-prefix ${show(options.pathPrefix)} must start with "/".`,
      'path-prefix'
    );
  }
  const explicit = [...new Set(options.explicitPaths ?? [])].sort();
  for (const p of explicit) checkCloudFrontPath(p, 'paths');
  if (explicit.length > maxPaths) {
    throw new ConfigurationError(
      `Input paths has ${explicit.length} paths (first ${show(explicit[0])}), more than max-paths ${maxPaths}; explicit paths are never collapsed: give at most ${maxPaths}, use wildcards such as /img/*, or raise max-paths (up to ${MAX_PATHS_IN_PROGRESS}).`,
      'paths'
    );
  }
  const explicitWildcards = explicit.filter((p) => p.endsWith('*')).length;
  if (explicitWildcards > MAX_WILDCARDS) {
    throw new ConfigurationError(
      `Input paths has ${explicitWildcards} wildcard paths; CloudFront allows at most ${MAX_WILDCARDS} in progress per distribution.`,
      'paths'
    );
  }
  const wanted = new Set<string>();
  const skippedHashed: string[] = [];
  for (const raw of changedPaths) {
    const p = raw.trim();
    if (!p) continue;
    if (!p.startsWith('/')) {
      throw new ConfigurationError(
        `changed-paths: ${show(p)} is not a path of the site; each must start with "/" (as upload-frontend's changed-paths output lists them).`,
        'changed-paths'
      );
    }
    const relative = p.slice(1);
    if (!p.endsWith('*') && (hashed(relative) || HASHED_NAME.test(relative))) {
      skippedHashed.push(p);
      continue;
    }
    const url = urlPathOf(p);
    wanted.add(prefix + url);
    if (url === '/index.html') wanted.add(prefix + '/');
    else if (url.endsWith('/index.html')) wanted.add(prefix + url.slice(0, -'index.html'.length));
  }
  const all = `${prefix}/*`;
  const merge = (planned: string[], collapsed: InvalidationPlan['collapsed']): InvalidationPlan => {
    const paths = [...new Set([...planned, ...explicit])].sort();
    if (paths.includes(all) || paths.includes('/*')) return { paths: [all], skippedHashed, collapsed };
    return { paths, skippedHashed, collapsed };
  };
  let paths = [...wanted].filter((p) => !explicit.includes(p)).sort();
  if (paths.length === 0) return merge([], 'none');
  if (paths.includes(all) || paths.includes('/*')) return merge([all], 'all');
  const budget = maxPaths - explicit.length;
  const wildcardBudget = MAX_WILDCARDS - explicitWildcards;
  if (paths.length <= budget) return merge(paths, 'none');
  if (budget < 1) return merge([all], 'all');
  paths = collapse(paths, budget);
  const wildcards = paths.filter((p) => p.endsWith('*')).length;
  if (paths.length > budget || wildcards > wildcardBudget) return merge([all], 'all');
  return merge(paths, 'wildcards');
}

/**
 * Greedily replaces the files of one directory by `dir/*`, choosing each time the directory that removes the
 * most paths, until the list fits or no directory helps.
 */
function collapse(input: string[], maxPaths: number): string[] {
  let paths = [...input];
  while (paths.length > maxPaths) {
    const counts = new Map<string, number>();
    for (const p of paths) {
      const segments = p.split('/').slice(1, -1); // directories, without the file name
      for (let depth = 1; depth <= segments.length; depth++) {
        const dir = `/${segments.slice(0, depth).join('/')}/`;
        counts.set(dir, (counts.get(dir) ?? 0) + 1);
      }
    }
    let best: string | undefined;
    let bestGain = 0;
    for (const [dir, count] of counts) {
      const gain = count - 1;
      // Prefer the deepest directory on ties: it invalidates less.
      if (
        gain > bestGain ||
        (gain === bestGain && best !== undefined && dir.length > best.length && gain > 0)
      ) {
        best = dir;
        bestGain = gain;
      }
    }
    if (!best || bestGain === 0) break;
    const dir = best;
    paths = [...paths.filter((p) => !p.startsWith(dir)), `${dir}*`].sort();
  }
  return paths;
}

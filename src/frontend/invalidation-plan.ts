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
  /** The most paths one invalidation may hold before collapsing to wildcards. Default 20 (1–3000). */
  maxPaths?: number;
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

/**
 * Plans the invalidation for the changed paths of a deploy.
 * @param changedPaths URL paths relative to the site root (`/index.html`, `/favicon.ico`), as upload-frontend's
 *   `changed-paths` output lists them; paths given explicitly (with `*`) are kept as they are.
 * @throws ConfigurationError (input `max-paths`) for a budget outside 1–3000, or a path containing spaces or
 *   not starting with `/`.
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
  const wanted = new Set<string>();
  const skippedHashed: string[] = [];
  for (const raw of changedPaths) {
    const p = raw.trim();
    if (!p) continue;
    if (!p.startsWith('/') || /\s/.test(p)) {
      throw new ConfigurationError(
        `changed-paths: ${show(p)} is not a CloudFront path; each must start with "/" and contain no spaces.`,
        'changed-paths'
      );
    }
    const relative = p.slice(1);
    if (!p.includes('*') && (hashed(relative) || HASHED_NAME.test(relative))) {
      skippedHashed.push(p);
      continue;
    }
    wanted.add(prefix + p);
    if (p === '/index.html') wanted.add(prefix + '/');
    else if (p.endsWith('/index.html')) wanted.add(prefix + p.slice(0, -'index.html'.length));
  }
  let paths = [...wanted].sort();
  if (paths.some((p) => p === '/*' || p === `${prefix}/*`))
    return { paths: [`${prefix}/*`], skippedHashed, collapsed: 'all' };
  if (paths.length <= maxPaths) return { paths, skippedHashed, collapsed: 'none' };
  paths = collapse(paths, maxPaths);
  const wildcards = paths.filter((p) => p.includes('*')).length;
  if (paths.length > maxPaths || wildcards > MAX_WILDCARDS) {
    return { paths: [`${prefix}/*`], skippedHashed, collapsed: 'all' };
  }
  return { paths, skippedHashed, collapsed: 'wildcards' };
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

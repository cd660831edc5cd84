/**
 * invalidate-cdn: plans and creates a CloudFront invalidation for the paths a deploy changed, optionally
 * waiting for it. See docs/frontend.md.
 */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { clientConfig } from '../lib/aws.js';
import { ConfigurationError, show } from '../lib/errors.js';
import type { Reporter } from '../lib/reporter.js';
import { realClock, type Clock, type Sleep } from '../lib/sleep.js';
import {
  callerReference,
  createInvalidation,
  findInvalidation,
  waitForInvalidation
} from './invalidation-client.js';
import { planInvalidation, type InvalidationPlan } from './invalidation-plan.js';

/** Options of {@link invalidateCdn}; names follow the action inputs. */
export interface InvalidateCdnOptions {
  /** CloudFront distribution id (`E2QWRUHAPOMQZL`). Required. */
  distributionId: string;
  /** URL paths that changed: upload-frontend's `changedPaths` (`/index.html`...), or explicit paths. */
  changedPaths?: readonly string[];
  /** Explicit paths, used as given (no planning); `paths` and `changedPaths` are merged when both are set. */
  paths?: readonly string[];
  /** Most paths before collapsing to wildcards (1–3000). Default 20. */
  maxPaths?: number;
  /** Globs (relative, no leading `/`) of content-hashed files that need no invalidation. Default `assets/**`. */
  hashedPatterns?: string[];
  /** Prepended to every planned path. Default ''. */
  pathPrefix?: string;
  /** CallerReference to use instead of the one derived from the job (see callerReference). */
  callerReference?: string;
  /** Wait until the invalidation is Completed. Default false. */
  wait?: boolean;
  /** Limit for retries and waiting, in minutes (0.1–120). Default 15. */
  timeoutMinutes?: number;
  /** Plan only; no request to CloudFront. Default false. */
  dryRun?: boolean;
  region?: string;
  endpoint?: string;
  maxAttempts?: number;
  /** Accept moto's `COMPLETED` status (test setups). Default: env TWOTIER_MOTO_QUIRKS=1. */
  acceptUppercaseCompleted?: boolean;
  cloudfront?: CloudFrontClient;
  sleep?: Sleep;
  clock?: Clock;
  random?: () => number;
  /** Milliseconds between polls when waiting. Default 10000. */
  pollIntervalMs?: number;
  /** Environment for the CallerReference (GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT). Default process.env. */
  env?: Record<string, string | undefined>;
}

/** What {@link invalidateCdn} did. */
export interface InvalidationResult {
  distributionId: string;
  /** The paths invalidated (empty: nothing needed invalidating, no request made). */
  paths: string[];
  skippedHashed: string[];
  collapsed: InvalidationPlan['collapsed'];
  /** Undefined when no invalidation was created (nothing changed, or dry run). */
  invalidationId?: string;
  /** `Completed`, `InProgress`, `skipped` (nothing to invalidate) or `dry-run`. */
  status: string;
  callerReference?: string;
  dryRun: boolean;
  /** True when an invalidation with the same CallerReference existed and was returned instead of a new one. */
  reused?: boolean;
}

/**
 * Plans the invalidation for `changedPaths` (plus explicit `paths`), creates it with an idempotent
 * CallerReference (returning the existing invalidation when one was already made with it), and with
 * `wait` polls until Completed. API: CreateInvalidation, ListInvalidations, GetInvalidation
 * (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateInvalidation.html).
 * @throws ConfigurationError for a missing distribution id, bad paths or budget, an unknown distribution.
 * @throws DeploymentError when CloudFront keeps refusing, or the wait times out.
 */
export async function invalidateCdn(
  options: InvalidateCdnOptions,
  reporter: Reporter
): Promise<InvalidationResult> {
  const distributionId = options.distributionId?.trim() ?? '';
  if (!/^[A-Z0-9]{1,32}$/.test(distributionId)) {
    throw new ConfigurationError(
      `distribution-id ${show(options.distributionId ?? '')} is not a CloudFront distribution id (upper-case letters and digits, like E2QWRUHAPOMQZL).`,
      'distribution-id'
    );
  }
  const timeoutMinutes = options.timeoutMinutes ?? 15;
  if (!Number.isFinite(timeoutMinutes) || timeoutMinutes < 0.1 || timeoutMinutes > 120) {
    throw new ConfigurationError(
      `timeout-minutes ${show(timeoutMinutes)} must be from 0.1 to 120.`,
      'timeout-minutes'
    );
  }
  const plan = planInvalidation(options.changedPaths ?? [], {
    maxPaths: options.maxPaths,
    hashedPatterns: options.hashedPatterns,
    pathPrefix: options.pathPrefix
  });
  for (const p of options.paths ?? []) {
    if (!p.startsWith('/')) {
      throw new ConfigurationError(`paths: ${show(p)} must start with "/".`, 'paths');
    }
  }
  const paths = [...new Set([...plan.paths, ...(options.paths ?? [])])].sort();
  const base = {
    distributionId,
    paths,
    skippedHashed: plan.skippedHashed,
    collapsed: plan.collapsed,
    dryRun: options.dryRun ?? false
  };
  if (plan.skippedHashed.length > 0) {
    reporter.info(`${plan.skippedHashed.length} changed content-hashed path(s) need no invalidation`);
  }
  if (paths.length === 0) {
    reporter.info('nothing to invalidate: no changed path is cached under its own name');
    return { ...base, status: 'skipped' };
  }
  reporter.info(
    `paths (${paths.length}${plan.collapsed === 'none' ? '' : `, collapsed: ${plan.collapsed}`}): ${paths.join(' ')}`
  );
  const reference = callerReference(paths, options.callerReference, options.env ?? process.env);
  if (options.dryRun) {
    reporter.info(`dry run: would create the invalidation with CallerReference ${reference}`);
    return { ...base, status: 'dry-run', callerReference: reference };
  }
  const cloudfront =
    options.cloudfront ??
    new CloudFrontClient(
      clientConfig('CLOUDFRONT', {
        region: options.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1',
        endpoint: options.endpoint,
        maxAttempts: options.maxAttempts
      })
    );
  const clock = options.clock ?? realClock;
  const clientOptions = {
    distributionId,
    timeoutMs: timeoutMinutes * 60000,
    pollIntervalMs: options.pollIntervalMs,
    acceptUppercaseCompleted: options.acceptUppercaseCompleted ?? process.env.TWOTIER_MOTO_QUIRKS === '1',
    sleep: options.sleep,
    clock,
    random: options.random
  };
  const started = clock();
  const created = await reporter.group('Create invalidation', async () => {
    const existing = await findInvalidation(cloudfront, distributionId, reference);
    if (existing) {
      reporter.info(
        `invalidation ${existing.id} already exists for CallerReference ${reference}; not creating another`
      );
      return { ...existing, reused: true };
    }
    return {
      ...(await createInvalidation(cloudfront, paths, reference, clientOptions, reporter)),
      reused: false
    };
  });
  reporter.info(`invalidation ${created.id}: ${created.status} (CallerReference ${reference})`);
  let status = created.status;
  if (options.wait) {
    const done = await reporter.group('Wait for the invalidation', () =>
      waitForInvalidation(cloudfront, created.id, clientOptions, reporter, started)
    );
    status = done.status;
  }
  return { ...base, invalidationId: created.id, status, callerReference: reference, reused: created.reused };
}

/** The job summary: distribution, invalidation id and status, and the paths. */
export function invalidationSummaryMarkdown(result: InvalidationResult): string {
  const lines = [`### invalidate-cdn → distribution \`${result.distributionId}\``, ''];
  if (result.paths.length === 0) {
    lines.push('Nothing to invalidate: no changed path is cached under its own name.', '');
  } else {
    lines.push(
      `| invalidation | status | paths |`,
      `|---|---|---:|`,
      `| ${result.invalidationId ?? '(none: dry run)'} | ${result.status} | ${result.paths.length} |`,
      '',
      result.paths
        .slice(0, 100)
        .map((p) => `\`${p}\``)
        .join(' '),
      ''
    );
    if (result.collapsed !== 'none')
      lines.push(
        `Collapsed to ${result.collapsed === 'all' ? '`/*`' : 'wildcards'} to stay within the path budget.`,
        ''
      );
  }
  if (result.skippedHashed.length > 0) {
    lines.push(`${result.skippedHashed.length} changed content-hashed file(s) need no invalidation.`, '');
  }
  return lines.join('\n');
}

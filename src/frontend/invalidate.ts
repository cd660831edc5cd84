/**
 * invalidate-cdn: plans and creates a CloudFront invalidation for the paths a deploy changed, optionally
 * waiting for it. See docs/frontend.md.
 */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { clientConfig } from '../lib/aws.js';
import type { Duration } from '../lib/duration.js';
import { resolveOptions, type InputOf } from '../lib/options.js';
import { invalidateOptions } from './options.js';
import type { Reporter } from '../lib/reporter.js';
import { realClock, type Clock, type Sleep } from '../lib/sleep.js';
import {
  callerReference,
  createInvalidation,
  findInvalidation,
  waitForInvalidation,
  type InvalidationClientOptions
} from './invalidation-client.js';
import { planInvalidation, type InvalidationPlan } from './invalidation-plan.js';

/** What invalidateCdn needs besides its declared options (src/frontend/options.ts `invalidateOptions`). */
export interface InvalidateRuntime {
  maxAttempts?: number;
  cloudfront?: CloudFrontClient;
  sleep?: Sleep;
  clock?: Clock;
  random?: () => number;
  /** Milliseconds between polls when waiting. Default 10000. */
  pollIntervalMs?: number;
  /** Environment for the CallerReference (GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT). Default process.env. */
  env?: Record<string, string | undefined>;
}

/**
 * Options of {@link invalidateCdn}: the declared options (distributionId, changedPaths, paths, maxPaths,
 * hashedPatterns, pathPrefix, callerReference, wait, timeout, dryRun, region, endpoint).
 */
export type InvalidateCdnOptions = InputOf<typeof invalidateOptions> & InvalidateRuntime;

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
 * The planned invalidation ({@link planInvalidate}): what {@link createPlannedInvalidation} sends and
 * {@link waitForPlannedInvalidation} waits for. Planning makes no request.
 */
export interface PlannedInvalidation {
  /** The result as planned: status `skipped` (nothing to invalidate), `dry-run`, or `planned`. */
  result: InvalidationResult;
  /** Wait until Completed after creating. */
  wait: boolean;
  /** The whole budget for retrying a busy CloudFront and waiting. */
  timeout: Duration;
  /** The client the requests go through (built from the options, or the one given). */
  cloudfront: CloudFrontClient;
  client: InvalidationClientOptions;
}

/** The planned invalidation, created: the result and when the timeout started counting. */
export interface CreatedInvalidation {
  result: InvalidationResult;
  /** Clock value (ms) when the creation started: the timeout counts from it. */
  startedAt: number;
}

/**
 * Plans the invalidation without any request: checks the options, plans the paths for `changedPaths`
 * (plus the explicit `paths`: src/frontend/invalidation-plan.ts) and derives the CallerReference.
 * @throws ConfigurationError for bad options (a missing or malformed distribution id, bad paths, a budget
 *   or timeout out of range).
 */
export function planInvalidate(input: InvalidateCdnOptions, reporter: Reporter): PlannedInvalidation {
  const options = { ...input, ...resolveOptions(invalidateOptions, input) };
  const plan = planInvalidation(options.changedPaths ?? [], {
    maxPaths: options.maxPaths,
    hashedPatterns: options.hashedPatterns,
    pathPrefix: options.pathPrefix,
    explicitPaths: options.paths ?? []
  });
  const result: InvalidationResult = {
    distributionId: options.distributionId,
    paths: plan.paths,
    skippedHashed: plan.skippedHashed,
    collapsed: plan.collapsed,
    dryRun: options.dryRun,
    status: 'planned'
  };
  if (plan.skippedHashed.length > 0) {
    reporter.info(`${plan.skippedHashed.length} changed content-hashed path(s) need no invalidation`);
  }
  if (plan.paths.length === 0) {
    reporter.info('nothing to invalidate: no changed path is cached under its own name');
    result.status = 'skipped';
  } else {
    reporter.info(
      `paths (${plan.paths.length}${plan.collapsed === 'none' ? '' : `, collapsed: ${plan.collapsed}`}): ${plan.paths.join(' ')}`
    );
    result.callerReference = callerReference(plan.paths, options.callerReference, options.env ?? process.env);
    if (options.dryRun) {
      reporter.info(`dry run: would create the invalidation with CallerReference ${result.callerReference}`);
      result.status = 'dry-run';
    }
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
  return {
    result,
    wait: options.wait,
    timeout: options.timeout,
    cloudfront,
    client: {
      distributionId: options.distributionId,
      timeoutMs: options.timeout.ms,
      pollIntervalMs: options.pollIntervalMs,
      sleep: options.sleep,
      clock: options.clock,
      random: options.random
    }
  };
}

/**
 * Creates the planned invalidation with an idempotent CallerReference, returning the existing invalidation
 * when one was already made with it (ListInvalidations + GetInvalidation first, then CreateInvalidation:
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateInvalidation.html). A plan with
 * status `skipped` or `dry-run` makes no request and is returned as it is.
 * @throws ConfigurationError for an unknown distribution or a CallerReference used with other paths.
 * @throws DeploymentError naming CloudFront and the operation when CloudFront keeps refusing or a request
 *   fails after the SDK's retries (nothing was created then, unless the message says so).
 */
export async function createPlannedInvalidation(
  planned: PlannedInvalidation,
  reporter: Reporter
): Promise<CreatedInvalidation> {
  const clock = planned.client.clock ?? realClock;
  const startedAt = clock();
  const { result } = planned;
  if (result.status !== 'planned' || !result.callerReference) return { result, startedAt };
  const reference = result.callerReference;
  const { cloudfront, client } = planned;
  const existing = await findInvalidation(cloudfront, client.distributionId, reference, 10, result.paths);
  if (existing) {
    reporter.info(
      `invalidation ${existing.id} already exists for CallerReference ${reference}; not creating another`
    );
  }
  const created =
    existing ?? (await createInvalidation(cloudfront, result.paths, reference, client, reporter));
  reporter.info(`invalidation ${created.id}: ${created.status} (CallerReference ${reference})`);
  return {
    result: { ...result, invalidationId: created.id, status: created.status, reused: existing !== undefined },
    startedAt
  };
}

/**
 * With `wait`, polls GetInvalidation until the created invalidation is Completed, within what is left of
 * `timeout-minutes` (counted from the creation); without it, or for a plan that created nothing, returns
 * the result as it is.
 * @throws DeploymentError when it is not Completed in time (it keeps running in CloudFront).
 */
export async function waitForPlannedInvalidation(
  planned: PlannedInvalidation,
  created: CreatedInvalidation,
  reporter: Reporter
): Promise<InvalidationResult> {
  const { result } = created;
  if (!planned.wait || !result.invalidationId || result.status === 'Completed') return result;
  const done = await waitForInvalidation(
    planned.cloudfront,
    result.invalidationId,
    planned.client,
    reporter,
    created.startedAt
  );
  return { ...result, status: done.status };
}

/**
 * Plans the invalidation for `changedPaths` (plus explicit `paths`), creates it with an idempotent
 * CallerReference (returning the existing invalidation when one was already made with it), and with
 * `wait` polls until Completed: {@link planInvalidate}, {@link createPlannedInvalidation} and
 * {@link waitForPlannedInvalidation} in turn (faces that show phases call them one by one).
 * API: CreateInvalidation, ListInvalidations, GetInvalidation
 * (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateInvalidation.html).
 * @throws ConfigurationError for a missing distribution id, bad paths or budget, an unknown distribution.
 * @throws DeploymentError when CloudFront keeps refusing, a request fails after retries, or the wait times out.
 */
export async function invalidateCdn(
  input: InvalidateCdnOptions,
  reporter: Reporter
): Promise<InvalidationResult> {
  const planned = planInvalidate(input, reporter);
  const created = await createPlannedInvalidation(planned, reporter);
  return waitForPlannedInvalidation(planned, created, reporter);
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

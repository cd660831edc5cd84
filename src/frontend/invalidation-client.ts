/**
 * CloudFront invalidation requests: an idempotent CreateInvalidation (retried while CloudFront answers
 * TooManyInvalidationsInProgress or throttles), and polling GetInvalidation until it is `Completed`.
 */
import { createHash } from 'node:crypto';
import {
  CreateInvalidationCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
  type CloudFrontClient
} from '@aws-sdk/client-cloudfront';
import { ConfigurationError, DeploymentError, messageOf, show } from '../lib/errors.js';
import type { Reporter } from '../lib/reporter.js';
import { realClock, realSleep, type Clock, type Sleep } from '../lib/sleep.js';
import { requestFailure } from './request-failure.js';

/** Error names retried by {@link createInvalidation} with backoff (beyond the SDK's own retries). */
export const RETRIED_ERRORS = new Set([
  'TooManyInvalidationsInProgress',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded'
]);

/**
 * The CallerReference that makes a CreateInvalidation idempotent: `given` when set, else
 * `twotier-<GITHUB_RUN_ID>-<GITHUB_RUN_ATTEMPT>-<sha256 of the sorted paths, 16 hex>`, so the same step run
 * again in the same job attempt returns the first invalidation instead of creating another, while a new
 * run (or attempt) with new changes gets its own. Outside GitHub Actions (no GITHUB_RUN_ID) it is
 * `twotier-local-<ms since epoch>-<hash>`: every call is a new invalidation.
 * CloudFront allows up to 128 characters.
 */
export function callerReference(
  paths: readonly string[],
  given: string | undefined,
  env: Record<string, string | undefined> = process.env,
  now: () => number = Date.now
): string {
  if (given?.trim()) {
    if (given.trim().length > 128) {
      throw new ConfigurationError(
        `caller-reference ${show(given)} is longer than 128 characters.`,
        'caller-reference'
      );
    }
    return given.trim();
  }
  const hash = createHash('sha256')
    .update([...paths].sort().join('\n'))
    .digest('hex')
    .slice(0, 16);
  if (env.GITHUB_RUN_ID) return `twotier-${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}-${hash}`;
  return `twotier-local-${now()}-${hash}`;
}

/** Options of {@link createInvalidation} and {@link waitForInvalidation}. */
export interface InvalidationClientOptions {
  distributionId: string;
  /** Give up retrying / waiting after this many milliseconds in total. */
  timeoutMs: number;
  /** First backoff in ms after TooManyInvalidationsInProgress / throttling (doubles, full jitter, cap 60 s). Default 2000. */
  baseDelayMs?: number;
  /** Milliseconds between GetInvalidation polls. Default 10000. */
  pollIntervalMs?: number;
  sleep?: Sleep;
  clock?: Clock;
  /** Jitter source in [0, 1). Default Math.random. */
  random?: () => number;
}

/** An invalidation as CloudFront reports it. */
export interface InvalidationState {
  id: string;
  /** `InProgress` or `Completed`. */
  status: string;
  createTime?: Date;
}

/**
 * Creates the invalidation with CreateInvalidation
 * (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateInvalidation.html).
 * Retries TooManyInvalidationsInProgress and throttling with exponential backoff until `timeoutMs`.
 * @throws ConfigurationError for an unknown distribution or a CallerReference reused with other paths.
 * @throws DeploymentError when CloudFront still refuses when the time is up.
 */
export async function createInvalidation(
  cloudfront: CloudFrontClient,
  paths: readonly string[],
  reference: string,
  options: InvalidationClientOptions,
  reporter: Reporter
): Promise<InvalidationState> {
  const sleep = options.sleep ?? realSleep;
  const clock = options.clock ?? realClock;
  const random = options.random ?? Math.random;
  const started = clock();
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await cloudfront.send(
        new CreateInvalidationCommand({
          DistributionId: options.distributionId,
          InvalidationBatch: {
            CallerReference: reference,
            Paths: { Quantity: paths.length, Items: [...paths] }
          }
        })
      );
      const invalidation = response.Invalidation;
      if (!invalidation?.Id) throw new DeploymentError('CreateInvalidation returned no invalidation id.');
      return {
        id: invalidation.Id,
        status: invalidation.Status ?? 'InProgress',
        createTime: invalidation.CreateTime
      };
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      if (name === 'NoSuchDistribution') {
        throw new ConfigurationError(
          `distribution-id ${show(options.distributionId)}: no such CloudFront distribution in this account.`,
          'distribution-id'
        );
      }
      if (name === 'InvalidationBatchAlreadyExists') {
        throw new ConfigurationError(
          `caller-reference ${show(reference)} was already used for an invalidation with other paths; give a new one.`,
          'caller-reference'
        );
      }
      if (!RETRIED_ERRORS.has(name)) {
        if (error instanceof DeploymentError) throw error;
        throw new DeploymentError(
          `${requestFailure('CloudFront', 'CreateInvalidation', `distribution ${options.distributionId}`, error)}. ` +
            'No invalidation was created unless CloudFront received the request; run again (the same caller reference returns it then).',
          { cause: error, details: { reference } }
        );
      }
      const delay = Math.round(
        random() * Math.min(60000, (options.baseDelayMs ?? 2000) * 2 ** (attempt - 1))
      );
      if (clock() - started + delay > options.timeoutMs) {
        throw new DeploymentError(
          `CloudFront kept refusing the invalidation (${name}: ${messageOf(error)}) for ${Math.round((clock() - started) / 1000)} s; ` +
            'wait for running invalidations to finish and run again (the same caller reference makes that safe).',
          { details: { reference } }
        );
      }
      reporter.warn(
        `CloudFront answered ${name}; retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt + 1})`
      );
      await sleep(delay);
    }
  }
}

/**
 * Looks for an invalidation this CallerReference already created among the distribution's `recent` newest
 * invalidations (ListInvalidations, then GetInvalidation for each until one matches), so a repeated step
 * returns it instead of creating another. CloudFront itself also deduplicates by CallerReference (it
 * returns the existing invalidation for a repeated batch); this check makes that visible before the write.
 * API: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ListInvalidations.html
 * @param paths the paths this run invalidates: an invalidation with the same reference and other paths is
 *   refused, as CloudFront refuses it (InvalidationBatchAlreadyExists). Not compared when undefined, or
 *   when GetInvalidation does not list the batch's paths.
 * @returns the existing invalidation, or undefined.
 * @throws ConfigurationError (input `caller-reference`) when the reference was used with other paths.
 */
export async function findInvalidation(
  cloudfront: CloudFrontClient,
  distributionId: string,
  reference: string,
  recent = 10,
  paths?: readonly string[]
): Promise<InvalidationState | undefined> {
  let list;
  try {
    list = await cloudfront.send(
      new ListInvalidationsCommand({ DistributionId: distributionId, MaxItems: 100 })
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchDistribution') {
      throw new ConfigurationError(
        `distribution-id ${show(distributionId)}: no such CloudFront distribution in this account.`,
        'distribution-id'
      );
    }
    throw new DeploymentError(
      `${requestFailure('CloudFront', 'ListInvalidations', `distribution ${distributionId}`, error)}. Nothing was created; run again.`,
      { cause: error }
    );
  }
  const items = [...(list.InvalidationList?.Items ?? [])]
    .sort((a, b) => (b.CreateTime?.getTime() ?? 0) - (a.CreateTime?.getTime() ?? 0))
    .slice(0, recent);
  for (const item of items) {
    if (!item.Id) continue;
    const got = await cloudfront
      .send(new GetInvalidationCommand({ DistributionId: distributionId, Id: item.Id }))
      .catch((error: unknown) => {
        throw new DeploymentError(
          `${requestFailure('CloudFront', 'GetInvalidation', `${item.Id} of distribution ${distributionId}`, error)}. Nothing was created; run again.`,
          { cause: error }
        );
      });
    if (got.Invalidation?.InvalidationBatch?.CallerReference === reference) {
      const listed = got.Invalidation.InvalidationBatch.Paths?.Items;
      const before = [...(listed ?? [])].sort();
      if (paths && listed && before.join('\n') !== [...paths].sort().join('\n')) {
        throw new ConfigurationError(
          `caller-reference ${show(reference)} was already used for invalidation ${item.Id} with other paths (${show(before.slice(0, 5).join(' '))}); give a new one, or leave caller-reference empty to derive one from the paths.`,
          'caller-reference'
        );
      }
      return {
        id: item.Id,
        status: got.Invalidation.Status ?? 'InProgress',
        createTime: got.Invalidation.CreateTime
      };
    }
  }
  return undefined;
}

/**
 * Polls GetInvalidation (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_GetInvalidation.html)
 * until the status is `Completed`.
 * @param startedAt clock value (ms) the timeout counts from.
 * @throws DeploymentError when it is not Completed within `timeoutMs`.
 */
export async function waitForInvalidation(
  cloudfront: CloudFrontClient,
  id: string,
  options: InvalidationClientOptions,
  reporter: Reporter,
  startedAt = (options.clock ?? realClock)()
): Promise<InvalidationState> {
  const sleep = options.sleep ?? realSleep;
  const clock = options.clock ?? realClock;
  const interval = options.pollIntervalMs ?? 10000;
  for (;;) {
    const response = await cloudfront
      .send(new GetInvalidationCommand({ DistributionId: options.distributionId, Id: id }))
      .catch((error: unknown) => {
        throw new DeploymentError(
          `${requestFailure('CloudFront', 'GetInvalidation', `${id} of distribution ${options.distributionId}`, error)}. ` +
            'The invalidation was created and keeps running in CloudFront; only the wait failed.',
          { cause: error, details: { id } }
        );
      });
    const status = response.Invalidation?.Status ?? 'unknown';
    if (isCompleted(status)) {
      reporter.info(`invalidation ${id}: ${status}`);
      return { id, status: 'Completed', createTime: response.Invalidation?.CreateTime };
    }
    const elapsed = clock() - startedAt;
    if (elapsed + interval > options.timeoutMs) {
      throw new DeploymentError(
        `invalidation ${id} is still ${status} after ${Math.round(elapsed / 1000)} s (timeout ${Math.round(options.timeoutMs / 1000)} s); ` +
          'it keeps running in CloudFront: the files were deployed, the caches will expire on their own.',
        { details: { id, status } }
      );
    }
    reporter.info(`invalidation ${id}: ${status}, checking again in ${Math.round(interval / 1000)} s`);
    await sleep(interval);
  }
}

/**
 * True for CloudFront's `Completed`, the only status that means done (GetInvalidation's Status is
 * `InProgress` or `Completed`); any other spelling counts as still in progress.
 */
export function isCompleted(status: string): boolean {
  return status === 'Completed';
}

/**
 * Unit tests of the invalidation client with aws-sdk-client-mock: states moto does not produce
 * (TooManyInvalidationsInProgress, a slow InProgress, the real `Completed` spelling). Time is driven by an
 * injected sleep and clock; nothing waits for real.
 */
import { Duration } from '../../src/lib/duration.js';
import { beforeEach, describe, expect, test } from '@jest/globals';
import {
  CloudFrontClient,
  CloudFrontServiceException,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { invalidateCdn } from '../../src/frontend/invalidate.js';
import { callerReference, isCompleted } from '../../src/frontend/invalidation-client.js';
import { MemoryReporter } from '../../src/lib/reporter.js';

const cf = mockClient(CloudFrontClient);
const busy = () =>
  new CloudFrontServiceException({
    name: 'TooManyInvalidationsInProgress',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message:
      'Processing your request will cause you to exceed the maximum number of in-progress invalidations.'
  });

/** A fake clock advanced by the fake sleep. */
function fakeTime() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    clock: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps
  };
}

beforeEach(() => {
  cf.reset();
  cf.on(ListInvalidationsCommand).resolves({
    InvalidationList: { Items: [], Quantity: 0, IsTruncated: false, Marker: '', MaxItems: 100 }
  });
});

const base = (t: ReturnType<typeof fakeTime>) => ({
  distributionId: 'E123TEST',
  changedPaths: ['/index.html'],
  cloudfront: new CloudFrontClient({ region: 'us-east-1' }),
  sleep: t.sleep,
  clock: t.clock,
  random: () => 0.5,
  env: { GITHUB_RUN_ID: '7', GITHUB_RUN_ATTEMPT: '1' }
});

describe('invalidation client', () => {
  test('retries TooManyInvalidationsInProgress with exponential backoff, then succeeds', async () => {
    const t = fakeTime();
    cf.on(CreateInvalidationCommand)
      .rejectsOnce(busy())
      .rejectsOnce(busy())
      .resolves({
        Invalidation: { Id: 'I1', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: undefined }
      });
    const reporter = new MemoryReporter();
    const result = await invalidateCdn(base(t), reporter);
    expect(result.invalidationId).toBe('I1');
    expect(result.status).toBe('InProgress');
    expect(t.sleeps).toEqual([1000, 2000]); // random 0.5 × 2 s, × 4 s
    expect(reporter.warnings[0]).toContain('TooManyInvalidationsInProgress');
    const sent = cf.commandCalls(CreateInvalidationCommand)[0]?.args[0].input;
    expect(sent?.InvalidationBatch?.Paths).toEqual({ Quantity: 2, Items: ['/', '/index.html'] });
    expect(sent?.InvalidationBatch?.CallerReference).toMatch(/^twotier-7-1-[0-9a-f]{16}$/);
  });

  test('gives up with a DeploymentError when CloudFront stays busy past the timeout', async () => {
    const t = fakeTime();
    cf.on(CreateInvalidationCommand).rejects(busy());
    await expect(
      invalidateCdn({ ...base(t), timeout: Duration.minutes(1) }, new MemoryReporter())
    ).rejects.toThrow(/kept refusing the invalidation \(TooManyInvalidationsInProgress/);
    expect(t.clock()).toBeLessThanOrEqual(60000);
  });

  test('wait polls GetInvalidation until Completed', async () => {
    const t = fakeTime();
    cf.on(CreateInvalidationCommand).resolves({
      Invalidation: { Id: 'I2', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: undefined }
    });
    cf.on(GetInvalidationCommand)
      .resolvesOnce({
        Invalidation: { Id: 'I2', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: undefined }
      })
      .resolves({
        Invalidation: { Id: 'I2', Status: 'Completed', CreateTime: new Date(), InvalidationBatch: undefined }
      });
    const result = await invalidateCdn(
      { ...base(t), wait: true, pollIntervalMs: 5000 },
      new MemoryReporter()
    );
    expect(result.status).toBe('Completed');
    expect(t.sleeps).toEqual([5000]);
  });

  test('wait times out with a DeploymentError; only CloudFront\'s own "Completed" means done', async () => {
    const t = fakeTime();
    cf.on(CreateInvalidationCommand).resolves({
      Invalidation: { Id: 'I3', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: undefined }
    });
    cf.on(GetInvalidationCommand).resolves({
      Invalidation: { Id: 'I3', Status: 'COMPLETED', CreateTime: new Date(), InvalidationBatch: undefined }
    });
    await expect(
      invalidateCdn({ ...base(t), wait: true, timeout: Duration.minutes(1) }, new MemoryReporter())
    ).rejects.toThrow(/invalidation I3 is still COMPLETED after \d+ s \(timeout 60 s\)/);
    expect(isCompleted('COMPLETED')).toBe(false);
    expect(isCompleted('Completed')).toBe(true);
  });

  test('an invalidation already made with the same CallerReference is returned, not created again', async () => {
    const t = fakeTime();
    const reference = callerReference(['/', '/index.html'], undefined, {
      GITHUB_RUN_ID: '7',
      GITHUB_RUN_ATTEMPT: '1'
    });
    cf.on(ListInvalidationsCommand).resolves({
      InvalidationList: {
        Items: [{ Id: 'OLD', Status: 'Completed', CreateTime: new Date() }],
        Quantity: 1,
        IsTruncated: false,
        Marker: '',
        MaxItems: 100
      }
    });
    cf.on(GetInvalidationCommand).resolves({
      Invalidation: {
        Id: 'OLD',
        Status: 'Completed',
        CreateTime: new Date(),
        InvalidationBatch: { CallerReference: reference, Paths: { Quantity: 0 } }
      }
    });
    const result = await invalidateCdn(base(t), new MemoryReporter());
    expect(result.invalidationId).toBe('OLD');
    expect(result.reused).toBe(true);
    expect(cf.commandCalls(CreateInvalidationCommand)).toHaveLength(0);
  });

  test('CallerReference: given, from the job, or local', () => {
    expect(callerReference(['/a'], 'mine', {})).toBe('mine');
    const a = callerReference(['/b', '/a'], undefined, { GITHUB_RUN_ID: '9', GITHUB_RUN_ATTEMPT: '2' });
    expect(a).toBe(callerReference(['/a', '/b'], undefined, { GITHUB_RUN_ID: '9', GITHUB_RUN_ATTEMPT: '2' }));
    expect(a).not.toBe(callerReference(['/a'], undefined, { GITHUB_RUN_ID: '9', GITHUB_RUN_ATTEMPT: '2' }));
    expect(callerReference(['/a'], undefined, {}, () => 42)).toMatch(/^twotier-local-42-/);
    expect(() => callerReference(['/a'], 'x'.repeat(129), {})).toThrow('longer than 128');
  });
});

/**
 * invalidate-cdn, run as the runner runs the bundle, against moto CloudFront through the recording proxy.
 * The embedded moto answers as CloudFront does (src/local/moto_launcher.py): `InProgress` on creation,
 * `Completed` afterwards, and a repeated CallerReference returns the first invalidation.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { CloudFrontClient, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { runActionBundle } from '../helpers/action.js';
import { newDistribution, startWorld, type World } from './world.js';

let world: World;
let cloudfront: CloudFrontClient;
let distributionId: string;

beforeAll(async () => {
  world = await startWorld();
  ({ cloudfront, distributionId } = await newDistribution(world, 'frontend tests', {
    DefaultRootObject: 'index.html'
  }));
});
afterAll(async () => {
  cloudfront?.destroy();
  await world?.stop();
});
beforeEach(() => world.proxy.clear());

const run = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  runActionBundle('invalidate-cdn', inputs, { ...world.env, ...env });
const invalidationCount = async () =>
  (await cloudfront.send(new ListInvalidationsCommand({ DistributionId: distributionId }))).InvalidationList
    ?.Quantity ?? 0;

describe('invalidate-cdn', () => {
  test('plans only the paths cached under their own name and waits until Completed', async () => {
    const changed = ['/index.html', '/docs/index.html', '/assets/index-F5g6H7i8.js', '/favicon.ico'];
    const result = await run(
      { 'distribution-id': distributionId, 'changed-paths': JSON.stringify(changed), wait: 'true' },
      { GITHUB_RUN_ID: '1001', GITHUB_RUN_ATTEMPT: '1' }
    );
    expect(result.errors).toEqual([]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.outputs['paths'] ?? '')).toEqual([
      '/',
      '/docs/',
      '/docs/index.html',
      '/favicon.ico',
      '/index.html'
    ]);
    expect(result.outputs['status']).toBe('Completed');
    expect(result.outputs['invalidation-id']).toMatch(/^[A-Z0-9]+$/);
    expect(world.proxy.requests.some((r) => r.operation.startsWith('CloudFront:POST'))).toBe(true);
    expect(result.summary).toContain(result.outputs['invalidation-id']);
  });

  test('running the step again in the same job attempt returns the same invalidation', async () => {
    const env = { GITHUB_RUN_ID: '2002', GITHUB_RUN_ATTEMPT: '1' };
    const inputs = { 'distribution-id': distributionId, 'changed-paths': '["/index.html"]' };
    const first = await run(inputs, env);
    expect(first.code).toBe(0);
    const before = await invalidationCount();
    world.proxy.clear();
    const second = await run(inputs, env);
    expect(second.code).toBe(0);
    expect(second.outputs['invalidation-id']).toBe(first.outputs['invalidation-id']);
    expect(await invalidationCount()).toBe(before);
    expect(world.proxy.requests.filter((r) => r.operation.startsWith('CloudFront:POST'))).toEqual([]);
    const nextAttempt = await run(inputs, { ...env, GITHUB_RUN_ATTEMPT: '2' });
    expect(nextAttempt.outputs['invalidation-id']).not.toBe(first.outputs['invalidation-id']);
  });

  test('nothing changed, or only hashed assets: no invalidation and no request', async () => {
    for (const changed of ['[]', '["/assets/index-F5g6H7i8.js","/assets/logo-Ab12Cd34.svg"]']) {
      world.proxy.clear();
      const result = await run({ 'distribution-id': distributionId, 'changed-paths': changed });
      expect(result.code).toBe(0);
      expect(result.outputs['status']).toBe('skipped');
      expect(result.outputs['invalidation-id']).toBe('');
      expect(world.proxy.requests).toEqual([]);
    }
  });

  test('past max-paths the list collapses to wildcards', async () => {
    const changed = Array.from({ length: 30 }, (_, i) => `/img/photo${i}.png`).concat(['/index.html']);
    const result = await run({
      'distribution-id': distributionId,
      'changed-paths': JSON.stringify(changed),
      'max-paths': '5'
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.outputs['paths'] ?? '')).toEqual(['/', '/img/*', '/index.html']);
  });

  test('CloudFront throttling is retried', async () => {
    let left = 2;
    world.proxy.setSchedule((r) =>
      r.operation.startsWith('CloudFront:POST') && left-- > 0 ? 'throttling' : undefined
    );
    const result = await run({ 'distribution-id': distributionId, 'changed-paths': '["/robots.txt"]' });
    world.proxy.setSchedule(undefined);
    expect(result.code).toBe(0);
    expect(result.outputs['status']).toMatch(/^(InProgress|COMPLETED)$/);
    expect(world.proxy.requests.filter((r) => r.fault === 'throttling')).toHaveLength(2);
  });

  test('bad inputs fail before any request', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'distribution-id': 'not an id', 'changed-paths': '["/x"]' }, 'is not a CloudFront distribution id'],
      [{ 'distribution-id': distributionId, 'changed-paths': '{"a":1}' }, 'changed-paths'],
      [{ 'distribution-id': distributionId, 'changed-paths': '["index.html"]' }, 'must start with "/"'],
      [
        { 'distribution-id': distributionId, 'changed-paths': '["/x"]', 'max-paths': '0' },
        'Input max-paths is "0"'
      ]
    ];
    for (const [inputs, message] of cases) {
      world.proxy.clear();
      const result = await run(inputs);
      expect(result.code).not.toBe(0);
      expect(result.errors.join('\n')).toContain(message);
      expect(world.proxy.requests).toEqual([]);
    }
    const unknown = await run({ 'distribution-id': 'EXXXXXXXXXXXX', 'changed-paths': '["/x"]' });
    expect(unknown.code).not.toBe(0);
    expect(unknown.errors.join('\n')).toContain('no such CloudFront distribution');
  });
});

/**
 * invalidate-cdn's inputs, run as the runner runs the bundle against moto CloudFront through the recording
 * proxy: a table of bad inputs (each error names the input, quotes the value and says what is valid, and
 * CloudFront saw no request at all), and the CallerReference rules CloudFront applies (the embedded moto
 * answers as CloudFront documents it: src/local/moto_launcher.py).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand
} from '@aws-sdk/client-cloudfront';
import { errorText, runActionBundle } from '../helpers/action.js';
import { newDistribution, startWorld, type World } from './world.js';

let world: World;
let cloudfront: CloudFrontClient;
let distributionId: string;

beforeAll(async () => {
  world = await startWorld();
  ({ cloudfront, distributionId } = await newDistribution(world, 'invalidate-cdn inputs'));
});
afterAll(async () => {
  cloudfront?.destroy();
  await world?.stop();
});
beforeEach(() => world.proxy.clear());

const run = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  runActionBundle('invalidate-cdn', inputs, { ...world.env, ...env });
const manyPaths = (n: number, dir = 'p') =>
  Array.from({ length: n }, (_, i) => `/${dir}/${i}.html`).join('\n');

describe('bad inputs: the error names the input, quotes the value and says what is valid; no request', () => {
  // [case, inputs (besides distribution-id and changed-paths), input named, value quoted, what is valid]
  const cases: Array<[string, Record<string, string>, string, string, string]> = [
    [
      'distribution id',
      { 'distribution-id': 'not an id' },
      'Input distribution-id',
      '"not an id"',
      'upper-case letters and digits'
    ],
    [
      'changed-paths not a list of strings',
      { 'changed-paths': '[1,2]' },
      'changed-paths',
      '"[1,2]"',
      'a JSON list of strings'
    ],
    [
      'changed-paths not JSON',
      { 'changed-paths': '["/a"' },
      'changed-paths',
      '"[\\"/a\\""',
      'a JSON list of paths'
    ],
    [
      'changed path without /',
      { 'changed-paths': '["index.html"]' },
      'changed-paths',
      '"index.html"',
      'must start with "/"'
    ],
    [
      'path with a space',
      { paths: '/a b.html' },
      'Input paths',
      '"/a b.html"',
      'URL-encode it (a space is %20)'
    ],
    [
      'path with * before its end',
      { paths: '/img/*/a.png' },
      'Input paths',
      '"/img/*/a.png"',
      'only as the last character'
    ],
    ['path without /', { paths: 'img/*' }, 'Input paths', '"img/*"', 'must start with "/"'],
    [
      'path with ..',
      { paths: '/a/../b.html' },
      'Input paths',
      '"/a/../b.html"',
      'the path a browser requests'
    ],
    [
      '3,001 explicit paths',
      { paths: manyPaths(3001), 'max-paths': '3000' },
      'Input paths',
      '"/p/0.html"',
      'more than the 3000 CloudFront allows'
    ],
    [
      'more explicit paths than max-paths',
      { paths: manyPaths(21) },
      'Input paths',
      '"/p/0.html"',
      'more than max-paths 20'
    ],
    [
      '16 explicit wildcards',
      { paths: Array.from({ length: 16 }, (_, i) => `/d${i}/*`).join('\n') },
      'Input paths',
      '"/d0/*',
      'at most 15'
    ],
    ['max-paths 0', { 'max-paths': '0' }, 'Input max-paths', '"0"', 'a whole number from 1 to 3000'],
    [
      'max-paths past CloudFront',
      { 'max-paths': '3001' },
      'Input max-paths',
      '"3001"',
      'a whole number from 1 to 3000'
    ],
    ['timeout too long', { 'timeout-minutes': '121' }, 'Input timeout-minutes', '"121"', 'from 0.1 to 120'],
    ['wait not a boolean', { wait: 'yes' }, 'Input wait', '"yes"', 'true or false'],
    [
      'hashed-paths glob',
      { 'hashed-paths': 'assets/[' },
      'Input hashed-paths',
      '"assets/["',
      'globs such as'
    ],
    ['path-prefix without /', { 'path-prefix': 'site' }, 'Input path-prefix', '"site"', 'starting with "/"']
  ];
  test.each(cases)('%s', async (_case, inputs, named, quoted, valid) => {
    world.proxy.clear();
    const result = await run({
      'distribution-id': distributionId,
      'changed-paths': '["/index.html"]',
      ...inputs
    });
    expect(result.code).not.toBe(0);
    const message = errorText(result);
    expect(message).toContain('Configuration error');
    expect(message).toContain(named);
    expect(message).toContain(quoted);
    expect(message).toContain(valid);
    expect(world.proxy.requests).toEqual([]);
  });
});

describe('explicit paths', () => {
  test('are invalidated as given, never collapsed; changed paths collapse into what they leave of max-paths', async () => {
    const changed = JSON.stringify(['/img/a.png', '/img/b.png', '/img/c.png']);
    const result = await run({
      'distribution-id': distributionId,
      'changed-paths': changed,
      paths: '/robots.txt\n/sitemap.xml',
      'max-paths': '3'
    });
    expect(errorText(result)).toBe('');
    expect(JSON.parse(result.outputs['paths'] ?? '')).toEqual(['/img/*', '/robots.txt', '/sitemap.xml']);
  });

  test('changed paths with spaces are URL-encoded as browsers request them', async () => {
    const result = await run({
      'distribution-id': distributionId,
      'changed-paths': JSON.stringify(['/my page/index.html'])
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.outputs['paths'] ?? '')).toEqual(['/my%20page/', '/my%20page/index.html']);
    const created = await cloudfront.send(
      new GetInvalidationCommand({ DistributionId: distributionId, Id: result.outputs['invalidation-id']! })
    );
    expect(created.Invalidation?.InvalidationBatch?.Paths?.Items?.sort()).toEqual([
      '/my%20page/',
      '/my%20page/index.html'
    ]);
  });
});

describe('CallerReference, as CloudFront applies it', () => {
  test('the embedded moto answers InProgress on creation and Completed afterwards', async () => {
    const created = await cloudfront.send(
      new CreateInvalidationCommand({
        DistributionId: distributionId,
        InvalidationBatch: { CallerReference: `status-${Date.now()}`, Paths: { Quantity: 1, Items: ['/s'] } }
      })
    );
    expect(created.Invalidation?.Status).toBe('InProgress');
    const got = await cloudfront.send(
      new GetInvalidationCommand({ DistributionId: distributionId, Id: created.Invalidation!.Id! })
    );
    expect(got.Invalidation?.Status).toBe('Completed');
  });

  test('a repeated CallerReference returns the first invalidation; with other paths it is refused', async () => {
    const reference = `ref-${Date.now()}`;
    const batch = (items: string[]) =>
      new CreateInvalidationCommand({
        DistributionId: distributionId,
        InvalidationBatch: { CallerReference: reference, Paths: { Quantity: items.length, Items: items } }
      });
    const first = await cloudfront.send(batch(['/a']));
    const again = await cloudfront.send(batch(['/a']));
    expect(again.Invalidation?.Id).toBe(first.Invalidation?.Id);
    await expect(cloudfront.send(batch(['/b']))).rejects.toMatchObject({
      name: 'InvalidationBatchAlreadyExists'
    });
  });

  test('the action refuses a caller-reference already used with other paths, before creating anything', async () => {
    const reference = `given-${Date.now()}`;
    const first = await run({
      'distribution-id': distributionId,
      'changed-paths': '["/one.txt"]',
      'caller-reference': reference
    });
    expect(first.code).toBe(0);
    world.proxy.clear();
    const second = await run({
      'distribution-id': distributionId,
      'changed-paths': '["/two.txt"]',
      'caller-reference': reference
    });
    expect(second.code).not.toBe(0);
    expect(errorText(second)).toContain(`caller-reference "${reference}" was already used for invalidation`);
    expect(world.proxy.requests.filter((r) => r.operation.startsWith('CloudFront:POST'))).toEqual([]);
  });
});

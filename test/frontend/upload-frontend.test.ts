/**
 * upload-frontend, run as the runner runs it (node dist/upload-frontend/index.js) against moto S3 through
 * the recording proxy.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  headersOf,
  keysOf,
  MANIFEST,
  newBucket,
  useUploadWorld,
  viteSite,
  writeSite,
  writesIn,
  type World
} from './world.js';

const upload = useUploadWorld();
const run = upload.run;
let world: World;
beforeAll(() => {
  world = upload.world();
});

describe('upload-frontend', () => {
  test('first deploy uploads every file with its headers, HTML entry points after every asset', async () => {
    const bucket = await newBucket(world);
    const dir = writeSite(viteSite());
    const result = await run({ 'source-dir': dir, bucket });
    expect(result.errors).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.outputs['uploaded-count']).toBe('6');
    expect(result.outputs['unchanged-count']).toBe('0');
    expect(JSON.parse(result.outputs['changed-paths'] ?? '')).toEqual([]);
    expect(await keysOf(world, bucket)).toEqual([
      MANIFEST,
      'assets/index-B1c2D3e4.js',
      'assets/index-Zz9Yy8Xx.css',
      'docs/index.html',
      'favicon.ico',
      'index.html',
      'robots.txt'
    ]);
    // The header manifest is the last write of all; the site's files come before it. The prefix is listed
    // once: entries of objects this run wrote need no LastModified (src/frontend/manifest.ts).
    expect(writesIn(world).at(-1)).toBe(`PutObject ${MANIFEST}`);
    expect(world.proxy.counts()['ListObjectsV2']).toBe(1);
    const puts = world.proxy.requests
      .filter((r) => r.operation === 'PutObject' && r.key !== MANIFEST)
      .map((r) => r.key);
    expect(puts).toHaveLength(6);
    // The site's files go as direct PutObject requests (src/frontend/put-object.ts), the manifest via the SDK.
    expect(
      world.proxy.requests.filter((r) => r.operation === 'PutObject').map((r) => [r.key, r.viaSdk])
    ).toEqual([...puts.map((k) => [k, false]), [MANIFEST, true]]);
    const lastAsset = Math.max(...puts.map((k, i) => (k.endsWith('.html') ? -1 : i)));
    const firstHtml = Math.min(...puts.map((k, i) => (k.endsWith('.html') ? i : Infinity)));
    expect(firstHtml).toBeGreaterThan(lastAsset);
    const index = await headersOf(world, bucket, 'index.html');
    expect(index.ContentType).toBe('text/html; charset=utf-8');
    expect(index.CacheControl).toBe('no-cache');
    const js = await headersOf(world, bucket, 'assets/index-B1c2D3e4.js');
    expect(js.ContentType).toBe('text/javascript; charset=utf-8');
    expect(js.CacheControl).toBe('public, max-age=31536000, immutable');
    expect((await headersOf(world, bucket, 'favicon.ico')).CacheControl).toBe('public, max-age=300');
    expect(result.summary).toContain('upload-frontend');
    expect(result.summary).toContain('| uploaded | 6 |');
  });

  test('an identical fresh rebuild (new mtimes) sends no PUT, and one changed file sends one', async () => {
    const bucket = await newBucket(world);
    const dir = writeSite(viteSite());
    expect((await run({ 'source-dir': dir, bucket })).code).toBe(0);
    writeSite(viteSite(), dir); // rewritten: same bytes, new mtimes
    world.proxy.clear();
    const again = await run({ 'source-dir': dir, bucket });
    expect(again.code).toBe(0);
    expect(writesIn(world)).toEqual([]);
    expect(world.proxy.counts()['ListObjectsV2']).toBe(1);
    expect(again.outputs['uploaded-count']).toBe('0');
    expect(again.outputs['unchanged-count']).toBe('6');
    expect(JSON.parse(again.outputs['changed-paths'] ?? '')).toEqual([]);

    writeSite({ ...viteSite(), 'favicon.ico': 'NEW ICON' }, dir);
    world.proxy.clear();
    const one = await run({ 'source-dir': dir, bucket });
    expect(one.code).toBe(0);
    expect(writesIn(world)).toEqual(['PutObject favicon.ico', `PutObject ${MANIFEST}`]);
    expect(world.proxy.counts()['ListObjectsV2']).toBe(1);
    // The rewritten manifest: favicon.ico without LastModified, the rest pinned to this run's listing.
    const doc = JSON.parse(
      await (
        await world.s3.send(new GetObjectCommand({ Bucket: bucket, Key: MANIFEST }))
      ).Body!.transformToString()
    );
    expect(doc.objects['favicon.ico'].lastModified).toBeUndefined();
    expect(doc.objects['robots.txt'].lastModified).toEqual(expect.any(String));
    expect(one.outputs['uploaded-count']).toBe('1');
    expect(one.outputs['uploaded-bytes']).toBe(String('NEW ICON'.length));
    expect(JSON.parse(one.outputs['changed-paths'] ?? '')).toEqual(['/favicon.ico']);
  });

  test('a header-only change is applied with CopyObject, not a re-upload', async () => {
    const bucket = await newBucket(world);
    const dir = writeSite(viteSite());
    expect((await run({ 'source-dir': dir, bucket })).code).toBe(0);
    world.proxy.clear();
    const rules = 'robots.txt = public, max-age=60\nspa';
    const result = await run({ 'source-dir': dir, bucket, 'cache-control': rules });
    expect(result.code).toBe(0);
    expect(writesIn(world)).toEqual(['CopyObject robots.txt', `PutObject ${MANIFEST}`]);
    expect(result.outputs['header-updated-count']).toBe('1');
    expect(result.outputs['uploaded-count']).toBe('0');
    const robots = await headersOf(world, bucket, 'robots.txt');
    expect(robots.CacheControl).toBe('public, max-age=60');
    expect(robots.ContentType).toBe('text/plain; charset=utf-8');
    expect(JSON.parse(result.outputs['changed-paths'] ?? '')).toEqual(['/robots.txt']);
  });

  test('a new build uploads the new chunk before index.html, and delete respects the grace period', async () => {
    const bucket = await newBucket(world);
    const dir = writeSite(viteSite('v1'));
    expect((await run({ 'source-dir': dir, bucket })).code).toBe(0);
    writeSite(viteSite('v2'), dir);
    world.proxy.clear();
    // The old chunk was written seconds ago: a 24 h grace period keeps it.
    const graced = await run({ 'source-dir': dir, bucket, delete: 'true', 'delete-grace-hours': '24' });
    expect(graced.code).toBe(0);
    expect(writesIn(world)).toEqual([
      'PutObject assets/index-F5g6H7i8.js',
      'PutObject index.html',
      `PutObject ${MANIFEST}`
    ]);
    expect(graced.outputs['kept-count']).toBe('1');
    expect(graced.outputs['deleted-count']).toBe('0');
    expect(await keysOf(world, bucket)).toContain('assets/index-B1c2D3e4.js');
    world.proxy.clear();
    const deleted = await run({ 'source-dir': dir, bucket, delete: 'true', 'delete-grace-hours': '0' });
    expect(deleted.code).toBe(0);
    expect(writesIn(world)).toEqual(['DeleteObjects ']);
    expect(deleted.outputs['deleted-count']).toBe('1');
    expect(await keysOf(world, bucket)).not.toContain('assets/index-B1c2D3e4.js');
    expect(JSON.parse(deleted.outputs['changed-paths'] ?? '')).toEqual(['/assets/index-B1c2D3e4.js']);
  });

  test('delete refuses to remove more than delete-max-percent of the objects, before writing anything', async () => {
    const bucket = await newBucket(world);
    for (const key of ['a.txt', 'b.txt', 'c.txt', 'd.txt']) {
      await world.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    }
    const dir = writeSite({ 'index.html': '<p>only</p>' });
    const result = await run({ 'source-dir': dir, bucket, delete: 'true', 'delete-grace-hours': '0' });
    expect(result.code).not.toBe(0);
    expect(result.errors.join('\n')).toContain('would delete 4 of the 4 objects');
    expect(result.errors.join('\n')).toContain('delete-max-percent 50');
    expect(writesIn(world)).toEqual([]);
    expect(await keysOf(world, bucket)).toEqual(['a.txt', 'b.txt', 'c.txt', 'd.txt']);
    const allowed = await run({
      'source-dir': dir,
      bucket,
      delete: 'true',
      'delete-grace-hours': '0',
      'delete-max-percent': '100'
    });
    expect(allowed.code).toBe(0);
    expect(await keysOf(world, bucket)).toEqual([MANIFEST, 'index.html']);
  });

  test('dry-run prints the plan and writes nothing', async () => {
    const bucket = await newBucket(world);
    await world.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'stale.js', Body: 'old' }));
    const dir = writeSite(viteSite());
    const result = await run({
      'source-dir': dir,
      bucket,
      'dry-run': 'true',
      delete: 'true',
      'delete-grace-hours': '0',
      'delete-max-percent': '100'
    });
    expect(result.code).toBe(0);
    expect(writesIn(world)).toEqual([]);
    expect(await keysOf(world, bucket)).toEqual(['stale.js']);
    expect(result.outputs['uploaded-count']).toBe('6');
    expect(result.outputs['deleted-count']).toBe('1');
    expect(result.outputs['dry-run']).toBe('true');
    expect(result.stdout).toContain('would upload index.html');
    expect(result.stdout).toContain('would delete stale.js');
    expect(result.summary).toContain('dry run: nothing written');
  });

  test('under a prefix only keys under it are compared and deleted', async () => {
    const bucket = await newBucket(world);
    await world.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'other/keep.txt', Body: 'x' }));
    const dir = writeSite(viteSite());
    const result = await run({
      'source-dir': dir,
      bucket,
      prefix: '/site/',
      delete: 'true',
      'delete-grace-hours': '0'
    });
    expect(result.code).toBe(0);
    expect(await keysOf(world, bucket)).toContain('site/index.html');
    expect(await keysOf(world, bucket)).toContain('other/keep.txt');
  });
});

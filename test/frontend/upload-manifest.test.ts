/**
 * upload-frontend's header manifest (.twotier-manifest.json): headers of content-equal objects come from it
 * instead of one HeadObject each, only while the listing still matches its entries; it is written last, only
 * after a successful deploy, and never deleted, uploaded or listed as changed. Run as the runner runs the
 * bundle, against moto S3 through the recording proxy.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
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
const count = (operation: string): number => world.proxy.counts()[operation] ?? 0;
const ROBOTS_RULE = 'robots.txt = public, max-age=60\nspa';

async function manifestText(bucket: string, key = MANIFEST): Promise<string> {
  const out = await world.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body!.transformToString();
}

async function deployed(files = viteSite()): Promise<{ bucket: string; dir: string }> {
  const bucket = await newBucket(world, 'manifest');
  const dir = writeSite(files);
  const first = await run({ 'source-dir': dir, bucket });
  expect(first.code).toBe(0);
  world.proxy.clear();
  return { bucket, dir };
}

describe('header manifest', () => {
  test('written on the first deploy with every object, its ETag and headers', async () => {
    const { bucket } = await deployed();
    const doc = JSON.parse(await manifestText(bucket));
    expect(doc.format).toBe('twotier-upload-manifest');
    expect(Object.keys(doc.objects).sort()).toEqual(Object.keys(viteSite()).sort());
    const robots = await headersOf(world, bucket, 'robots.txt');
    expect(doc.objects['robots.txt']).toMatchObject({
      etag: robots.ETag!.replace(/"/g, ''),
      size: 'User-agent: *'.length,
      contentType: 'text/plain; charset=utf-8',
      cacheControl: 'public, max-age=300'
    });
    expect((await headersOf(world, bucket, MANIFEST)).CacheControl).toBe('no-store');
  });

  test('an identical rebuild costs one List and one GET: no HeadObject, no write', async () => {
    const { bucket, dir } = await deployed();
    writeSite(viteSite(), dir);
    const again = await run({ 'source-dir': dir, bucket });
    expect(again.code).toBe(0);
    expect(world.proxy.counts()).toEqual({ ListObjectsV2: 1, GetObject: 1 });
    expect(writesIn(world)).toEqual([]);
    expect(again.outputs['unchanged-count']).toBe('6');
    expect(again.summary).toContain('headers of 6 content-equal objects taken from it, 0 HeadObject');
  });

  test('a header-rule change is still detected without any HeadObject', async () => {
    const { bucket, dir } = await deployed();
    const result = await run({ 'source-dir': dir, bucket, 'cache-control': ROBOTS_RULE });
    expect(result.code).toBe(0);
    expect(count('HeadObject')).toBe(0);
    expect(writesIn(world)).toEqual(['CopyObject robots.txt', `PutObject ${MANIFEST}`]);
    expect((await headersOf(world, bucket, 'robots.txt')).CacheControl).toBe('public, max-age=60');
    expect(JSON.parse(result.outputs['changed-paths'] ?? '')).toEqual(['/robots.txt']);
    expect(JSON.parse(await manifestText(bucket)).objects['robots.txt'].cacheControl).toBe(
      'public, max-age=60'
    );
    // And with check-headers off, the manifest still tells (the rule is reverted here).
    world.proxy.clear();
    const off = await run({ 'source-dir': dir, bucket, 'check-headers': 'false' });
    expect(off.code).toBe(0);
    expect(count('HeadObject')).toBe(0);
    expect(writesIn(world)).toEqual(['CopyObject robots.txt', `PutObject ${MANIFEST}`]);
    expect((await headersOf(world, bucket, 'robots.txt')).CacheControl).toBe('public, max-age=300');
  });

  test('an entry whose ETag does not match the listing is not trusted: that object is HEADed', async () => {
    const { bucket, dir } = await deployed();
    const doc = JSON.parse(await manifestText(bucket));
    // A manifest that claims robots.txt already has the new rule's header, under a wrong ETag.
    doc.objects['robots.txt'].etag = '0123456789abcdef0123456789abcdef';
    doc.objects['robots.txt'].cacheControl = 'public, max-age=60';
    await world.s3.send(new PutObjectCommand({ Bucket: bucket, Key: MANIFEST, Body: JSON.stringify(doc) }));
    world.proxy.clear();
    const result = await run({ 'source-dir': dir, bucket, 'cache-control': ROBOTS_RULE });
    expect(result.code).toBe(0);
    expect(world.proxy.requests.filter((r) => r.operation === 'HeadObject').map((r) => r.key)).toEqual([
      'robots.txt'
    ]);
    expect(writesIn(world)).toEqual(['CopyObject robots.txt', `PutObject ${MANIFEST}`]);
    expect((await headersOf(world, bucket, 'robots.txt')).CacheControl).toBe('public, max-age=60');
  });

  test('headers changed by another tool (same ETag, new LastModified) are HEADed and fixed', async () => {
    const { bucket, dir } = await deployed();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // moto's LastModified has 1 s resolution
    await world.s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'favicon.ico',
        CopySource: `${bucket}/favicon.ico`,
        MetadataDirective: 'REPLACE',
        ContentType: 'image/vnd.microsoft.icon',
        CacheControl: 'max-age=1'
      })
    );
    world.proxy.clear();
    const result = await run({ 'source-dir': dir, bucket });
    expect(result.code).toBe(0);
    expect(world.proxy.requests.filter((r) => r.operation === 'HeadObject').map((r) => r.key)).toEqual([
      'favicon.ico'
    ]);
    expect(writesIn(world)).toEqual(['CopyObject favicon.ico', `PutObject ${MANIFEST}`]);
    expect((await headersOf(world, bucket, 'favicon.ico')).CacheControl).toBe('public, max-age=300');
  });

  test('a manifest that is not one is ignored with a warning, HEADs are used, and it is replaced', async () => {
    const { bucket, dir } = await deployed();
    await world.s3.send(new PutObjectCommand({ Bucket: bucket, Key: MANIFEST, Body: 'not json' }));
    world.proxy.clear();
    const result = await run({ 'source-dir': dir, bucket });
    expect(result.code).toBe(0);
    expect(result.warnings.join('\n')).toContain('ignored (not JSON)');
    expect(count('HeadObject')).toBe(6);
    expect(writesIn(world)).toEqual([`PutObject ${MANIFEST}`]);
    expect(Object.keys(JSON.parse(await manifestText(bucket)).objects)).toHaveLength(6);
  });

  test('a failed deploy does not write the manifest; the re-run does', async () => {
    const { bucket, dir } = await deployed(viteSite('v1'));
    const before = await manifestText(bucket);
    writeSite(viteSite('v2'), dir);
    world.proxy.setSchedule((r) =>
      r.operation === 'PutObject' && r.key === 'index.html' ? '500' : undefined
    );
    const failed = await run({ 'source-dir': dir, bucket });
    expect(failed.code).not.toBe(0);
    expect(writesIn(world).filter((w) => w.includes(MANIFEST))).toEqual([]);
    expect(await manifestText(bucket)).toBe(before);
    world.proxy.setSchedule(undefined);
    world.proxy.clear();
    const rerun = await run({ 'source-dir': dir, bucket });
    expect(rerun.code).toBe(0);
    // The chunk uploaded by the failed run is now unchanged; its header is HEADed (the old manifest does
    // not know it), index.html is sent, then the manifest.
    expect(world.proxy.requests.filter((r) => r.operation === 'HeadObject').map((r) => r.key)).toEqual([
      'assets/index-F5g6H7i8.js'
    ]);
    expect(writesIn(world)).toEqual(['PutObject index.html', `PutObject ${MANIFEST}`]);
    expect(Object.keys(JSON.parse(await manifestText(bucket)).objects)).toContain('assets/index-F5g6H7i8.js');
  });

  test('a first deploy that fails leaves no manifest', async () => {
    const bucket = await newBucket(world, 'manifest');
    const dir = writeSite(viteSite());
    world.proxy.setSchedule((r) =>
      r.operation === 'PutObject' && r.key === 'favicon.ico' ? '500' : undefined
    );
    const failed = await run({ 'source-dir': dir, bucket });
    expect(failed.code).not.toBe(0);
    expect(await keysOf(world, bucket)).not.toContain(MANIFEST);
  });

  test('never deleted, never in changed-paths, and kept under its prefix only', async () => {
    const bucket = await newBucket(world, 'manifest');
    const dir = writeSite(viteSite('v1'));
    expect((await run({ 'source-dir': dir, bucket, prefix: 'site' })).code).toBe(0);
    expect(await keysOf(world, bucket)).toContain(`site/${MANIFEST}`);
    writeSite({ 'index.html': '<p>only</p>' }, dir);
    world.proxy.clear();
    const result = await run({
      'source-dir': dir,
      bucket,
      prefix: 'site',
      delete: 'true',
      'delete-grace-hours': '0',
      'delete-max-percent': '100'
    });
    expect(result.code).toBe(0);
    expect(result.outputs['deleted-count']).toBe('5');
    expect(JSON.parse(result.outputs['changed-paths'] ?? '')).not.toContain(`/${MANIFEST}`);
    expect(await keysOf(world, bucket)).toEqual([`site/${MANIFEST}`, 'site/index.html']);
    expect(Object.keys(JSON.parse(await manifestText(bucket, `site/${MANIFEST}`)).objects)).toEqual([
      'index.html'
    ]);
  });

  test('a source-dir file with the manifest name is refused before any write', async () => {
    const bucket = await newBucket(world, 'manifest');
    const dir = writeSite({ ...viteSite(), [MANIFEST]: '{}' });
    const result = await run({ 'source-dir': dir, bucket });
    expect(result.code).not.toBe(0);
    expect(result.errors.join('\n')).toContain(`source-dir contains ${MANIFEST}`);
    expect(writesIn(world)).toEqual([]);
  });
});

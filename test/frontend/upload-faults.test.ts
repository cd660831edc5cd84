/**
 * upload-frontend: large files, bad inputs, and faults injected by the proxy (500s, SlowDown, throttling,
 * dropped connections). Run as the runner runs the bundle, against moto S3.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { faultTimes } from '../helpers/fault-proxy.js';
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
const MiB = 1024 * 1024;

describe('large files', () => {
  const big = randomBytes(12 * MiB);

  test('a file over the threshold goes up in parts and is not sent again when unchanged', async () => {
    const bucket = await newBucket(world);
    const dir = writeSite({ 'index.html': '<p>x</p>', 'media/intro.mp4': big });
    const first = await run({ 'source-dir': dir, bucket, 'multipart-threshold-mb': '5' });
    expect(first.code).toBe(0);
    const counts = world.proxy.counts();
    expect(counts['CreateMultipartUpload']).toBe(1);
    expect(counts['UploadPart']).toBe(3); // 5 + 5 + 2 MiB
    expect((await headersOf(world, bucket, 'media/intro.mp4')).ETag).toMatch(/-3"$/);
    expect((await headersOf(world, bucket, 'media/intro.mp4')).ContentType).toBe('video/mp4');
    writeSite({ 'index.html': '<p>x</p>', 'media/intro.mp4': big }, dir);
    world.proxy.clear();
    const again = await run({ 'source-dir': dir, bucket, 'multipart-threshold-mb': '5' });
    expect(again.code).toBe(0);
    expect(writesIn(world)).toEqual([]);
    expect(again.outputs['unchanged-count']).toBe('2');
    expect(again.outputs['unchanged-bytes']).toBe(String(big.length + 8));
  });

  test('a multipart object uploaded by another tool (no stored hash) is matched by recomputing its ETag', async () => {
    const bucket = await newBucket(world);
    await new Upload({
      client: world.s3,
      partSize: 5 * MiB,
      params: {
        Bucket: bucket,
        Key: 'media/intro.mp4',
        Body: big,
        ContentType: 'video/mp4',
        CacheControl: 'public, max-age=300'
      }
    }).done();
    const dir = writeSite({ 'media/intro.mp4': big });
    const result = await run({ 'source-dir': dir, bucket, 'multipart-threshold-mb': '5' });
    expect(result.code).toBe(0);
    // Nothing of the site is written; the first run on this bucket records the headers it read.
    expect(writesIn(world)).toEqual([`PutObject ${MANIFEST}`]);
    expect(result.outputs['unchanged-count']).toBe('1');
  });
});

describe('bad inputs fail before any write, naming the input', () => {
  let bucket: string;
  let dir: string;
  beforeAll(async () => {
    bucket = await newBucket(world);
    dir = writeSite(viteSite());
  });
  const cases: Array<[string, () => Record<string, string>, string]> = [
    [
      'missing directory',
      () => ({ 'source-dir': '/nonexistent/dist', bucket }),
      'source-dir "/nonexistent/dist" does not exist'
    ],
    [
      'empty directory',
      () => ({ 'source-dir': mkdtempSync(path.join(tmpdir(), 'empty-')), bucket }),
      'contains no files'
    ],
    [
      'missing bucket',
      () => ({ 'source-dir': dir, bucket: 'no-such-bucket-here' }),
      'bucket "no-such-bucket-here" does not exist'
    ],
    ['bucket given as a URL', () => ({ 'source-dir': dir, bucket: 's3://x' }), 'is not an S3 bucket name'],
    [
      'bad rule syntax',
      () => ({ 'source-dir': dir, bucket, 'cache-control': 'max-age=300' }),
      'cache-control: line 1'
    ],
    [
      'unbalanced glob',
      () => ({ 'source-dir': dir, bucket, 'cache-control': 'assets/[x = no-cache' }),
      'is not a valid glob'
    ],
    [
      'unknown directive',
      () => ({ 'source-dir': dir, bucket, 'cache-control': '** = max-age=60, forever' }),
      '"forever" is not a Cache-Control directive'
    ],
    [
      'bad concurrency',
      () => ({ 'source-dir': dir, bucket, concurrency: '0' }),
      'Input concurrency is "0"; expected a whole number from 1 to 64'
    ],
    ['bad delete flag', () => ({ 'source-dir': dir, bucket, delete: 'yes' }), 'Input delete is "yes"'],
    [
      'threshold below 5 MiB',
      () => ({ 'source-dir': dir, bucket, 'multipart-threshold-mb': '1' }),
      'multipart-threshold-mb'
    ]
  ];
  test.each(cases)('%s', async (_name, inputs, message) => {
    world.proxy.clear();
    const result = await run(inputs());
    expect(result.code).not.toBe(0);
    expect(result.errors.join('\n')).toContain(message);
    expect(writesIn(world)).toEqual([]);
    expect(await keysOf(world, bucket)).toEqual([]);
  });
});

describe('faults', () => {
  test('transient 500s, SlowDown, throttling and dropped connections are retried and the deploy completes', async () => {
    const bucket = await newBucket(world);
    const dir = writeSite(viteSite());
    const kinds = ['500', 'slowdown', 'throttling', 'drop', '500', 'drop'] as const;
    let n = 0;
    world.proxy.setSchedule((r) =>
      r.operation === 'PutObject' && n < kinds.length ? kinds[n++] : undefined
    );
    const result = await run({ 'source-dir': dir, bucket });
    expect(result.code).toBe(0);
    expect(world.proxy.requests.filter((r) => r.fault).map((r) => r.fault)).toEqual([...kinds]);
    // The first fault hit a direct PutObject (src/frontend/put-object.ts); each direct request that failed
    // was sent again through the SDK, which then retried until it succeeded.
    const puts = world.proxy.requests.filter((r) => r.operation === 'PutObject');
    expect(puts[0]).toMatchObject({ fault: '500', viaSdk: false });
    for (const failed of puts.filter((r) => r.fault && !r.viaSdk)) {
      expect(
        puts.some((r) => r.index > failed.index && r.key === failed.key && r.viaSdk && r.status === 200)
      ).toBe(true);
    }
    expect(await keysOf(world, bucket)).toHaveLength(7);
    expect(await keysOf(world, bucket)).toContain(MANIFEST);
  });

  test('an asset failing after every retry: non-zero exit, index.html not replaced, nothing deleted; a re-run completes', async () => {
    const bucket = await newBucket(world);
    const dir = writeSite(viteSite('v1'));
    expect((await run({ 'source-dir': dir, bucket })).code).toBe(0);
    const oldIndex = await (
      await world.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'index.html' }))
    ).Body!.transformToString();
    writeSite(viteSite('v2'), dir);
    world.proxy.clear();
    world.proxy.setSchedule((r) =>
      r.operation === 'PutObject' && r.key === 'assets/index-F5g6H7i8.js' ? '500' : undefined
    );
    const failed = await run({
      'source-dir': dir,
      bucket,
      delete: 'true',
      'delete-grace-hours': '0',
      'delete-max-percent': '100'
    });
    expect(failed.code).not.toBe(0);
    expect(failed.errors.join('\n')).toContain('No HTML entry points were replaced and nothing was deleted');
    // One direct PutObject (src/frontend/put-object.ts), then PutObjectCommand with the SDK's 5 attempts.
    expect(world.proxy.requests.filter((r) => r.fault === '500').length).toBe(6);
    expect(writesIn(world).filter((w) => /index\.html|DeleteObjects/.test(w))).toEqual([]);
    const index = await (
      await world.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'index.html' }))
    ).Body!.transformToString();
    expect(index).toBe(oldIndex);
    expect(await keysOf(world, bucket)).toContain('assets/index-B1c2D3e4.js');

    world.proxy.setSchedule(undefined);
    world.proxy.clear();
    const rerun = await run({
      'source-dir': dir,
      bucket,
      delete: 'true',
      'delete-grace-hours': '0',
      'delete-max-percent': '100'
    });
    expect(rerun.code).toBe(0);
    expect(writesIn(world)).toEqual([
      'PutObject assets/index-F5g6H7i8.js',
      'PutObject index.html',
      'DeleteObjects ',
      `PutObject ${MANIFEST}`
    ]);
    expect(await keysOf(world, bucket)).not.toContain('assets/index-B1c2D3e4.js');
  });

  test('a multipart upload whose parts keep failing leaves the old object, and a re-run sends it', async () => {
    const bucket = await newBucket(world);
    const big = randomBytes(11 * MiB);
    await world.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'index.html', Body: 'old' }));
    const dir = writeSite({ 'index.html': 'new', 'media/big.bin': big });
    world.proxy.setSchedule(faultTimes('drop', 100, (r) => r.operation === 'UploadPart'));
    const failed = await run({ 'source-dir': dir, bucket, 'multipart-threshold-mb': '5' });
    expect(failed.code).not.toBe(0);
    expect(writesIn(world).filter((w) => w.startsWith('PutObject index.html'))).toEqual([]);
    expect(world.proxy.counts()['AbortMultipartUpload']).toBe(1);
    world.proxy.setSchedule(undefined);
    world.proxy.clear();
    const rerun = await run({ 'source-dir': dir, bucket, 'multipart-threshold-mb': '5' });
    expect(rerun.code).toBe(0);
    expect(rerun.outputs['uploaded-count']).toBe('2');
    expect((await headersOf(world, bucket, 'media/big.bin')).ContentLength).toBe(big.length);
  });
});

/**
 * The local CloudFront-like origin (src/local/cdn.ts) in front of a moto bucket: the template's function,
 * the default root object, headers passed through, real 404s, and an edge cache that follows the
 * objects' Cache-Control (a test clock moves time; nothing sleeps).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startMoto, type MotoServer } from '../../src/local/moto.js';
import { CACHING_OPTIMIZED, edgeTtlSeconds, startLocalCdn, type LocalCdn } from '../../src/local/cdn.js';

let moto: MotoServer;
let s3: S3Client;
let bucketN = 0;

beforeAll(async () => {
  moto = await startMoto();
  s3 = new S3Client({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });
});
afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
});

async function put(bucket: string, key: string, body: string, contentType: string, cacheControl?: string) {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentType: contentType,
      CacheControl: cacheControl
    })
  );
}

/** A bucket holding a small site (under `prefix`), and a CDN with a clock the test moves. */
async function site(
  prefix = '',
  originPath = ''
): Promise<{ bucket: string; cdn: LocalCdn; clock: { t: number } }> {
  const bucket = `cdn-${process.pid}-${++bucketN}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await put(
    bucket,
    `${prefix}index.html`,
    '<!doctype html><p>v1</p>',
    'text/html; charset=utf-8',
    'no-cache'
  );
  await put(
    bucket,
    `${prefix}assets/index-aaaa1111.js`,
    'console.log(1)',
    'text/javascript; charset=utf-8',
    'public, max-age=31536000, immutable'
  );
  await put(
    bucket,
    `${prefix}robots.txt`,
    'User-agent: *',
    'text/plain; charset=utf-8',
    'public, max-age=300'
  );
  await put(bucket, `${prefix}.twotier/manifest.json`, '{"secret":"paths"}', 'application/json', 'no-store');
  await put(bucket, `${prefix}.twotier-manifest.json`, '{"secret":"paths"}', 'application/json', 'no-store');
  const clock = { t: 1_700_000_000_000 };
  const cdn = await startLocalCdn({ s3, bucket, originPath, now: () => clock.t, lifetimeMs: 60000 });
  return { bucket, cdn, clock };
}

async function get(cdn: LocalCdn, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${cdn.endpoint}${path}`, { headers });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

describe('local CDN', () => {
  it('serves / and SPA routes with index.html, and files with their own headers', async () => {
    const { cdn } = await site();
    try {
      for (const path of ['/', '/about', '/docs/', '/about?tab=2']) {
        const res = await get(cdn, path);
        expect([path, res.status, res.body]).toEqual([path, 200, '<!doctype html><p>v1</p>']);
        expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
        expect(res.headers.get('cache-control')).toBe('no-cache');
      }
      const js = await get(cdn, '/assets/index-aaaa1111.js');
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(js.headers.get('x-content-type-options')).toBe('nosniff');
      expect(js.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    } finally {
      await cdn.stop();
    }
  });

  it('answers a missing file with 404, not with the app shell', async () => {
    const { cdn } = await site();
    try {
      const res = await get(cdn, '/assets/missing-00000000.js');
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('<!doctype html>');
      expect(res.headers.get('content-type')).toBe('application/xml');
    } finally {
      await cdn.stop();
    }
  });

  it("never serves the toolkit's reserved objects, and never asks the origin for them", async () => {
    const { cdn } = await site();
    try {
      for (const path of [
        '/.twotier/manifest.json',
        '/.twotier-manifest.json',
        '/%2Etwotier/manifest.json'
      ]) {
        const res = await get(cdn, path);
        expect([path, res.status]).toEqual([path, 404]);
        expect(res.body).not.toContain('secret');
      }
      expect(cdn.log.filter((e) => e.target.includes('twotier')).map((e) => e.cache)).toEqual([
        'FunctionGeneratedResponse',
        'FunctionGeneratedResponse',
        'FunctionGeneratedResponse'
      ]);
    } finally {
      await cdn.stop();
    }
  });

  it('keeps a no-cache index.html for the minimum TTL (1 s), then fetches the new one', async () => {
    const { bucket, cdn, clock } = await site();
    try {
      expect((await get(cdn, '/')).body).toContain('v1');
      await put(bucket, 'index.html', '<!doctype html><p>v2</p>', 'text/html; charset=utf-8', 'no-cache');
      clock.t += 500;
      const stale = await get(cdn, '/about');
      expect(stale.body).toContain('v1');
      expect(stale.headers.get('x-cache')).toBe('Hit from cloudfront');
      clock.t += 600;
      const fresh = await get(cdn, '/');
      expect(fresh.body).toContain('v2');
      expect(fresh.headers.get('x-cache')).toBe('Miss from cloudfront');
    } finally {
      await cdn.stop();
    }
  });

  it('keeps an immutable asset for its max-age, even after the object was deleted', async () => {
    const { bucket, cdn, clock } = await site();
    try {
      expect((await get(cdn, '/assets/index-aaaa1111.js')).status).toBe(200);
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'assets/index-aaaa1111.js' }));
      clock.t += 30 * 86400 * 1000;
      expect((await get(cdn, '/assets/index-aaaa1111.js')).status).toBe(200);
      cdn.invalidate(['/assets/*']);
      expect((await get(cdn, '/assets/index-aaaa1111.js')).status).toBe(404);
    } finally {
      await cdn.stop();
    }
  });

  it('caches a 404 for 10 s, as CloudFront caches errors', async () => {
    const { bucket, cdn, clock } = await site();
    try {
      expect((await get(cdn, '/assets/late-bbbb2222.js')).status).toBe(404);
      await put(
        bucket,
        'assets/late-bbbb2222.js',
        'late',
        'text/javascript',
        'public, max-age=31536000, immutable'
      );
      clock.t += 9000;
      expect((await get(cdn, '/assets/late-bbbb2222.js')).status).toBe(404);
      clock.t += 2000;
      expect((await get(cdn, '/assets/late-bbbb2222.js')).status).toBe(200);
    } finally {
      await cdn.stop();
    }
  });

  it('answers a revalidation with the current ETag with 304', async () => {
    const { cdn } = await site();
    try {
      const first = await get(cdn, '/');
      const again = await get(cdn, '/', { 'if-none-match': first.headers.get('etag') ?? '' });
      expect(again.status).toBe(304);
      expect(again.body).toBe('');
      expect((await get(cdn, '/', { 'if-none-match': '"0000"' })).status).toBe(200);
    } finally {
      await cdn.stop();
    }
  });

  it('serves a site under an origin path: viewer paths are relative to it', async () => {
    const { cdn } = await site('site/', '/site');
    try {
      expect((await get(cdn, '/about')).body).toContain('v1');
      expect((await get(cdn, '/robots.txt')).body).toBe('User-agent: *');
      expect((await get(cdn, '/.twotier/manifest.json')).status).toBe(404);
      expect((await get(cdn, '/site/robots.txt')).status).toBe(404);
    } finally {
      await cdn.stop();
    }
  });

  it('refuses methods the distribution does not allow', async () => {
    const { cdn } = await site();
    try {
      const res = await fetch(`${cdn.endpoint}/index.html`, { method: 'PUT', body: 'x' });
      expect(res.status).toBe(403);
    } finally {
      await cdn.stop();
    }
  });
});

describe('edge TTL', () => {
  it.each([
    ['no-cache', 1],
    ['no-store', 1],
    ['private, max-age=0', 1],
    ['public, max-age=300', 300],
    ['public, max-age=31536000, immutable', 31536000],
    ['max-age=600, s-maxage=60', 60],
    ['max-age=999999999', CACHING_OPTIMIZED.max],
    [undefined, 86400]
  ])('Cache-Control %s is kept %i s under CachingOptimized', (header, seconds) => {
    expect(edgeTtlSeconds(header)).toBe(seconds);
  });
});

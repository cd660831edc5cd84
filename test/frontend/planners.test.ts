/** Unit tests: Cache-Control rules, Content-Type, the sync planner, the invalidation planner. */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { cacheControlFor, parseCacheControlRules } from '../../src/frontend/cache-control.js';
import { contentTypeFor } from '../../src/frontend/content-type.js';
import { hashFile, type LocalFile } from '../../src/frontend/local-files.js';
import { planInvalidation } from '../../src/frontend/invalidation-plan.js';
import {
  CONTENT_MD5_METADATA,
  normalisePrefix,
  type RemoteObject
} from '../../src/frontend/remote-objects.js';
import { headCandidates, planSync, type PlanOptions } from '../../src/frontend/sync-plan.js';
import { ConfigurationError } from '../../src/lib/errors.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const file = (relativePath: string, content: string): LocalFile => ({
  relativePath,
  absolutePath: `/x/${relativePath}`,
  size: content.length,
  md5: md5(content)
});
const remote = (key: string, content: string, hoursAgo = 48): RemoteObject => ({
  key,
  etag: md5(content),
  size: content.length,
  lastModified: new Date(Date.parse('2025-01-10T12:00:00Z') - hoursAgo * 3600_000)
});
const options = (over: Partial<PlanOptions> = {}): PlanOptions => ({
  prefix: '',
  rules: parseCacheControlRules('spa'),
  entryPoints: ['**/*.html'],
  multipartThreshold: 16 * 1024 * 1024,
  delete: true,
  deleteGraceHours: 24,
  deleteMaxPercent: 100,
  now: new Date('2025-01-10T12:00:00Z'),
  ...over
});

describe('Cache-Control rules', () => {
  test('the spa preset: HTML no-cache, assets immutable, the rest five minutes', () => {
    const rules = parseCacheControlRules('spa');
    expect(cacheControlFor('index.html', rules)).toBe('no-cache');
    expect(cacheControlFor('docs/index.html', rules)).toBe('no-cache');
    expect(cacheControlFor('assets/index-B1c2D3e4.js', rules)).toBe('public, max-age=31536000, immutable');
    expect(cacheControlFor('favicon.ico', rules)).toBe('public, max-age=300');
    expect(cacheControlFor('.well-known/security.txt', rules)).toBe('public, max-age=300');
  });
  test('rules are ordered, first match wins, and values are normalised', () => {
    const rules = parseCacheControlRules('# comment\nsw.js = NO-CACHE\n\nspa\nsw.js = max-age=9');
    expect(cacheControlFor('sw.js', rules)).toBe('no-cache');
    expect(parseCacheControlRules('** =  public ,max-age = 60')[0]?.value).toBe('public, max-age=60');
    expect(cacheControlFor('x', parseCacheControlRules('*.html = no-cache'))).toBeUndefined();
  });
  test.each([
    ['no equals sign', 'assets/**', 'is not a rule'],
    ['a directive instead of a glob', 'max-age=300', 'is not a Cache-Control directive'],
    ['directive as glob', 'no-cache = public', 'starts with a Cache-Control directive'],
    ['unknown directive', '** = forever', '"forever" is not a Cache-Control directive'],
    ['max-age without seconds', '** = max-age', 'needs a whole number of seconds'],
    ['value on a flag', '** = public=1', 'public takes no value'],
    ['unbalanced bracket', 'a[b = no-cache', 'is not a valid glob'],
    ['unbalanced brace', 'a{b,c = no-cache', 'is not a valid glob'],
    ['absolute glob', '/index.html = no-cache', 'must not start with "/"'],
    ['empty value', '** =', 'has no Cache-Control value']
  ])('%s is a ConfigurationError naming the line', (_n, text, message) => {
    expect(() => parseCacheControlRules(`spa\n${text}`)).toThrow(ConfigurationError);
    expect(() => parseCacheControlRules(`spa\n${text}`)).toThrow(`cache-control: line 2`);
    expect(() => parseCacheControlRules(text)).toThrow(message);
  });
});

describe('Content-Type', () => {
  test.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['assets/a-1.js', 'text/javascript; charset=utf-8'],
    ['assets/a.css', 'text/css; charset=utf-8'],
    ['data.json', 'application/json; charset=utf-8'],
    ['logo.svg', 'image/svg+xml; charset=utf-8'],
    ['site.webmanifest', 'application/manifest+json; charset=utf-8'],
    ['logo.png', 'image/png'],
    ['font.woff2', 'font/woff2'],
    ['app.wasm', 'application/wasm'],
    ['LICENSE', 'application/octet-stream']
  ])('%s → %s', (p, type) => expect(contentTypeFor(p)).toBe(type));
});

describe('hashing', () => {
  test('the multipart ETag is md5 of the part md5s with the part count', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hash-'));
    const content = Buffer.alloc(25, 7);
    writeFileSync(path.join(dir, 'f'), content);
    const hashed = await hashFile('f', path.join(dir, 'f'), { multipartThreshold: 10, partSize: 10 });
    const parts = [content.subarray(0, 10), content.subarray(10, 20), content.subarray(20)].map((p) =>
      createHash('md5').update(p).digest()
    );
    expect(hashed.md5).toBe(createHash('md5').update(content).digest('hex'));
    expect(hashed.multipartEtag).toBe(`${createHash('md5').update(Buffer.concat(parts)).digest('hex')}-3`);
    const small = await hashFile('f', path.join(dir, 'f'), { multipartThreshold: 26, partSize: 10 });
    expect(small.multipartEtag).toBeUndefined();
  });
  test('prefixes are normalised', () => {
    expect(normalisePrefix('')).toBe('');
    expect(normalisePrefix('/')).toBe('');
    expect(normalisePrefix('/site/')).toBe('site/');
    expect(normalisePrefix('a/b')).toBe('a/b/');
  });
});

describe('sync planner', () => {
  test('classifies new, changed, unchanged, header changes and stale objects, HTML last', () => {
    const files = [
      file('index.html', 'v2'),
      file('assets/a-2.js', 'new'),
      file('favicon.ico', 'icon2'),
      file('robots.txt', 'r')
    ];
    const objects = new Map([
      ['index.html', remote('index.html', 'v1')],
      ['favicon.ico', remote('favicon.ico', 'icon')],
      ['robots.txt', remote('robots.txt', 'r')],
      ['assets/a-1.js', remote('assets/a-1.js', 'old', 48)],
      ['assets/b-1.js', remote('assets/b-1.js', 'old', 2)]
    ]);
    expect(headCandidates(files, objects)).toEqual(['robots.txt']);
    const heads = new Map([
      ['robots.txt', { contentType: 'text/plain', cacheControl: 'public, max-age=300', metadata: {} }]
    ]);
    const plan = planSync(files, objects, heads, options());
    expect(plan.assets.map((i) => `${i.kind} ${i.relativePath} ${i.reason}`)).toEqual([
      'upload assets/a-2.js new',
      'upload favicon.ico content changed',
      'update-headers robots.txt headers changed: Content-Type "text/plain" → "text/plain; charset=utf-8"'
    ]);
    expect(plan.entryPoints.map((i) => i.relativePath)).toEqual(['index.html']);
    expect(plan.deletes.map((i) => i.relativePath)).toEqual(['assets/a-1.js']);
    expect(plan.kept.map((i) => i.relativePath)).toEqual(['assets/b-1.js']);
    expect(plan.kept[0]?.reason).toContain('24 h grace period');
  });
  test('delete off keeps stale objects; the cap refuses a large share', () => {
    const files = [file('index.html', 'x')];
    const objects = new Map([
      ['a', remote('a', '1')],
      ['b', remote('b', '2')],
      ['index.html', remote('index.html', 'x')]
    ]);
    expect(planSync(files, objects, new Map(), options({ delete: false })).kept).toHaveLength(2);
    expect(() => planSync(files, objects, new Map(), options({ deleteMaxPercent: 50 }))).toThrow(
      'would delete 2 of the 3 objects'
    );
    expect(planSync(files, objects, new Map(), options({ deleteMaxPercent: 70 })).deletes).toHaveLength(2);
  });
  test('multipart objects compare by the stored content hash or the recomputed multipart ETag', () => {
    const big: LocalFile = { ...file('big.bin', 'x'.repeat(20)), multipartEtag: 'abc-2' };
    const byEtag = new Map([['big.bin', { ...remote('big.bin', 'x'.repeat(20)), etag: 'abc-2' }]]);
    const byMeta = new Map([['big.bin', { ...remote('big.bin', 'x'.repeat(20)), etag: 'fff-3' }]]);
    const head = (metadata: Record<string, string>) =>
      new Map([
        [
          'big.bin',
          { contentType: 'application/octet-stream', cacheControl: 'public, max-age=300', metadata }
        ]
      ]);
    expect(headCandidates([big], byMeta, false)).toEqual(['big.bin']);
    expect(planSync([big], byEtag, head({}), options()).unchanged).toHaveLength(1);
    expect(
      planSync([big], byMeta, head({ [CONTENT_MD5_METADATA]: big.md5 }), options()).unchanged
    ).toHaveLength(1);
    expect(planSync([big], byMeta, head({}), options()).assets[0]?.reason).toBe('content changed');
  });
});

describe('invalidation planner', () => {
  test('HTML entry points with their directory forms and non-hashed files; hashed assets skipped', () => {
    const plan = planInvalidation([
      '/index.html',
      '/docs/index.html',
      '/about.html',
      '/assets/index-F5g6H7i8.js',
      '/js/app.3f2a1b9c.js',
      '/favicon.ico'
    ]);
    expect(plan.paths).toEqual([
      '/',
      '/about.html',
      '/docs/',
      '/docs/index.html',
      '/favicon.ico',
      '/index.html'
    ]);
    expect(plan.skippedHashed).toEqual(['/assets/index-F5g6H7i8.js', '/js/app.3f2a1b9c.js']);
    expect(plan.collapsed).toBe('none');
  });
  test('nothing changed: no paths', () => {
    expect(planInvalidation([]).paths).toEqual([]);
    expect(planInvalidation(['/assets/x-Ab12Cd34.css']).paths).toEqual([]);
  });
  test('collapses the directory that saves most into a wildcard, then falls back to /*', () => {
    const many = [
      ...Array.from({ length: 10 }, (_, i) => `/img/a${i}.png`),
      ...Array.from({ length: 3 }, (_, i) => `/fonts/f${i}.woff`),
      '/index.html'
    ];
    expect(planInvalidation(many, { maxPaths: 8 }).paths).toEqual([
      '/',
      '/fonts/f0.woff',
      '/fonts/f1.woff',
      '/fonts/f2.woff',
      '/img/*',
      '/index.html'
    ]);
    expect(planInvalidation(many, { maxPaths: 4 }).paths).toEqual(['/', '/fonts/*', '/img/*', '/index.html']);
    expect(planInvalidation(many, { maxPaths: 2 })).toEqual(
      expect.objectContaining({ paths: ['/*'], collapsed: 'all' })
    );
    const flat = Array.from({ length: 30 }, (_, i) => `/f${i}.txt`);
    expect(planInvalidation(flat, { maxPaths: 20 }).paths).toEqual(['/*']);
  });
  test('more than 15 wildcards fall back to /*', () => {
    const dirs = Array.from({ length: 16 }, (_, d) => [`/d${d}/a.txt`, `/d${d}/b.txt`]).flat();
    expect(planInvalidation(dirs, { maxPaths: 16 }).paths).toEqual(['/*']);
  });
  test('path prefix, custom hashed patterns, explicit wildcard', () => {
    expect(planInvalidation(['/index.html'], { pathPrefix: '/site' }).paths).toEqual([
      '/site/',
      '/site/index.html'
    ]);
    expect(planInvalidation(['/static/app.js'], { hashedPatterns: ['static/**'] }).paths).toEqual([]);
    expect(planInvalidation(['/a.txt', '/*']).paths).toEqual(['/*']);
    expect(() => planInvalidation(['/x'], { maxPaths: 0 })).toThrow('max-paths 0 must be');
    expect(() => planInvalidation(['x'])).toThrow('must start with "/"');
  });
});

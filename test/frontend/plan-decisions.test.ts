/**
 * Unit tests of the planners' decisions: upload order and the paths whose cached copies go stale come from
 * the typed reason (`why`) alone, never from its text; prefixes are normalised or refused; entry-point globs
 * must match; invalidation paths are checked, explicit paths never collapsed and counted against max-paths.
 */
import { createHash } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import { parseCacheControlRules } from '../../src/frontend/cache-control.js';
import { planInvalidation, urlPathOf } from '../../src/frontend/invalidation-plan.js';
import type { LocalFile } from '../../src/frontend/local-files.js';
import { normalisePrefix, type RemoteObject } from '../../src/frontend/remote-objects.js';
import {
  describeReason,
  orderWrites,
  planSync,
  stalePaths,
  type SyncItem,
  type SyncReason
} from '../../src/frontend/sync-plan.js';
import { checkEntryPoints } from '../../src/frontend/upload.js';
import { ConfigurationError } from '../../src/lib/errors.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const file = (relativePath: string, content: string): LocalFile => ({
  relativePath,
  absolutePath: `/x/${relativePath}`,
  size: content.length,
  md5: md5(content)
});
const object = (key: string, content: string): RemoteObject => ({
  key,
  etag: md5(content),
  size: content.length,
  lastModified: new Date('2025-01-01T00:00:00Z')
});
/** A step whose text says the opposite of its typed reason. */
const step = (relativePath: string, why: SyncReason, misleading: string): SyncItem => ({
  kind: why.code === 'stale' ? 'delete' : 'upload',
  relativePath,
  key: relativePath,
  why,
  reason: misleading,
  size: 1,
  entryPoint: false
});

describe('typed reason', () => {
  test('the write order puts new objects before replacements, whatever the text says', () => {
    const items = [
      step('a-replaced.js', { code: 'content' }, 'new'),
      step('b-new.js', { code: 'new' }, 'content changed'),
      step('c-headers.txt', { code: 'headers', changes: [] }, 'new'),
      step('d-new.css', { code: 'new' }, 'headers changed: x')
    ];
    expect(orderWrites(items).map((i) => i.relativePath)).toEqual([
      'b-new.js',
      'd-new.css',
      'a-replaced.js',
      'c-headers.txt'
    ]);
  });

  test('changed paths are the replaced and deleted objects, whatever the text says', () => {
    expect(
      stalePaths({
        assets: [
          step('new.js', { code: 'new' }, 'content changed'),
          step('replaced.js', { code: 'content' }, 'new'),
          step('headers.txt', { code: 'headers', changes: [] }, 'new')
        ],
        entryPoints: [step('index.html', { code: 'content' }, 'new')],
        deletes: [step('old.js', { code: 'stale' }, 'new')]
      })
    ).toEqual(['/headers.txt', '/index.html', '/old.js', '/replaced.js']);
  });

  test('the planner gives each step its typed reason and derives the text from it', () => {
    const files = [file('new.js', 'n'), file('changed.js', 'v2'), file('robots.txt', 'r')];
    const remote = new Map([
      ['changed.js', object('changed.js', 'v1')],
      ['robots.txt', object('robots.txt', 'r')],
      ['stale.js', object('stale.js', 's')]
    ]);
    const heads = new Map([['robots.txt', { contentType: 'text/plain', metadata: {} }]]);
    const plan = planSync(files, remote, heads, {
      prefix: '',
      rules: parseCacheControlRules('spa'),
      entryPoints: ['**/*.html'],
      multipartThreshold: 16 * 1024 * 1024,
      delete: false,
      deleteGraceHours: 24,
      deleteMaxPercent: 100,
      now: new Date('2025-01-10T00:00:00Z')
    });
    expect(plan.assets.map((i) => [i.relativePath, i.why.code])).toEqual([
      ['new.js', 'new'],
      ['changed.js', 'content'],
      ['robots.txt', 'headers']
    ]);
    for (const item of [...plan.assets, ...plan.kept]) expect(item.reason).toBe(describeReason(item.why));
    expect(plan.assets[2]?.why).toEqual({
      code: 'headers',
      changes: [
        { header: 'Content-Type', from: 'text/plain', to: 'text/plain; charset=utf-8' },
        { header: 'Cache-Control', from: '', to: 'public, max-age=300' }
      ]
    });
    expect(plan.kept[0]?.why).toEqual({ code: 'stale-kept', because: 'delete-off' });
    expect(stalePaths(plan)).toEqual(['/changed.js', '/robots.txt']);
  });
});

describe('prefix', () => {
  test('`.` segments, repeated and outer slashes are dropped', () => {
    expect(normalisePrefix('./a/./b')).toBe('a/b/');
    expect(normalisePrefix('a//b/')).toBe('a/b/');
    expect(normalisePrefix('//site//')).toBe('site/');
    expect(normalisePrefix('./')).toBe('');
  });
  test.each(['../x', 'a/../b', '..', 'a/..'])('%s is refused naming the input', (prefix) => {
    expect(() => normalisePrefix(prefix)).toThrow(ConfigurationError);
    expect(() => normalisePrefix(prefix)).toThrow(
      `Input prefix ${JSON.stringify(prefix)} has a ".." segment`
    );
  });
});

describe('entry points', () => {
  const files = [{ relativePath: 'index.html' }, { relativePath: 'docs/index.html' }];
  test('a glob that matches no file is refused; the default may match none', () => {
    expect(() => checkEntryPoints(files, ['*.htm'], true)).toThrow(
      'Input entry-points: "*.htm" matches no file of source-dir'
    );
    expect(() => checkEntryPoints(files, ['index.html', 'docs/*.html'], true)).not.toThrow();
    expect(() => checkEntryPoints([{ relativePath: 'a.js' }], ['**/*.html'], false)).not.toThrow();
  });
});

describe('invalidation paths', () => {
  test('changed paths are URL-encoded; a final * stays a wildcard, another * is encoded', () => {
    expect(urlPathOf('/my file.html')).toBe('/my%20file.html');
    expect(urlPathOf('/é.html')).toBe('/%C3%A9.html');
    expect(urlPathOf('/a*b/*')).toBe('/a%2Ab/*');
    expect(planInvalidation(['/my page/index.html']).paths).toEqual(['/my%20page/', '/my%20page/index.html']);
  });

  test.each([
    ['/a b.html', 'contains a space'],
    ['/img/*/x.png', 'has a "*" before its end'],
    ['index.html', 'must start with "/"'],
    ['/a/../b', 'has a "." or ".." segment'],
    ['/a{b}', 'must be URL-encoded']
  ])('explicit path %s is refused', (path, message) => {
    expect(() => planInvalidation([], { explicitPaths: [path] })).toThrow(ConfigurationError);
    expect(() => planInvalidation([], { explicitPaths: [path] })).toThrow(message);
  });

  test('explicit paths are never collapsed and count against max-paths; changed paths get what is left', () => {
    const explicit = ['/a.txt', '/b.txt', '/c.txt'];
    expect(() => planInvalidation([], { explicitPaths: explicit, maxPaths: 2 })).toThrow(
      'Input paths has 3 paths (first "/a.txt"), more than max-paths 2'
    );
    const changed = ['/img/1.png', '/img/2.png', '/img/3.png'];
    expect(planInvalidation(changed, { explicitPaths: explicit, maxPaths: 4 })).toEqual(
      expect.objectContaining({
        paths: ['/a.txt', '/b.txt', '/c.txt', '/img/*'],
        collapsed: 'wildcards'
      })
    );
    expect(planInvalidation(changed, { explicitPaths: explicit, maxPaths: 3 })).toEqual(
      expect.objectContaining({ paths: ['/*'], collapsed: 'all' })
    );
    expect(planInvalidation([], { explicitPaths: explicit, maxPaths: 3 }).paths).toEqual(explicit);
  });
});

/**
 * The header manifest's trust rules and what the next manifest holds (src/frontend/manifest.ts), without S3:
 * pinned entries hold while the listing shows their LastModified; entries of objects the manifest's own run
 * wrote hold while the object is not newer than the manifest; a run that wrote nothing and learnt nothing
 * new does not rewrite it; a rewrite pins carried entries to the run's listing.
 */
import { describe, expect, test } from '@jest/globals';
import {
  matchesListing,
  nextManifest,
  parseManifest,
  trustedHeaders,
  type ManifestEntries,
  type ManifestEntry
} from '../../src/frontend/manifest.js';
import type { RemoteHeaders, RemoteObject } from '../../src/frontend/remote-objects.js';

const T0 = new Date('2026-11-22T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const object = (etag: string, lastModified: Date, size = 10): RemoteObject => ({
  key: etag,
  etag,
  size,
  lastModified
});
const headers: RemoteHeaders = {
  contentType: 'text/plain; charset=utf-8',
  cacheControl: 'no-cache',
  metadata: {}
};

describe('matchesListing', () => {
  const pinned: ManifestEntry = { etag: 'aa', size: 10, lastModified: at(5).toISOString() };
  const written: ManifestEntry = { etag: 'aa', size: 10 };

  test('a pinned entry holds only at its own LastModified, ETag and size', () => {
    expect(matchesListing(pinned, object('aa', at(5)))).toBe(true);
    expect(matchesListing(pinned, object('aa', at(6)))).toBe(false);
    expect(matchesListing(pinned, object('bb', at(5)))).toBe(false);
    expect(matchesListing(pinned, object('aa', at(5), 11))).toBe(false);
  });

  test('an entry without LastModified holds while the object is not newer than the manifest', () => {
    expect(matchesListing(written, object('aa', at(5)), at(5))).toBe(true);
    expect(matchesListing(written, object('aa', at(4)), at(5))).toBe(true);
    expect(matchesListing(written, object('aa', at(6)), at(5))).toBe(false);
    expect(matchesListing(written, object('bb', at(4)), at(5))).toBe(false);
    expect(matchesListing(written, object('aa', at(4)))).toBe(false); // no manifest LastModified known
  });

  test('trustedHeaders applies both rules', () => {
    const entries: ManifestEntries = new Map([
      ['pinned.txt', { ...pinned, contentType: 'a/b' }],
      ['written.txt', { ...written, contentType: 'c/d' }],
      ['rewritten.txt', { ...written, contentType: 'e/f' }]
    ]);
    const remote = new Map([
      ['pinned.txt', object('aa', at(5))],
      ['written.txt', object('aa', at(3))],
      ['rewritten.txt', object('aa', at(9))]
    ]);
    expect([...trustedHeaders(entries, remote, at(4)).keys()]).toEqual(['pinned.txt', 'written.txt']);
  });

  test('a manifest document with entries without LastModified parses; a wrong LastModified type does not', () => {
    const read = parseManifest(
      JSON.stringify({
        format: 'twotier-upload-manifest',
        version: 1,
        objects: { 'a.txt': { etag: 'aa', size: 1 }, 'b.txt': { etag: 'bb', size: 1, lastModified: 5 } }
      })
    );
    expect([...read.entries.keys()]).toEqual(['a.txt']);
  });
});

describe('nextManifest', () => {
  const listed = new Map([
    ['old.txt', object('11', at(1))],
    ['headed.txt', object('22', at(2))]
  ]);
  const old: ManifestEntries = new Map([['old.txt', { etag: '11', size: 10 }]]);

  test('nothing written and nothing new learnt: the manifest is not rewritten, entries carried as they were', () => {
    const next = nextManifest(
      old,
      [{ relativePath: 'old.txt', headers: { metadata: {} }, entry: old.get('old.txt') }],
      [],
      listed
    );
    expect(next.write).toBe(false);
    expect(next.entries.get('old.txt')).toEqual({ etag: '11', size: 10 });
  });

  test('after a write: written objects without LastModified, carried entries pinned to the listing', () => {
    const next = nextManifest(
      old,
      [
        { relativePath: 'old.txt', headers: { metadata: {} }, entry: old.get('old.txt') },
        { relativePath: 'headed.txt', headers }
      ],
      [{ relativePath: 'new.txt', etag: '33', size: 7, headers }],
      listed
    );
    expect(next.write).toBe(true);
    expect(next.entries.get('new.txt')).toEqual({
      etag: '33',
      size: 7,
      contentType: 'text/plain; charset=utf-8',
      cacheControl: 'no-cache'
    });
    expect(next.entries.get('old.txt')).toEqual({ etag: '11', size: 10, lastModified: at(1).toISOString() });
    expect(next.entries.get('headed.txt')).toMatchObject({ etag: '22', lastModified: at(2).toISOString() });
  });

  test('a write that leaves the entries equal still rewrites the manifest (its LastModified vouches for it)', () => {
    const next = nextManifest(
      new Map([['a.txt', { etag: '44', size: 3 }]]),
      [],
      [{ relativePath: 'a.txt', etag: '44', size: 3, headers: { metadata: {} } }],
      new Map()
    );
    expect(next.write).toBe(true);
  });
});

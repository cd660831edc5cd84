/**
 * The header manifest: one small JSON object, by default `<prefix>.twotier/manifest.json` (input
 * `manifest-key`), that upload-frontend writes after a successful deploy. It records, for every object
 * whose headers the run knows, the object's ETag and size, and its Content-Type, Cache-Control and user
 * metadata. `<prefix>.twotier/` is the toolkit's reserved folder in the bucket: never uploaded from
 * source-dir, never planned (not deleted, not listed as changed), answered with a 404 by the distribution's
 * viewer-request function (templates/frontend.yml).
 *
 * Format (version 2; version 1, the legacy `<prefix>.twotier-manifest.json`, is read the same way):
 *
 *     { "format": "twotier-upload-manifest", "version": 2,
 *       "objects": { "<path relative to the prefix>": { "etag", "size", "lastModified"?, "contentType"?,
 *                                                       "cacheControl"?, "metadata"? }, ... },
 *       ...other sections }
 *
 * Other top-level members (`releases`, reserved for the HTML entry points of earlier releases kept under
 * `<prefix>.twotier/releases/`) are sections this version does not interpret: they are read as they are and
 * written back unchanged, so a run of this version never drops what a later one recorded.
 *
 * Concurrent deploys: the manifest is written with a conditional PutObject, `If-Match` the ETag read at the
 * start of the run, or `If-None-Match: *` when there was none; another deploy's write in between makes S3
 * answer 412 PreconditionFailed (or 404 when it deleted it), and the run fails naming that, with nothing of
 * the manifest half-written (a PutObject is atomic).
 *
 * The next run reads it with one GetObject and trusts an entry only while the listing still shows the same
 * object: S3 can change an object's headers only by writing it again (PutObject or CopyObject), and every
 * write gives it a new LastModified. An entry pinned to a LastModified (objects whose headers were known
 * from an earlier run or read with HeadObject) holds while the listing shows that LastModified, ETag and
 * size. An entry for an object the writing run wrote itself carries no LastModified: it holds while ETag and
 * size match and the object's listed LastModified is not later than the manifest's own, since the manifest
 * is written after every write of its run. That saves listing the prefix again after the uploads. Entries
 * that do not hold fall back to HeadObject. A manifest that is missing, unreadable or of another format is
 * ignored (every candidate is HEADed, as without a manifest).
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3ServiceException,
  type S3Client
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { DeploymentError } from '../lib/errors.js';
import { unquote, type RemoteHeaders, type RemoteObject } from './remote-objects.js';
import { requestFailure } from './request-failure.js';

/** The toolkit's reserved folder under the prefix: the manifest and, later, copies of earlier releases. */
export const RESERVED_FOLDER = '.twotier';
/** The manifest's default key relative to the prefix (`manifest-key` chooses another, from the bucket root). */
export const MANIFEST_NAME = `${RESERVED_FOLDER}/manifest.json`;
/** Where versions before the reserved folder kept it, relative to the prefix: read when the new one is missing. */
export const LEGACY_MANIFEST_NAME = '.twotier-manifest.json';

const FORMAT = 'twotier-upload-manifest';
/** The version this code writes. */
export const MANIFEST_VERSION = 2;

/**
 * True for a path relative to the prefix that the toolkit keeps for itself (the reserved folder and
 * the legacy manifest name): such a path is never uploaded from source-dir and never planned.
 */
export function isReservedPath(relativePath: string): boolean {
  return (
    relativePath === LEGACY_MANIFEST_NAME ||
    relativePath === RESERVED_FOLDER ||
    relativePath.startsWith(`${RESERVED_FOLDER}/`)
  );
}

/** What the manifest records for one object (keyed by the path relative to the prefix). */
export interface ManifestEntry {
  /** ETag without quotes, as ListObjectsV2 reports it. */
  etag: string;
  /**
   * LastModified as ListObjectsV2 reported it, ISO 8601. Absent for an object the manifest's own run wrote:
   * such an entry holds while the listed LastModified is not later than the manifest object's.
   */
  lastModified?: string;
  /** Bytes. */
  size: number;
  contentType?: string;
  cacheControl?: string;
  /** User metadata (`x-amz-meta-*`, keys lower-case); omitted when empty. */
  metadata?: Record<string, string>;
}

/** Manifest entries by relative path. */
export type ManifestEntries = Map<string, ManifestEntry>;

/** The result of {@link readManifest}. */
export interface ManifestRead {
  entries: ManifestEntries;
  /** Top-level members other than format, version and objects, kept to be written back unchanged. */
  sections: Record<string, unknown>;
  /** Why the manifest was not used, when it was not (`not JSON`, ...); undefined when it was read. */
  problem?: string;
  /**
   * The object's ETag as GetObject returned it (quotes removed), when the object exists (usable or not):
   * the next write is conditional on it. Undefined when there was no object.
   */
  etag?: string;
  /** The object's LastModified, when it exists: entries without their own LastModified are trusted up to it. */
  lastModified?: Date;
}

/**
 * Reads the manifest with GetObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).
 * @returns its entries, ETag and LastModified; no entries (and `problem` set) when the object is missing
 *   (no ETag then), not JSON, or not this format.
 * @throws DeploymentError naming S3 and GetObject for other failures (AccessDenied, a stalled S3 after the
 *   SDK's retries); nothing was written then.
 */
export async function readManifest(s3: S3Client, bucket: string, key: string): Promise<ManifestRead> {
  let text: string;
  let etag: string | undefined;
  let lastModified: Date | undefined;
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    text = (await response.Body?.transformToString('utf-8')) ?? '';
    etag = unquote(response.ETag);
    lastModified = response.LastModified;
  } catch (error) {
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) {
      return { entries: new Map(), sections: {}, problem: 'not found' };
    }
    throw new DeploymentError(
      `${requestFailure('S3', 'GetObject', `s3://${bucket}/${key}`, error)}. Nothing was written; run again.`,
      { cause: error }
    );
  }
  return { ...parseManifest(text), etag, lastModified };
}

/** Parses manifest JSON (version 1 or 2); anything unexpected gives no entries and a `problem`. */
export function parseManifest(text: string): ManifestRead {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { entries: new Map(), sections: {}, problem: 'not JSON' };
  }
  const doc = parsed as { format?: unknown; version?: unknown; objects?: unknown } | null;
  if (
    !doc ||
    typeof doc !== 'object' ||
    doc.format !== FORMAT ||
    (doc.version !== 1 && doc.version !== MANIFEST_VERSION) ||
    typeof doc.objects !== 'object' ||
    !doc.objects
  ) {
    return {
      entries: new Map(),
      sections: {},
      problem: `not a ${FORMAT} version 1 or ${MANIFEST_VERSION} document`
    };
  }
  const {
    format: _format,
    version: _version,
    objects: _objects,
    ...sections
  } = doc as Record<string, unknown>;
  const entries: ManifestEntries = new Map();
  for (const [path, value] of Object.entries(doc.objects as Record<string, unknown>)) {
    const e = value as Partial<ManifestEntry> | null;
    if (
      !e ||
      typeof e.etag !== 'string' ||
      (e.lastModified !== undefined && typeof e.lastModified !== 'string') ||
      typeof e.size !== 'number' ||
      (e.contentType !== undefined && typeof e.contentType !== 'string') ||
      (e.cacheControl !== undefined && typeof e.cacheControl !== 'string') ||
      (e.metadata !== undefined && (typeof e.metadata !== 'object' || e.metadata === null))
    ) {
      continue; // a malformed entry is simply not trusted
    }
    entries.set(path, normaliseEntry(e as ManifestEntry));
  }
  return { entries, sections };
}

/**
 * The entries that still describe the listed objects (see the module comment), returned as the headers
 * HeadObject would have given. `manifestModified` is the manifest object's LastModified from the same
 * listing; without it, entries that carry no LastModified are not trusted.
 */
export function trustedHeaders(
  entries: ManifestEntries,
  remote: ReadonlyMap<string, RemoteObject>,
  manifestModified?: Date
): Map<string, RemoteHeaders> {
  const trusted = new Map<string, RemoteHeaders>();
  for (const [path, entry] of entries) {
    const object = remote.get(path);
    if (!object || !matchesListing(entry, object, manifestModified)) continue;
    trusted.set(path, {
      contentType: entry.contentType,
      cacheControl: entry.cacheControl,
      metadata: { ...(entry.metadata ?? {}) }
    });
  }
  return trusted;
}

/** True when `entry` was recorded for exactly the object the listing shows (see the module comment). */
export function matchesListing(entry: ManifestEntry, object: RemoteObject, manifestModified?: Date): boolean {
  if (entry.etag !== object.etag || entry.size !== object.size) return false;
  if (entry.lastModified !== undefined)
    return Date.parse(entry.lastModified) === object.lastModified.getTime();
  return manifestModified !== undefined && object.lastModified.getTime() <= manifestModified.getTime();
}

/** An entry for a listed object with known headers. */
export function entryFor(object: RemoteObject, headers: RemoteHeaders): ManifestEntry {
  return normaliseEntry({
    etag: object.etag,
    lastModified: object.lastModified.toISOString(),
    size: object.size,
    contentType: headers.contentType,
    cacheControl: headers.cacheControl,
    metadata: headers.metadata
  });
}

/** A content-equal object whose headers the run knows. */
export interface KnownObject {
  relativePath: string;
  headers: RemoteHeaders;
  /** The old manifest's entry, when the headers came from it (else they were read with HeadObject). */
  entry?: ManifestEntry;
}

/** An object the run wrote (PutObject, multipart upload or CopyObject). */
export interface WrittenObject {
  relativePath: string;
  /** ETag S3 returned for the write, without quotes. */
  etag: string;
  /** Bytes. */
  size: number;
  headers: RemoteHeaders;
}

/**
 * The manifest after a successful run, and whether it must be written. Content-equal objects keep the old
 * manifest's entry, or get one pinned to this run's listing when HeadObject gave their headers; written
 * objects get an entry without LastModified. Not written when the run wrote nothing and the entries equal
 * the old manifest's. When it is written, carried entries without LastModified are pinned to this run's
 * listing first, so the new manifest's later LastModified cannot vouch for another tool's write since the
 * old one.
 * @param listed this run's listing, taken before any write (relative path → object).
 */
export function nextManifest(
  old: ManifestEntries,
  known: KnownObject[],
  written: WrittenObject[],
  listed: ReadonlyMap<string, RemoteObject>
): { entries: ManifestEntries; write: boolean } {
  const entries: ManifestEntries = new Map();
  const carried: Array<{ relativePath: string; object: RemoteObject; headers: RemoteHeaders }> = [];
  for (const { relativePath, headers, entry } of known) {
    const object = listed.get(relativePath);
    if (!object) continue;
    entries.set(relativePath, entry ?? entryFor(object, headers));
    if (entry && entry.lastModified === undefined) carried.push({ relativePath, object, headers });
  }
  for (const { relativePath, etag, size, headers } of written) {
    const { contentType, cacheControl, metadata } = headers;
    entries.set(relativePath, normaliseEntry({ etag, size, contentType, cacheControl, metadata }));
  }
  // After any write the manifest must be written again, even with equal entries: its new LastModified is
  // what vouches for the objects written now.
  if (written.length === 0 && sameEntries(entries, old)) return { entries, write: false };
  for (const { relativePath, object, headers } of carried)
    entries.set(relativePath, entryFor(object, headers));
  return { entries, write: true };
}

/**
 * The manifest document for `entries` (and the sections read, written back as they were), keys sorted
 * (the same entries always give the same text).
 */
export function manifestText(entries: ManifestEntries, sections: Record<string, unknown> = {}): string {
  const objects: Record<string, ManifestEntry> = {};
  for (const path of [...entries.keys()].sort()) objects[path] = entries.get(path) as ManifestEntry;
  return `${JSON.stringify({ format: FORMAT, version: MANIFEST_VERSION, objects, ...sections })}\n`;
}

/** True when both hold the same entries. */
export function sameEntries(a: ManifestEntries, b: ManifestEntries): boolean {
  return a.size === b.size && manifestText(a) === manifestText(b);
}

/** What a conditional manifest write expects to find: the ETag read, or no object at all. */
export type ManifestPrecondition = { etag: string } | { absent: true };

/** The precondition for the next write of a manifest read as `read`. */
export function preconditionOf(read: Pick<ManifestRead, 'etag'>): ManifestPrecondition {
  return read.etag ? { etag: read.etag } : { absent: true };
}

/**
 * Thrown by {@link writeManifest} and {@link checkManifestUnchanged} when another writer changed the
 * manifest since this run read it.
 */
export class ManifestRaceError extends Error {
  constructor(
    readonly key: string,
    readonly found: string
  ) {
    super(`the header manifest ${key} ${found} since this run read it`);
    this.name = 'ManifestRaceError';
  }
}

/**
 * Writes the manifest with a conditional PutObject
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html; conditional writes:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html): `If-Match` the ETag read,
 * or `If-None-Match: *` when there was none; `application/json`, `Cache-Control: no-store`, Content-MD5.
 * @returns the bytes written and the new ETag.
 * @throws ManifestRaceError when S3 answers 412 PreconditionFailed (another writer changed or created it),
 *   404 (it was deleted since) or 409 ConditionalRequestConflict; the SDK's error for anything else.
 */
export async function writeManifest(
  s3: S3Client,
  bucket: string,
  key: string,
  entries: ManifestEntries,
  expect: ManifestPrecondition,
  sections: Record<string, unknown> = {}
): Promise<{ bytes: number; etag: string }> {
  const body = Buffer.from(manifestText(entries, sections), 'utf-8');
  try {
    const out = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentMD5: createHash('md5').update(body).digest('base64'),
        ContentType: 'application/json',
        CacheControl: 'no-store',
        ...('etag' in expect ? { IfMatch: `"${expect.etag}"` } : { IfNoneMatch: '*' })
      })
    );
    return { bytes: body.length, etag: unquote(out.ETag) };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 412 || status === 409 || (status === 404 && 'etag' in expect)) {
      throw new ManifestRaceError(
        key,
        status === 404 ? 'was deleted' : 'etag' in expect ? 'was rewritten' : 'was created'
      );
    }
    throw error;
  }
}

/**
 * Checks with HeadObject that the manifest is still the one read (same ETag, or still absent), before a
 * step that must not run after another deploy finished (the deletes).
 * @throws ManifestRaceError when it changed; the SDK's error when the request fails.
 */
export async function checkManifestUnchanged(
  s3: S3Client,
  bucket: string,
  key: string,
  expect: ManifestPrecondition
): Promise<void> {
  let etag: string | undefined;
  try {
    etag = unquote((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag);
  } catch (error) {
    if (!(error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)) throw error;
  }
  if ('etag' in expect && etag !== expect.etag)
    throw new ManifestRaceError(key, etag ? 'was rewritten' : 'was deleted');
  if ('absent' in expect && etag !== undefined) throw new ManifestRaceError(key, 'was created');
}

/**
 * Deletes the legacy manifest after the new one is in place: DeleteObject with `If-Match` its ETag, so a
 * legacy manifest rewritten meanwhile (by an older version of the toolkit) is left alone.
 * @returns true when deleted, false when it had changed (412) or was gone (404).
 */
export async function deleteLegacyManifest(
  s3: S3Client,
  bucket: string,
  key: string,
  etag: string
): Promise<boolean> {
  try {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, IfMatch: `"${etag}"` }));
    return true;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 412 || status === 404) return false;
    throw error;
  }
}

/** The entry with only the members it has, metadata keys sorted (what the manifest stores). */
export function normaliseEntry(e: ManifestEntry): ManifestEntry {
  const out: ManifestEntry = { etag: e.etag, size: e.size };
  if (e.lastModified !== undefined) out.lastModified = e.lastModified;
  if (e.contentType !== undefined) out.contentType = e.contentType;
  if (e.cacheControl !== undefined) out.cacheControl = e.cacheControl;
  const metadata = Object.entries(e.metadata ?? {})
    .filter(([, v]) => typeof v === 'string')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  if (metadata.length > 0) out.metadata = Object.fromEntries(metadata) as Record<string, string>;
  return out;
}

/**
 * The header manifest: one small JSON object, `<prefix>.twotier-manifest.json`, that upload-frontend writes
 * after a successful deploy. It records, for every object whose headers the run knows, the object's ETag and
 * size, and its Content-Type, Cache-Control and user metadata.
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
import { GetObjectCommand, PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { RemoteHeaders, RemoteObject } from './remote-objects.js';

/** Name of the manifest object, directly under the prefix. Never uploaded, deleted or listed as changed. */
export const MANIFEST_NAME = '.twotier-manifest.json';

const FORMAT = 'twotier-upload-manifest';

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
  /** Why the manifest was not used, when it was not (`unreadable: ...`); undefined when it was read. */
  problem?: string;
}

/**
 * Reads the manifest with GetObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).
 * @returns its entries; no entries (and `problem` set) when the object is missing, not JSON, or not this
 *   format. Throws only what the SDK throws for other failures (AccessDenied, network errors after retries).
 */
export async function readManifest(s3: S3Client, bucket: string, key: string): Promise<ManifestRead> {
  let text: string;
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    text = (await response.Body?.transformToString('utf-8')) ?? '';
  } catch (error) {
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) {
      return { entries: new Map(), problem: 'not found' };
    }
    throw error;
  }
  return parseManifest(text);
}

/** Parses manifest JSON; anything unexpected gives no entries and a `problem`. */
export function parseManifest(text: string): ManifestRead {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { entries: new Map(), problem: 'not JSON' };
  }
  const doc = parsed as { format?: unknown; version?: unknown; objects?: unknown };
  if (!doc || doc.format !== FORMAT || doc.version !== 1 || typeof doc.objects !== 'object' || !doc.objects) {
    return { entries: new Map(), problem: `not a ${FORMAT} version 1 document` };
  }
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
  return { entries };
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

/** The manifest document for `entries`, keys sorted (the same entries always give the same text). */
export function manifestText(entries: ManifestEntries): string {
  const objects: Record<string, ManifestEntry> = {};
  for (const path of [...entries.keys()].sort()) objects[path] = entries.get(path) as ManifestEntry;
  return `${JSON.stringify({ format: FORMAT, version: 1, objects })}\n`;
}

/** True when both hold the same entries. */
export function sameEntries(a: ManifestEntries, b: ManifestEntries): boolean {
  return a.size === b.size && manifestText(a) === manifestText(b);
}

/**
 * Writes the manifest with PutObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html),
 * `application/json`, `Cache-Control: no-store`, with Content-MD5.
 */
export async function writeManifest(
  s3: S3Client,
  bucket: string,
  key: string,
  entries: ManifestEntries
): Promise<number> {
  const body = Buffer.from(manifestText(entries), 'utf-8');
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentMD5: createHash('md5').update(body).digest('base64'),
      ContentType: 'application/json',
      CacheControl: 'no-store'
    })
  );
  return body.length;
}

function normaliseEntry(e: ManifestEntry): ManifestEntry {
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

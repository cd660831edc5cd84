/**
 * The header manifest: one small JSON object, `<prefix>.twotier-manifest.json`, that upload-frontend writes
 * after a successful deploy. It records, for every object whose headers the run knows, the object's ETag,
 * LastModified and size as the listing reports them, and its Content-Type, Cache-Control and user metadata.
 *
 * The next run reads it with one GetObject and trusts an entry only when the listing still shows the same
 * ETag, LastModified and size: S3 can change an object's headers only by writing it again (PutObject or
 * CopyObject), and every write gives it a new LastModified, so a matching entry still describes the object.
 * Entries that do not match fall back to HeadObject. A manifest that is missing, unreadable or of another
 * format is ignored (every candidate is HEADed, as without a manifest).
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
  /** LastModified as ListObjectsV2 reports it, ISO 8601. */
  lastModified: string;
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
      typeof e.lastModified !== 'string' ||
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
 * The entries that still describe the listed objects: same ETag, same LastModified (to the millisecond) and
 * same size. Returned as the headers HeadObject would have given.
 */
export function trustedHeaders(
  entries: ManifestEntries,
  remote: ReadonlyMap<string, RemoteObject>
): Map<string, RemoteHeaders> {
  const trusted = new Map<string, RemoteHeaders>();
  for (const [path, entry] of entries) {
    const object = remote.get(path);
    if (!object || !matchesListing(entry, object)) continue;
    trusted.set(path, {
      contentType: entry.contentType,
      cacheControl: entry.cacheControl,
      metadata: { ...(entry.metadata ?? {}) }
    });
  }
  return trusted;
}

/** True when `entry` was recorded for exactly the object the listing shows. */
export function matchesListing(entry: ManifestEntry, object: RemoteObject): boolean {
  return (
    entry.etag === object.etag &&
    entry.size === object.size &&
    Date.parse(entry.lastModified) === object.lastModified.getTime()
  );
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
  const out: ManifestEntry = { etag: e.etag, lastModified: e.lastModified, size: e.size };
  if (e.contentType !== undefined) out.contentType = e.contentType;
  if (e.cacheControl !== undefined) out.cacheControl = e.cacheControl;
  const metadata = Object.entries(e.metadata ?? {})
    .filter(([, v]) => typeof v === 'string')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  if (metadata.length > 0) out.metadata = Object.fromEntries(metadata) as Record<string, string>;
  return out;
}

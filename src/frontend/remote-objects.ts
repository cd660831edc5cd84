/**
 * The remote side of a frontend sync: one paginated ListObjectsV2 pass over the prefix (keys, ETags,
 * sizes, LastModified), and HeadObject for the objects whose headers or stored content hash matter.
 */
import {
  HeadObjectCommand,
  ListObjectsV2Command,
  S3ServiceException,
  type S3Client
} from '@aws-sdk/client-s3';
import { ConfigurationError, DeploymentError, show } from '../lib/errors.js';
import { requestFailure } from './request-failure.js';

/** One object under the prefix, as the listing reports it. */
export interface RemoteObject {
  /** Full object key (prefix included). */
  key: string;
  /** ETag without quotes: a hex MD5 for single-part uploads, `<hex>-<parts>` for multipart uploads. */
  etag: string;
  /** Size in bytes. */
  size: number;
  /** When the object was last written (upload or copy). */
  lastModified: Date;
}

/** What HeadObject tells us beyond the listing. */
export interface RemoteHeaders {
  contentType?: string;
  cacheControl?: string;
  /** User metadata (`x-amz-meta-*`), keys lower-case. */
  metadata: Record<string, string>;
}

/** Metadata key holding the hex MD5 of the whole content, written on multipart uploads. */
export const CONTENT_MD5_METADATA = 'twotier-content-md5';

/**
 * The key prefix as keys use it: `site` → `site/`, `/site/` → `site/`, `./a/./b` → `a/b/`, `a//b` → `a/b/`,
 * `` and `/` → `` (the bucket root). Leading and trailing slashes, empty segments and `.` segments are
 * dropped, so no key is ever written with them.
 * @throws ConfigurationError (input `prefix`) for a `..` segment: a key prefix cannot climb.
 */
export function normalisePrefix(prefix: string | undefined): string {
  const segments = (prefix ?? '')
    .trim()
    .split('/')
    .filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) {
    throw new ConfigurationError(
      `Input prefix ${show(prefix)} has a ".." segment; give a key prefix such as site or releases/web (segments separated by "/", no "..").`,
      'prefix'
    );
  }
  return segments.length > 0 ? `${segments.join('/')}/` : '';
}

/**
 * Lists every object under `prefix`, keyed by the path relative to the prefix (folder markers skipped).
 * Calls ListObjectsV2 (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html), 1,000
 * keys a page.
 * @throws ConfigurationError (input `bucket`) when the bucket does not exist or cannot be listed;
 *   DeploymentError naming S3 and ListObjectsV2 when the request fails after the SDK's retries (a
 *   stalled or failing S3).
 */
export async function listRemoteObjects(
  s3: S3Client,
  bucket: string,
  prefix: string
): Promise<Map<string, RemoteObject>> {
  const objects = new Map<string, RemoteObject>();
  let token: string | undefined;
  do {
    let page;
    try {
      page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token })
      );
    } catch (error) {
      throw bucketError(error, bucket, prefix);
    }
    for (const item of page.Contents ?? []) {
      if (!item.Key || item.Key === prefix || item.Key.endsWith('/')) continue;
      objects.set(item.Key.slice(prefix.length), {
        key: item.Key,
        etag: unquote(item.ETag),
        size: item.Size ?? 0,
        lastModified: item.LastModified ?? new Date(0)
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

/**
 * Reads an object's headers and metadata with HeadObject
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html).
 * @returns undefined when the object disappeared since the listing.
 * @throws DeploymentError naming S3 and HeadObject when the request fails after the SDK's retries.
 */
export async function headRemoteObject(
  s3: S3Client,
  bucket: string,
  key: string
): Promise<RemoteHeaders | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(head.Metadata ?? {})) metadata[k.toLowerCase()] = v;
    return { contentType: head.ContentType, cacheControl: head.CacheControl, metadata };
  } catch (error) {
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return undefined;
    throw new DeploymentError(
      `${requestFailure('S3', 'HeadObject', `s3://${bucket}/${key}`, error)}. Nothing was written; run again.`,
      { cause: error }
    );
  }
}

/** An ETag as the manifest and ListObjectsV2 compare it: no quotes, lower case. */
export function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '').toLowerCase();
}

function bucketError(error: unknown, bucket: string, prefix: string): Error {
  if (error instanceof S3ServiceException) {
    if (error.name === 'NoSuchBucket' || error.$metadata.httpStatusCode === 404) {
      return new ConfigurationError(
        `bucket ${show(bucket)} does not exist (S3 answered NoSuchBucket); create it first or fix the name.`,
        'bucket'
      );
    }
    if (error.$metadata.httpStatusCode === 403) {
      return new ConfigurationError(
        `bucket ${show(bucket)} cannot be listed (AccessDenied); the role needs s3:ListBucket on it.`,
        'bucket'
      );
    }
  }
  return new DeploymentError(
    `${requestFailure('S3', 'ListObjectsV2', `s3://${bucket}/${prefix}`, error)}. Nothing was written; run again.`,
    { cause: error }
  );
}

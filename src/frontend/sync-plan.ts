/**
 * Sync planning: compares the local build with the bucket by content (never by mtime) and decides, for each
 * path, upload / update headers / leave alone / delete / keep for the grace period, in the order that never
 * serves a broken page: assets first, HTML entry points last, deletes after every upload.
 */
import picomatch from 'picomatch';
import { ConfigurationError, show } from '../lib/errors.js';
import { cacheControlFor, type CacheControlRule } from './cache-control.js';
import { contentTypeFor } from './content-type.js';
import type { LocalFile } from './local-files.js';
import { CONTENT_MD5_METADATA, type RemoteHeaders, type RemoteObject } from './remote-objects.js';

/** What happens to one path. */
export type SyncKind = 'upload' | 'update-headers' | 'unchanged' | 'delete' | 'keep';

/** One planned step. */
export interface SyncItem {
  kind: SyncKind;
  /** Path relative to source-dir / the prefix (`assets/index-Ab12.js`). */
  relativePath: string;
  /** Object key (prefix included). */
  key: string;
  /** Why: `new`, `content changed`, `headers changed`, `stale`, `stale, younger than 24 h grace`... */
  reason: string;
  /** Bytes: the local file's size (uploads, header updates, unchanged) or the remote object's (deletes, keeps). */
  size: number;
  /** True for HTML entry points: they go last. */
  entryPoint: boolean;
  /** Headers the object gets (uploads and header updates). */
  contentType?: string;
  cacheControl?: string;
  /** The local file (uploads, header updates, unchanged). */
  file?: LocalFile;
  /** User metadata to write (uploads and header updates). */
  metadata?: Record<string, string>;
  /** Remote ETag, used as CopySourceIfMatch for header updates. */
  remoteEtag?: string;
}

/** The whole plan, in execution order within each list. */
export interface SyncPlan {
  /** Uploads and header updates of everything but entry points (first wave). */
  assets: SyncItem[];
  /** Uploads and header updates of HTML entry points (second wave, after every asset succeeded). */
  entryPoints: SyncItem[];
  /** Stale objects to delete (third wave, after every upload succeeded). */
  deletes: SyncItem[];
  /** Stale objects kept: deletion off, or younger than the grace period. */
  kept: SyncItem[];
  unchanged: SyncItem[];
}

/** Options of {@link planSync}. */
export interface PlanOptions {
  /** Key prefix (`''` or ending in `/`). */
  prefix: string;
  rules: readonly CacheControlRule[];
  /** Globs (relative paths) of the HTML entry points uploaded last. */
  entryPoints: readonly string[];
  /** Files at or above this many bytes are uploaded in parts and get {@link CONTENT_MD5_METADATA}. */
  multipartThreshold: number;
  /** Delete stale objects (default false: they are listed as kept). */
  delete: boolean;
  /** Stale objects whose LastModified is less than this many hours before `now` are kept. */
  deleteGraceHours: number;
  /** Refuse (ConfigurationError) to delete more than this percentage of the objects under the prefix. */
  deleteMaxPercent: number;
  now: Date;
}

/**
 * Remote objects whose content may equal the local file, so that HeadObject must tell whether their
 * headers (and, for multipart objects, the stored content hash) match. Others are uploaded or deleted anyway.
 * @param checkHeaders false skips single-part objects whose ETag matches (header changes go unnoticed).
 */
export function headCandidates(
  files: readonly LocalFile[],
  remote: ReadonlyMap<string, RemoteObject>,
  checkHeaders = true
): string[] {
  const keys: string[] = [];
  for (const file of files) {
    const object = remote.get(file.relativePath);
    if (!object || object.size !== file.size) continue;
    if (isMultipartEtag(object.etag)) keys.push(file.relativePath);
    else if (checkHeaders && object.etag === file.md5) keys.push(file.relativePath);
  }
  return keys;
}

/** True for a multipart upload's ETag (`<hex>-<parts>`). */
export function isMultipartEtag(etag: string): boolean {
  return /-\d+$/.test(etag);
}

/** True when the remote object holds exactly the local file's bytes. */
export function sameContent(
  file: LocalFile,
  object: RemoteObject,
  headers: RemoteHeaders | undefined
): boolean {
  if (object.size !== file.size) return false;
  if (!isMultipartEtag(object.etag)) return object.etag === file.md5;
  if (file.multipartEtag && object.etag === file.multipartEtag) return true;
  return headers?.metadata[CONTENT_MD5_METADATA] === file.md5;
}

/**
 * Plans the sync.
 * @param heads HeadObject results by relative path for the keys {@link headCandidates} returned; a
 *   candidate missing from it is treated as headers unknown (unchanged when content matches).
 * @throws ConfigurationError (input `delete-max-percent`) when deletion is on and the plan would delete
 *   more than the allowed share of the remote objects.
 */
export function planSync(
  files: readonly LocalFile[],
  remote: ReadonlyMap<string, RemoteObject>,
  heads: ReadonlyMap<string, RemoteHeaders>,
  options: PlanOptions
): SyncPlan {
  const isEntryPoint = picomatch(options.entryPoints as string[], { dot: true });
  const plan: SyncPlan = { assets: [], entryPoints: [], deletes: [], kept: [], unchanged: [] };
  const local = new Set<string>();
  for (const file of files) {
    local.add(file.relativePath);
    const object = remote.get(file.relativePath);
    const headers = heads.get(file.relativePath);
    const contentType = contentTypeFor(file.relativePath);
    const cacheControl = cacheControlFor(file.relativePath, options.rules);
    const item: SyncItem = {
      kind: 'upload',
      relativePath: file.relativePath,
      key: options.prefix + file.relativePath,
      reason: 'new',
      size: file.size,
      entryPoint: isEntryPoint(file.relativePath),
      contentType,
      cacheControl,
      file
    };
    if (object && sameContent(file, object, headers)) {
      const headersDiffer =
        headers !== undefined &&
        ((headers.contentType ?? '') !== contentType ||
          (headers.cacheControl ?? '') !== (cacheControl ?? ''));
      if (headersDiffer) {
        item.kind = 'update-headers';
        item.reason = describeHeaderChange(headers, contentType, cacheControl);
        item.remoteEtag = object.etag;
        item.metadata = { ...headers.metadata };
        if (isMultipartEtag(object.etag)) item.metadata[CONTENT_MD5_METADATA] = file.md5;
      } else {
        item.kind = 'unchanged';
        item.reason = 'same content and headers';
      }
    } else {
      if (object) item.reason = 'content changed';
      if (file.size >= options.multipartThreshold) item.metadata = { [CONTENT_MD5_METADATA]: file.md5 };
    }
    if (item.kind === 'unchanged') plan.unchanged.push(item);
    else (item.entryPoint ? plan.entryPoints : plan.assets).push(item);
  }
  const graceMs = options.deleteGraceHours * 3600_000;
  for (const [relativePath, object] of remote) {
    if (local.has(relativePath)) continue;
    const item: SyncItem = {
      kind: 'delete',
      relativePath,
      key: object.key,
      reason: 'stale',
      size: object.size,
      entryPoint: isEntryPoint(relativePath)
    };
    if (!options.delete) {
      item.kind = 'keep';
      item.reason = 'stale (delete is off)';
      plan.kept.push(item);
    } else if (options.now.getTime() - object.lastModified.getTime() < graceMs) {
      item.kind = 'keep';
      item.reason = `stale, written ${object.lastModified.toISOString()}, within the ${options.deleteGraceHours} h grace period`;
      plan.kept.push(item);
    } else {
      plan.deletes.push(item);
    }
  }
  const byPath = (a: SyncItem, b: SyncItem): number => (a.relativePath < b.relativePath ? -1 : 1);
  // New assets before changed ones: a changed non-hashed asset is referenced by the live HTML already.
  plan.assets.sort((a, b) => Number(a.reason !== 'new') - Number(b.reason !== 'new') || byPath(a, b));
  plan.entryPoints.sort(byPath);
  plan.deletes.sort(byPath);
  plan.kept.sort(byPath);
  if (options.delete && remote.size > 0) {
    const share = (plan.deletes.length / remote.size) * 100;
    if (share > options.deleteMaxPercent) {
      throw new ConfigurationError(
        `delete: the plan would delete ${plan.deletes.length} of the ${remote.size} objects under ${show(options.prefix || '(bucket root)')} ` +
          `(${share.toFixed(1)} %), more than delete-max-percent ${options.deleteMaxPercent}; check source-dir and prefix, ` +
          `or raise delete-max-percent (100 allows any share). Nothing was written.`,
        'delete-max-percent'
      );
    }
  }
  return plan;
}

function describeHeaderChange(
  headers: RemoteHeaders,
  contentType: string,
  cacheControl: string | undefined
): string {
  const parts: string[] = [];
  if ((headers.contentType ?? '') !== contentType)
    parts.push(`Content-Type ${show(headers.contentType ?? '')} → ${show(contentType)}`);
  if ((headers.cacheControl ?? '') !== (cacheControl ?? ''))
    parts.push(`Cache-Control ${show(headers.cacheControl ?? '')} → ${show(cacheControl ?? '')}`);
  return `headers changed: ${parts.join(', ')}`;
}

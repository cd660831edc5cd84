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

/** One header whose value differs between the object and what the rules now say. */
export interface HeaderChange {
  header: 'Content-Type' | 'Cache-Control';
  /** The object's value now ('' when it has none). */
  from: string;
  /** The value the rules give ('' for none). */
  to: string;
}

/**
 * Why a path gets its step, as a value: the planner's decisions (upload order, the paths whose cached
 * copies go stale) are made from it, and the text of {@link describeReason} is derived from it.
 * - `new`: no object under this key yet (nothing cached it);
 * - `content`: an object exists with other content (replaced);
 * - `headers`: same content, other headers (fixed in place with CopyObject);
 * - `same`: same content and headers (left alone);
 * - `stale`: an object no file of source-dir has, to delete;
 * - `stale-kept`: such an object kept, because deletion is off or it is younger than the grace period.
 */
export type SyncReason =
  | { code: 'new' }
  | { code: 'content' }
  | { code: 'headers'; changes: readonly HeaderChange[] }
  | { code: 'same' }
  | { code: 'stale' }
  | { code: 'stale-kept'; because: 'delete-off' }
  | { code: 'stale-kept'; because: 'grace'; lastModified: Date; graceHours: number };

/** The text of a reason, for logs and the job summary. */
export function describeReason(why: SyncReason): string {
  switch (why.code) {
    case 'new':
      return 'new';
    case 'content':
      return 'content changed';
    case 'headers':
      return `headers changed: ${why.changes.map((c) => `${c.header} ${show(c.from)} → ${show(c.to)}`).join(', ')}`;
    case 'same':
      return 'same content and headers';
    case 'stale':
      return 'stale';
    case 'stale-kept':
      return why.because === 'delete-off'
        ? 'stale (delete is off)'
        : `stale, written ${why.lastModified.toISOString()}, within the ${why.graceHours} h grace period`;
  }
}

/**
 * True when the step replaces an object that already existed under its key (new content or new headers),
 * so copies cached under that path are now wrong. New objects were never cached.
 */
export function replacesObject(why: SyncReason): boolean {
  return why.code === 'content' || why.code === 'headers';
}

/** One planned step. */
export interface SyncItem {
  kind: SyncKind;
  /** Path relative to source-dir / the prefix (`assets/index-Ab12.js`). */
  relativePath: string;
  /** Object key (prefix included). */
  key: string;
  /** Why, as a value: every decision about the step is made from it. */
  why: SyncReason;
  /** Why, as text (`new`, `content changed`, `headers changed: …`): {@link describeReason} of `why`, for people. */
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
      ...because({ code: object ? 'content' : 'new' }),
      size: file.size,
      entryPoint: isEntryPoint(file.relativePath),
      contentType,
      cacheControl,
      file
    };
    if (object && sameContent(file, object, headers)) {
      const changes = headers ? headerChanges(headers, contentType, cacheControl) : [];
      if (headers && changes.length > 0) {
        item.kind = 'update-headers';
        Object.assign(item, because({ code: 'headers', changes }));
        item.remoteEtag = object.etag;
        item.metadata = { ...headers.metadata };
        if (isMultipartEtag(object.etag)) item.metadata[CONTENT_MD5_METADATA] = file.md5;
      } else {
        item.kind = 'unchanged';
        Object.assign(item, because({ code: 'same' }));
      }
    } else if (file.size >= options.multipartThreshold) {
      item.metadata = { [CONTENT_MD5_METADATA]: file.md5 };
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
      ...because({ code: 'stale' }),
      size: object.size,
      entryPoint: isEntryPoint(relativePath)
    };
    if (!options.delete) {
      item.kind = 'keep';
      Object.assign(item, because({ code: 'stale-kept', because: 'delete-off' }));
      plan.kept.push(item);
    } else if (options.now.getTime() - object.lastModified.getTime() < graceMs) {
      item.kind = 'keep';
      Object.assign(
        item,
        because({
          code: 'stale-kept',
          because: 'grace',
          lastModified: object.lastModified,
          graceHours: options.deleteGraceHours
        })
      );
      plan.kept.push(item);
    } else {
      plan.deletes.push(item);
    }
  }
  plan.assets = orderWrites(plan.assets);
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

const byPath = (a: SyncItem, b: SyncItem): number => (a.relativePath < b.relativePath ? -1 : 1);

/**
 * The order of one wave's writes: new objects before replacements (a replaced non-hashed asset is
 * referenced by the live HTML already, so it goes as late as possible), then by path. Decided from `why`.
 */
export function orderWrites(items: readonly SyncItem[]): SyncItem[] {
  return [...items].sort(
    (a, b) => Number(replacesObject(a.why)) - Number(replacesObject(b.why)) || byPath(a, b)
  );
}

/**
 * URL paths (`/` + path relative to the prefix, sorted, unique) whose cached copies the plan makes wrong:
 * writes that replace an existing object ({@link replacesObject}) and deletes. Decided from `why` only.
 */
export function stalePaths(plan: Pick<SyncPlan, 'assets' | 'entryPoints' | 'deletes'>): string[] {
  const changed = [...plan.assets, ...plan.entryPoints]
    .filter((item) => replacesObject(item.why))
    .concat(plan.deletes.filter((item) => item.why.code === 'stale'))
    .map((item) => `/${item.relativePath}`);
  return [...new Set(changed)].sort();
}

/** `why` and the text derived from it, to spread into a step. */
function because(why: SyncReason): { why: SyncReason; reason: string } {
  return { why, reason: describeReason(why) };
}

function headerChanges(
  headers: RemoteHeaders,
  contentType: string,
  cacheControl: string | undefined
): HeaderChange[] {
  const changes: HeaderChange[] = [];
  if ((headers.contentType ?? '') !== contentType)
    changes.push({ header: 'Content-Type', from: headers.contentType ?? '', to: contentType });
  if ((headers.cacheControl ?? '') !== (cacheControl ?? ''))
    changes.push({ header: 'Cache-Control', from: headers.cacheControl ?? '', to: cacheControl ?? '' });
  return changes;
}

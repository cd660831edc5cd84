/**
 * The release records the header manifest keeps (src/frontend/manifest.ts, sections beside `objects`):
 *
 *     "staged":   { "<release-id>": StagedRelease, ... }      written by `phase: stage`
 *     "releases": { "current": LiveRelease, "previous"?: PreviousRelease }   written by publish and rollback
 *
 * and where the copies live in the bucket, all under the reserved folder (never served: the distribution's
 * viewer-request function answers `/.twotier/…` with a 404):
 *
 *     <prefix>.twotier/staged/<id>/<path>     the staged copies: HTML entry points and replaced assets
 *     <prefix>.twotier/releases/<id>/<path>   the previous release's copies of what the last publish overwrote
 *
 * Parsing is strict: a section that does not have this shape is treated as absent (`problem` says why),
 * so a hand-edited manifest can never make publish or rollback copy a wrong key.
 */
import { RESERVED_FOLDER, type ManifestEntry } from './manifest.js';
import { RELEASE_ID_PATTERN } from './options.js';

/** One staged copy: the object a publish copies into place. */
export interface StagedObject {
  /** Path relative to the prefix (`index.html`, `favicon.ico`). */
  path: string;
  /** ETag of the staged copy (unquoted). */
  etag: string;
  /** Bytes. */
  size: number;
  /** True for an HTML entry point (copied after every other object). */
  entryPoint: boolean;
  /** ETag of the live object when the release was staged; absent when the path was new. */
  liveEtag?: string;
  contentType?: string;
  cacheControl?: string;
  /** User metadata of the staged copy (keys lower-case); omitted when empty. */
  metadata?: Record<string, string>;
}

/** A staged release (`staged.<id>`). */
export interface StagedRelease {
  /** ISO 8601. */
  stagedAt: string;
  /** Every path (relative to the prefix) of the release: what publish never deletes. */
  files: string[];
  /** The copies under `<prefix>.twotier/staged/<id>/`. */
  objects: StagedObject[];
}

/** The release that is live (`releases.current`). */
export interface LiveRelease {
  id: string;
  /** ISO 8601. */
  publishedAt: string;
  /** Every path of the release; undefined when it was not recorded (a release deployed with `phase: all`). */
  files?: string[];
}

/** Content-Type, Cache-Control and user metadata (keys lower-case, omitted when empty) of an object. */
export type ObjectHeaders = Pick<ManifestEntry, 'contentType' | 'cacheControl' | 'metadata'>;

/** One archived copy of the previous release (under `<prefix>.twotier/releases/<id>/`). */
export interface ArchivedObject {
  path: string;
  /** ETag of the archived copy. */
  etag: string;
  size: number;
  entryPoint: boolean;
  /**
   * The archived copy's headers, from the header manifest's entry for the live object when it was archived;
   * absent when the manifest had no entry that still matched it. A rollback writes them into the manifest
   * for the restored object, so the next run sends no HeadObject for it.
   */
  headers?: ObjectHeaders;
}

/** The release before the current one (`releases.previous`): what a rollback restores. */
export interface PreviousRelease extends LiveRelease {
  /** The previous release's copies of every object the current release overwrote. */
  archived: ArchivedObject[];
  /** Paths the current release added (absent in the previous one): a rollback deletes them. */
  added: string[];
}

/** The `releases` section. */
export interface ReleasesRecord {
  current?: LiveRelease;
  previous?: PreviousRelease;
}

/** The staged copy of `path` of release `id`. */
export function stagedKey(prefix: string, id: string, path: string): string {
  return `${prefix}${RESERVED_FOLDER}/staged/${id}/${path}`;
}

/** The archived copy of `path` of release `id`. */
export function archivedKey(prefix: string, id: string, path: string): string {
  return `${prefix}${RESERVED_FOLDER}/releases/${id}/${path}`;
}

/** The folder of release `id`'s staged copies, or (`releases`) of its archived ones. */
export function releaseFolder(prefix: string, kind: 'staged' | 'releases', id: string): string {
  return `${prefix}${RESERVED_FOLDER}/${kind}/${id}/`;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isPath = (v: unknown): v is string =>
  isString(v) && v.length > 0 && !v.startsWith('/') && !v.split('/').some((s) => s === '' || s === '..');
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The well-formed header fields of `v` (the others left out). */
function objectHeaders(v: Record<string, unknown>): ObjectHeaders {
  return {
    ...(isString(v.contentType) ? { contentType: v.contentType } : {}),
    ...(isString(v.cacheControl) ? { cacheControl: v.cacheControl } : {}),
    ...(isRecord(v.metadata) && Object.values(v.metadata).every(isString)
      ? { metadata: v.metadata as Record<string, string> }
      : {})
  };
}

function archivedObject(a: unknown): ArchivedObject | undefined {
  if (!isRecord(a) || !isPath(a.path) || !isString(a.etag) || typeof a.size !== 'number') return undefined;
  if (typeof a.entryPoint !== 'boolean') return undefined;
  return {
    path: a.path,
    etag: a.etag,
    size: a.size,
    entryPoint: a.entryPoint,
    ...(isRecord(a.headers) ? { headers: objectHeaders(a.headers) } : {})
  };
}

function stagedObject(v: unknown): StagedObject | undefined {
  if (!isRecord(v) || !isPath(v.path) || !isString(v.etag) || typeof v.size !== 'number') return undefined;
  if (typeof v.entryPoint !== 'boolean') return undefined;
  if (v.liveEtag !== undefined && !isString(v.liveEtag)) return undefined;
  return {
    path: v.path,
    etag: v.etag,
    size: v.size,
    entryPoint: v.entryPoint,
    ...(isString(v.liveEtag) ? { liveEtag: v.liveEtag } : {}),
    ...objectHeaders(v)
  };
}

/** The `staged` section, by release id; entries that are not well-formed are left out. */
export function parseStaged(section: unknown): Map<string, StagedRelease> {
  const out = new Map<string, StagedRelease>();
  if (!isRecord(section)) return out;
  for (const [id, v] of Object.entries(section)) {
    if (!RELEASE_ID_PATTERN.test(id) || !isRecord(v) || !isString(v.stagedAt)) continue;
    if (!isStrings(v.files) || !Array.isArray(v.objects)) continue;
    const objects = v.objects.map(stagedObject);
    if (objects.some((o) => o === undefined)) continue;
    out.set(id, { stagedAt: v.stagedAt, files: v.files, objects: objects as StagedObject[] });
  }
  return out;
}

function liveRelease(v: unknown): LiveRelease | undefined {
  if (!isRecord(v) || !isString(v.id) || !RELEASE_ID_PATTERN.test(v.id) || !isString(v.publishedAt))
    return undefined;
  if (v.files !== undefined && !isStrings(v.files)) return undefined;
  return { id: v.id, publishedAt: v.publishedAt, ...(v.files ? { files: v.files as string[] } : {}) };
}

/** The `releases` section; a member that is not well-formed is left out. */
export function parseReleases(section: unknown): ReleasesRecord {
  if (!isRecord(section)) return {};
  const current = liveRelease(section.current);
  const out: ReleasesRecord = current ? { current } : {};
  const p = section.previous;
  const base = liveRelease(p);
  if (base && isRecord(p) && Array.isArray(p.archived) && isStrings(p.added) && p.added.every(isPath)) {
    const archived = p.archived.map(archivedObject);
    if (archived.every((a) => a !== undefined))
      out.previous = { ...base, archived: archived as ArchivedObject[], added: p.added };
  }
  return out;
}

/**
 * The manifest's sections after a `phase: all` deploy wrote objects (pure). That deploy is now what is
 * live, so a `releases` record names it the current release (its files not recorded) and drops `previous`:
 * the archived copies were taken against a release that is no longer live, and restoring them could bring
 * back HTML whose chunks this deploy replaced or (with `delete`) removed. A rollback then refuses, saying
 * only the current release is recorded. Without a release id the record is dropped; a manifest without
 * one is returned as it is.
 * @param publishedAt ISO 8601.
 */
export function sectionsAfterUnstagedDeploy(
  sections: Record<string, unknown>,
  releaseId: string | undefined,
  publishedAt: string
): Record<string, unknown> {
  if (!('releases' in sections)) return sections;
  const { releases: _replaced, ...rest } = sections;
  if (!releaseId) return rest;
  const current: LiveRelease = { id: releaseId, publishedAt };
  return { ...rest, releases: { current } };
}

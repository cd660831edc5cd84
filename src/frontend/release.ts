/**
 * The staged release of a frontend: upload-frontend's `phase: stage` and `phase: publish`, and the frontend
 * half of `rollback`. See docs/frontend.md ("Stage, publish, rollback").
 *
 *     stageRelease      UploadPlan → StageOutcome: new assets written in place (no live HTML points at them
 *                       yet), every HTML entry point and every replaced asset written under
 *                       `<prefix>.twotier/staged/<id>/`, then the staged record in the manifest. Deletes
 *                       nothing; nothing a visitor loads changes.
 *     planPublish       options → PublishPlan (reads only): the manifest, the staged record, the listings
 *     applyPublish      PublishPlan → ReleaseResult: the live copies of what the release overwrites archived
 *                       under `<prefix>.twotier/releases/<previous id>/`, the staged copies put in place
 *                       (assets, then HTML entry points), the manifest's `releases` {current, previous},
 *                       then the deletes (grace period; never the previous release's files)
 *     planRollback / applyRollback   the previous release's archived copies put back, current and
 *                       previous swapped (a second rollback goes forward again)
 *
 * Every write is a CopyObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html) with
 * `CopySourceIfMatch` the ETag planned, so a copy never moves an object another writer replaced meanwhile;
 * the manifest write is conditional (src/frontend/manifest.ts).
 */
import { CopyObjectCommand, DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { ConfigurationError, DeploymentError, messageOf, show } from '../lib/errors.js';
import { resolveOptions, type InputOf } from '../lib/options.js';
import type { Reporter } from '../lib/reporter.js';
import {
  checkManifestUnchanged,
  entryFor,
  isReservedPath,
  MANIFEST_NAME,
  ManifestRaceError,
  normaliseEntry,
  preconditionOf,
  readManifest,
  trustedHeaders,
  writeManifest,
  type ManifestEntries,
  type ManifestEntry,
  type ManifestRead
} from './manifest.js';
import { RELEASE_ID_PATTERN, uploadOptions, rollbackFrontendOptions } from './options.js';
import { mapLimit } from './pool.js';
import {
  archivedKey,
  parseReleases,
  parseStaged,
  releaseFolder,
  stagedKey,
  type ArchivedObject,
  type ObjectHeaders,
  type LiveRelease,
  type PreviousRelease,
  type ReleasesRecord
} from './release-record.js';
import { listRemoteObjects, normalisePrefix, unquote, type RemoteObject } from './remote-objects.js';
import { requestFailure } from './request-failure.js';
import { mib } from './bytes.js';
import type { CountAndBytes, UploadFrontendOptions, UploadPlan } from './upload.js';
import { createUploadClient } from './s3-client.js';

/** Which release an id came from. */
export type ReleaseIdSource = 'input' | 'GITHUB_SHA' | 'content' | 'only staged';

/**
 * The release id of a run: the `release-id` input; else `sha-<first 12 of GITHUB_SHA>`; else (with a plan)
 * `content-<12 hex of SHA-256 over every file's path, MD5 and headers>`, so the same build always gives
 * the same id.
 * @throws ConfigurationError (input `release-id`) for an id that is not one safe key segment.
 */
export function releaseIdOf(
  given: string | undefined,
  env: Record<string, string | undefined>,
  plan?: Pick<UploadPlan, 'steps'>
): { id: string; source: ReleaseIdSource } | undefined {
  if (given) {
    if (!RELEASE_ID_PATTERN.test(given)) {
      throw new ConfigurationError(
        `Input release-id ${show(given)} is not ${uploadOptions.options.releaseId.type.describe()}.`,
        'release-id'
      );
    }
    return { id: given, source: 'input' };
  }
  const sha = env.GITHUB_SHA?.trim().toLowerCase();
  if (sha && /^[0-9a-f]{12,64}$/.test(sha)) return { id: `sha-${sha.slice(0, 12)}`, source: 'GITHUB_SHA' };
  if (!plan) return undefined;
  const hash = createHash('sha256');
  const items = [...plan.steps.assets, ...plan.steps.entryPoints, ...plan.steps.unchanged].sort((a, b) =>
    a.relativePath < b.relativePath ? -1 : 1
  );
  for (const i of items)
    hash.update(`${i.relativePath}\0${i.file?.md5 ?? ''}\0${i.contentType ?? ''}\0${i.cacheControl ?? ''}\n`);
  return { id: `content-${hash.digest('hex').slice(0, 12)}`, source: 'content' };
}

/** What stage, publish and rollback report (upload-frontend's outputs and the job summary). */
export interface ReleaseResult {
  phase: 'stage' | 'publish' | 'rollback';
  bucket: string;
  prefix: string;
  /** The release staged, published, or (rollback) restored. */
  releaseId: string;
  /** publish: the release that was live before (now `previous`); rollback: the release rolled back. */
  replacedReleaseId?: string;
  dryRun: boolean;
  /** stage: new assets written in place. */
  uploaded: CountAndBytes;
  /** stage: copies written under `.twotier/staged/<id>/`; publish/rollback: objects put in place. */
  staged: CountAndBytes;
  /** publish/rollback: objects put in place from the staged or archived copies. */
  published: CountAndBytes;
  /** publish/rollback: live objects archived under `.twotier/releases/<id>/` first. */
  archived: CountAndBytes;
  deleted: CountAndBytes;
  kept: CountAndBytes;
  unchanged: CountAndBytes;
  /** URL paths whose cached copies are now wrong (replaced or deleted objects); for invalidate-cdn. */
  changedPaths: string[];
  /** The manifest's key and whether this run wrote it. */
  manifest: { key: string; written: boolean };
  /** One line per step, in order (for the summary). */
  steps: Array<{ step: string; path: string }>;
}

export const sum = (items: ReadonlyArray<{ size: number }>): CountAndBytes => ({
  count: items.length,
  bytes: items.reduce((s, i) => s + i.size, 0)
});
export const none: CountAndBytes = { count: 0, bytes: 0 };

/** A result with nothing done yet. */
export function emptyResult(
  phase: ReleaseResult['phase'],
  bucket: string,
  prefix: string,
  releaseId: string,
  manifestKey: string
): ReleaseResult {
  return {
    phase,
    bucket,
    prefix,
    releaseId,
    dryRun: false,
    uploaded: none,
    staged: none,
    published: none,
    archived: none,
    deleted: none,
    kept: none,
    unchanged: none,
    changedPaths: [],
    manifest: { key: manifestKey, written: false },
    steps: []
  };
}

// ------------------------------------------------------------------------------------------------ publish

/** One CopyObject of a publish or a rollback. */
interface CopyStep {
  path: string;
  from: string;
  to: string;
  /** CopySourceIfMatch (unquoted). */
  ifMatch: string;
  size: number;
  entryPoint: boolean;
  /**
   * The headers the copy carries (MetadataDirective COPY), when the record knows them (a staged object):
   * the manifest entry the publish writes for the path, so the next run reads no headers for it.
   */
  headers?: ObjectHeaders;
}

/** The plan of a publish or a rollback: values only; nothing has been written when it exists. */
export interface PublishPlan {
  phase: 'publish' | 'rollback';
  bucket: string;
  prefix: string;
  releaseId: string;
  idSource: ReleaseIdSource | 'manifest';
  /** The release live now (replaced by this one); `before-<id>` when none was recorded. */
  replacedId: string;
  dryRun: boolean;
  manifestKey: string;
  read: ManifestRead;
  releases: ReleasesRecord;
  listing: ReadonlyMap<string, RemoteObject>;
  /** Live copies archived first. */
  archives: CopyStep[];
  /** Copies put in place (non-entry points first, then the HTML entry points). */
  copies: CopyStep[];
  /** Live objects deleted after the manifest (rollback: the paths the rolled-back release added). */
  deletes: Array<{ path: string; key: string; size: number }>;
  kept: Array<{ path: string; size: number }>;
  /** Why nothing is deleted, when deletion is on but cannot be decided safely. */
  deleteNote?: string;
  /** The manifest sections to write after the copies. */
  next: { staged?: Record<string, unknown>; releases: ReleasesRecord; entries: ManifestEntries };
  /** Keys under the reserved folder no longer needed afterwards (best effort): staged copies, old archives. */
  prune: string[];
  concurrency: number;
  s3: S3Client;
}

/** Options of {@link planPublish}: upload-frontend's declared options (phase `publish`). */
export type PublishOptions = UploadFrontendOptions;

/**
 * Plans the publish of a staged release, reading only: the manifest (GetObject), the listing of the
 * prefix, of the staged copies and of the previous release's archive (ListObjectsV2).
 * @throws ConfigurationError before any write for bad options, a release id that is not staged (the
 *   message lists the staged ones), no release id to publish, or a delete over the cap.
 * @throws DeploymentError when a read fails, or a staged copy is missing or changed (stage again).
 */
export async function planPublish(options: PublishOptions, reporter: Reporter): Promise<PublishPlan> {
  const values = resolveOptions(uploadOptions, options);
  const prefix = normalisePrefix(values.prefix);
  const manifestKey = values.manifestKey ?? prefix + MANIFEST_NAME;
  const given = releaseIdOf(values.releaseId, options.env ?? process.env);
  const s3 = options.s3 ?? createUploadClient(options);
  const { listing, read } = await readLive(s3, values.bucket, prefix, manifestKey);
  const staged = parseStaged(read.sections.staged);
  const ids = [...staged.keys()].sort();
  const chosen = given ?? (ids.length === 1 ? { id: ids[0]!, source: 'only staged' as const } : undefined);
  if (!chosen) {
    throw new ConfigurationError(
      `Input release-id not given and GITHUB_SHA not set: say which staged release to publish (staged in s3://${values.bucket}/${manifestKey}: ${ids.length > 0 ? ids.join(', ') : 'none'}).`,
      'release-id'
    );
  }
  const record = staged.get(chosen.id);
  if (!record) {
    throw new ConfigurationError(
      `Input release-id ${show(chosen.id)}${chosen.source === 'input' ? '' : ` (from ${chosen.source})`} is not a staged release of s3://${values.bucket}/${prefix}: ` +
        `${read.etag === undefined ? 'there is no manifest at ' + manifestKey : `staged there: ${ids.length > 0 ? ids.join(', ') : 'none'}`}. ` +
        'Run upload-frontend with phase: stage (and the same release-id) first; nothing was written.',
      'release-id'
    );
  }
  const releases = parseReleases(read.sections.releases);
  const id = chosen.id;
  const republish = releases.current?.id === id;
  const replacedId = releases.current?.id ?? `before-${id}`.slice(0, 64);
  if (replacedId === id && !republish) throw new Error('internal: replaced id equals the release id');

  const [stagedListing, archiveListing] = await Promise.all([
    listRemoteObjects(s3, values.bucket, releaseFolder(prefix, 'staged', id)),
    republish
      ? Promise.resolve(new Map<string, RemoteObject>())
      : listRemoteObjects(s3, values.bucket, releaseFolder(prefix, 'releases', replacedId))
  ]);
  for (const o of record.objects) {
    const copy = stagedListing.get(o.path);
    if (!copy || copy.etag !== o.etag) {
      throw new DeploymentError(
        `publish ${id}: the staged copy ${stagedKey(prefix, id, o.path)} is ${copy ? `not the one staged (ETag ${copy.etag}, staged ${o.etag})` : 'missing'}; ` +
          'run the stage again. Nothing was written.'
      );
    }
  }

  const archives: CopyStep[] = [];
  const archived: ArchivedObject[] = [];
  const added: string[] = [];
  const entries = carriedEntries(read, listing);
  for (const o of record.objects) {
    if (republish) break;
    const already = archiveListing.get(o.path);
    const live = listing.get(o.path);
    if (already && o.liveEtag !== undefined && already.etag === o.liveEtag) {
      // Archived by an earlier attempt of this publish.
      archived.push({ path: o.path, etag: already.etag, size: already.size, entryPoint: o.entryPoint });
    } else if (live) {
      archives.push({
        path: o.path,
        from: live.key,
        to: archivedKey(prefix, replacedId, o.path),
        ifMatch: live.etag,
        size: live.size,
        entryPoint: o.entryPoint
      });
      archived.push({
        path: o.path,
        etag: live.etag,
        size: live.size,
        entryPoint: o.entryPoint,
        ...knownHeaders(entries.get(o.path))
      });
    } else {
      added.push(o.path);
    }
  }
  const copies = [...record.objects]
    .sort((a, b) => Number(a.entryPoint) - Number(b.entryPoint) || (a.path < b.path ? -1 : 1))
    .map((o) => ({
      path: o.path,
      from: stagedKey(prefix, id, o.path),
      to: prefix + o.path,
      ifMatch: o.etag,
      size: o.size,
      entryPoint: o.entryPoint,
      headers: { contentType: o.contentType, cacheControl: o.cacheControl, metadata: o.metadata }
    }));

  // Deletes: never a file of this release or of the one it replaces (which stays, for rollback and for
  // visitors holding its HTML), never inside the grace period, never over the cap.
  const protectedPaths = new Set(record.files);
  const previousFiles = republish ? releases.previous?.files : releases.current?.files;
  let deleteNote: string | undefined;
  const deletes: PublishPlan['deletes'] = [];
  const kept: PublishPlan['kept'] = [];
  const now = options.now ?? new Date();
  const graceMs = values.deleteGrace.hours * 3600_000;
  for (const f of previousFiles ?? []) protectedPaths.add(f);
  for (const [path, object] of listing) {
    if (protectedPaths.has(path)) continue;
    if (!values.delete || previousFiles === undefined) kept.push({ path, size: object.size });
    else if (now.getTime() - object.lastModified.getTime() < graceMs) kept.push({ path, size: object.size });
    else deletes.push({ path, key: object.key, size: object.size });
  }
  if (values.delete && previousFiles === undefined && kept.length > 0) {
    deleteNote = `the files of the release live before ${id} are not recorded (it was not published with phase: publish), so nothing is deleted this time; the next publish deletes what is stale`;
  }
  if (values.delete && listing.size > 0) {
    const share = (deletes.length / listing.size) * 100;
    if (share > values.deleteMaxPercent) {
      throw new ConfigurationError(
        `delete: the publish would delete ${deletes.length} of the ${listing.size} objects under ${show(prefix || '(bucket root)')} ` +
          `(${share.toFixed(1)} %), more than delete-max-percent ${values.deleteMaxPercent}; raise delete-max-percent (100 allows any share). Nothing was written.`,
        'delete-max-percent'
      );
    }
  }

  // Releases staged before this one and never published are superseded: their copies go, so staged
  // releases of failed backends do not pile up. One staged later (another run's) stays to be published.
  const superseded = [...staged].filter(([sid, r]) => sid !== id && r.stagedAt < record.stagedAt);
  const { [id]: _published, ...otherStaged } = sectionRecord(read.sections.staged) ?? {};
  for (const [sid] of superseded) delete otherStaged[sid];
  const current: LiveRelease = { id, publishedAt: now.toISOString(), files: record.files };
  // A first publish onto an empty prefix has nothing to roll back to.
  const nothingBefore = !releases.current && listing.size === 0;
  const previous: PreviousRelease | undefined = republish
    ? releases.previous
    : nothingBefore
      ? undefined
      : {
          id: replacedId,
          publishedAt: releases.current?.publishedAt ?? now.toISOString(),
          ...(releases.current?.files ? { files: releases.current.files } : {}),
          archived,
          added
        };
  for (const o of record.objects) entries.delete(o.path);
  const prune = [
    ...record.objects.map((o) => stagedKey(prefix, id, o.path)),
    ...superseded.flatMap(([sid, r]) => r.objects.map((o) => stagedKey(prefix, sid, o.path)))
  ];
  if (releases.previous && releases.previous.id !== previous?.id)
    prune.push(...releases.previous.archived.map((a) => archivedKey(prefix, releases.previous!.id, a.path)));

  const plan: PublishPlan = {
    phase: 'publish',
    bucket: values.bucket,
    prefix,
    releaseId: id,
    idSource: chosen.source,
    replacedId,
    dryRun: values.dryRun,
    manifestKey,
    read,
    releases,
    listing,
    archives,
    copies,
    deletes,
    kept,
    deleteNote,
    next: {
      staged: otherStaged,
      releases: { current, ...(previous ? { previous } : {}) },
      entries
    },
    prune,
    concurrency: values.concurrency,
    s3
  };
  reporter.info(
    `publish ${id} (staged ${record.stagedAt}) over ${republish ? 'itself (already live)' : replacedId}: archive ${archives.length}, ` +
      `put in place ${copies.length} (${copies.filter((c) => c.entryPoint).length} HTML entry points last), delete ${deletes.length}, keep ${kept.length} stale`
  );
  if (deleteNote) reporter.info(deleteNote);
  if (superseded.length > 0)
    reporter.info(
      `superseded staged release(s) dropped after the publish: ${superseded.map(([sid]) => sid).join(', ')} (staged before ${id}, never published)`
    );
  if (plan.dryRun)
    for (const s of planSteps(plan).slice(0, 200)) reporter.info(`  would ${s.step} ${s.path}`);
  return plan;
}

/**
 * Applies a publish or rollback plan: the archive copies, then the copies into place (assets, then HTML
 * entry points, each wave only after the previous one fully succeeded), then the manifest (conditional),
 * then the deletes (after checking the manifest is still the one written), then a best-effort cleanup of
 * the reserved folders no longer needed.
 * @throws ConfigurationError for a dry-run plan.
 * @throws DeploymentError<ReleaseResult> when a request fails after retries or another deploy wrote the
 *   manifest: the message says what is live now; running the same publish (or rollback) again completes it.
 */
export async function applyPublish(plan: PublishPlan, reporter: Reporter): Promise<ReleaseResult> {
  if (plan.dryRun) throw new ConfigurationError('dry-run: the plan is printed, never applied.', 'dry-run');
  const result = planResult(plan);
  result.archived = none;
  result.published = none;
  result.deleted = none;
  const verb = plan.phase;
  const done: CopyStep[] = [];
  const copied = new Map<string, string>();
  const failure = (stage: string, error: unknown, live: string): DeploymentError<ReleaseResult> => {
    result.changedPaths = changedPathsOf(plan, done, []);
    return new DeploymentError<ReleaseResult>(
      `${verb} ${plan.releaseId}: ${stage} failed: ${error instanceof ManifestRaceError ? error.message : messageOf(error)}. ${live} Run the ${verb} again to finish it.`,
      { result, changed: done.length > 0 ? [`put ${done.length} object(s) in place`] : [], cause: error }
    );
  };
  try {
    await copyAll(plan, plan.archives, reporter, 'archive');
    result.archived = sum(plan.archives);
  } catch (error) {
    throw failure(
      `archiving the live copies under ${releaseFolder(plan.prefix, 'releases', plan.replacedId)}`,
      error,
      `Nothing a visitor loads changed (the site still serves ${plan.replacedId}).`
    );
  }
  const assets = plan.copies.filter((c) => !c.entryPoint);
  const pages = plan.copies.filter((c) => c.entryPoint);
  for (const [wave, steps] of [
    ['assets', assets],
    ['HTML entry points', pages]
  ] as const) {
    try {
      await copyAll(plan, steps, reporter, `put in place (${wave})`, done, copied);
    } catch (error) {
      const live = done.filter((c) => c.entryPoint).map((c) => c.path);
      throw failure(
        `putting the ${wave} in place`,
        error,
        `Live now from ${plan.releaseId}: ${done.length} object(s)${live.length > 0 ? `, HTML entry points ${live.join(', ')}` : ', no HTML entry point (the pages still load ' + plan.replacedId + ')'}; nothing was deleted.`
      );
    }
  }
  result.published = sum(plan.copies);
  let written: { etag: string };
  try {
    const entries = new Map(plan.next.entries);
    // What was copied into place, with the headers the copy carried and the ETag CopyObject answered (no
    // lastModified: an entry written by its own run holds while the object is not newer than the manifest).
    for (const c of plan.copies) {
      const etag = copied.get(c.path);
      if (c.headers && etag) entries.set(c.path, normaliseEntry({ etag, size: c.size, ...c.headers }));
    }
    written = await writeManifest(
      plan.s3,
      plan.bucket,
      plan.manifestKey,
      entries,
      preconditionOf(plan.read),
      {
        ...plan.read.sections,
        ...(plan.next.staged ? { staged: plan.next.staged } : {}),
        releases: plan.next.releases
      }
    );
  } catch (error) {
    throw failure(
      `writing ${plan.manifestKey}`,
      error,
      `Every object of ${plan.releaseId} is in place (the site serves it), but the manifest still names ${plan.replacedId} as current, so a rollback would not know this release; nothing was deleted.`
    );
  }
  result.manifest.written = true;
  // The clean-up of the reserved folder runs beside the deletes (it never fails the step).
  const pruning = prune(plan, reporter);
  const deleted: string[] = [];
  if (plan.deletes.length > 0) {
    try {
      await checkManifestUnchanged(plan.s3, plan.bucket, plan.manifestKey, { etag: written.etag });
      for (let i = 0; i < plan.deletes.length; i += 1000) {
        const batch = plan.deletes.slice(i, i + 1000);
        const out = await plan.s3.send(
          new DeleteObjectsCommand({
            Bucket: plan.bucket,
            Delete: { Objects: batch.map((d) => ({ Key: d.key })), Quiet: true }
          })
        );
        const failed = new Set((out.Errors ?? []).map((e) => e.Key));
        for (const d of batch) if (!failed.has(d.key)) deleted.push(d.path);
        if (failed.size > 0)
          throw new Error(
            `${failed.size} object(s) could not be deleted (${[...failed].slice(0, 3).join(', ')})`
          );
      }
    } catch (error) {
      await pruning;
      result.deleted = sum(plan.deletes.filter((d) => deleted.includes(d.path)));
      result.changedPaths = changedPathsOf(plan, done, deleted);
      throw new DeploymentError<ReleaseResult>(
        `${verb} ${plan.releaseId}: ${plan.releaseId} is live and recorded, but the deletes failed after ${deleted.length} of ${plan.deletes.length}: ${messageOf(error)}. The next publish deletes what is left.`,
        { result, changed: [`published ${plan.releaseId}`], cause: error }
      );
    }
  }
  result.deleted = sum(plan.deletes);
  result.changedPaths = changedPathsOf(plan, done, deleted);
  await pruning;
  reporter.info(
    `${verb === 'publish' ? 'published' : 'rolled back to'} ${plan.releaseId}: ${result.published.count} object(s) put in place, ${result.archived.count} archived as ${plan.replacedId}, ${result.deleted.count} deleted`
  );
  return result;
}

/** The result a plan describes (dry run: what would be done). */
export function planResult(plan: PublishPlan): ReleaseResult {
  const result = emptyResult(plan.phase, plan.bucket, plan.prefix, plan.releaseId, plan.manifestKey);
  result.replacedReleaseId = plan.replacedId;
  result.dryRun = plan.dryRun;
  result.archived = sum(plan.archives);
  result.published = sum(plan.copies);
  result.deleted = sum(plan.deletes);
  result.kept = sum(plan.kept);
  result.changedPaths = changedPathsOf(
    plan,
    plan.copies,
    plan.deletes.map((d) => d.path)
  );
  result.steps = planSteps(plan);
  return result;
}

function planSteps(plan: PublishPlan): ReleaseResult['steps'] {
  return [
    ...plan.archives.map((c) => ({ step: `archive as ${plan.replacedId}`, path: c.path })),
    ...plan.copies.map((c) => ({ step: 'put in place', path: c.path })),
    ...plan.deletes.map((d) => ({ step: 'delete', path: d.path }))
  ];
}

/** Replaced (listed before) and deleted paths, as URL paths. */
function changedPathsOf(
  plan: PublishPlan,
  copied: readonly CopyStep[],
  deleted: readonly string[]
): string[] {
  const paths = copied.filter((c) => plan.listing.has(c.path)).map((c) => `/${c.path}`);
  return [...new Set([...paths, ...deleted.map((p) => `/${p}`)])].sort();
}

async function copyAll(
  plan: PublishPlan,
  steps: readonly CopyStep[],
  reporter: Reporter,
  what: string,
  done?: CopyStep[],
  etags?: Map<string, string>
): Promise<void> {
  if (steps.length === 0) return;
  reporter.info(`${what}: ${steps.length} object(s)`);
  await mapLimit(steps, plan.concurrency, async (step) => {
    try {
      const out = await plan.s3.send(
        new CopyObjectCommand({
          Bucket: plan.bucket,
          Key: step.to,
          CopySource: `${plan.bucket}/${step.from.split('/').map(encodeURIComponent).join('/')}`,
          CopySourceIfMatch: `"${step.ifMatch}"`,
          MetadataDirective: 'COPY'
        })
      );
      const etag = unquote(out.CopyObjectResult?.ETag);
      if (etag) etags?.set(step.path, etag);
    } catch (error) {
      throw new Error(
        requestFailure('S3', 'CopyObject', `s3://${plan.bucket}/${step.from} → ${step.to}`, error)
      );
    }
    done?.push(step);
  });
}

/** Deletes the reserved keys the plan no longer needs (DeleteObjects, batches at once); failures only warn. */
async function prune(plan: PublishPlan, reporter: Reporter): Promise<void> {
  const batches: string[][] = [];
  for (let i = 0; i < plan.prune.length; i += 1000) batches.push(plan.prune.slice(i, i + 1000));
  await Promise.all(
    batches.map(async (keys) => {
      try {
        await plan.s3.send(
          new DeleteObjectsCommand({
            Bucket: plan.bucket,
            Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true }
          })
        );
        reporter.info(`${keys.length} staged or archived copies no longer needed, deleted`);
      } catch (error) {
        reporter.warn(
          `${keys.length} staged or archived copies could not be deleted (${messageOf(error)}); they are not served`
        );
      }
    })
  );
}

// ----------------------------------------------------------------------------------------------- rollback

/** Options of {@link planRollback}: the declared frontend rollback options and the runtime ones. */
export type RollbackFrontendOptions = InputOf<typeof rollbackFrontendOptions> &
  Pick<UploadFrontendOptions, 's3' | 'maxAttempts' | 'now'>;

/**
 * Plans the frontend rollback, reading only (GetObject of the manifest, ListObjectsV2 of the prefix and
 * of the previous release's archive): the previous release's archived copies go back into place (assets,
 * then HTML entry points), the paths the current release added are deleted, and what is live now is
 * archived first as the new `previous`, so a second rollback goes forward again.
 * @throws ConfigurationError when the manifest records no previous release (nothing was published with
 *   phase: publish twice), before any write.
 * @throws DeploymentError when a read fails or an archived copy is missing or changed.
 */
export async function planRollback(
  options: RollbackFrontendOptions,
  reporter: Reporter
): Promise<PublishPlan> {
  const values = resolveOptions(rollbackFrontendOptions, options);
  const prefix = normalisePrefix(values.prefix);
  const manifestKey = values.manifestKey ?? prefix + MANIFEST_NAME;
  const s3 = options.s3 ?? createUploadClient(options);
  const { listing, read } = await readLive(s3, values.bucket, prefix, manifestKey);
  const releases = parseReleases(read.sections.releases);
  const { current, previous } = releases;
  if (!current || !previous) {
    throw new ConfigurationError(
      `bucket ${show(values.bucket)}: the manifest ${manifestKey} records ${current ? `only the current release ${current.id}` : read.etag ? 'no release' : 'nothing (there is no manifest)'}; ` +
        'a frontend rollback needs a previous release, recorded by two deploys with phase: stage then publish. Nothing was written.',
      'bucket'
    );
  }
  const archiveListing = await listRemoteObjects(
    s3,
    values.bucket,
    releaseFolder(prefix, 'releases', previous.id)
  );
  for (const a of previous.archived) {
    const copy = archiveListing.get(a.path);
    if (!copy || copy.etag !== a.etag) {
      throw new DeploymentError(
        `rollback to ${previous.id}: the archived copy ${archivedKey(prefix, previous.id, a.path)} is ${copy ? 'not the one archived' : 'missing'}; the frontend cannot be rolled back from it. Nothing was written.`
      );
    }
  }
  const newArchive = await listRemoteObjects(
    s3,
    values.bucket,
    releaseFolder(prefix, 'releases', current.id)
  );
  const archives: CopyStep[] = [];
  const archived: ArchivedObject[] = [];
  const added: string[] = [];
  const entries = carriedEntries(read, listing);
  const entryPoint = new Map(previous.archived.map((a) => [a.path, a.entryPoint]));
  for (const path of [...previous.archived.map((a) => a.path), ...previous.added]) {
    const live = listing.get(path);
    const already = newArchive.get(path);
    const isEntry = entryPoint.get(path) ?? /\.html?$/i.test(path);
    if (live && !(already && previous.archived.some((a) => a.path === path && a.etag === live.etag))) {
      archives.push({
        path,
        from: live.key,
        to: archivedKey(prefix, current.id, path),
        ifMatch: live.etag,
        size: live.size,
        entryPoint: isEntry
      });
      archived.push({
        path,
        etag: live.etag,
        size: live.size,
        entryPoint: isEntry,
        ...knownHeaders(entries.get(path))
      });
    } else if (already) {
      // Archived by an earlier attempt of this rollback (the live copy is already the restored one).
      archived.push({ path, etag: already.etag, size: already.size, entryPoint: isEntry });
    } else {
      added.push(path);
    }
  }
  const copies = [...previous.archived]
    .sort((a, b) => Number(a.entryPoint) - Number(b.entryPoint) || (a.path < b.path ? -1 : 1))
    .map((a) => ({
      path: a.path,
      from: archivedKey(prefix, previous.id, a.path),
      to: prefix + a.path,
      ifMatch: a.etag,
      size: a.size,
      entryPoint: a.entryPoint,
      ...(a.headers ? { headers: a.headers } : {})
    }));
  const deletes = previous.added
    .filter((p) => listing.has(p))
    .map((p) => ({ path: p, key: prefix + p, size: listing.get(p)!.size }));
  const now = options.now ?? new Date();
  for (const c of [...copies, ...deletes]) entries.delete(c.path);
  const plan: PublishPlan = {
    phase: 'rollback',
    bucket: values.bucket,
    prefix,
    releaseId: previous.id,
    idSource: 'manifest',
    replacedId: current.id,
    dryRun: values.dryRun,
    manifestKey,
    read,
    releases,
    listing,
    archives,
    copies,
    deletes,
    kept: [],
    next: {
      releases: {
        current: {
          id: previous.id,
          publishedAt: now.toISOString(),
          ...(previous.files ? { files: previous.files } : {})
        },
        previous: { ...current, archived, added }
      },
      entries
    },
    prune: previous.archived.map((a) => archivedKey(prefix, previous.id, a.path)),
    concurrency: values.concurrency,
    s3
  };
  reporter.info(
    `frontend rollback ${current.id} → ${previous.id}: archive ${archives.length} live object(s) as ${current.id}, put back ${copies.length}, delete ${deletes.length} added by ${current.id}`
  );
  if (plan.dryRun) for (const s of planSteps(plan)) reporter.info(`  would ${s.step} ${s.path}`);
  return plan;
}

// ---------------------------------------------------------------------------------------------- internals

/**
 * The live listing of the prefix (ListObjectsV2, without the reserved folder and the manifest) and the
 * manifest (GetObject), read together: each is one round trip and neither depends on the other.
 */
async function readLive(s3: S3Client, bucket: string, prefix: string, manifestKey: string) {
  const [listed, read] = await Promise.all([
    listRemoteObjects(s3, bucket, prefix),
    readManifest(s3, bucket, manifestKey)
  ]);
  return { listing: liveListing(listed, prefix, manifestKey), read };
}

/** The listing of the prefix without the reserved folder and the manifest. */
function liveListing(
  listing: Map<string, RemoteObject>,
  prefix: string,
  manifestKey: string
): Map<string, RemoteObject> {
  for (const [path, object] of [...listing]) {
    if (isReservedPath(path) || object.key === manifestKey || `${prefix}${path}` === manifestKey)
      listing.delete(path);
  }
  return listing;
}

/**
 * The old manifest's entries that still describe the listed objects, each pinned to this listing (so the
 * new manifest's later LastModified vouches for nothing it did not see).
 */
export function carriedEntries(
  read: ManifestRead,
  listing: ReadonlyMap<string, RemoteObject>
): ManifestEntries {
  const out: ManifestEntries = new Map();
  for (const [path, headers] of trustedHeaders(read.entries, listing, read.lastModified))
    out.set(path, entryFor(listing.get(path)!, headers));
  return out;
}

/**
 * `{ headers }` of an archived copy from the manifest entry of the live object it copies (normalised: unset
 * fields and empty metadata left out); `{}` when the manifest had no entry that still matched it.
 */
function knownHeaders(entry: ManifestEntry | undefined): Pick<ArchivedObject, 'headers'> {
  if (!entry) return {};
  const { etag: _etag, size: _size, lastModified: _lastModified, ...headers } = normaliseEntry(entry);
  return { headers };
}

/** A manifest section as a record, when it is one. */
export function sectionRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** The job summary of a stage, publish or rollback. */
export function releaseSummaryMarkdown(result: ReleaseResult): string {
  const row = (name: string, c: CountAndBytes): string => `| ${name} | ${c.count} | ${mib(c.bytes)} |`;
  const title =
    result.phase === 'stage'
      ? `staged release \`${result.releaseId}\` (not published: nothing a visitor loads changed)`
      : result.phase === 'publish'
        ? `published release \`${result.releaseId}\`${result.replacedReleaseId ? ` (previous: \`${result.replacedReleaseId}\`)` : ''}`
        : `rolled back \`${result.replacedReleaseId}\` → \`${result.releaseId}\``;
  const lines = [
    `### upload-frontend → \`s3://${result.bucket}/${result.prefix}\`: ${title}${result.dryRun ? ' (dry run: nothing written)' : ''}`,
    '',
    '| | files | bytes |',
    '|---|---:|---:|'
  ];
  if (result.phase === 'stage') {
    lines.push(
      row('new assets uploaded in place', result.uploaded),
      row('staged copies (entry points, replaced assets)', result.staged),
      row('unchanged', result.unchanged)
    );
  } else {
    lines.push(
      row('archived first', result.archived),
      row('put in place', result.published),
      row('deleted', result.deleted),
      row('stale, kept', result.kept)
    );
  }
  lines.push('');
  if (result.steps.length > 0) {
    lines.push('<details><summary>Steps, in order</summary>', '', '| step | path |', '|---|---|');
    for (const s of result.steps.slice(0, 300)) lines.push(`| ${s.step} | \`${s.path}\` |`);
    if (result.steps.length > 300) lines.push(`| … | ${result.steps.length - 300} more |`);
    lines.push('', '</details>', '');
  }
  if (result.changedPaths.length > 0)
    lines.push(`Changed paths for invalidation: ${result.changedPaths.length}.`, '');
  return lines.join('\n');
}

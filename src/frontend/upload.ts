/**
 * upload-frontend: a content-addressed sync of a built frontend to S3, in three phases the faces (the
 * action, the `twotier` command, the demo) run one after another, each in a group of their own:
 *
 *     planUpload           options → UploadPlan: the local scan, the listing, the header manifest, the
 *                          HeadObject requests, then the ordered steps (no write; `dry-run` stops here)
 *     applyUpload          UploadPlan → UploadApplied: the waves (assets, HTML entry points, deletes)
 *     writeUploadManifest  UploadPlan + UploadApplied → ManifestReport: the conditional manifest write
 *
 * and `uploadResult` renders any of them as the UploadResult the outputs and the job summary show.
 * `uploadFrontend` runs all three. See docs/frontend.md.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import picomatch from 'picomatch';
import { ConfigurationError, DeploymentError, messageOf, show } from '../lib/errors.js';
import { resolveOptions, type InputOf } from '../lib/options.js';
import { workspacePath } from '../lib/paths.js';
import type { GroupFn, Reporter } from '../lib/reporter.js';
import { uploadOptions } from './options.js';
import { parseCacheControlRules } from './cache-control.js';
import { scanLocalFiles, type LocalFile, type SkippedLink } from './local-files.js';
import { mapLimit } from './pool.js';
import { createUploadClient } from './s3-client.js';
import {
  headRemoteObject,
  listRemoteObjects,
  normalisePrefix,
  type RemoteHeaders,
  type RemoteObject
} from './remote-objects.js';
import {
  checkManifestUnchanged,
  deleteLegacyManifest,
  isReservedPath,
  LEGACY_MANIFEST_NAME,
  MANIFEST_NAME,
  ManifestRaceError,
  nextManifest,
  preconditionOf,
  readManifest,
  RESERVED_FOLDER,
  trustedHeaders,
  writeManifest,
  type ManifestPrecondition,
  type ManifestRead
} from './manifest.js';
import { requestFailure } from './request-failure.js';
import { releaseIdOf } from './release.js';
import { sectionsAfterUnstagedDeploy } from './release-record.js';
import {
  headCandidates,
  isMultipartEtag,
  planSync,
  stalePaths,
  type SyncItem,
  type SyncKind,
  type SyncPlan,
  type SyncReason
} from './sync-plan.js';
import { executePlan, mib, WAVES, type ExecuteOutcome, type Wave } from './upload-executor.js';

const MiB = 1024 * 1024;

/** What uploadFrontend needs besides its declared options (src/frontend/options.ts `uploadOptions`). */
export interface UploadRuntime {
  /** Attempts per request including the first (SDK standard retry mode). Default 5. */
  maxAttempts?: number;
  /** A client to use instead of building one (tests). */
  s3?: S3Client;
  /** The current time, for the grace period (tests). */
  now?: Date;
  /** Environment for the workspace rule of `source-dir` (GITHUB_WORKSPACE). Default process.env. */
  env?: Record<string, string | undefined>;
}

/**
 * Options of {@link uploadFrontend}: the declared options (sourceDir, bucket, prefix, delete, deleteGrace,
 * deleteMaxPercent, cacheControl, entryPoints, concurrency, multipartThreshold in bytes, checkHeaders,
 * symlinks, manifestKey, dryRun, region, endpoint) with the declared defaults (deleteGrace 24 h,
 * deleteMaxPercent 50, symlinks `error`, ...).
 */
export type UploadFrontendOptions = InputOf<typeof uploadOptions> & UploadRuntime;

/** Count and bytes of one kind of outcome. */
export interface CountAndBytes {
  count: number;
  bytes: number;
}

/** What {@link uploadFrontend} did (or, in a dry run, would do). */
export interface UploadResult {
  bucket: string;
  /** Normalised prefix (`''` or ending in `/`). */
  prefix: string;
  dryRun: boolean;
  uploaded: CountAndBytes;
  headerUpdated: CountAndBytes;
  deleted: CountAndBytes;
  unchanged: CountAndBytes;
  /** Stale objects left in place (delete off, or inside the grace period). */
  kept: CountAndBytes;
  /**
   * URL paths (`/` + path relative to the prefix) whose cached copies are now wrong: existing objects
   * whose content or headers changed, and deleted objects. New paths are not listed (nothing cached them).
   * Sorted. Feed to invalidate-cdn. After a failure: only what had changed by then.
   */
  changedPaths: string[];
  /** Every planned step, in execution order (uploads, entry points, deletes, kept, unchanged). */
  items: PlannedStep[];
  /** Links of source-dir left out under `symlinks: skip`. */
  skippedLinks: SkippedLink[];
  /** The header manifest and what it saved. */
  manifest: ManifestReport;
}

/** What the run did with the header manifest. */
export interface ManifestReport {
  /** Object key of the manifest. */
  key: string;
  /** Where its entries came from: the manifest, the legacy `<prefix>.twotier-manifest.json`, or none. */
  source: 'manifest' | 'legacy' | 'none';
  /** Entries read from the existing manifest (0 when there was none or it could not be used). */
  read: number;
  /** Content-equal objects whose headers came from the manifest instead of a HeadObject. */
  trusted: number;
  /** HeadObject requests sent. */
  heads: number;
  /** True when this run wrote a new manifest (it is only written when its entries changed). */
  written: boolean;
  /** Entries in the manifest now in the bucket (written or left as it was). */
  entries: number;
  /** True when the legacy manifest was deleted (after the new one was in place). */
  legacyDeleted: boolean;
}

/** One line of the plan. */
export interface PlannedStep {
  kind: SyncKind;
  path: string;
  /** Why, as a value (src/frontend/sync-plan.ts). */
  why: SyncReason;
  /** Why, as text (derived from `why`). */
  reason: string;
  /** Bytes. */
  size: number;
  contentType?: string;
  cacheControl?: string;
}

/** What the plan knows about the header manifest. */
export interface ManifestPlan {
  /** The manifest's key (`manifest-key`, default `<prefix>.twotier/manifest.json`). */
  key: string;
  /** What was read (entries, sections, the ETag and LastModified of the object read). */
  read: ManifestRead;
  /** Where the entries came from. */
  source: ManifestReport['source'];
  /** What the manifest write expects to find at `key`: the ETag read, or no object. */
  expect: ManifestPrecondition;
  /** The legacy manifest object (key, ETag), deleted once the new one is in place. */
  legacy?: { key: string; etag: string };
  /** Headers known for content-equal objects (manifest or HeadObject), by relative path. */
  known: ReadonlyMap<string, RemoteHeaders>;
  /** The paths among `known` whose headers came from the manifest. */
  fromManifest: ReadonlySet<string>;
  /** HeadObject requests sent. */
  heads: number;
}

/** The plan of an upload ({@link planUpload}): a value; nothing has been written when it exists. */
export interface UploadPlan {
  bucket: string;
  /** Normalised prefix (`''` or ending in `/`). */
  prefix: string;
  /** source-dir resolved under the workspace rule (src/lib/paths.ts). */
  sourceDir: string;
  dryRun: boolean;
  /** The steps, in execution order within each wave. */
  steps: SyncPlan;
  /** The listing of the prefix (relative path → object), reserved paths left out. */
  listing: ReadonlyMap<string, RemoteObject>;
  /** Files and bytes of source-dir. */
  scanned: CountAndBytes;
  /** Links left out under `symlinks: skip`. */
  skippedLinks: SkippedLink[];
  manifest: ManifestPlan;
  /** How the waves run. */
  execution: { concurrency: number; multipartThreshold: number; partSize: number; directPut: boolean };
  /** The client the plan was made with; the later phases use it. */
  s3: S3Client;
}

/** What {@link applyUpload} did: the writes and deletes that succeeded, and the waves that completed. */
export type UploadApplied = ExecuteOutcome;

/**
 * Plans the sync, writing nothing: checks the options (source-dir under the workspace rule, the prefix,
 * the Cache-Control rules, the entry-point globs), scans and hashes source-dir (symbolic links under the
 * `symlinks` policy), lists the prefix once (ListObjectsV2), reads the header manifest (GetObject; the
 * legacy `<prefix>.twotier-manifest.json` when the manifest is missing), sends HeadObject for content-equal
 * objects it does not vouch for, then plans the steps (src/frontend/sync-plan.ts, no I/O). With `dryRun`
 * it logs every step it would take.
 * @throws ConfigurationError for bad options, a source-dir that is missing, outside the workspace, empty or
 *   unreadable, a symbolic link out of it (under `symlinks: error`), a file in the reserved `.twotier/`
 *   folder, an entry-point glob that matches no file, a missing bucket, or a delete over the cap.
 * @throws DeploymentError naming S3 and the operation when a read fails after the SDK's retries (nothing
 *   was written).
 */
export async function planUpload(options: UploadFrontendOptions, reporter: Reporter): Promise<UploadPlan> {
  const settings = validate(options);
  const s3 = options.s3 ?? createUploadClient(options);
  const partSize = Math.min(settings.multipartThreshold, 8 * MiB);
  // The listing (read-only) runs while the files are hashed; a hashing error is still reported first.
  const listing = listRemoteObjects(s3, options.bucket, settings.prefix);
  listing.catch(() => undefined);
  const scan = await scanLocalFiles(settings.sourceDir, {
    multipartThreshold: settings.multipartThreshold,
    partSize,
    concurrency: Math.min(settings.concurrency, 8),
    symlinks: settings.symlinks,
    shownAs: options.sourceDir
  });
  const { files, skipped } = scan;
  const scanned = { count: files.length, bytes: files.reduce((sum, f) => sum + f.size, 0) };
  reporter.info(`${options.sourceDir}: ${scanned.count} files, ${mib(scanned.bytes)}`);
  for (const link of skipped.slice(0, 20))
    reporter.warn(`source-dir: ${link.relativePath} ${link.problem}; left out (symlinks: skip)`);
  if (skipped.length > 20) reporter.warn(`source-dir: ${skipped.length - 20} more links left out`);
  checkLocalNames(files, settings);
  checkEntryPoints(files, settings.entryPoints, settings.entryPointsGiven);

  const remote = new Map(await listing);
  const manifestRelative = relativeTo(settings.manifestKey, settings.prefix);
  const manifestListed = manifestRelative === undefined ? undefined : remote.get(manifestRelative);
  const legacyListed = remote.get(LEGACY_MANIFEST_NAME);
  for (const path of [...remote.keys()]) {
    // Never planned: not uploaded, deleted, kept or listed as changed.
    if (isReservedPath(path) || path === manifestRelative) remote.delete(path);
  }
  reporter.info(`s3://${options.bucket}/${settings.prefix}: ${remote.size} objects`);

  const manifest = await readManifests(s3, options.bucket, settings, {
    listed: manifestListed !== undefined,
    underPrefix: manifestRelative !== undefined,
    legacy: legacyListed
  });
  if (manifest.read.problem && manifest.read.etag) {
    const which = manifest.source === 'none' && manifest.legacy ? manifest.legacy.key : manifest.key;
    reporter.warn(`${which} ignored (${manifest.read.problem}); headers are read with HeadObject`);
  }
  if (manifest.source === 'legacy')
    reporter.info(
      `header manifest read from the legacy ${manifest.legacy?.key}; it moves to ${manifest.key}`
    );

  const trusted = trustedHeaders(manifest.read.entries, remote, manifest.read.lastModified);
  const known = new Map<string, RemoteHeaders>();
  const fromManifest = new Set<string>();
  const toHead: string[] = [];
  for (const relativePath of headCandidates(files, remote, true)) {
    const headers = trusted.get(relativePath);
    if (headers) {
      known.set(relativePath, headers);
      fromManifest.add(relativePath);
    } else if (settings.checkHeaders || isMultipartEtag(remote.get(relativePath)?.etag ?? '')) {
      toHead.push(relativePath);
    }
  }
  const headed = await mapLimit(toHead, settings.concurrency, (relativePath) =>
    headRemoteObject(s3, options.bucket, settings.prefix + relativePath)
  );
  toHead.forEach((relativePath, i) => {
    const headers = headed[i];
    if (headers) known.set(relativePath, headers);
  });
  if (manifest.read.etag || toHead.length > 0) {
    reporter.info(
      `headers of ${fromManifest.size} content-equal objects from the header manifest, ${toHead.length} read with HeadObject`
    );
  }

  const steps = planSync(files, remote, known, {
    prefix: settings.prefix,
    rules: settings.rules,
    entryPoints: settings.entryPoints,
    multipartThreshold: settings.multipartThreshold,
    delete: settings.delete,
    deleteGraceHours: settings.deleteGraceHours,
    deleteMaxPercent: settings.deleteMaxPercent,
    now: options.now ?? new Date()
  });
  const plan: UploadPlan = {
    bucket: options.bucket,
    prefix: settings.prefix,
    sourceDir: settings.sourceDir,
    dryRun: settings.dryRun,
    steps,
    listing: remote,
    scanned,
    skippedLinks: skipped,
    manifest: { ...manifest, known, fromManifest, heads: toHead.length },
    execution: {
      concurrency: settings.concurrency,
      multipartThreshold: settings.multipartThreshold,
      partSize,
      // An injected client may carry middleware or a mock of `send` that a direct request would bypass.
      directPut: options.s3 === undefined
    },
    s3
  };
  const planned = uploadResult(plan);
  reporter.info(summaryLine(planned, 'plan'));
  for (const step of planned.items) {
    if (step.kind !== 'unchanged') reporter.debug(`${step.kind} ${step.path}: ${step.reason}`);
  }
  if (plan.dryRun) {
    for (const step of planned.items.filter((s) => s.kind !== 'unchanged').slice(0, 200)) {
      reporter.info(`  would ${step.kind} ${step.path} (${step.reason})`);
    }
  }
  return plan;
}

/**
 * Runs the plan's waves (src/frontend/upload-executor.ts): new and changed assets, then (only when every
 * one succeeded) the HTML entry points, then (only when every upload succeeded, and after checking with
 * HeadObject that no other deploy wrote the header manifest since the plan read it) the deletes. `waves`
 * runs only some of them, in that order (all by default).
 * @throws ConfigurationError for a dry-run plan (it is never applied).
 * @throws DeploymentError<UploadResult> when a request fails after the SDK's retries, or another deploy
 *   wrote the manifest before the deletes: `result` and the message say what was written, replaced and
 *   deleted and what was not. Running again completes the deploy.
 */
export async function applyUpload(
  plan: UploadPlan,
  reporter: Reporter,
  options: { waves?: readonly Wave[] } = {}
): Promise<UploadApplied> {
  if (plan.dryRun) throw new ConfigurationError('dry-run: the plan is printed, never applied.', 'dry-run');
  try {
    return await executePlan(
      plan.s3,
      plan.steps,
      {
        bucket: plan.bucket,
        ...plan.execution,
        waves: options.waves ?? WAVES,
        beforeDeletes: () => checkBeforeDeletes(plan, options.waves ?? WAVES)
      },
      reporter
    );
  } catch (error) {
    if (error instanceof DeploymentError) {
      const outcome = error.result as ExecuteOutcome | undefined;
      throw new DeploymentError<UploadResult>(error.message, {
        result: uploadResult(plan, outcome),
        changed: error.changed,
        cause: error.cause ?? error,
        details: error.details
      });
    }
    throw error;
  }
}

/**
 * Writes the header manifest after a successful apply, when its entries changed or the run wrote
 * anything (a conditional PutObject: `If-Match` the ETag the plan read, `If-None-Match: *` when there was
 * none), then deletes the legacy manifest once the new one is in place. A failure to write it for another
 * reason only warns (the deploy is complete; the next run sends more HeadObject requests).
 * A release record (`releases`, kept by stage/publish) then names `releaseId` as the live release, with no
 * previous one to roll back to (sectionsAfterUnstagedDeploy, src/frontend/release-record.ts).
 * @throws DeploymentError<UploadResult> when another deploy wrote (or deleted) the manifest since the plan
 *   read it: this run's manifest is not written, and the message says what this run had written.
 */
export async function writeUploadManifest(
  plan: UploadPlan,
  applied: UploadApplied,
  reporter: Reporter,
  releaseId?: string
): Promise<ManifestReport> {
  const { manifest, steps } = plan;
  const old = manifest.read.entries;
  const { entries, write } = nextManifest(
    old,
    steps.unchanged.flatMap((item) => {
      const headers = manifest.known.get(item.relativePath);
      const entry = manifest.fromManifest.has(item.relativePath) ? old.get(item.relativePath) : undefined;
      return headers ? [{ relativePath: item.relativePath, headers, entry }] : [];
    }),
    [...steps.assets, ...steps.entryPoints].flatMap((item) => {
      const etag = applied.written.get(item.relativePath);
      const headers = {
        contentType: item.contentType,
        cacheControl: item.cacheControl,
        metadata: item.metadata ?? {}
      };
      return etag ? [{ relativePath: item.relativePath, etag, size: item.size, headers }] : [];
    }),
    plan.listing
  );
  const report = manifestReport(plan);
  // A legacy manifest moves to the new key even when nothing else changed.
  if (!write && manifest.source !== 'legacy') {
    reporter.info(`${manifest.key}: unchanged (${entries.size} entries); not written`);
    // A legacy manifest is deleted only once the new one is in place.
    const inPlace = manifest.source === 'manifest';
    return { ...report, entries: entries.size, legacyDeleted: inPlace && (await dropLegacy(plan, reporter)) };
  }
  try {
    const { bytes } = await writeManifest(
      plan.s3,
      plan.bucket,
      manifest.key,
      entries,
      manifest.expect,
      sectionsAfterUnstagedDeploy(manifest.read.sections, releaseId, new Date().toISOString())
    );
    reporter.info(`${manifest.key}: written, ${entries.size} entries, ${mib(bytes)}`);
  } catch (error) {
    if (error instanceof ManifestRaceError) throw raceError(plan, applied, error);
    // The deploy itself is complete; an old manifest is still safe (entries are trusted only while the
    // listing matches them), so the next run only sends more HeadObject requests.
    reporter.warn(
      `the deploy is complete but the header manifest could not be written (${requestFailure('S3', 'PutObject', `s3://${plan.bucket}/${manifest.key}`, error)}); the next run reads headers with HeadObject instead`
    );
    return report;
  }
  const written = { ...report, written: true, entries: entries.size };
  return { ...written, legacyDeleted: await dropLegacy(plan, reporter) };
}

/**
 * Plans, applies and writes the manifest ({@link planUpload}, {@link applyUpload},
 * {@link writeUploadManifest}); a dry run stops after the plan. Syncs `sourceDir` to `s3://bucket/prefix`
 * by content: new and changed assets, then HTML entry points, then deletes, then the header manifest.
 * @throws ConfigurationError before anything is written (see {@link planUpload}).
 * @throws DeploymentError<UploadResult> when writes fail after retries or another deploy raced this one
 *   (see {@link applyUpload}, {@link writeUploadManifest}). Re-running completes the deploy.
 */
export async function uploadFrontend(
  options: UploadFrontendOptions,
  reporter: Reporter
): Promise<UploadResult> {
  const env = options.env ?? process.env;
  releaseIdOf(options.releaseId, env); // the id is checked before anything is read
  const plan = await planUpload(options, reporter);
  return completeUpload(plan, releaseIdOf(options.releaseId, env, plan)?.id, reporter);
}

/**
 * The rest of a `phase: all` deploy once it is planned: {@link applyUpload}, then
 * {@link writeUploadManifest} (which records `releaseId` as the live release when the manifest keeps
 * releases), each in a group the face opens with `inGroup`; a dry run returns the plan's result.
 * @throws DeploymentError<UploadResult> as applyUpload and writeUploadManifest do.
 */
export async function completeUpload(
  plan: UploadPlan,
  releaseId: string | undefined,
  reporter: Reporter,
  inGroup: GroupFn = (_name, fn) => fn()
): Promise<UploadResult> {
  if (plan.dryRun) return uploadResult(plan);
  const applied = await inGroup('Upload', () => applyUpload(plan, reporter));
  const manifest = await inGroup(`Header manifest ${plan.manifest.key}`, () =>
    writeUploadManifest(plan, applied, reporter, releaseId)
  );
  const result = uploadResult(plan, applied, manifest);
  reporter.info(summaryLine(result, 'done'));
  return result;
}

/**
 * The result the outputs and the job summary show (pure): from the plan alone (a dry run: what would be
 * done), or from what `applied` did (counts and changed paths of the writes and deletes that succeeded)
 * and the manifest report.
 */
export function uploadResult(
  plan: UploadPlan,
  applied?: UploadApplied,
  manifest?: ManifestReport
): UploadResult {
  const { steps } = plan;
  const sum = (items: SyncItem[]): CountAndBytes => ({
    count: items.length,
    bytes: items.reduce((s, i) => s + i.size, 0)
  });
  const writes = [...steps.assets, ...steps.entryPoints];
  const done = applied ? writes.filter((i) => applied.written.has(i.relativePath)) : writes;
  const deletedPaths = applied ? new Set(applied.deleted) : undefined;
  const deletes = deletedPaths
    ? steps.deletes.filter((i) => deletedPaths.has(i.relativePath))
    : steps.deletes;
  const all = [...writes, ...steps.deletes, ...steps.kept, ...steps.unchanged];
  return {
    bucket: plan.bucket,
    prefix: plan.prefix,
    dryRun: plan.dryRun,
    uploaded: sum(done.filter((i) => i.kind === 'upload')),
    headerUpdated: sum(done.filter((i) => i.kind === 'update-headers')),
    deleted: sum(deletes),
    unchanged: sum(steps.unchanged),
    kept: sum(steps.kept),
    changedPaths: stalePaths({ assets: done, entryPoints: [], deletes }),
    manifest: manifest ?? manifestReport(plan),
    skippedLinks: plan.skippedLinks,
    items: all.map((i) => ({
      kind: i.kind,
      path: i.relativePath,
      why: i.why,
      reason: i.reason,
      size: i.size,
      contentType: i.contentType,
      cacheControl: i.cacheControl
    }))
  };
}

// ---------------------------------------------------------------------------------------------- internals

interface Settings {
  sourceDir: string;
  prefix: string;
  manifestKey: string;
  rules: ReturnType<typeof parseCacheControlRules>;
  entryPoints: string[];
  /** False when entry-points is the declared default (which may match no file). */
  entryPointsGiven: boolean;
  concurrency: number;
  multipartThreshold: number;
  delete: boolean;
  deleteGraceHours: number;
  deleteMaxPercent: number;
  checkHeaders: boolean;
  symlinks: 'error' | 'skip';
  dryRun: boolean;
}

function validate(input: UploadFrontendOptions): Settings {
  const options = resolveOptions(uploadOptions, input);
  if (!options.sourceDir?.trim()) {
    throw new ConfigurationError(
      `Input required and not supplied: source-dir (the built frontend directory, for example dist); only phase: publish runs without it.`,
      'source-dir'
    );
  }
  const prefix = normalisePrefix(options.prefix);
  const defaultEntryPoints = uploadOptions.options.entryPoints.default;
  const entryPoints = options.entryPoints.length ? options.entryPoints : [...defaultEntryPoints];
  return {
    sourceDir: workspacePath(options.sourceDir, 'source-dir', input.env ?? process.env),
    prefix,
    manifestKey: options.manifestKey ?? prefix + MANIFEST_NAME,
    rules: parseCacheControlRules(options.cacheControl.trim() ? options.cacheControl : 'spa'),
    entryPoints,
    entryPointsGiven: entryPoints.join('\n') !== defaultEntryPoints.join('\n'),
    concurrency: options.concurrency,
    multipartThreshold: options.multipartThreshold,
    delete: options.delete,
    deleteGraceHours: options.deleteGrace.hours,
    deleteMaxPercent: options.deleteMaxPercent,
    checkHeaders: options.checkHeaders,
    symlinks: options.symlinks,
    dryRun: options.dryRun
  };
}

/** `key` relative to `prefix`, or undefined when it is not under it. */
function relativeTo(key: string, prefix: string): string | undefined {
  return key.startsWith(prefix) && key.length > prefix.length ? key.slice(prefix.length) : undefined;
}

/** Refuses local files in the reserved folder, of the legacy manifest name, or at the manifest key. */
function checkLocalNames(files: readonly LocalFile[], settings: Settings): void {
  const manifestRelative = relativeTo(settings.manifestKey, settings.prefix);
  for (const file of files) {
    if (isReservedPath(file.relativePath) || file.relativePath === manifestRelative) {
      throw new ConfigurationError(
        `source-dir contains ${file.relativePath}, a path upload-frontend keeps for itself ` +
          `(the ${RESERVED_FOLDER}/ folder, ${LEGACY_MANIFEST_NAME} and the manifest key ${show(settings.manifestKey)}); remove or rename it.`,
        'source-dir'
      );
    }
  }
}

/**
 * Every entry-point glob given must match at least one file (a glob that matches none would send the HTML
 * up with the assets, before them); the default `**\/*.html` may match none (a site without HTML).
 */
export function checkEntryPoints(
  files: readonly Pick<LocalFile, 'relativePath'>[],
  patterns: readonly string[],
  given: boolean
): void {
  if (!given) return;
  for (const pattern of patterns) {
    const matches = picomatch(pattern, { dot: true });
    if (files.some((f) => matches(f.relativePath))) continue;
    const html = files.filter((f) => /\.html?$/i.test(f.relativePath)).map((f) => f.relativePath);
    throw new ConfigurationError(
      `Input entry-points: ${show(pattern)} matches no file of source-dir; give globs (relative to source-dir) that match the HTML entry points` +
        (html.length > 0
          ? `, such as **/*.html (HTML files there: ${html.slice(0, 5).join(', ')}${html.length > 5 ? ', …' : ''}).`
          : ', such as **/*.html.'),
      'entry-points'
    );
  }
}

/**
 * Reads the manifest (or, when it is missing, the legacy one). Under the prefix the listing tells whether
 * the manifest exists (no request when it does not); elsewhere one GetObject does.
 */
async function readManifests(
  s3: S3Client,
  bucket: string,
  settings: Settings,
  seen: { listed: boolean; underPrefix: boolean; legacy?: RemoteObject }
): Promise<Omit<ManifestPlan, 'known' | 'fromManifest' | 'heads'>> {
  const key = settings.manifestKey;
  const none: ManifestRead = { entries: new Map(), sections: {} };
  const read = seen.listed || !seen.underPrefix ? await readManifest(s3, bucket, key) : none;
  const expect = preconditionOf(read);
  const legacyKey = settings.prefix + LEGACY_MANIFEST_NAME;
  if (read.etag !== undefined) {
    // The manifest exists: a legacy one left beside it is only deleted (If-Match its listed ETag).
    const legacy = seen.legacy ? { key: legacyKey, etag: seen.legacy.etag } : undefined;
    return { key, read, source: 'manifest', expect, legacy };
  }
  if (!seen.legacy) return { key, read: none, source: 'none', expect };
  const legacy = await readManifest(s3, bucket, legacyKey);
  if (legacy.etag === undefined) return { key, read: none, source: 'none', expect };
  return {
    key,
    read: legacy.problem ? { ...none, etag: legacy.etag, problem: legacy.problem } : legacy,
    source: legacy.problem ? 'none' : 'legacy',
    expect,
    legacy: { key: legacyKey, etag: legacy.etag }
  };
}

function manifestReport(plan: UploadPlan): ManifestReport {
  const { manifest } = plan;
  return {
    key: manifest.key,
    source: manifest.source,
    read: manifest.read.entries.size,
    trusted: manifest.fromManifest.size,
    heads: manifest.heads,
    written: false,
    entries: manifest.read.entries.size,
    legacyDeleted: false
  };
}

/** Before the deletes: no other deploy may have written the manifest since the plan read it. */
async function checkBeforeDeletes(plan: UploadPlan, waves: readonly Wave[]): Promise<void> {
  const { manifest } = plan;
  try {
    await checkManifestUnchanged(plan.s3, plan.bucket, manifest.key, manifest.expect);
  } catch (error) {
    const writes =
      (waves.includes('assets') ? plan.steps.assets.length : 0) +
      (waves.includes('entry-points') ? plan.steps.entryPoints.length : 0);
    if (error instanceof ManifestRaceError) {
      throw new DeploymentError(
        `Another deploy wrote to s3://${plan.bucket}/${manifest.key} while this one ran: ${error.message} (HeadObject before the deletes). ` +
          `This run had written its ${writes} upload(s) and header update(s) and deleted nothing; its manifest was not written. ` +
          'Run the deploy again once the other one has finished, so that the bucket holds one release and its manifest.',
        { cause: error }
      );
    }
    throw new DeploymentError(
      `${requestFailure('S3', 'HeadObject', `s3://${plan.bucket}/${manifest.key}`, error)}; the deletes did not start (this run had written its ${writes} upload(s) and header update(s)). Run again to finish the deploy.`,
      { cause: error }
    );
  }
}

/** The failure when another deploy wrote the manifest between this run's read and its write. */
function raceError(
  plan: UploadPlan,
  applied: UploadApplied,
  error: ManifestRaceError
): DeploymentError<UploadResult> {
  const result = uploadResult(plan, applied);
  return new DeploymentError<UploadResult>(
    `Another deploy wrote to s3://${plan.bucket}/${plan.manifest.key} while this one ran: ${error.message} (the conditional PutObject was refused). ` +
      `This run had uploaded ${result.uploaded.count} file(s), updated the headers of ${result.headerUpdated.count} and deleted ${result.deleted.count} stale object(s); ` +
      'its manifest was not written (nothing of it half-written). ' +
      'Run the deploy again once the other one has finished, so that the bucket holds one release and its manifest.',
    {
      result,
      changed: [
        `uploaded ${result.uploaded.count} and header-updated ${result.headerUpdated.count} object(s)`,
        ...(result.deleted.count > 0 ? [`deleted ${result.deleted.count} stale object(s)`] : [])
      ],
      cause: error
    }
  );
}

/** Deletes the legacy manifest once the new one is in place; false when there was none or it changed. */
async function dropLegacy(plan: UploadPlan, reporter: Reporter): Promise<boolean> {
  const legacy = plan.manifest.legacy;
  if (!legacy) return false;
  try {
    const deleted = await deleteLegacyManifest(plan.s3, plan.bucket, legacy.key, legacy.etag);
    if (deleted) reporter.info(`legacy ${legacy.key} deleted (the manifest is now ${plan.manifest.key})`);
    else reporter.warn(`legacy ${legacy.key} changed since it was read; left in place`);
    return deleted;
  } catch (error) {
    reporter.warn(
      `legacy ${legacy.key} could not be deleted (${messageOf(error)}); the next run tries again`
    );
    return false;
  }
}

/** One line: what the plan does, or what was done. */
export function summaryLine(result: UploadResult, stage: 'plan' | 'done'): string {
  const verb = stage === 'done' ? 'done' : result.dryRun ? 'plan (dry run, nothing written)' : 'plan';
  return (
    `${verb}: upload ${result.uploaded.count} (${mib(result.uploaded.bytes)}), update headers ${result.headerUpdated.count}, ` +
    `delete ${result.deleted.count}, keep ${result.kept.count} stale, ${result.unchanged.count} unchanged (${mib(result.unchanged.bytes)})`
  );
}

/** The job summary: a table of counts and bytes, then the plan (up to 300 rows, unchanged files omitted). */
export function uploadSummaryMarkdown(result: UploadResult): string {
  const row = (name: string, c: CountAndBytes): string => `| ${name} | ${c.count} | ${mib(c.bytes)} |`;
  const lines = [
    `### upload-frontend → \`s3://${result.bucket}/${result.prefix}\`${result.dryRun ? ' (dry run: nothing written)' : ''}`,
    '',
    '| | files | bytes |',
    '|---|---:|---:|',
    row(result.dryRun ? 'to upload' : 'uploaded', result.uploaded),
    row(result.dryRun ? 'to update headers' : 'headers updated', result.headerUpdated),
    row(result.dryRun ? 'to delete' : 'deleted', result.deleted),
    row('stale, kept', result.kept),
    row('unchanged', result.unchanged),
    ''
  ];
  const steps = result.items.filter((s) => s.kind !== 'unchanged');
  if (steps.length > 0) {
    lines.push(
      '<details><summary>Plan, in order</summary>',
      '',
      '| step | path | why | Cache-Control |',
      '|---|---|---|---|'
    );
    for (const s of steps.slice(0, 300)) {
      lines.push(
        `| ${s.kind} | \`${s.path}\` | ${s.reason.replace(/\|/g, '\\|')} | ${s.cacheControl ?? ''} |`
      );
    }
    if (steps.length > 300) lines.push(`| … | ${steps.length - 300} more | | |`);
    lines.push('', '</details>', '');
  }
  if (result.skippedLinks.length > 0) {
    lines.push(
      `Left out (symlinks: skip): ${result.skippedLinks
        .slice(0, 20)
        .map((l) => `\`${l.relativePath}\` ${l.problem}`)
        .join('; ')}${result.skippedLinks.length > 20 ? '; …' : ''}.`,
      ''
    );
  }
  if (result.changedPaths.length > 0) {
    lines.push(`Changed paths for invalidation: ${result.changedPaths.length}.`, '');
  }
  const m = result.manifest;
  lines.push(
    `Header manifest \`${m.key}\`: headers of ${m.trusted} content-equal objects taken from it, ${m.heads} HeadObject request(s)` +
      (result.dryRun ? '.' : `; ${m.written ? `written (${m.entries} entries)` : 'unchanged, not written'}.`),
    ''
  );
  return lines.join('\n');
}

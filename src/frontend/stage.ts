/**
 * upload-frontend's `phase: stage` (see src/frontend/release.ts for the whole stage → publish → rollback
 * design): new assets in place, HTML entry points and replaced assets under `.twotier/staged/<id>/`, the
 * staged record in the manifest.
 */
import { DeploymentError } from '../lib/errors.js';
import type { Reporter } from '../lib/reporter.js';
import { mib } from './bytes.js';
import { ManifestRaceError, writeManifest } from './manifest.js';
import { carriedEntries, emptyResult, sectionRecord, sum, type ReleaseResult } from './release.js';
import { releaseFolder, stagedKey, type StagedObject, type StagedRelease } from './release-record.js';
import type { RemoteObject } from './remote-objects.js';
import { requestFailure } from './request-failure.js';
import { replacesObject, type SyncItem } from './sync-plan.js';
import { executePlan } from './upload-executor.js';
import type { UploadPlan } from './upload.js';

/** What a stage run did. */
export type StageOutcome = ReleaseResult;

/**
 * Stages the release the plan describes (see the module comment): new non-entry-point objects with
 * PutObject in place, the HTML entry points and the assets that replace a live object under
 * `<prefix>.twotier/staged/<id>/` (src/frontend/upload-executor.ts), then the staged record in the
 * manifest (conditional PutObject). Deletes nothing; a dry-run plan only logs what it would stage.
 * @throws DeploymentError<ReleaseResult> when a write fails after retries or another deploy wrote the
 *   manifest since the plan read it; the live site is untouched either way (the message says what was
 *   written), and staging again completes it.
 */
export async function stageRelease(
  plan: UploadPlan,
  releaseId: string,
  reporter: Reporter,
  now: Date = new Date()
): Promise<StageOutcome> {
  const inPlace = plan.steps.assets.filter((i) => !replacesObject(i.why));
  const toStage = [...plan.steps.assets.filter((i) => replacesObject(i.why)), ...plan.steps.entryPoints];
  const stagedItems: SyncItem[] = toStage.map((i) => ({
    ...i,
    kind: 'upload',
    key: stagedKey(plan.prefix, releaseId, i.relativePath)
  }));
  const result = emptyResult('stage', plan.bucket, plan.prefix, releaseId, plan.manifest.key);
  result.dryRun = plan.dryRun;
  result.unchanged = sum(plan.steps.unchanged);
  result.kept = sum([...plan.steps.deletes, ...plan.steps.kept]);
  result.steps = [
    ...inPlace.map((i) => ({ step: 'upload (new)', path: i.relativePath })),
    ...toStage.map((i) => ({ step: 'stage', path: i.relativePath }))
  ];
  if (plan.dryRun) {
    result.uploaded = sum(inPlace);
    result.staged = sum(toStage);
    for (const s of result.steps.slice(0, 200)) reporter.info(`  would ${s.step} ${s.path}`);
    return result;
  }
  const execution = { bucket: plan.bucket, ...plan.execution };
  // One wave: the new assets in place and the staged copies (no path is in both; none is visible).
  let written: ReadonlyMap<string, string>;
  try {
    const done = await executePlan(
      plan.s3,
      { assets: [...inPlace, ...stagedItems], entryPoints: [], deletes: [] },
      { ...execution, waves: ['assets'] },
      reporter
    );
    written = done.written;
    result.uploaded = sum(inPlace);
    result.staged = sum(toStage);
  } catch (error) {
    const partial = (error as DeploymentError<{ written?: ReadonlyMap<string, string> }>).result?.written;
    result.uploaded = sum(inPlace.filter((i) => partial?.has(i.relativePath)));
    throw stageFailure(plan, releaseId, result, 'the new assets and the staged copies', error);
  }
  const stagedEtags = written;
  const record: StagedRelease = {
    stagedAt: now.toISOString(),
    files: [...plan.steps.assets, ...plan.steps.entryPoints, ...plan.steps.unchanged]
      .map((i) => i.relativePath)
      .sort(),
    objects: toStage.map((i) => stagedObjectOf(i, stagedEtags.get(i.relativePath) ?? '', plan.listing))
  };
  const entries = carriedEntries(plan.manifest.read, plan.listing);
  for (const i of inPlace) {
    const etag = written.get(i.relativePath);
    if (etag)
      entries.set(i.relativePath, {
        etag,
        size: i.size,
        ...(i.contentType ? { contentType: i.contentType } : {}),
        ...(i.cacheControl ? { cacheControl: i.cacheControl } : {}),
        ...(i.metadata && Object.keys(i.metadata).length > 0 ? { metadata: i.metadata } : {})
      });
  }
  const staged = { ...(sectionRecord(plan.manifest.read.sections.staged) ?? {}), [releaseId]: record };
  try {
    await writeManifest(plan.s3, plan.bucket, plan.manifest.key, entries, plan.manifest.expect, {
      ...plan.manifest.read.sections,
      staged
    });
  } catch (error) {
    throw stageFailure(plan, releaseId, result, 'the staged record (manifest)', error);
  }
  result.manifest.written = true;
  reporter.info(
    `staged ${releaseId}: ${result.uploaded.count} new asset(s) in place (${mib(result.uploaded.bytes)}), ` +
      `${result.staged.count} cop${result.staged.count === 1 ? 'y' : 'ies'} under ${releaseFolder(plan.prefix, 'staged', releaseId)}; nothing a visitor loads changed`
  );
  return result;
}

function stagedObjectOf(
  item: SyncItem,
  etag: string,
  listing: ReadonlyMap<string, RemoteObject>
): StagedObject {
  const live = listing.get(item.relativePath);
  return {
    path: item.relativePath,
    etag,
    size: item.size,
    entryPoint: item.entryPoint,
    ...(live ? { liveEtag: live.etag } : {}),
    ...(item.contentType ? { contentType: item.contentType } : {}),
    ...(item.cacheControl ? { cacheControl: item.cacheControl } : {}),
    ...(item.metadata && Object.keys(item.metadata).length > 0 ? { metadata: item.metadata } : {})
  };
}

function stageFailure(
  plan: UploadPlan,
  releaseId: string,
  result: ReleaseResult,
  what: string,
  error: unknown
): DeploymentError<ReleaseResult> {
  const cause = error instanceof DeploymentError ? (error.cause ?? error) : error;
  const detail =
    error instanceof ManifestRaceError
      ? `another deploy wrote ${plan.manifest.key} while this one staged (${error.message})`
      : error instanceof DeploymentError
        ? ((error.details.failures as string[] | undefined) ?? []).slice(0, 3).join('; ') || error.message
        : requestFailure('S3', 'PutObject', `s3://${plan.bucket}/${plan.manifest.key}`, error);
  return new DeploymentError<ReleaseResult>(
    `stage ${releaseId}: writing ${what} failed: ${detail}. ` +
      `Nothing a visitor loads changed (no live HTML entry point or replaced asset was written, nothing deleted); ` +
      `the release is not staged. Run the stage again.`,
    {
      result,
      changed:
        result.uploaded.count > 0
          ? [`uploaded ${result.uploaded.count} new asset(s) no live page references yet`]
          : [],
      cause
    }
  );
}

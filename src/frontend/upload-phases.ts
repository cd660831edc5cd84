/**
 * upload-frontend as the faces run it (the action, `twotier upload-frontend`, the demo), by `phase`:
 *
 *     all      planUpload → completeUpload (applyUpload, writeUploadManifest: src/frontend/upload.ts)
 *     stage    planUpload → stageRelease (src/frontend/release.ts)
 *     publish  planPublish → applyPublish
 *
 * each step in a group the face opens (the library never does), and one outcome the outputs and the job
 * summary come from.
 */
import { DeploymentError } from '../lib/errors.js';
import type { GroupFn, Reporter } from '../lib/reporter.js';
import {
  applyPublish,
  planPublish,
  planResult,
  releaseIdOf,
  releaseSummaryMarkdown,
  type ReleaseResult
} from './release.js';
import { stageRelease } from './stage.js';
import {
  completeUpload,
  planUpload,
  uploadSummaryMarkdown,
  type UploadFrontendOptions,
  type UploadResult
} from './upload.js';

/** What one upload-frontend run did: a whole deploy (`all`), or a stage or a publish. */
export type UploadOutcome =
  | { phase: 'all'; releaseId: string; result: UploadResult }
  | { phase: 'stage' | 'publish'; releaseId: string; result: ReleaseResult };

/**
 * Runs upload-frontend's phase (`all` by default), each step in a group the face opens with `inGroup`.
 * @throws ConfigurationError before any write (see planUpload, planPublish).
 * @throws DeploymentError carrying the partial UploadResult or ReleaseResult.
 */
export async function runUploadFrontend(
  values: UploadFrontendOptions,
  reporter: Reporter,
  inGroup: GroupFn
): Promise<UploadOutcome> {
  let releaseId = values.releaseId ?? '';
  try {
    return await runPhase(values, reporter, inGroup, (id) => (releaseId = id));
  } catch (error) {
    // The partial result, as the outcome the faces render.
    if (error instanceof DeploymentError && error.result !== undefined) {
      const result = error.result as UploadResult | ReleaseResult;
      const outcome = (
        'phase' in result
          ? { phase: result.phase, releaseId: result.releaseId, result }
          : { phase: 'all', releaseId, result }
      ) as UploadOutcome;
      throw new DeploymentError<UploadOutcome>(error.message, {
        result: outcome,
        changed: error.changed,
        cause: error.cause,
        details: error.details
      });
    }
    throw error;
  }
}

async function runPhase(
  values: UploadFrontendOptions,
  reporter: Reporter,
  inGroup: GroupFn,
  idKnown: (id: string) => void
): Promise<UploadOutcome> {
  const phase = values.phase ?? 'all';
  const env = values.env ?? process.env;
  const where = `s3://${values.bucket}/${(values.prefix ?? '').replace(/^\/+/, '')}`;
  if (phase === 'publish') {
    const plan = await inGroup(`Plan the publish → ${where}`, () => planPublish(values, reporter));
    if (plan.dryRun) return { phase, releaseId: plan.releaseId, result: planResult(plan) };
    const result = await inGroup(`Publish ${plan.releaseId}`, () => applyPublish(plan, reporter));
    return { phase, releaseId: plan.releaseId, result };
  }
  // The id is checked before anything is read.
  releaseIdOf(values.releaseId, env);
  const plan = await inGroup(`Plan: ${values.sourceDir} → ${where}`, () => planUpload(values, reporter));
  const releaseId = releaseIdOf(values.releaseId, env, plan)!.id;
  idKnown(releaseId);
  if (phase === 'stage') {
    const result = await inGroup(`Stage ${releaseId}`, () => stageRelease(plan, releaseId, reporter));
    return { phase, releaseId, result };
  }
  return { phase, releaseId, result: await completeUpload(plan, releaseId, reporter, inGroup) };
}

/** The job summary of an outcome. */
export function uploadOutcomeMarkdown(outcome: UploadOutcome): string {
  return outcome.phase === 'all'
    ? uploadSummaryMarkdown(outcome.result)
    : releaseSummaryMarkdown(outcome.result);
}

/** upload-frontend's outputs of an outcome (counts as numbers, changed-paths as a list). */
export function uploadOutcomeOutputs(outcome: UploadOutcome) {
  const r = outcome.result;
  // A stage or publish run counts what it staged as uploaded and updates no headers in place.
  const [uploaded, headerUpdated] =
    outcome.phase === 'all'
      ? [outcome.result.uploaded, outcome.result.headerUpdated]
      : [
          {
            count: outcome.result.uploaded.count + outcome.result.staged.count,
            bytes: outcome.result.uploaded.bytes + outcome.result.staged.bytes
          },
          { count: 0, bytes: 0 }
        ];
  return {
    'uploaded-count': uploaded.count,
    'uploaded-bytes': uploaded.bytes,
    'header-updated-count': headerUpdated.count,
    'header-updated-bytes': headerUpdated.bytes,
    'deleted-count': r.deleted.count,
    'deleted-bytes': r.deleted.bytes,
    'unchanged-count': r.unchanged.count,
    'unchanged-bytes': r.unchanged.bytes,
    'kept-count': r.kept.count,
    'changed-paths': r.changedPaths,
    'release-id': outcome.releaseId,
    'dry-run': r.dryRun
  };
}

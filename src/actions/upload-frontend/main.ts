/**
 * The upload-frontend action: declared inputs → the phase's steps (src/frontend/upload-phases.ts, one
 * group each) → outputs + job summary.
 */
import { uploadOptions } from '../../frontend/options.js';
import {
  runUploadFrontend,
  uploadOutcomeMarkdown,
  uploadOutcomeOutputs
} from '../../frontend/upload-phases.js';
import { defineAction } from '../definition.js';
import { coreReporter, group, runOperation } from '../runtime.js';

/** upload-frontend's inputs (the frontend library's `uploadOptions`) and outputs. */
export const definition = defineAction({
  name: 'upload-frontend',
  options: uploadOptions,
  outputs: {
    'uploaded-count': 'Files uploaded (new or changed content).',
    'uploaded-bytes': 'Bytes uploaded.',
    'header-updated-count': 'Objects whose headers were updated in place (CopyObject).',
    'header-updated-bytes': 'Size in bytes of the objects whose headers were updated (not sent again).',
    'deleted-count': 'Stale objects deleted.',
    'deleted-bytes': 'Size in bytes of the deleted objects.',
    'unchanged-count': 'Files left alone (same content and headers).',
    'unchanged-bytes': 'Size in bytes of the unchanged files.',
    'kept-count': 'Stale objects kept (delete off, or within the grace period).',
    'changed-paths':
      "JSON list of URL paths (/index.html) whose cached copies are now stale (content or headers changed, or deleted); pass to invalidate-cdn's changed-paths.",
    'release-id':
      'The release this run staged, published or deployed (the release-id input, or the id derived from GITHUB_SHA or the content).',
    'dry-run': 'true when nothing was written.'
  }
});

/**
 * Runs the upload-frontend action: by `phase`, deploys the directory (`all`), stages it or publishes a
 * staged release; sets the count/bytes outputs, changed-paths and release-id, writes the job summary.
 */
export async function run(): Promise<void> {
  await runOperation(definition, {
    execute: (values) => runUploadFrontend(values, coreReporter, (name, fn) => group(name, fn)),
    outputs: uploadOutcomeOutputs,
    summary: uploadOutcomeMarkdown,
    // The `all` summary line is logged by the phase itself.
    done: (outcome) =>
      outcome.result.dryRun || outcome.phase === 'all'
        ? undefined
        : `${outcome.phase} ${outcome.releaseId}: done`
  });
}

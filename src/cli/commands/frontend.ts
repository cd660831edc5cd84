/** `twotier upload-frontend` and `twotier invalidate-cdn`: the frontend actions' commands. */
import type { Command } from 'commander';
import {
  createPlannedInvalidation,
  invalidationSummaryMarkdown,
  planInvalidate,
  waitForPlannedInvalidation
} from '../../frontend/invalidate.js';
import { invalidateOptions, uploadOptions } from '../../frontend/options.js';
import { runUploadFrontend, uploadOutcomeMarkdown } from '../../frontend/upload-phases.js';
import { operationCommand } from '../run.js';

/** Adds this file's subcommands to `program` (called by src/cli/main.ts for every file in commands/). */
export function register(program: Command): void {
  operationCommand(
    program,
    { name: 'upload-frontend', options: uploadOptions },
    {
      description:
        'Sync a built frontend to S3 by content (MD5 vs ETag): new/changed assets first, HTML entry points last, deletes after; or stage a release, or publish a staged one (--phase)',
      // The phase's steps, each a group of the output (the face opens groups, never the library).
      execute: (values, reporter) =>
        runUploadFrontend(values, reporter, (name, fn) => reporter.group(name, fn)),
      summary: uploadOutcomeMarkdown,
      print: (outcome) => [JSON.stringify(outcome.result.changedPaths)]
    }
  );
  operationCommand(
    program,
    { name: 'invalidate-cdn', options: invalidateOptions },
    {
      description:
        'Invalidate the CloudFront paths a deploy changed (hashed assets skipped, collapsed past a budget)',
      execute: async (values, reporter) => {
        const planned = await reporter.group('Plan the invalidation', async () =>
          planInvalidate(values, reporter)
        );
        if (planned.result.status !== 'planned') return planned.result;
        const created = await reporter.group('Create invalidation', () =>
          createPlannedInvalidation(planned, reporter)
        );
        if (!planned.wait) return created.result;
        return reporter.group('Wait for the invalidation', () =>
          waitForPlannedInvalidation(planned, created, reporter)
        );
      },
      summary: invalidationSummaryMarkdown,
      print: (result) => [result.invalidationId ?? result.status]
    }
  );
}

/**
 * The invalidate-cdn action: declared inputs → planInvalidate, createPlannedInvalidation,
 * waitForPlannedInvalidation (a group each) → outputs + job summary.
 */
import {
  createPlannedInvalidation,
  invalidationSummaryMarkdown,
  planInvalidate,
  waitForPlannedInvalidation
} from '../../frontend/invalidate.js';
import { invalidateOptions } from '../../frontend/options.js';
import { defineAction } from '../definition.js';
import { coreReporter, group, runOperation } from '../runtime.js';

/** invalidate-cdn's inputs (the frontend library's `invalidateOptions`) and outputs. */
export const definition = defineAction({
  name: 'invalidate-cdn',
  options: invalidateOptions,
  outputs: {
    'invalidation-id': 'Id of the invalidation (empty when nothing needed invalidating).',
    paths: 'JSON list of the paths invalidated.',
    status: 'Completed, InProgress, skipped (nothing to invalidate) or dry-run.'
  }
});

/** Runs the invalidate-cdn action: plans and creates the invalidation (optionally waiting), sets outputs and the job summary. */
export async function run(): Promise<void> {
  await runOperation(definition, {
    execute: async (values) => {
      const planned = await group('Plan the invalidation', async () => planInvalidate(values, coreReporter));
      if (planned.result.status !== 'planned') return planned.result;
      const created = await group('Create invalidation', () =>
        createPlannedInvalidation(planned, coreReporter)
      );
      if (!planned.wait) return created.result;
      return group('Wait for the invalidation', () =>
        waitForPlannedInvalidation(planned, created, coreReporter)
      );
    },
    outputs: (result) => ({
      'invalidation-id': result.invalidationId ?? '',
      paths: result.paths,
      status: result.status
    }),
    summary: invalidationSummaryMarkdown
  });
}

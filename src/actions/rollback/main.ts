/**
 * The rollback action: declared inputs → the frontend's previous release back in place (and its
 * invalidation), then the service back to the task definition it ran before (src/release/rollback.ts, one group each)
 * → outputs + job summary.
 */
import { defineAction } from '../definition.js';
import { coreReporter, group, runOperation } from '../runtime.js';
import {
  rollbackOptions,
  rollbackOutputs,
  rollbackSummaryMarkdown,
  runRollback
} from '../../release/rollback.js';

/** rollback's inputs (the service's and the frontend's declarations, src/release/rollback.ts) and outputs. */
export const definition = defineAction({
  name: 'rollback',
  options: rollbackOptions,
  outputs: {
    'frontend-release-id':
      'The frontend release live after the rollback (the previous one); empty when the frontend was left alone.',
    'rolled-back-release-id':
      'The frontend release rolled back (now recorded as previous: a second rollback goes forward again).',
    'changed-paths':
      "JSON list of the URL paths the frontend rollback replaced or deleted; pass to invalidate-cdn's changed-paths (done here when distribution-id is given).",
    'invalidation-id':
      'The CloudFront invalidation created, when distribution-id was given and a path changed.',
    'task-definition-arn': 'The task definition the service was taken back to.',
    'service-deployment-arn':
      'The service deployment of the service rollback (ECS records one on control planes with the ServiceDeployment API).',
    'dry-run': 'true when nothing was changed.'
  }
});

/** Runs the rollback action: rolls back the parts the inputs name, sets the outputs and the job summary. */
export async function run(): Promise<void> {
  await runOperation(definition, {
    execute: (values) => runRollback(values, coreReporter, (name, fn) => group(name, fn)),
    outputs: rollbackOutputs,
    summary: rollbackSummaryMarkdown,
    done: (outcome) =>
      [
        outcome.frontend
          ? `frontend: ${outcome.frontend.replacedReleaseId} → ${outcome.frontend.releaseId}`
          : '',
        outcome.service?.message ?? ''
      ]
        .filter(Boolean)
        .join('; ') || undefined
  });
}

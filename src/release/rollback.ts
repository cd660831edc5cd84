/**
 * `rollback` as the faces run it (the action, `twotier rollback`): the frontend first (the previous
 * release's archived HTML entry points back in place, src/frontend/release.ts), its invalidation when a
 * distribution is given, then the service (back to the task definition it ran before, src/ecs/rollback.ts).
 * Each part is optional; the inputs say which. The frontend goes first because the old frontend against the
 * new backend is the state every deploy passes through (staged, backend rolled out, not yet published),
 * while the new frontend against the old backend never was.
 */
import { ConfigurationError, DeploymentError } from '../lib/errors.js';
import { defineOptions, given, requires, type OptionValues } from '../lib/options.js';
import type { GroupFn, Reporter } from '../lib/reporter.js';
import { rollbackServiceOptions } from '../ecs/control-options.js';
import { rollbackService, type ServiceRollbackResult } from '../ecs/rollback.js';
import { invalidateCdn, type InvalidationResult } from '../frontend/invalidate.js';
import { invalidateOptions, rollbackFrontendOptions } from '../frontend/options.js';
import { applyPublish, planResult, planRollback, type ReleaseResult } from '../frontend/release.js';

const ecs = rollbackServiceOptions.options;
const fe = rollbackFrontendOptions.options;

/** rollback's options: the service half's and the frontend half's declarations, each part optional. */
export const rollbackOptions = defineOptions(
  'rollback',
  {
    cluster: {
      ...ecs.cluster,
      required: false,
      doc: 'The ECS cluster of the service to roll back (with `service`).'
    },
    service: {
      ...ecs.service,
      required: false,
      doc: 'The ECS service to roll back to the task definition it ran before; empty leaves the backend alone.'
    },
    bucket: {
      ...fe.bucket,
      required: false,
      doc: "The frontend's S3 bucket: its previous release's HTML entry points go back into place; empty leaves the frontend alone."
    },
    prefix: fe.prefix,
    manifestKey: fe.manifestKey,
    distributionId: {
      ...invalidateOptions.options.distributionId,
      required: false,
      doc: 'CloudFront distribution to invalidate the restored paths on (with `bucket`); empty invalidates nothing.'
    },
    concurrency: fe.concurrency,
    wait: ecs.wait,
    timeout: ecs.timeout,
    pollInterval: ecs.pollInterval,
    dryRun: { ...ecs.dryRun, doc: 'Say what would be rolled back, to what, and change nothing.' },
    region: ecs.region
  },
  [
    (values, names) => {
      if (given(values, 'cluster') !== given(values, 'service')) {
        const missing = given(values, 'cluster') ? 'service' : 'cluster';
        throw new ConfigurationError(
          `Input ${names[missing]} is empty while ${missing === 'service' ? names.cluster : names.service} is given: give both to roll the service back, or neither.`,
          names[missing]
        );
      }
    },
    requires('distributionId', 'bucket', 'the invalidation is of the frontend paths the rollback restored.')
  ]
);

/** What a rollback did, per part (a part left out is undefined). */
export interface RollbackOutcome {
  frontend?: ReleaseResult;
  invalidation?: InvalidationResult;
  service?: ServiceRollbackResult;
  dryRun: boolean;
}

/** The resolved options of a rollback. */
export type RollbackValues = OptionValues<typeof rollbackOptions.options>;

/**
 * Rolls back the parts the options name, each in a group the face opens with `inGroup`: the frontend,
 * its invalidation, the service.
 * @throws ConfigurationError before any write (no previous release recorded, no earlier task definition).
 * @throws DeploymentError carrying the RollbackOutcome so far when a part fails.
 */
export async function runRollback(
  values: RollbackValues,
  reporter: Reporter,
  inGroup: GroupFn,
  env: Record<string, string | undefined> = process.env
): Promise<RollbackOutcome> {
  if (!values.service && !values.bucket) {
    // Checked here, not as a rule of the declaration: each part alone is optional.
    throw new ConfigurationError(
      'Nothing to roll back: give cluster and service (the backend), bucket (the frontend), or all three.',
      'service'
    );
  }
  const outcome: RollbackOutcome = { dryRun: values.dryRun };
  const fail = (error: unknown): never => {
    if (error instanceof DeploymentError) {
      const part = error.result as ReleaseResult | ServiceRollbackResult | undefined;
      if (part && 'phase' in part) outcome.frontend = part;
      else if (part && 'mode' in part) outcome.service = part;
      throw new DeploymentError<RollbackOutcome>(error.message, {
        result: outcome,
        changed: error.changed,
        cause: error.cause ?? error
      });
    }
    throw error;
  };
  try {
    if (values.bucket) {
      const bucket = values.bucket;
      const plan = await inGroup(`Plan the frontend rollback: s3://${bucket}`, () =>
        planRollback(
          {
            bucket,
            prefix: values.prefix,
            manifestKey: values.manifestKey,
            concurrency: values.concurrency,
            dryRun: values.dryRun,
            region: values.region
          },
          reporter
        )
      );
      outcome.frontend = plan.dryRun
        ? planResult(plan)
        : await inGroup(`Frontend: ${plan.replacedId} → ${plan.releaseId}`, () =>
            applyPublish(plan, reporter)
          );
      if (values.distributionId && !values.dryRun) {
        const distributionId = values.distributionId;
        const changed = outcome.frontend.changedPaths;
        outcome.invalidation = await inGroup(`Invalidate ${distributionId}`, () =>
          invalidateCdn({ distributionId, changedPaths: changed, region: values.region, env }, reporter)
        );
      }
    }
    if (values.cluster && values.service) {
      const { cluster, service } = values;
      outcome.service = await inGroup(`Service ${service}: back to the task definition it ran before`, () =>
        rollbackService(
          {
            cluster,
            service,
            wait: values.wait,
            timeout: values.timeout,
            pollInterval: values.pollInterval,
            dryRun: values.dryRun,
            region: values.region
          },
          reporter
        )
      );
    }
  } catch (error) {
    fail(error);
  }
  return outcome;
}

/** rollback's outputs. */
export function rollbackOutputs(outcome: RollbackOutcome) {
  return {
    'frontend-release-id': outcome.frontend?.releaseId ?? '',
    'rolled-back-release-id': outcome.frontend?.replacedReleaseId ?? '',
    'changed-paths': outcome.frontend?.changedPaths ?? [],
    'invalidation-id': outcome.invalidation?.invalidationId ?? '',
    'task-definition-arn': outcome.service?.toTaskDefinition ?? '',
    'service-deployment-arn': outcome.service?.serviceDeploymentArn ?? '',
    'dry-run': outcome.dryRun
  };
}

/** The job summary of a rollback. */
export function rollbackSummaryMarkdown(outcome: RollbackOutcome): string {
  const lines = [
    `### rollback${outcome.dryRun ? ' (dry run: nothing changed)' : ''}`,
    '',
    '| part | from | to | result |',
    '|---|---|---|---|'
  ];
  const f = outcome.frontend;
  if (f)
    lines.push(
      `| frontend \`s3://${f.bucket}/${f.prefix}\` | \`${f.replacedReleaseId ?? ''}\` | \`${f.releaseId}\` | ${f.published.count} object(s) put back, ${f.deleted.count} deleted, ${f.changedPaths.length} changed path(s) |`
    );
  if (outcome.invalidation)
    lines.push(
      `| invalidation \`${outcome.invalidation.distributionId}\` | | | ${outcome.invalidation.invalidationId ?? outcome.invalidation.status} |`
    );
  const s = outcome.service;
  if (s)
    lines.push(
      `| service \`${s.service}\` | \`${s.fromTaskDefinition?.split('/').pop() ?? ''}\` | \`${s.toTaskDefinition?.split('/').pop() ?? ''}\` | ${s.message.replace(/\|/g, '\\|')} |`
    );
  lines.push('');
  return lines.join('\n');
}

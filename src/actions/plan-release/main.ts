/**
 * plan-release: the JavaScript step of the root composite action (action.yml), which runs it twice (see
 * src/release/options.ts): `phase: inputs` checks the root action's inputs and plans the release before any
 * AWS call; `phase: images` pins the images by digest after the builds. Every value a later step of the root
 * action reads is one output of this step, computed in src/release/plan.ts. No AWS client.
 */
import { imagesSummary, pinImages, planRelease, planSummary } from '../../release/plan.js';
import { releasePlanOptions } from '../../release/options.js';
import type { ValuesOf } from '../../lib/options.js';
import type { Reporter } from '../../lib/reporter.js';
import { defineAction, type OutputValues } from '../definition.js';
import { coreReporter, runOperation } from '../runtime.js';

const flag = (value: boolean) => (value ? 'true' : 'false');

/** plan-release's inputs (the release library's `releasePlanOptions`) and outputs (read by action.yml). */
export const definition = defineAction({
  name: 'plan-release',
  options: releasePlanOptions,
  outputs: {
    // phase inputs
    plan: 'The release plan as JSON, for the phase-images step.',
    'build-images': 'true when the images are built (checked input).',
    'deploy-backend': 'true when the backend is deployed (checked input).',
    'deploy-frontend': 'true when the frontend is staged and published (checked input).',
    'run-migrations': 'true when the migration task runs (only with the backend).',
    split: 'true with topology split (two services), false with sidecar.',
    'register-environment':
      "The environment lines of the register step (sidecar: all; split: the web container's).",
    'register-secrets': "The secrets lines of the register step (sidecar: all; split: the web container's).",
    'register-api-environment':
      "The environment lines of the register-api step (split: the API container's).",
    'register-api-secrets': "The secrets lines of the register-api step (split: the API container's).",
    'migration-service': 'The service whose network configuration the migration task copies.',
    'migration-container': 'The container that runs the migration.',
    // phase images
    'api-image': 'The API image URI pinned by digest.',
    'web-image': 'The web image URI pinned by digest.',
    'api-skipped': 'true when the API image tag was already in ECR and nothing was built.',
    'web-skipped': 'true when the web image tag was already in ECR and nothing was built.',
    'image-tag': 'The tag both images have in ECR.',
    'register-images': 'The container=image lines of the register step (sidecar: both; split: web).',
    'register-api-images': 'The container=image lines of the register-api step (split: the API image).'
  }
});

/** What one phase produced. */
export type Result =
  | { phase: 'inputs'; plan: ReturnType<typeof planRelease> }
  | { phase: 'images'; plan: ReturnType<typeof planRelease>; pinned: ReturnType<typeof pinImages> };

/** One phase: the plan from the checked inputs, or the pinned images from the plan and the build facts. */
export function runPhase(
  values: ValuesOf<typeof releasePlanOptions>,
  reporter: Reporter = coreReporter
): Result {
  if (values.phase === 'inputs') return { phase: 'inputs', plan: planRelease(values, reporter) };
  const plan = values.plan!;
  const pinned = pinImages(plan, {
    api: {
      taggedImage: values.apiTaggedImage,
      builtDigest: values.apiBuiltDigest,
      existingDigest: values.apiExistingDigest
    },
    web: {
      taggedImage: values.webTaggedImage,
      builtDigest: values.webBuiltDigest,
      existingDigest: values.webExistingDigest
    }
  });
  return { phase: 'images', plan, pinned };
}

/** The step outputs of a phase: the exact value each later step of the root action reads. */
export function phaseOutputs(result: Result): OutputValues<keyof typeof definition.outputs> {
  return result.phase === 'inputs'
    ? {
        plan: JSON.stringify(result.plan),
        'build-images': flag(result.plan.buildImages),
        'deploy-backend': flag(result.plan.deployBackend),
        'deploy-frontend': flag(result.plan.deployFrontend),
        'run-migrations': flag(result.plan.runMigrations),
        split: flag(result.plan.topology === 'split'),
        'register-environment': result.plan.register.environment,
        'register-secrets': result.plan.register.secrets,
        'register-api-environment': result.plan.registerApi.environment,
        'register-api-secrets': result.plan.registerApi.secrets,
        'migration-service': result.plan.migration.service,
        'migration-container': result.plan.migration.container
      }
    : {
        'api-image': result.pinned.api,
        'web-image': result.pinned.web,
        'api-skipped': result.pinned.apiSkipped,
        'web-skipped': result.pinned.webSkipped,
        'image-tag': result.pinned.imageTag,
        'register-images': result.pinned.registerImages,
        'register-api-images': result.pinned.registerApiImages
      };
}

/** Runs one phase of plan-release: sets the outputs the root action's later steps read, and a job summary. */
export async function run(): Promise<void> {
  await runOperation(definition, {
    execute: (values) => Promise.resolve(runPhase(values)),
    outputs: phaseOutputs,
    summary: (result) =>
      result.phase === 'inputs' ? planSummary(result.plan) : imagesSummary(result.plan, result.pinned)
  });
}

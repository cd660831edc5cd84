/**
 * The declared options of plan-release, the JavaScript step of the root composite action (action.yml) that
 * holds its logic: the input checks, the per-container split of the environment/secrets lines and the image
 * URIs pinned by digest (src/release/plan.ts). Declared once here (src/lib/options.ts); the root action passes
 * its own inputs of the same names as INPUT_* variables.
 *
 * The step runs twice:
 * - `phase: inputs`, first, before anything touches AWS: every check, then the plan (what runs, the lines of
 *   each register step), written as step outputs and as one JSON `plan`;
 * - `phase: images`, after the image builds: that JSON plus the tags and digests the build steps returned,
 *   giving the image URIs pinned by digest and the `images` lines of each register step.
 */
import { ConfigurationError, show } from '../lib/errors.js';
import { bool, custom, defineOptions, oneOf, text } from '../lib/options.js';
import { cluster, deployOptions, registerOptions, runTaskOptions, service } from '../ecs/options.js';
import { SHA256_DIGEST, type ReleasePlan } from './plan-types.js';

/** An image URI as one token: no spaces or line breaks (a line break would inject another output line). */
const imageUri = text({
  pattern: /^[^\s@]+(@sha256:[0-9a-f]{64})?$/,
  patternDoc: 'one image URI (repository[:tag] or repository@sha256:<64 hex>), without spaces or line breaks',
  placeholder: 'uri',
  style: 'expected'
});

const digest = text({
  pattern: SHA256_DIGEST,
  patternDoc: 'an image digest (sha256:<64 hex digits>)',
  placeholder: 'digest',
  style: 'expected'
});

const containerName = runTaskOptions.options.container.type;

/** The JSON plan of the first phase, read back by the second (its shape is checked, not trusted). */
const planJson = custom<ReleasePlan>({
  kind: 'json',
  parse(raw, name) {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ConfigurationError(
        `Input ${name} is not JSON: pass the plan output of the phase-inputs step unchanged.`,
        name
      );
    }
    const plan = value as Partial<ReleasePlan> | null;
    if (
      !plan ||
      typeof plan !== 'object' ||
      typeof plan.buildImages !== 'boolean' ||
      (plan.topology !== 'sidecar' && plan.topology !== 'split') ||
      typeof plan.containers?.api !== 'string' ||
      typeof plan.containers.web !== 'string'
    ) {
      throw new ConfigurationError(
        `Input ${name} is not a release plan: pass the plan output of the phase-inputs step unchanged.`,
        name
      );
    }
    return plan as ReleasePlan;
  },
  format: (value) => JSON.stringify(value),
  describe: () => 'the plan output of the phase-inputs step'
});

/** plan-release: the root action's inputs it checks and plans from, and the image facts of the second phase. */
export const releasePlanOptions = defineOptions(
  'plan-release',
  {
    phase: {
      name: 'phase',
      type: oneOf(['inputs', 'images'] as const),
      default: 'inputs',
      doc: 'inputs: check the inputs and plan the release (before any AWS call); images: pin the built or given images by digest (after the builds).',
      cli: false
    },
    // ------------------------------------------------------------------ phase inputs: the root action's inputs
    buildImages: {
      name: 'build-images',
      type: bool(),
      default: true,
      doc: 'true builds and pushes both images; false uses api-image and web-image as given.'
    },
    deployBackend: {
      name: 'deploy-backend',
      type: bool(),
      default: true,
      doc: 'true registers the task definition(s) and rolls out the ECS service(s); false skips the backend.'
    },
    deployFrontend: {
      name: 'deploy-frontend',
      type: bool(),
      default: true,
      doc: 'true stages the frontend, then publishes it once the backend rolled out; false skips the frontend.'
    },
    runMigrations: {
      name: 'run-migrations',
      type: bool(),
      default: false,
      doc: 'true runs migration-command as a one-off task of the new API task definition before the rollout.'
    },
    topology: {
      name: 'topology',
      type: oneOf(['sidecar', 'split'] as const),
      default: 'sidecar',
      doc: 'sidecar: one service whose task runs both containers; split: a web service and an API service.'
    },
    apiRepository: {
      name: 'api-repository',
      type: text({ patternDoc: 'an ECR repository name or URI', placeholder: 'name-or-uri' }),
      doc: 'The ECR repository of the API image (name or URI); required when build-images is true.'
    },
    webRepository: {
      name: 'web-repository',
      type: text({ patternDoc: 'an ECR repository name or URI', placeholder: 'name-or-uri' }),
      doc: 'The ECR repository of the web (Nginx) image (name or URI); required when build-images is true.'
    },
    apiImage: {
      name: 'api-image',
      type: imageUri,
      doc: 'The API image URI to deploy when build-images is false (pin it by digest).'
    },
    webImage: {
      name: 'web-image',
      type: imageUri,
      doc: 'The web image URI to deploy when build-images is false (pin it by digest).'
    },
    cluster: { ...cluster, doc: 'The ECS cluster name or ARN; required when deploy-backend is true.' },
    service: {
      ...service,
      doc: 'The ECS service to roll out (sidecar), or the web service (split); required when deploy-backend is true.'
    },
    apiService: { ...service, name: 'api-service', doc: 'The API service (split topology only).' },
    apiTaskDefinition: {
      name: 'api-task-definition',
      type: text({ patternDoc: 'a path', placeholder: 'file' }),
      doc: 'The API task definition file (split topology only).'
    },
    apiContainer: {
      name: 'api-container',
      type: containerName,
      default: 'api',
      doc: 'The name of the API container in the task definition(s).'
    },
    webContainer: {
      name: 'web-container',
      type: containerName,
      default: 'web',
      doc: 'The name of the web container in the task definition(s).'
    },
    environment: { ...registerOptions.options.environment, cli: false },
    secrets: { ...registerOptions.options.secrets, cli: false },
    migrationCommand: {
      ...runTaskOptions.options.command,
      name: 'migration-command',
      doc: 'The command override of the migration task; required when run-migrations is true.'
    },
    migrationContainer: {
      name: 'migration-container',
      type: containerName,
      doc: 'The container that runs the migration; empty uses api-container.'
    },
    wait: {
      name: 'wait',
      type: bool(),
      default: true,
      doc: 'true waits for each rollout to complete (the frontend is published only after that).'
    },
    waitUntil: {
      ...deployOptions.options.waitUntil,
      doc: "What the rollout of service waits for (the split topology's API service always waits until completed): completed, traffic-shifted, or paused (a PAUSE hook awaiting action, for continue-deployment; needs deploy-frontend false, since the frontend is published only after a completed backend)."
    },
    bucket: {
      name: 'bucket',
      type: text({ patternDoc: 'an S3 bucket name', placeholder: 'name' }),
      doc: 'The S3 bucket of the frontend; required when deploy-frontend is true.'
    },
    // ------------------------------------------------------------------ phase images
    plan: {
      name: 'plan',
      type: planJson,
      doc: 'phase images: the plan output of the phase-inputs step.',
      cli: false
    },
    apiTaggedImage: {
      name: 'api-tagged-image',
      type: imageUri,
      doc: 'phase images: the API image URI with the tag it was built or found under (resolve-image-tag).',
      cli: false
    },
    webTaggedImage: {
      name: 'web-tagged-image',
      type: imageUri,
      doc: 'phase images: the web image URI with the tag it was built or found under (resolve-image-tag).',
      cli: false
    },
    apiBuiltDigest: {
      name: 'api-built-digest',
      type: digest,
      doc: 'phase images: the digest of the API image just pushed (empty when the build was skipped).',
      cli: false
    },
    webBuiltDigest: {
      name: 'web-built-digest',
      type: digest,
      doc: 'phase images: the digest of the web image just pushed (empty when the build was skipped).',
      cli: false
    },
    apiExistingDigest: {
      name: 'api-existing-digest',
      type: digest,
      doc: 'phase images: the digest of the API image ECR already held under the tag (empty when it was new).',
      cli: false
    },
    webExistingDigest: {
      name: 'web-existing-digest',
      type: digest,
      doc: 'phase images: the digest of the web image ECR already held under the tag (empty when it was new).',
      cli: false
    }
  },
  [
    // The root action's inputs are checked in the first phase only; the second gets the checked plan.
    (values, names) => {
      if (values.phase === 'images' && !values.plan) {
        throw new ConfigurationError(
          `Input ${names.plan} is required with ${names.phase} images (the plan output of the phase-inputs step).`,
          names.plan
        );
      }
    },
    (values, names) => {
      if (values.phase !== 'inputs') return;
      const error = (input: string, message: string) => {
        throw new ConfigurationError(message, input);
      };
      if (values.buildImages) {
        if (!values.apiRepository)
          error(names.apiRepository, `Input ${names.apiRepository} is required when build-images is true.`);
        if (!values.webRepository)
          error(names.webRepository, `Input ${names.webRepository} is required when build-images is true.`);
        for (const key of ['apiImage', 'webImage'] as const) {
          if (values[key]) {
            error(
              names[key],
              `Input ${names[key]} is ${show(values[key])}, but build-images is true: the images are built from api-context and web-context. Give ${names[key]} with build-images false, or leave it empty.`
            );
          }
        }
      } else if (values.deployBackend && !values.apiImage && !values.webImage) {
        error(
          names.apiImage,
          `build-images is false and both ${names.apiImage} and ${names.webImage} are empty (""): give api-image and/or web-image (URIs pinned by digest) to deploy, or set deploy-backend to false.`
        );
      }
      if (values.deployBackend) {
        if (!values.cluster)
          error(names.cluster, `Input ${names.cluster} is required when deploy-backend is true.`);
        if (!values.service)
          error(names.service, `Input ${names.service} is required when deploy-backend is true.`);
        if (values.topology === 'split' && !values.apiService)
          error(names.apiService, `Input ${names.apiService} is required when topology is split.`);
        if (values.runMigrations && !values.migrationCommand)
          error(
            names.migrationCommand,
            `Input ${names.migrationCommand} is required when run-migrations is true.`
          );
      } else if (values.runMigrations) {
        error(
          names.runMigrations,
          `Input ${names.runMigrations} is true but deploy-backend is false: the migration runs as a task of the new API task definition, which only the backend deploy registers.`
        );
      }
      if (values.topology === 'sidecar') {
        for (const key of ['apiService', 'apiTaskDefinition'] as const) {
          if (values[key])
            error(
              names[key],
              `Input ${names[key]} is ${show(values[key])}, but topology is sidecar (one service running both containers): ${names[key]} is for topology split.`
            );
        }
      }
      if (values.apiContainer === values.webContainer) {
        error(
          names.webContainer,
          `Inputs ${names.apiContainer} and ${names.webContainer} are both ${show(values.webContainer)}; expected two different container names.`
        );
      }
      if (values.deployBackend && values.deployFrontend && values.waitUntil === 'paused') {
        error(
          names.waitUntil,
          `Input ${names.waitUntil} is "paused" and deploy-frontend is true: the frontend is published only after the backend completed, and a paused deployment has not. Deploy the frontend after continue-deployment (the reusable workflow's test-traffic gate does), or wait until completed.`
        );
      }
      if (values.deployFrontend && !values.bucket)
        error(names.bucket, `Input ${names.bucket} is required when deploy-frontend is true.`);
    }
  ]
);

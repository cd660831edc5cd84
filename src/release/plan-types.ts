/**
 * The shapes of a release plan (src/release/plan.ts), apart from the code so that the option declarations
 * (src/release/options.ts) can check a plan read back from JSON without importing the planner.
 */

/** An image digest as ECR and BuildKit write it. */
export const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The environment and secrets lines one register-task-definition step gets (`container.NAME=value` lines). */
export interface StepLines {
  environment: string;
  secrets: string;
}

/** What the root action does, decided from its inputs before any AWS call. */
export interface ReleasePlan {
  buildImages: boolean;
  deployBackend: boolean;
  deployFrontend: boolean;
  runMigrations: boolean;
  topology: 'sidecar' | 'split';
  /** The container names in the task definition(s). */
  containers: { api: string; web: string };
  /** The images given as inputs (build-images false); '' when not given. */
  images: { api: string; web: string };
  /**
   * The lines of the `register` step: the service's task definition (sidecar: every line; split: the web
   * service's, i.e. the lines naming the web container, '' when there are none).
   */
  register: StepLines;
  /** The lines of the `register-api` step (split: the lines naming the API container; sidecar: '' ). */
  registerApi: StepLines;
  /** Where the migration task runs: the service whose network configuration it copies, and its container. */
  migration: { service: string; container: string };
}

/** The images of a release pinned by digest, and the `images` lines of each register step. */
export interface PinnedImages {
  /** The API image URI pinned by digest ('' when none is deployed). */
  api: string;
  web: string;
  /** 'true' when the tag was already in ECR and nothing was built, 'false' when built, '' when not built here. */
  apiSkipped: '' | 'true' | 'false';
  webSkipped: '' | 'true' | 'false';
  /** The tag both images have in ECR ('' when not built here). */
  imageTag: string;
  /** `container=image` lines of the `register` step (sidecar: both; split: the web image). */
  registerImages: string;
  /** `container=image` lines of the `register-api` step (split: the API image; sidecar: ''). */
  registerApiImages: string;
}

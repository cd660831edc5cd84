/**
 * The root composite action's logic (action.yml), as library code: the plan of a release from its inputs
 * (what runs, and the exact environment/secrets lines each register-task-definition step gets), then the image
 * URIs pinned by digest once the builds are done. No AWS call: the action runs the first phase before its first
 * AWS step, so a bad input fails the job before anything is built or changed.
 *
 * Every value a later step reads is computed here, once per step, so that action.yml passes each one as a
 * single `${{ steps.<id>.outputs.<name> }}`. That is the point: a GitHub expression `cond && a || b` yields
 * `b` whenever `a` is empty (an empty string is falsy), which once sent the API's lines to the web service of
 * the split topology (issue 11).
 */
import { DeploymentError, show } from '../lib/errors.js';
import type { KeyValue } from '../lib/lines.js';
import type { ValuesOf } from '../lib/options.js';
import type { Reporter } from '../lib/reporter.js';
import type { releasePlanOptions } from './options.js';
import { SHA256_DIGEST, type PinnedImages, type ReleasePlan, type StepLines } from './plan-types.js';
import { ConfigurationError } from '../lib/errors.js';

export { SHA256_DIGEST, type PinnedImages, type ReleasePlan, type StepLines } from './plan-types.js';

/** The checked inputs (phase inputs) of plan-release. */
export type ReleaseInputs = ValuesOf<typeof releasePlanOptions>;

const lines = (pairs: readonly KeyValue[]) => pairs.map((p) => `${p.key}=${p.value}`).join('\n');

/** The pairs of `pairs` whose `container.NAME` key names `container`. */
function linesOf(pairs: readonly KeyValue[], container: string): KeyValue[] {
  return pairs.filter((p) => p.key.slice(0, p.key.indexOf('.')) === container);
}

/**
 * Plans a release from the root action's checked inputs (releasePlanOptions, phase inputs).
 *
 * Split topology: each task definition holds one of the two containers, so each register step gets only the
 * lines naming its container (register-task-definition rejects a container its task definition lacks); a line
 * naming neither container is refused here.
 * @throws ConfigurationError naming `environment` or `secrets` and the line's key when, in the split topology, a
 *   line names neither the API nor the web container.
 */
export function planRelease(values: ReleaseInputs, reporter?: Reporter): ReleasePlan {
  const containers = { api: values.apiContainer, web: values.webContainer };
  const environment = values.environment ?? [];
  const secrets = values.secrets ?? [];
  const split = values.topology === 'split';
  if (split && values.deployBackend) {
    for (const [input, pairs] of [
      ['environment', environment],
      ['secrets', secrets]
    ] as const) {
      for (const pair of pairs) {
        const container = pair.key.slice(0, pair.key.indexOf('.'));
        if (container !== containers.api && container !== containers.web) {
          throw new ConfigurationError(
            `${input}: the line ${show(`${pair.key}=...`)} names the container ${show(container)}, but with topology split the task definitions hold ${show(containers.api)} (api-service) and ${show(containers.web)} (service); expected a line starting with ${containers.api}. or ${containers.web}.`,
            input
          );
        }
      }
    }
  }
  const none: StepLines = { environment: '', secrets: '' };
  const register: StepLines = split
    ? {
        environment: lines(linesOf(environment, containers.web)),
        secrets: lines(linesOf(secrets, containers.web))
      }
    : { environment: lines(environment), secrets: lines(secrets) };
  const registerApi: StepLines = split
    ? {
        environment: lines(linesOf(environment, containers.api)),
        secrets: lines(linesOf(secrets, containers.api))
      }
    : none;
  const images = { api: values.apiImage ?? '', web: values.webImage ?? '' };
  if (!values.buildImages && values.deployBackend) {
    for (const [name, uri] of Object.entries(images)) {
      if (uri && !/@sha256:[0-9a-f]{64}$/.test(uri)) {
        reporter?.warn(
          `${name}-image ${show(uri)} is not pinned by digest: the tasks run whatever the tag points at when they start (repository@sha256:<digest> pins it).`
        );
      }
    }
  }
  if (values.deployFrontend && values.deployBackend && !values.wait) {
    reporter?.warn(
      'wait is false: the frontend is published as soon as the rollouts are started, not after they completed.'
    );
  }
  return {
    buildImages: values.buildImages,
    deployBackend: values.deployBackend,
    deployFrontend: values.deployFrontend,
    runMigrations: values.deployBackend && values.runMigrations,
    topology: values.topology,
    containers,
    images,
    register,
    registerApi,
    migration: {
      service: (split ? values.apiService : values.service) ?? '',
      container: values.migrationContainer ?? containers.api
    }
  };
}

/** What the image steps returned for one image (resolve-image-tag's `image`, build-push-action's `digest`). */
export interface ImageFacts {
  /** The image URI with its tag (`<registry>/<repository>:<tag>`). */
  taggedImage?: string;
  /** The digest just pushed; empty when the build was skipped. */
  builtDigest?: string;
  /** The digest ECR already held under the tag; empty when the tag was new. */
  existingDigest?: string;
}

/** `<registry>/<repository>:<tag>` → [`<registry>/<repository>`, `<tag>`] (a registry port is not a tag). */
function splitTag(uri: string): [string, string] {
  const slash = uri.lastIndexOf('/');
  const colon = uri.lastIndexOf(':');
  return colon > slash ? [uri.slice(0, colon), uri.slice(colon + 1)] : [uri, ''];
}

/**
 * The images of the release pinned by digest: with build-images, each image's repository with the digest just
 * pushed or, when the build was skipped, the one ECR already held; otherwise the images given as inputs. Then
 * the `images` lines of each register step (sidecar: both containers in one; split: one each).
 * @throws DeploymentError when an image was to be built but neither the build nor ECR gave a digest: nothing
 *   is deployed unpinned (the images may already have been pushed).
 */
export function pinImages(plan: ReleasePlan, facts: { api: ImageFacts; web: ImageFacts }): PinnedImages {
  let api = plan.images.api;
  let web = plan.images.web;
  let apiSkipped: PinnedImages['apiSkipped'] = '';
  let webSkipped: PinnedImages['webSkipped'] = '';
  let imageTag = '';
  if (plan.buildImages) {
    const pin = (name: string, fact: ImageFacts): [string, 'true' | 'false', string] => {
      const digest = fact.builtDigest || fact.existingDigest || '';
      if (!fact.taggedImage || !SHA256_DIGEST.test(digest)) {
        throw new DeploymentError(
          `No digest for the ${name} image ${show(fact.taggedImage ?? '')}: the build returned ${show(fact.builtDigest ?? '')} and ECR ${show(fact.existingDigest ?? '')}. Nothing is deployed with an unpinned image.`,
          { changed: fact.builtDigest ? [`Pushed the ${name} image ${fact.taggedImage}.`] : [] }
        );
      }
      const [repository, tag] = splitTag(fact.taggedImage);
      return [`${repository}@${digest}`, fact.builtDigest ? 'false' : 'true', tag];
    };
    let apiTag: string;
    let webTag: string;
    [api, apiSkipped, apiTag] = pin('API', facts.api);
    [web, webSkipped, webTag] = pin('web', facts.web);
    imageTag = apiTag || webTag;
  }
  const apiLine = api ? `${plan.containers.api}=${api}` : '';
  const webLine = web ? `${plan.containers.web}=${web}` : '';
  const split = plan.topology === 'split';
  return {
    api,
    web,
    apiSkipped,
    webSkipped,
    imageTag,
    registerImages: split ? webLine : [webLine, apiLine].filter(Boolean).join('\n'),
    registerApiImages: split ? apiLine : ''
  };
}

/** The plan as a short job summary (markdown). */
export function planSummary(plan: ReleasePlan): string {
  const backend = !plan.deployBackend
    ? 'off'
    : plan.topology === 'split'
      ? `split: \`${plan.migration.service}\` (API) and the web service`
      : 'sidecar: one service running both containers';
  const rows = [
    ['Images', plan.buildImages ? 'built (skipped when the tag is already in ECR)' : 'given as inputs'],
    ['Backend', backend],
    ['Migrations', plan.runMigrations ? `a one-off task in \`${plan.migration.container}\`` : 'off'],
    [
      'Frontend',
      !plan.deployFrontend
        ? 'off'
        : plan.deployBackend
          ? 'staged first, published only after the backend rolled out'
          : 'staged, then published (no backend in this run)'
    ]
  ];
  return [
    '### Release plan',
    '',
    '| Part | What runs |',
    '| --- | --- |',
    ...rows.map(([a, b]) => `| ${a} | ${b} |`),
    ''
  ].join('\n');
}

/** The pinned images as a job summary table (markdown). */
export function imagesSummary(plan: ReleasePlan, pinned: PinnedImages): string {
  const built = (skipped: string) =>
    skipped === 'true' ? 'no: the tag was already in ECR' : skipped === 'false' ? 'yes' : 'not built here';
  return [
    '### Images',
    '',
    '| Container | Image | Built |',
    '| --- | --- | --- |',
    `| ${plan.containers.api} | \`${pinned.api || 'none'}\` | ${built(pinned.apiSkipped)} |`,
    `| ${plan.containers.web} | \`${pinned.web || 'none'}\` | ${built(pinned.webSkipped)} |`,
    ''
  ].join('\n');
}

/**
 * Resolving the tag an image is pushed under, and whether ECR already holds it.
 *
 * A deploy tags each image with the commit it was built from (the git SHA), so a re-run of the same commit
 * finds the tag already in the repository. With immutable tags (IMMUTABLE / IMMUTABLE_WITH_EXCLUSION) a
 * second push of that tag fails with ImageTagAlreadyExistsException, and with mutable tags it would only
 * rebuild the same source: either way the build is skipped and the existing image's digest is used.
 */
import { DescribeRepositoriesCommand, ECRClient, type Repository } from '@aws-sdk/client-ecr';
import { clientConfig } from '../lib/aws.js';
import { awsFailure } from '../lib/aws-call.js';
import { lookUpImage, parseRegistryHost } from './images.js';
import { resolveOptions, type InputOf } from '../lib/options.js';
import { imageTagOptions } from './options.js';
import { ConfigurationError, errorName, show } from '../lib/errors.js';
import type { Reporter } from '../lib/reporter.js';

/** How a tag is derived from the commit SHA when no tag is given: the first 12 characters, or all 40. */
export type ShaTagFormat = 'short' | 'full';

/** Length of a `short` SHA tag (characters). 12 hex digits make collisions within one repository negligible. */
export const SHORT_SHA_LENGTH = 12;

/**
 * Options of {@link resolveImageTag}: the declared options (repository, tag, shaFormat, registryId, region)
 * plus the commit SHA to tag with when `tag` is empty (the action passes GITHUB_SHA) and an injected client.
 */
export type ResolveImageTagOptions = InputOf<typeof imageTagOptions> & {
  sha?: string;
  endpoint?: string;
  maxAttempts?: number;
  /** An ECR client to use instead of building one from the AWS options (tests). */
  client?: ECRClient;
};

/** What {@link resolveImageTag} found. */
export interface ResolvedImage {
  /** Registry host: `<account>.dkr.ecr.<region>.amazonaws.com`. */
  registry: string;
  /** Repository name without the registry. */
  repository: string;
  /** The tag. */
  tag: string;
  /** Image URI with the tag: `<registry>/<repository>:<tag>`. */
  image: string;
  /** Whether the repository already holds an image with this tag. */
  exists: boolean;
  /** The existing image's manifest digest (`sha256:...`) when `exists`. */
  digest?: string;
  /** Image URI pinned by digest: `<registry>/<repository>@<digest>` when `exists`. */
  imageWithDigest?: string;
  /** The repository's tag mutability setting (`MUTABLE`, `IMMUTABLE`, ...). */
  tagMutability?: string;
}

/**
 * ECR repository names: 2–256 characters, lowercase letters, digits and `._-/` separators between runs of
 * letters/digits. https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
 */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** Image tags: up to 128 characters, letters, digits, `_.-`, not starting with `.` or `-` (Docker's rule). */
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** A repository argument split into its parts. */
export interface RepositoryRef {
  /** The registry host when a full URI was given. */
  registry?: string;
  /** The account id taken from that host. */
  registryId?: string;
  /** The repository name. */
  name: string;
}

/**
 * Splits and validates a repository name or URI.
 * @throws ConfigurationError (input `repository`) when the name breaks ECR's naming rules, a tag or digest
 *   is attached, or the host is not an ECR registry.
 */
export function parseRepository(value: string): RepositoryRef {
  const text = value.trim();
  if (!text) {
    throw new ConfigurationError(
      'Input repository is empty; give the ECR repository name (for example twotier/api) or its URI.',
      'repository'
    );
  }
  if (/[:@]/.test(text.split('/').slice(-1)[0] ?? '')) {
    throw new ConfigurationError(
      `Input repository is ${show(value)}: give the repository without a tag or digest (the tag is the \`tag\` input).`,
      'repository'
    );
  }
  const first = text.split('/')[0] ?? '';
  let ref: RepositoryRef = { name: text };
  if (first.includes('.')) {
    const host = parseRegistryHost(first);
    if (!host) {
      throw new ConfigurationError(
        `Input repository is ${show(value)}: ${show(first)} is not a private ECR registry host ` +
          '(expected <account>.dkr.ecr.<region>.amazonaws.com/<name>).',
        'repository'
      );
    }
    ref = { registry: first, registryId: host.registryId, name: text.slice(first.length + 1) };
  }
  if (ref.name.length < 2 || ref.name.length > 256 || !REPOSITORY_NAME.test(ref.name)) {
    throw new ConfigurationError(
      `Input repository is ${show(value)}: an ECR repository name is 2 to 256 characters of lowercase ` +
        'letters and digits, separated by single ".", "_", "-" or "/" (for example twotier/api).',
      'repository'
    );
  }
  return ref;
}

/**
 * The tag to use: `tag` when given, else the commit SHA (short: first 12 characters, or full).
 * @throws ConfigurationError (input `tag`) for a tag Docker/ECR would refuse, or when neither a tag nor a
 *   40-character SHA is available.
 */
export function chooseTag(
  tag: string | undefined,
  sha: string | undefined,
  format: ShaTagFormat = 'short'
): string {
  const given = tag?.trim();
  if (given) {
    if (!IMAGE_TAG.test(given)) {
      throw new ConfigurationError(
        `Input tag is ${show(given)}: an image tag is 1 to 128 characters of letters, digits, "_", "." and "-", ` +
          'not starting with "." or "-".',
        'tag'
      );
    }
    return given;
  }
  const commit = sha?.trim().toLowerCase() ?? '';
  if (!/^[0-9a-f]{40}$/.test(commit)) {
    throw new ConfigurationError(
      commit
        ? `No tag given and the commit SHA ${show(sha)} is not 40 hex digits; set the \`tag\` input.`
        : 'No tag given and GITHUB_SHA is not set; set the `tag` input (for example the commit SHA or a release).',
      'tag'
    );
  }
  return format === 'full' ? commit : commit.slice(0, SHORT_SHA_LENGTH);
}

/**
 * Resolves the image tag and looks it up in ECR.
 *
 * Validates everything first (no AWS call for a bad repository name or tag), then calls
 * DescribeRepositories (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeRepositories.html)
 * for the repository URI and tag mutability, and DescribeImages for the tag
 * (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html): ImageNotFoundException
 * means the tag is absent.
 *
 * @returns the registry, repository, tag, image URI and whether the tag exists (with its digest).
 * @throws ConfigurationError for a bad repository name, tag or missing SHA, and when the repository does not
 *   exist (RepositoryNotFoundException: create it, or fix the name/region/account).
 * @throws DeploymentError for any other ECR failure (permissions, throttling after retries).
 */
export async function resolveImageTag(
  input: ResolveImageTagOptions,
  reporter: Reporter
): Promise<ResolvedImage> {
  const options = { ...input, ...resolveOptions(imageTagOptions, input) };
  const ref = parseRepository(options.repository);
  const tag = chooseTag(options.tag, options.sha, options.shaFormat ?? 'short');
  const registryId = options.registryId?.trim() || ref.registryId;
  if (registryId && !/^\d{12}$/.test(registryId)) {
    throw new ConfigurationError(
      `Input registry-id is ${show(registryId)}; expected a 12-digit AWS account id.`,
      'registry-id'
    );
  }
  if (options.registryId && ref.registryId && options.registryId.trim() !== ref.registryId) {
    throw new ConfigurationError(
      `Input registry-id ${show(options.registryId)} disagrees with the account in repository ${show(options.repository)}.`,
      'registry-id'
    );
  }
  const config = options.client ? undefined : clientConfig('ECR', options);
  const client = options.client ?? new ECRClient(config!);
  const region = config?.region ?? (await client.config.region());

  let repository: Repository | undefined;
  try {
    const found = await client.send(
      new DescribeRepositoriesCommand({ repositoryNames: [ref.name], ...(registryId ? { registryId } : {}) })
    );
    repository = found.repositories?.[0];
  } catch (error) {
    if (errorName(error) === 'RepositoryNotFoundException') {
      throw new ConfigurationError(
        `ECR repository ${show(ref.name)} does not exist in ${registryId ? `account ${registryId}, ` : ''}region ${region}. ` +
          'Create it (the baseline templates do), or fix the `repository`, `aws-region` or `registry-id` input.',
        'repository'
      );
    }
    throw awsFailure(
      { service: 'ECR', operation: 'DescribeRepositories', resource: `repository ${ref.name}`, region },
      error
    );
  }
  const uri =
    repository?.repositoryUri ??
    `${ref.registry ?? `${registryId}.dkr.ecr.${region}.amazonaws.com`}/${ref.name}`;
  const registry = uri.slice(0, uri.length - ref.name.length - 1);
  const result: ResolvedImage = {
    registry,
    repository: ref.name,
    tag,
    image: `${uri}:${tag}`,
    exists: false,
    tagMutability: repository?.imageTagMutability
  };

  let found;
  try {
    found = await lookUpImage(client, { registryId, repositoryName: ref.name, imageTag: tag });
  } catch (error) {
    throw awsFailure(
      { service: 'ECR', operation: 'DescribeImages', resource: `image ${result.image}`, region },
      error
    );
  }
  const detail = found.kind === 'found' ? found.detail : undefined;
  if (!detail?.imageDigest) {
    reporter.info(`${result.image} is not in ECR yet: it will be built.`);
    return result;
  }
  result.exists = true;
  result.digest = detail.imageDigest;
  result.imageWithDigest = `${uri}@${detail.imageDigest}`;
  const pushed = detail.imagePushedAt ? ` (pushed ${detail.imagePushedAt.toISOString()})` : '';
  reporter.info(`${result.image} already exists as ${detail.imageDigest}${pushed}: the build is skipped.`);
  return result;
}

/** A markdown job-summary block for a resolved image. */
export function imageSummary(resolved: ResolvedImage): string {
  const state = resolved.exists ? `exists, build skipped (\`${resolved.digest}\`)` : 'absent, to be built';
  return [
    `### Image \`${resolved.repository}:${resolved.tag}\``,
    '',
    '| Field | Value |',
    '| --- | --- |',
    `| Image | \`${resolved.image}\` |`,
    `| Tag in ECR | ${state} |`,
    `| Tag mutability | ${resolved.tagMutability ?? 'unknown'} |`,
    ''
  ].join('\n');
}

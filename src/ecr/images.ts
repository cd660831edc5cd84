/**
 * ECR image references and the one DescribeImages lookup, shared by resolve-image-tag (src/ecr/image-tag.ts:
 * does the tag exist yet?) and register-task-definition's preflight (src/ecs/preflight.ts: does the image a
 * task definition names exist?).
 *
 * Private registry hosts are `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html); an image reference is
 * `<host>/<repository>[:tag][@sha256:<64 hex>]`.
 * DescribeImages: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html
 */
import { DescribeImagesCommand, type ECRClient, type ImageDetail } from '@aws-sdk/client-ecr';
import { errorName } from '../lib/errors.js';

const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d+';
const HOST = `(\\d{12})\\.dkr\\.ecr(?:-fips)?\\.(${REGION})\\.amazonaws\\.com(?:\\.cn)?`;
const REGISTRY_HOST = new RegExp(`^${HOST}$`);
const IMAGE = new RegExp(
  `^${HOST}/([a-z0-9][a-z0-9._/-]*?)(?::([\\w][\\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`
);

/** A private ECR registry host, parsed. */
export interface EcrRegistry {
  registryId: string;
  region: string;
}

/** An ECR image reference, parsed. */
export interface EcrImage extends EcrRegistry {
  repositoryName: string;
  /** The tag (`latest` when the reference has neither tag nor digest). Undefined when only a digest. */
  imageTag?: string;
  /** `sha256:<64 hex>`, when the reference has one (ECS pulls by it, so it wins over the tag). */
  imageDigest?: string;
}

/** Parses a private ECR registry host; undefined for any other host. */
export function parseRegistryHost(host: string): EcrRegistry | undefined {
  const m = REGISTRY_HOST.exec(host);
  return m ? { registryId: m[1]!, region: m[2]! } : undefined;
}

/** Parses a private ECR image URI; undefined for any other registry. */
export function parseEcrImage(image: string): EcrImage | undefined {
  const m = IMAGE.exec(image);
  if (!m) return undefined;
  const [, registryId, region, repositoryName, tag, digest] = m;
  if (!registryId || !region || !repositoryName) return undefined;
  if (digest) return { registryId, region, repositoryName, imageDigest: digest };
  return { registryId, region, repositoryName, imageTag: tag ?? 'latest' };
}

/** What DescribeImages says about one image. */
export type ImageLookup =
  { kind: 'found'; detail: ImageDetail } | { kind: 'no-repository' } | { kind: 'no-image' };

/**
 * Looks one image up by tag or digest (DescribeImages): RepositoryNotFoundException and
 * ImageNotFoundException (or an answer without the image) are outcomes, not errors.
 * @param ref the repository, and exactly one of imageTag / imageDigest; registryId defaults to the caller's.
 * @throws the SDK's error for anything else (AccessDenied, throttling after retries): the caller words it.
 */
export async function lookUpImage(
  ecr: ECRClient,
  ref: { registryId?: string; repositoryName: string; imageTag?: string; imageDigest?: string }
): Promise<ImageLookup> {
  const imageId = ref.imageDigest ? { imageDigest: ref.imageDigest } : { imageTag: ref.imageTag };
  try {
    const out = await ecr.send(
      new DescribeImagesCommand({
        repositoryName: ref.repositoryName,
        imageIds: [imageId],
        ...(ref.registryId ? { registryId: ref.registryId } : {})
      })
    );
    const details = out.imageDetails ?? [];
    const detail =
      details.find((d) =>
        ref.imageDigest ? d.imageDigest === ref.imageDigest : d.imageTags?.includes(ref.imageTag ?? '')
      ) ?? details[0];
    return detail ? { kind: 'found', detail } : { kind: 'no-image' };
  } catch (error) {
    const name = errorName(error);
    if (name === 'RepositoryNotFoundException') return { kind: 'no-repository' };
    if (name === 'ImageNotFoundException') return { kind: 'no-image' };
    throw error;
  }
}

/**
 * Images in the local ECR for the ECS tests: PutImage of a small OCI manifest (there is no Docker engine).
 * The manifest depends only on repository and tag, so an image's digest is the same in every moto.
 */
import { ociManifest, putImageManifest } from '../../src/demo/images.js';
import type { LocalAws } from '../../src/local/local-aws.js';

const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

/** The manifest pushed for repository:tag, and its digest (`sha256:` + the manifest's SHA-256). */
export const testManifest = (repository: string, tag: string) => ociManifest(`${repository}:${tag}`);

/** `<registry>/<repository>@sha256:…` of the image testManifest(repository, tag) describes. */
export const imageByDigest = (repository: string, tag: string) =>
  `${REGISTRY}/${repository}@${testManifest(repository, tag).digest}`;

/** `<registry>/<repository>:<tag>`. */
export const imageByTag = (repository: string, tag: string) => `${REGISTRY}/${repository}:${tag}`;

/** Creates each repository (if needed) and pushes testManifest(repository, tag) for every tag. */
export async function pushTestImages(local: LocalAws, images: Record<string, string[]>): Promise<void> {
  for (const [repository, tags] of Object.entries(images)) {
    for (const tag of tags) await putImageManifest(local, repository, tag, testManifest(repository, tag));
  }
}

/**
 * Images in the local ECR for the ECS tests: PutImage of a small OCI manifest (there is no Docker engine).
 * The manifest depends only on repository and tag, so an image's digest is the same in every moto.
 */
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import type { LocalAws } from '../../src/local/local-aws.js';

const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The manifest pushed for repository:tag, and its digest (`sha256:` + the manifest's SHA-256). */
export function testManifest(repository: string, tag: string): { manifest: string; digest: string } {
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: `sha256:${sha256(`config:${repository}:${tag}`)}`,
      size: 1024
    },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: `sha256:${sha256(`layer:${repository}:${tag}`)}`,
        size: 4096
      }
    ]
  });
  return { manifest, digest: `sha256:${sha256(manifest)}` };
}

/** `<registry>/<repository>@sha256:…` of the image testManifest(repository, tag) describes. */
export const imageByDigest = (repository: string, tag: string) =>
  `${REGISTRY}/${repository}@${testManifest(repository, tag).digest}`;

/** `<registry>/<repository>:<tag>`. */
export const imageByTag = (repository: string, tag: string) => `${REGISTRY}/${repository}:${tag}`;

/** Creates each repository (if needed) and pushes testManifest(repository, tag) for every tag. */
export async function pushTestImages(local: LocalAws, images: Record<string, string[]>): Promise<void> {
  const ecr = new ECRClient({
    endpoint: local.moto.endpoint,
    region: local.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });
  try {
    for (const [repository, tags] of Object.entries(images)) {
      await ecr
        .send(new CreateRepositoryCommand({ repositoryName: repository }))
        .catch((e: { name?: string }) => {
          if (e.name !== 'RepositoryAlreadyExistsException') throw e;
        });
      for (const tag of tags) {
        const { manifest, digest } = testManifest(repository, tag);
        await ecr.send(
          new PutImageCommand({
            repositoryName: repository,
            imageManifest: manifest,
            imageTag: tag,
            imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
            imageDigest: digest
          })
        );
      }
    }
  } finally {
    ecr.destroy();
  }
}

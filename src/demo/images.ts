/**
 * Stand-in for `docker build && docker push` in the demo: there is no Docker engine, so the demo computes an
 * OCI image manifest from the app's source files (so a source change gives a new digest, as a real build
 * would) and stores it in the local ECR with PutImage. resolveImageTag (the build-push action's step) then
 * finds it by tag and returns its digest.
 */
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { LocalAws } from '../local/local-aws.js';

function hashTree(dir: string): string {
  const hash = createHash('sha256');
  const walk = (current: string) => {
    for (const entry of readdirSync(current).sort()) {
      if (['node_modules', 'dist', '__pycache__', '.pytest_cache'].includes(entry)) continue;
      const full = path.join(current, entry);
      if (statSync(full).isDirectory()) walk(full);
      else hash.update(path.relative(dir, full)).update(readFileSync(full));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** An OCI image manifest whose config and layer digests derive from `seed`, and its digest (`sha256:…`). */
export function ociManifest(seed: string): { manifest: string; digest: string } {
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: `sha256:${sha256(`config:${seed}`)}`,
      size: 1024
    },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: `sha256:${sha256(`layer:${seed}`)}`,
        size: 4096
      }
    ]
  });
  return { manifest, digest: `sha256:${sha256(manifest)}` };
}

/**
 * Creates the repository if needed (tags immutable when `immutable`) and puts `image` under `tag` with
 * ECR PutImage; an image that is already there is not an error.
 */
export async function putImageManifest(
  local: LocalAws,
  repository: string,
  tag: string,
  image: { manifest: string; digest: string },
  immutable = false
): Promise<void> {
  const ecr = new ECRClient({
    endpoint: local.moto.endpoint,
    region: local.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });
  try {
    await ecr
      .send(
        new CreateRepositoryCommand({
          repositoryName: repository,
          imageTagMutability: immutable ? 'IMMUTABLE' : 'MUTABLE'
        })
      )
      .catch((e: { name?: string }) => {
        if (e.name !== 'RepositoryAlreadyExistsException') throw e;
      });
    await ecr
      .send(
        new PutImageCommand({
          repositoryName: repository,
          imageManifest: image.manifest,
          imageTag: tag,
          imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
          imageDigest: image.digest
        })
      )
      .catch((e: { name?: string }) => {
        if (e.name !== 'ImageAlreadyExistsException' && e.name !== 'ImageTagAlreadyExistsException') throw e;
      });
  } finally {
    ecr.destroy();
  }
}

/** Puts a manifest built from the files of `sourceDir` under `tag` (a source change gives a new digest). */
export async function pushImageManifest(
  local: LocalAws,
  repository: string,
  sourceDir: string,
  tag: string
): Promise<void> {
  await putImageManifest(local, repository, tag, ociManifest(hashTree(sourceDir)), true);
}

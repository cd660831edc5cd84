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

/** Creates the repository if needed and puts a manifest built from `sourceDir` under `tag`. */
export async function pushImageManifest(
  local: LocalAws,
  repository: string,
  sourceDir: string,
  tag: string
): Promise<void> {
  const ecr = new ECRClient({
    endpoint: local.moto.endpoint,
    region: local.region,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' }
  });
  await ecr
    .send(new CreateRepositoryCommand({ repositoryName: repository, imageTagMutability: 'IMMUTABLE' }))
    .catch((e: { name?: string }) => {
      if (e.name !== 'RepositoryAlreadyExistsException') throw e;
    });
  const layer = hashTree(sourceDir);
  const config = createHash('sha256').update(`config:${layer}`).digest('hex');
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${config}`, size: 1024 },
    layers: [
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${layer}`, size: 4096 }
    ]
  });
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  await ecr
    .send(
      new PutImageCommand({
        repositoryName: repository,
        imageManifest: manifest,
        imageTag: tag,
        imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
        imageDigest: digest
      })
    )
    .catch((e: { name?: string }) => {
      if (e.name !== 'ImageAlreadyExistsException' && e.name !== 'ImageTagAlreadyExistsException') throw e;
    });
  ecr.destroy();
}

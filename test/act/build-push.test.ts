/**
 * actions/build-push (a composite action) under nektos/act, as a user's workflow calls it with only its
 * required input (repository) and the build context: when the commit's tag is already in ECR nothing is
 * built and the existing digest comes out; when it is not, the build-push stand-in pushes and its digest comes
 * out. The ECR state and the stand-ins' records are asserted, not only the outputs.
 */
import { describe, expect, it, jest } from '@jest/globals';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import path from 'node:path';
import { createWorkspace, describeRun, type Workspace } from './harness.js';
import { EXAMPLE_APP, REGISTRY, oneActionWorkflow } from './world.js';
import { useActWorld } from './suite.js';
import { ociManifest, putImageManifest } from '../../src/demo/images.js';

// An act run may take minutes (each has its own hard timeout, at most 240 s, below this one).
jest.setTimeout(300000);

const suite = useActWorld();

function workspace(): Workspace {
  const w = createWorkspace(
    {
      '.github/workflows/act.yml': oneActionWorkflow('actions/build-push', {
        repository: 'twotier/api',
        context: 'api'
      })
    },
    { api: path.join(EXAMPLE_APP, 'api') }
  );
  suite.keep(w);
  return w;
}

const images = async () =>
  (await suite.ecr.send(new DescribeImagesCommand({ repositoryName: 'twotier/api' }))).imageDetails ?? [];

describe('build-push under act', () => {
  it('skips the build when the commit tag is already in ECR and returns the existing digest', async () => {
    const w = workspace();
    const tag = w.sha.slice(0, 12); // sha-tag short (default)
    const existing = ociManifest(`existing:${tag}`);
    await putImageManifest(suite.world.local, 'twotier/api', tag, existing, true);
    const result = await suite.world.run({ workspace: w, workflow: '.github/workflows/act.yml' });
    if (result.code !== 0) throw new Error(describeRun(result));
    const outputs = result.collectedSteps.find((c) => c.job === 'run')!.steps.action!.outputs;
    expect(outputs).toMatchObject({
      skipped: 'true',
      digest: existing.digest,
      image: `${REGISTRY}/twotier/api@${existing.digest}`,
      tag,
      'image-with-tag': `${REGISTRY}/twotier/api:${tag}`,
      registry: REGISTRY,
      'attestation-url': ''
    });
    // The inner steps: resolve found the tag; buildx, the build and the attestation did not run.
    expect(result.outputs('run', ['action', 'resolve'])).toMatchObject({
      exists: 'true',
      digest: existing.digest
    });
    expect(result.records.map((r) => r.action)).toEqual([
      'aws-actions/configure-aws-credentials',
      'aws-actions/amazon-ecr-login'
    ]);
    const after = await images();
    expect(after.map((i) => [i.imageDigest, i.imageTags])).toEqual([[existing.digest, [tag]]]);
  });

  it('builds (the stand-in pushes) when the tag is not there, and returns the pushed digest', async () => {
    const w = workspace();
    const tag = w.sha.slice(0, 12);
    await putImageManifest(suite.world.local, 'twotier/api', 'older', ociManifest('older'), true);
    const result = await suite.world.run({ workspace: w, workflow: '.github/workflows/act.yml' });
    if (result.code !== 0) throw new Error(describeRun(result));
    const outputs = result.collectedSteps.find((c) => c.job === 'run')!.steps.action!.outputs;
    expect(outputs).toMatchObject({ skipped: 'false', tag });
    expect(outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(outputs.image).toBe(`${REGISTRY}/twotier/api@${outputs.digest}`);
    const build = result.records.find((r) => r.action === 'docker/build-push-action')!;
    // The defaults of build-push reach the build: platforms, provenance and sbom off, the context given.
    expect(build).toMatchObject({
      context: 'api',
      tags: `${REGISTRY}/twotier/api:${tag}`,
      push: 'true',
      platforms: 'linux/amd64',
      provenance: 'false',
      sbom: 'false',
      digest: outputs.digest
    });
    const pushed = (await images()).find((i) => i.imageTags?.includes(tag));
    expect(pushed?.imageDigest).toBe(outputs.digest);
  });
});

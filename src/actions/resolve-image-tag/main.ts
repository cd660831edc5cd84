/**
 * resolve-image-tag: the JavaScript step inside actions/build-push (and the root action). Chooses the image
 * tag (input, or the commit SHA), and tells whether ECR already holds it so the build can be skipped.
 * Its inputs are documented in actions/build-push/action.yml, which passes them as INPUT_* variables.
 */
import { imageSummary, resolveImageTag } from '../../ecr/image-tag.js';
import { imageTagOptions } from '../../ecr/options.js';
import { defineAction } from '../definition.js';
import { coreReporter, group, runOperation } from '../runtime.js';

/** resolve-image-tag's inputs (the ECR library's `imageTagOptions`) and outputs (read by build-push). */
export const definition = defineAction({
  name: 'resolve-image-tag',
  options: imageTagOptions,
  outputs: {
    image: 'The image URI with the tag.',
    tag: 'The tag.',
    exists: 'true when the repository already holds the tag.',
    digest: "The existing image's digest (empty when the tag is new).",
    registry: 'The registry host.',
    'image-with-digest': 'The existing image pinned by digest (empty when the tag is new).'
  }
});

/** Runs the resolve-image-tag step of build-push: resolves the tag and whether ECR already has it, sets outputs. */
export async function run(): Promise<void> {
  await runOperation(definition, {
    execute: (values) =>
      group(`Resolve the image tag for ${values.repository}`, () =>
        resolveImageTag({ ...values, sha: process.env.GITHUB_SHA }, coreReporter)
      ),
    outputs: (resolved) => ({
      image: resolved.image,
      tag: resolved.tag,
      exists: resolved.exists,
      digest: resolved.digest ?? '',
      registry: resolved.registry,
      'image-with-digest': resolved.imageWithDigest ?? ''
    }),
    summary: imageSummary
  });
}

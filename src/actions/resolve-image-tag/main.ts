/**
 * resolve-image-tag: the JavaScript step inside actions/build-push (and the root action). Chooses the image
 * tag (input, or the commit SHA), and tells whether ECR already holds it so the build can be skipped.
 * Its inputs are documented in actions/build-push/action.yml, which passes them as INPUT_* variables.
 */
import { imageSummary, resolveImageTag, type ShaTagFormat } from '../../ecr/index.js';
import { ConfigurationError, show } from '../../lib/errors.js';
import { coreReporter, runAction, setOutputs, stringInput, writeSummary } from '../runtime.js';

/** The inputs, keyed by their names in actions/build-push/action.yml. */
interface Inputs {
  repository: string;
  tag: string;
  'sha-tag': ShaTagFormat;
  'registry-id': string;
  'aws-region': string;
}

function readInputs(): Inputs {
  const shaTag = stringInput('sha-tag').trim() || 'short';
  if (shaTag !== 'short' && shaTag !== 'full') {
    throw new ConfigurationError(`Input sha-tag is ${show(shaTag)}; expected short or full.`, 'sha-tag');
  }
  return {
    repository: stringInput('repository', true),
    tag: stringInput('tag'),
    'sha-tag': shaTag,
    'registry-id': stringInput('registry-id'),
    'aws-region': stringInput('aws-region')
  };
}

/** Runs the resolve-image-tag step of build-push: reads INPUT_*, resolves the tag and whether ECR already has it, sets outputs. */
export async function run(): Promise<void> {
  await runAction(async () => {
    const inputs = readInputs();
    const resolved = await coreReporter.group(`Resolve the image tag for ${inputs.repository}`, () =>
      resolveImageTag(
        {
          repository: inputs.repository,
          tag: inputs.tag,
          sha: process.env.GITHUB_SHA,
          shaFormat: inputs['sha-tag'],
          registryId: inputs['registry-id'] || undefined,
          region: inputs['aws-region'] || undefined
        },
        coreReporter
      )
    );
    setOutputs({
      image: resolved.image,
      tag: resolved.tag,
      exists: resolved.exists,
      digest: resolved.digest ?? '',
      registry: resolved.registry,
      'image-with-digest': resolved.imageWithDigest ?? ''
    });
    await writeSummary(imageSummary(resolved));
  });
}

/**
 * The declared options of resolve-image-tag, the JavaScript step of actions/build-push and of the root
 * action's image steps (src/lib/options.ts).
 */
import { awsRegionOption } from '../lib/aws.js';
import { defineOptions, oneOf, text } from '../lib/options.js';

/** resolve-image-tag (inputs documented in actions/build-push/action.yml). */
export const imageTagOptions = defineOptions('resolve-image-tag', {
  repository: {
    name: 'repository',
    type: text({ patternDoc: 'an ECR repository name or URI', placeholder: 'name-or-uri' }),
    required: true,
    doc: 'The ECR repository: its name (twotier/api) or full URI (123456789012.dkr.ecr.eu-west-1.amazonaws.com/twotier/api). It must exist.'
  },
  tag: {
    name: 'tag',
    type: text({ patternDoc: 'an image tag', placeholder: 'tag' }),
    doc: 'The image tag (1 to 128 letters, digits, "_", "." and "-"); empty tags with the commit SHA (GITHUB_SHA) as chosen by sha-tag.'
  },
  shaFormat: {
    name: 'sha-tag',
    type: oneOf(['short', 'full'] as const),
    default: 'short',
    doc: 'When tag is empty: short (the first 12 characters of the commit SHA) or full (all 40).'
  },
  registryId: {
    name: 'registry-id',
    type: text({
      pattern: /^\d{12}$/,
      patternDoc: 'a 12-digit AWS account id',
      placeholder: 'account',
      style: 'expected'
    }),
    doc: "The AWS account id of the registry when it is not the account of the credentials (cross-account push); empty uses the account in a repository URI, else the caller's."
  },
  region: { ...awsRegionOption, doc: 'The AWS region of the registry; empty uses AWS_REGION from the job.' }
});

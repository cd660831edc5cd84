/**
 * The declared options of deploy-stack (src/lib/options.ts): the action's inputs, the `twotier deploy-stack`
 * flags, action.yml, the docs tables and the library's defaults all come from this one declaration.
 */
import { awsRegionOption } from '../lib/aws.js';
import { Duration } from '../lib/duration.js';
import { ConfigurationError, show } from '../lib/errors.js';
import type { KeyValue } from '../lib/lines.js';
import { bool, defineOptions, duration, keyValueRecord, list, text } from '../lib/options.js';

/** The capabilities CreateChangeSet accepts. */
export const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'] as const;

/** Stack and change set names alike: a letter, then letters, digits and hyphens, at most 128 characters. */
export const STACK_NAME_PATTERN = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;

function checkTag({ key, value }: KeyValue, name: string): void {
  if (key.toLowerCase().startsWith('aws:') || key.length > 128 || value.length > 256) {
    throw new ConfigurationError(
      `${name}: ${show(key)} is not a valid tag (keys up to 128 characters, not starting with aws:, values up to 256).`,
      name
    );
  }
}

/** deploy-stack. */
export const stackOptions = defineOptions('deploy-stack', {
  stackName: {
    name: 'stack-name',
    type: text({
      pattern: STACK_NAME_PATTERN,
      placeholder: 'name',
      patternDoc: 'a stack name: a letter, then letters, digits and hyphens, at most 128 characters'
    }),
    required: true,
    doc: 'The stack to create or update (a letter, then letters, digits and hyphens).'
  },
  template: {
    name: 'template',
    type: text({ patternDoc: 'a template file path or https:// URL', placeholder: 'file-or-url' }),
    required: true,
    doc: 'The template: a file path relative to the workspace (YAML or JSON, at most 51,200 bytes), or the https:// URL of a template in S3. A file is checked before any AWS call (it parses, its resource types are known, and every given parameter is one of its Parameters and satisfies its constraints).'
  },
  parameters: {
    name: 'parameters',
    type: keyValueRecord({ doc: 'Name=Value lines' }),
    doc: 'Parameter values, one Name=Value per line; they override parameters-file. On an update, template parameters not given keep their previous values.',
    cli: { flag: '--parameter' }
  },
  parametersFile: {
    name: 'parameters-file',
    type: text({ patternDoc: 'a file path', placeholder: 'file' }),
    doc: 'A parameters file, relative to the workspace: a JSON list of {"ParameterKey", "ParameterValue"} (the AWS CLI format), or a JSON/YAML mapping of name to value; values are taken as written and checked like parameters.'
  },
  capabilities: {
    name: 'capabilities',
    type: list({
      doc: `capabilities, comma or newline separated: ${CAPABILITIES.join(', ')}`,
      checkItem(item, name) {
        if (!(CAPABILITIES as readonly string[]).includes(item)) {
          throw new ConfigurationError(
            `${name}: ${show(item)} is not a CloudFormation capability; valid: ${CAPABILITIES.join(', ')}.`,
            name
          );
        }
      }
    }),
    default: ['CAPABILITY_IAM'],
    doc: 'Capabilities to acknowledge, comma or newline separated: CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND.'
  },
  tags: {
    name: 'tags',
    type: keyValueRecord({ doc: 'Key=Value lines', checkPair: checkTag }),
    doc: 'Stack tags, one Key=Value per line (at most 50).',
    cli: { flag: '--tag' }
  },
  terminationProtection: {
    name: 'termination-protection',
    type: bool(),
    doc: 'true or false (not on/off) turns termination protection on or off after the deploy; empty leaves it as it is.'
  },
  noExecute: {
    name: 'no-execute',
    type: bool(),
    default: false,
    doc: 'true creates and prints the change set without executing it (a review step); the change set is kept.'
  },
  roleArn: {
    name: 'role-arn',
    type: text({
      pattern: /^arn:aws[a-z-]*:iam::\d{12}:role\/\S+$/,
      patternDoc: 'an IAM role ARN',
      placeholder: 'arn'
    }),
    doc: "ARN of the role CloudFormation assumes to create the resources (github-oidc.yml's CloudFormationExecutionRoleArn); empty uses the job's credentials."
  },
  createWithoutChangeSet: {
    name: 'create-without-change-set',
    type: bool(),
    default: false,
    doc: 'true creates a stack that does not exist yet with CreateStack, without a change set (no preview). Updates always use change sets. For local emulators (moto) whose CREATE change sets cannot resolve Fn::ImportValue and leave no outputs; keep false against AWS.'
  },
  changeSetName: {
    name: 'change-set-name',
    type: text({
      pattern: STACK_NAME_PATTERN,
      placeholder: 'name',
      patternDoc: 'a change set name: a letter, then letters, digits and hyphens, at most 128 characters'
    }),
    doc: 'Name of the change set; empty uses twotier-<UTC timestamp>-<random>.'
  },
  timeout: {
    name: 'timeout-minutes',
    type: duration({ unit: 'minutes', min: 1, max: 720 }),
    default: Duration.minutes(60),
    doc: 'How long to wait for the change set and for the stack operation (each).'
  },
  region: { ...awsRegionOption, doc: 'AWS region of the stack; empty uses AWS_REGION from the job.' },
  endpoint: {
    name: 'endpoint',
    type: text({ pattern: /^https?:\/\/[^\s/]+/, patternDoc: 'an http(s) URL', placeholder: 'url' }),
    doc: 'The CloudFormation endpoint (default AWS_ENDPOINT_URL_CLOUDFORMATION / AWS_ENDPOINT_URL).',
    action: false
  }
});

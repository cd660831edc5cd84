/**
 * The template's parameter constraints, checked locally against the values deploy-stack passes (not against
 * the template's defaults, which CloudFormation checks itself), so that a value CloudFormation would refuse
 * fails before any AWS call, naming the parameter, the input it came from, the value (never a NoEcho one),
 * the constraint and the template's ConstraintDescription.
 *
 * What applies to which type follows the CloudFormation parameters reference
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html):
 * - String: AllowedValues, AllowedPattern (a Java regex the whole value must match, see java-regex.ts),
 *   MinLength/MaxLength (characters: UTF-16 code units, Java's String.length, JavaScript's too).
 * - Number: an integer or a decimal; AllowedValues (compared as numbers), MinValue/MaxValue.
 * - CommaDelimitedList: the value split at commas, each item space-trimmed (one more item than commas);
 *   AllowedPattern applies to each item (documented). List<Number>: each item a number.
 * - AWS-specific types (AWS::EC2::VPC::Id, List<AWS::EC2::Subnet::Id>, ...): the documented ID shape of the
 *   value or of each item (vpc- / subnet- / sg- / ami- / i- / vol- followed by 8 or 17 hex digits; hosted
 *   zone IDs upper-case letters and digits); whether the resource exists is CloudFormation's check.
 * - SSM parameter types: the value is a Parameter Store name, checked as a String ("for validation
 *   purposes, you can treat parameter keys as strings").
 * - For list types the reference does not say whether AllowedValues and MinLength/MaxLength apply to the
 *   whole value or to each item: the value is refused only when it fails both readings (cfn-lint's rule).
 * Anything not covered (an unknown parameter type, a pattern JavaScript cannot reproduce) is left to
 * CloudFormation with a warning: this check refuses only what CloudFormation certainly refuses.
 */
import { ConfigurationError, show } from '../lib/errors.js';
import { isNoEcho } from './definition.js';
import { javaPattern } from './java-regex.js';
import type { TemplateParameter } from './template.js';

/** One value deploy-stack is about to pass. */
export interface ParameterValue {
  /** The parameter's name (logical ID). */
  name: string;
  value: string;
  /** The input the value came from, named in the error: `parameters` or `parameters-file`. */
  input: string;
  /** The parameter's declaration in the template. */
  parameter: TemplateParameter;
}

/** An AWS-specific parameter type: what its value is, an example, and its documented shape. */
interface AwsType {
  what: string;
  example: string;
  shape?: RegExp;
  shapeDoc?: string;
}

const ec2Id = (prefix: string): Pick<AwsType, 'shape' | 'shapeDoc'> => ({
  shape: new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`),
  shapeDoc: `${prefix}- followed by 8 or 17 lower-case hex digits`
});

/** The AWS-specific parameter types of the parameters reference (each also as List<...>). */
const AWS_TYPES: Record<string, AwsType> = {
  'AWS::EC2::AvailabilityZone::Name': { what: 'an Availability Zone name', example: 'us-west-2a' },
  'AWS::EC2::Image::Id': { what: 'an AMI ID', example: 'ami-0ff8a91507f77f867', ...ec2Id('ami') },
  'AWS::EC2::Instance::Id': { what: 'an EC2 instance ID', example: 'i-1e731a32', ...ec2Id('i') },
  'AWS::EC2::KeyPair::KeyName': { what: 'a key pair name', example: 'my-key' },
  'AWS::EC2::SecurityGroup::GroupName': { what: 'a security group name', example: 'my-sg-abc' },
  'AWS::EC2::SecurityGroup::Id': { what: 'a security group ID', example: 'sg-a123fd85', ...ec2Id('sg') },
  'AWS::EC2::Subnet::Id': { what: 'a subnet ID', example: 'subnet-123a351e', ...ec2Id('subnet') },
  'AWS::EC2::Volume::Id': { what: 'an EBS volume ID', example: 'vol-3cdd3f56', ...ec2Id('vol') },
  'AWS::EC2::VPC::Id': { what: 'a VPC ID', example: 'vpc-a123baa3', ...ec2Id('vpc') },
  'AWS::Route53::HostedZone::Id': {
    what: 'a Route 53 hosted zone ID',
    example: 'Z23YXV4OVPL04A',
    shape: /^[A-Z0-9]{1,32}$/,
    shapeDoc: 'upper-case letters and digits'
  }
};

/** A Parameter Store name (letters, digits, `_ . - /`; `:` for ARNs of shared parameters), at most 2048. */
const SSM_NAME = /^[a-zA-Z0-9_.\-/:]{1,2048}$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NUMBER_DOC = 'a Number parameter takes an integer or a decimal, such as 42, -1 or 0.5';

type Kind =
  | { kind: 'string' }
  | { kind: 'ssm' }
  | { kind: 'number' }
  | { kind: 'aws'; type: AwsType }
  | { kind: 'list'; item: 'string' | 'number' | AwsType }
  | { kind: 'unknown' };

/** How a parameter type's value is read and checked. */
function kindOf(type: string | undefined): Kind {
  if (type === undefined || type === 'String') return { kind: 'string' };
  if (type === 'Number') return { kind: 'number' };
  if (type === 'CommaDelimitedList') return { kind: 'list', item: 'string' };
  if (type === 'List<Number>') return { kind: 'list', item: 'number' };
  const aws = AWS_TYPES[type];
  if (aws) return { kind: 'aws', type: aws };
  const list = /^List<(.+)>$/.exec(type);
  if (list && AWS_TYPES[list[1]!]) return { kind: 'list', item: AWS_TYPES[list[1]!]! };
  if (type === 'AWS::SSM::Parameter::Name' || /^AWS::SSM::Parameter::Value<.+>$/.test(type))
    return { kind: 'ssm' };
  return { kind: 'unknown' };
}

/** A constraint the value (or one item) breaks. */
interface Violation {
  problem: string;
  valid: string;
  item?: { index: number; text: string };
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMBER.test(value.trim())) return Number(value);
  return undefined;
}

function between(min: number | undefined, max: number | undefined, unit = ''): string {
  if (min !== undefined && max !== undefined) return `from ${min} to ${max}${unit}`;
  if (min !== undefined) return `at least ${min}${unit}`;
  return `at most ${max}${unit}`;
}

/**
 * Checks one value against its parameter's Type and constraints.
 * @returns warnings about what could not be checked here (left to CloudFormation).
 * @throws ConfigurationError `<input>: <Name>=<"value"> <problem>; <what is valid>.` with the template's
 *   ConstraintDescription, naming `input`; a NoEcho value is never quoted ("the value given").
 */
export function checkParameterValue(given: ParameterValue): string[] {
  const { name, value, input, parameter } = given;
  const noEcho = isNoEcho(parameter);
  const warnings: string[] = [];
  const kind = kindOf(parameter.Type);

  const refuse = (violation: Violation): never => {
    const { item } = violation;
    const subject = noEcho
      ? `${name} (NoEcho): ${item ? `item ${item.index} of the value given` : 'the value given'}`
      : `${name}=${show(value)}${item ? `: item ${item.index} ${show(item.text)}` : ''}`;
    const description =
      typeof parameter.ConstraintDescription === 'string' && parameter.ConstraintDescription
        ? ` The template's ConstraintDescription: ${show(parameter.ConstraintDescription)}.`
        : '';
    throw new ConfigurationError(
      `${input}: ${subject} ${violation.problem}; ${violation.valid}.${description}`,
      input
    );
  };

  const allowedValues = (text: string, numeric: boolean): Violation | undefined => {
    const allowed = parameter.AllowedValues;
    if (!Array.isArray(allowed) || allowed.length === 0) return undefined;
    const ok = allowed.some((a) => {
      if (String(a) === text) return true;
      const n = numberOf(a);
      return numeric && n !== undefined && NUMBER.test(text) && n === Number(text);
    });
    return ok
      ? undefined
      : {
          problem: 'is not allowed by the template',
          valid: `allowed values: ${allowed.map(String).join(', ')}`
        };
  };

  const lengths = (text: string): Violation | undefined => {
    const min = numberOf(parameter.MinLength);
    const max = numberOf(parameter.MaxLength);
    if ((min === undefined || text.length >= min) && (max === undefined || text.length <= max))
      return undefined;
    const problem = noEcho
      ? `is ${min !== undefined && text.length < min ? 'shorter than MinLength' : 'longer than MaxLength'}`
      : `is ${text.length} characters long`;
    return { problem, valid: `the template allows ${between(min, max, ' characters')}` };
  };

  let translated: ReturnType<typeof javaPattern> | undefined;
  const pattern = (text: string, each: boolean): Violation | undefined => {
    const source = parameter.AllowedPattern;
    if (typeof source !== 'string') return undefined;
    if (!translated) {
      translated = javaPattern(source);
      if (!translated.ok)
        warnings.push(
          `${input}: ${name}: the template's AllowedPattern ${show(source)} is not checked here (${translated.reason}); CloudFormation checks it.`
        );
    }
    if (!translated.ok || translated.regexp.test(text)) return undefined;
    // (?i) and \b are exact for ASCII text only: a mismatch on non-ASCII text may be an engine difference.
    if (translated.asciiOnly && [...text].some((c) => c.codePointAt(0)! > 0x7f)) return undefined;
    return {
      problem: `does not match the template's AllowedPattern ${show(source)}`,
      valid: each ? 'each item must match it as a whole' : 'the whole value must match it'
    };
  };

  const range = (text: string): Violation | undefined => {
    const min = numberOf(parameter.MinValue);
    const max = numberOf(parameter.MaxValue);
    const n = Number(text);
    if ((min === undefined || n >= min) && (max === undefined || n <= max)) return undefined;
    return { problem: 'is out of range', valid: `the template allows ${between(min, max)}` };
  };

  const shape = (text: string, type: AwsType, itemType: string): Violation | undefined =>
    type.shape && !type.shape.test(text)
      ? {
          problem: `is not ${type.what}`,
          valid: `${itemType} takes ${type.shapeDoc}, such as ${type.example}`
        }
      : undefined;

  const first = (...checks: Array<() => Violation | undefined>): Violation | undefined => {
    for (const check of checks) {
      const violation = check();
      if (violation) return violation;
    }
    return undefined;
  };

  switch (kind.kind) {
    case 'unknown':
      warnings.push(
        `${input}: ${name}: the parameter type ${show(parameter.Type)} is not one this check knows; its value is not checked here (CloudFormation checks it).`
      );
      break;
    case 'string':
      maybe(
        first(
          () => allowedValues(value, false),
          () => pattern(value, false),
          () => lengths(value)
        ),
        refuse
      );
      break;
    case 'ssm':
      maybe(
        first(
          () =>
            SSM_NAME.test(value)
              ? undefined
              : {
                  problem: 'is not a Systems Manager parameter name',
                  valid: `${parameter.Type} takes the name of a Parameter Store parameter (letters, digits, _ . - /), such as /twotier/image-tag`
                },
          () => allowedValues(value, false),
          () => pattern(value, false),
          () => lengths(value)
        ),
        refuse
      );
      break;
    case 'number':
      if (!NUMBER.test(value)) refuse({ problem: 'is not a number', valid: NUMBER_DOC });
      maybe(
        first(
          () => allowedValues(value, true),
          () => range(value)
        ),
        refuse
      );
      break;
    case 'aws':
      maybe(
        first(
          () => shape(value, kind.type, String(parameter.Type)),
          () => allowedValues(value, false)
        ),
        refuse
      );
      break;
    case 'list': {
      const items = value.split(',').map((item) => item.trim());
      const at = (index: number, violation: Violation | undefined): Violation | undefined =>
        violation && { ...violation, item: { index: index + 1, text: items[index]! } };
      const itemType = String(parameter.Type).replace(/^List<(.+)>$/, '$1');
      items.forEach((item, index) => {
        // Empty items (an empty list, "a,,b") are left to CloudFormation: the reference does not say.
        if (!item) return;
        if (kind.item === 'number' && !NUMBER.test(item))
          refuse({
            problem: 'is not a number',
            valid: `each item of a List<Number> is a number`,
            item: { index: index + 1, text: item }
          });
        if (typeof kind.item === 'object') maybe(at(index, shape(item, kind.item, itemType)), refuse);
      });
      if (kind.item === 'string')
        items.forEach((item, index) => maybe(at(index, pattern(item, true)), refuse));
      // AllowedValues and lengths: refused only when the whole value and an item both fail.
      for (const check of [(t: string) => allowedValues(t, kind.item === 'number'), lengths]) {
        if (!check(value)) continue;
        const index = items.findIndex((item) => check(item));
        if (index >= 0) refuse(at(index, check(items[index]!))!);
      }
      break;
    }
  }
  return warnings;
}

function maybe(violation: Violation | undefined, refuse: (v: Violation) => never): void {
  if (violation) refuse(violation);
}

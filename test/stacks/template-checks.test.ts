/**
 * deploy-stack's local template checks, before any AWS call: every given parameter value against its
 * parameter's Type and constraints (parameter-constraints.ts), and the template's resource types against
 * the list generated from cfn-lint's schemas (resource-types.ts, resource-types.json).
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError } from '../../src/lib/errors.js';
import { checkParameterValue, type ParameterValue } from '../../src/stacks/parameter-constraints.js';
import { checkResourceTypes, knownResourceTypes } from '../../src/stacks/resource-types.js';
import { parseTemplate, type TemplateParameter } from '../../src/stacks/template.js';
import { resourceTypeData } from '../../scripts/gen-resource-types.js';

function refusal(given: ParameterValue): ConfigurationError {
  try {
    checkParameterValue(given);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error(`expected ${given.name}=${given.value} to be refused`);
}
const check = (parameter: TemplateParameter, value: string, input = 'parameters') => ({
  name: 'P',
  value,
  input,
  parameter
});

describe('parameter values against the template', () => {
  const refused: Array<[string, TemplateParameter, string, RegExp]> = [
    [
      'AllowedValues',
      { Type: 'String', AllowedValues: ['sidecar', 'split'] },
      'mesh',
      /^parameters: P="mesh" is not allowed by the template; allowed values: sidecar, split\.$/
    ],
    [
      'AllowedPattern on the whole value',
      { Type: 'String', AllowedPattern: '[a-z]+' },
      'abc1',
      /^parameters: P="abc1" does not match the template's AllowedPattern "\[a-z\]\+"; the whole value must match it\.$/
    ],
    [
      'MinLength',
      { Type: 'String', MinLength: 3, MaxLength: '8' },
      'ab',
      /P="ab" is 2 characters long; the template allows from 3 to 8 characters\./
    ],
    [
      'MaxLength (UTF-16 code units, as Java counts)',
      { Type: 'String', MaxLength: 1 },
      '😀',
      /is 2 characters long; the template allows at most 1 characters/
    ],
    ['Number', { Type: 'Number' }, '0x10', /P="0x10" is not a number; a Number parameter takes an integer/],
    ['Number, empty', { Type: 'Number' }, '', /P="" is not a number/],
    [
      'MinValue',
      { Type: 'Number', MinValue: 1, MaxValue: 100 },
      '0',
      /P="0" is out of range; the template allows from 1 to 100\./
    ],
    [
      'MaxValue from a JSON template',
      { Type: 'Number', MaxValue: '2.5' },
      '2.51',
      /the template allows at most 2.5/
    ],
    ['Number AllowedValues', { Type: 'Number', AllowedValues: [1, 3, 5] }, '2', /allowed values: 1, 3, 5/],
    [
      'List<Number> item',
      { Type: 'List<Number>' },
      '80, x',
      /P="80, x": item 2 "x" is not a number; each item of a List<Number> is a number\./
    ],
    [
      'CommaDelimitedList: AllowedPattern on each item',
      { Type: 'CommaDelimitedList', AllowedPattern: '[a-z]+' },
      'dev, Prod',
      /P="dev, Prod": item 2 "Prod" does not match the template's AllowedPattern "\[a-z\]\+"; each item must match it as a whole\./
    ],
    [
      'CommaDelimitedList: AllowedValues on items and on the whole value',
      { Type: 'CommaDelimitedList', AllowedValues: ['a', 'b'] },
      'a,c',
      /item 2 "c" is not allowed by the template; allowed values: a, b/
    ],
    [
      'AWS::EC2::VPC::Id',
      { Type: 'AWS::EC2::VPC::Id' },
      'vpc_123',
      /P="vpc_123" is not a VPC ID; AWS::EC2::VPC::Id takes vpc- followed by 8 or 17 lower-case hex digits, such as vpc-a123baa3\./
    ],
    [
      'List<AWS::EC2::Subnet::Id>',
      { Type: 'List<AWS::EC2::Subnet::Id>' },
      'subnet-0123abcd,sg-0123abcd',
      /item 2 "sg-0123abcd" is not a subnet ID; AWS::EC2::Subnet::Id takes subnet-/
    ],
    [
      'Route 53 hosted zone',
      { Type: 'AWS::Route53::HostedZone::Id' },
      'z23yx',
      /is not a Route 53 hosted zone ID/
    ],
    [
      'SSM parameter name',
      { Type: 'AWS::SSM::Parameter::Value<String>' },
      'my parameter',
      /is not a Systems Manager parameter name/
    ],
    [
      'SSM key treated as a String',
      { Type: 'AWS::SSM::Parameter::Name', AllowedPattern: '/twotier/.*' },
      '/other/x',
      /does not match the template's AllowedPattern/
    ]
  ];
  test.each(refused)('%s', (_name, parameter, value, message) => {
    const error = refusal(check(parameter, value));
    expect(error.message).toMatch(message);
    expect(error.input).toBe('parameters');
  });

  const accepted: Array<[string, TemplateParameter, string]> = [
    ['AllowedValues', { Type: 'String', AllowedValues: ['true', 'false'] }, 'false'],
    ['YAML numbers in AllowedValues', { Type: 'Number', AllowedValues: [1, 3, 5] }, '3'],
    ['Number AllowedValues compared as numbers', { Type: 'Number', AllowedValues: [1, 3, 5] }, '3.0'],
    ['Number forms', { Type: 'Number', MinValue: -1, MaxValue: 1e6 }, '-0.5'],
    ['Number exponent', { Type: 'Number' }, '1e3'],
    ['bounds inclusive', { Type: 'Number', MinValue: 1, MaxValue: 2 }, '2'],
    [
      'pattern of the shipped templates',
      { Type: 'String', AllowedPattern: '^[a-zA-Z][a-zA-Z0-9-]{0,30}$' },
      'twotier'
    ],
    ['lengths', { Type: 'String', MinLength: 2, MaxLength: 2 }, 'ab'],
    [
      'CommaDelimitedList items trimmed',
      { Type: 'CommaDelimitedList', AllowedPattern: '[a-z]+' },
      'dev, test ,prod'
    ],
    ['a list value that is itself allowed', { Type: 'CommaDelimitedList', AllowedValues: ['a,b'] }, 'a,b'],
    ['List<Number>', { Type: 'List<Number>' }, '80,443'],
    ['VPC ID (17 hex digits)', { Type: 'AWS::EC2::VPC::Id' }, 'vpc-0123456789abcdef0'],
    ['Subnet IDs', { Type: 'List<AWS::EC2::Subnet::Id>' }, 'subnet-123a351e, subnet-0123456789abcdef0'],
    [
      'SSM path',
      { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>' },
      '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64'
    ],
    [
      'Availability Zone (shape not documented: not checked)',
      { Type: 'AWS::EC2::AvailabilityZone::Name' },
      'anything'
    ],
    ['no Type means String', {}, 'x']
  ];
  test.each(accepted)('%s: accepted', (_name, parameter, value) => {
    expect(checkParameterValue(check(parameter, value))).toEqual([]);
  });

  test('a NoEcho value is never quoted, and the ConstraintDescription is', () => {
    const secret = 'hunter2';
    const parameter: TemplateParameter = {
      Type: 'String',
      NoEcho: true,
      MinLength: 12,
      ConstraintDescription: 'at least 12 characters'
    };
    const error = refusal(check(parameter, secret, 'parameters-file'));
    expect(error.message).toBe(
      `parameters-file: P (NoEcho): the value given is shorter than MinLength; the template allows at least 12 characters. The template's ConstraintDescription: "at least 12 characters".`
    );
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain(String(secret.length));
    expect(error.input).toBe('parameters-file');
    for (const p of [
      { Type: 'String', NoEcho: 'true', AllowedPattern: '[0-9]+' },
      { Type: 'CommaDelimitedList', NoEcho: true, AllowedPattern: '[0-9]+' },
      { Type: 'String', NoEcho: true, AllowedValues: ['x'] }
    ] satisfies TemplateParameter[]) {
      expect(refusal(check(p, `1,${secret}`)).message).not.toContain(secret);
    }
  });

  test('what cannot be checked here is a warning, not a refusal', () => {
    expect(checkParameterValue(check({ Type: 'Strng' }, 'x'))).toEqual([
      'parameters: P: the parameter type "Strng" is not one this check knows; its value is not checked here (CloudFormation checks it).'
    ]);
    const [warning, ...rest] = checkParameterValue(check({ Type: 'String', AllowedPattern: 'a++' }, 'b'));
    expect(rest).toEqual([]);
    expect(warning).toMatch(
      /AllowedPattern "a\+\+" is not checked here \(possessive quantifiers.*\); CloudFormation checks it\./
    );
    // (?i) is ASCII-only in Java: a non-ASCII mismatch is not refused
    expect(checkParameterValue(check({ Type: 'String', AllowedPattern: '(?i)STRASSE' }, 'straße'))).toEqual(
      []
    );
    expect(() =>
      checkParameterValue(check({ Type: 'String', AllowedPattern: '(?i)STRASSE' }, 'strase'))
    ).toThrow(/does not match/);
  });

  test('the shipped templates: every AllowedPattern is translated and every Default passes its own checks', () => {
    let checked = 0;
    for (const file of readdirSync('templates').filter((f) => f.endsWith('.yml'))) {
      const { parameters } = parseTemplate(readFileSync(path.join('templates', file), 'utf8'), file);
      for (const [name, parameter] of Object.entries(parameters)) {
        if (parameter.Default === undefined) continue;
        const warnings = checkParameterValue({
          name,
          value: String(parameter.Default),
          input: file,
          parameter
        });
        expect([file, name, warnings]).toEqual([file, name, []]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});

describe('resource types', () => {
  const template = (resources: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    ...extra,
    Resources: resources
  });
  const refusedTypes = (doc: Record<string, unknown>): string => {
    try {
      checkResourceTypes(doc, 'templates/x.yml');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).input).toBe('template');
      return (error as Error).message;
    }
    throw new Error('expected the template to be refused');
  };

  test('a typo is refused with the nearest known types, every bad resource in one message', () => {
    const message = refusedTypes(
      template({
        Vpc: { Type: 'AWS::EC2::VPCC' },
        Bucket: { Type: 'aws::s3::bucket' },
        Fine: { Type: 'AWS::SNS::Topic' }
      })
    );
    expect(message).toMatch(
      /^template: templates\/x\.yml: resource Vpc has the type "AWS::EC2::VPCC", which CloudFormation does not know \(did you mean AWS::EC2::VPC\?\)/
    );
    expect(message).toContain(
      'resource Bucket has the type "aws::s3::bucket", which CloudFormation does not know (did you mean AWS::S3::Bucket?)'
    );
    expect(message).not.toContain('Fine');
    expect(message).toMatch(/this check knows \d{4} from cfn-lint 1\.\d+\.\d+ resource provider schemas/);
  });

  test.each([
    ['a resource without a Type', template({ X: { Properties: {} } }), /resource X has no Type/],
    [
      'a malformed type name',
      template({ X: { Type: 'AWS_EC2_VPC' } }),
      /resource X has the type "AWS_EC2_VPC", which is not a resource type name \(Organization::Service::Resource, such as AWS::S3::Bucket\)/
    ],
    [
      'a bad custom resource name',
      template({ X: { Type: 'Custom::has space' } }),
      /a custom resource type is Custom::/
    ],
    [
      'AWS::Serverless without the transform',
      template({ F: { Type: 'AWS::Serverless::Function' } }),
      /needs the template's `Transform: AWS::Serverless-2016-10-31`/
    ],
    [
      'an unknown Alexa type',
      template({ S: { Type: 'Alexa::ASK::Skil' } }),
      /did you mean Alexa::ASK::Skill/
    ],
    [
      'inside Fn::ForEach',
      template(
        { 'Fn::ForEach::Topics': ['Name', ['a', 'b'], { 'Topic${Name}': { Type: 'AWS::SNS::Topik' } }] },
        { Transform: 'AWS::LanguageExtensions' }
      ),
      /resource Fn::ForEach::Topics → Topic\$\{Name\} has the type "AWS::SNS::Topik"/
    ]
  ])('%s is refused', (_name, doc, message) => {
    expect(refusedTypes(doc)).toMatch(message);
  });

  test.each([
    [
      'custom resources',
      template({ A: { Type: 'Custom::Seed' }, B: { Type: 'AWS::CloudFormation::CustomResource' } })
    ],
    [
      'SAM types with the transform',
      template({ F: { Type: 'AWS::Serverless::Function' } }, { Transform: ['AWS::Serverless-2016-10-31'] })
    ],
    ['an intrinsic Type (resolved by CloudFormation)', template({ A: { Type: { Ref: 'T' } } })],
    [
      'Fn::Transform in Resources',
      template({ 'Fn::Transform': { Name: 'AWS::Include' }, A: { Type: 'AWS::SNS::Topic' } })
    ]
  ])('%s are accepted silently', (_name, doc) => {
    expect(checkResourceTypes(doc, 'x.yml')).toEqual([]);
  });

  test('registry extensions, modules and macro-handled types are accepted with a warning', () => {
    expect(checkResourceTypes(template({ C: { Type: 'MongoDB::Atlas::Cluster' } }), 'x.yml')).toEqual([
      'template: resource C has the type "MongoDB::Atlas::Cluster", a CloudFormation registry extension (third-party or private): not checked here; it must be activated in the account and region.'
    ]);
    expect(
      checkResourceTypes(template({ M: { Type: 'MyOrg::Network::Vpc::MODULE' } }), 'x.yml')[0]
    ).toContain('uses the module "MyOrg::Network::Vpc::MODULE" from the CloudFormation registry');
    expect(
      checkResourceTypes(template({ A: { Type: 'AWS::EC2::VPCC' } }, { Transform: 'MyMacro' }), 'x.yml')[0]
    ).toContain("left to the template's transform MyMacro");
    expect(
      checkResourceTypes(
        template({ F: { Type: 'AWS::Serverless::Funktion' } }, { Transform: 'AWS::Serverless-2016-10-31' }),
        'x.yml'
      )[0]
    ).toContain('not one of the AWS::Serverless types this check knows');
  });

  test('every resource type of the shipped templates is known', () => {
    const used = new Set<string>();
    for (const file of readdirSync('templates').filter((f) => f.endsWith('.yml'))) {
      const { document } = parseTemplate(readFileSync(path.join('templates', file), 'utf8'), file);
      expect(checkResourceTypes(document, file)).toEqual([]);
      for (const r of Object.values(document.Resources as Record<string, { Type: string }>)) used.add(r.Type);
    }
    expect([...used].filter((t) => !knownResourceTypes().has(t))).toEqual([]);
    expect(used.size).toBeGreaterThan(20);
  });

  test('resource-types.json is what the venv’s cfn-lint gives (npx tsx scripts/gen-resource-types.ts)', () => {
    const committed = JSON.parse(readFileSync('src/stacks/resource-types.json', 'utf8'));
    expect(committed).toEqual(resourceTypeData());
  });
});

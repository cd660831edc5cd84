/**
 * deploy-stack's bundle with bad inputs, run as the runner runs it, against moto's CloudFormation behind a
 * recording proxy: each bad input fails the step (exit 1) with an error that names the input, quotes the
 * value (never a NoEcho one) and says what is valid, before any request reaches the server, so nothing
 * mutating (CreateChangeSet, ExecuteChangeSet, CreateStack, UpdateStack, UpdateTerminationProtection,
 * DeleteChangeSet) can have been sent.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startMoto, type MotoServer } from '../../src/local/moto.js';
import { runActionBundle } from '../helpers/action.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';

const MUTATING = new Set([
  'CreateChangeSet',
  'ExecuteChangeSet',
  'CreateStack',
  'UpdateStack',
  'UpdateTerminationProtection',
  'DeleteChangeSet'
]);
const SECRET = 'short-pw';

let moto: MotoServer;
let proxy: FaultProxy;
let env: Record<string, string>;
const dir = mkdtempSync(path.join(tmpdir(), 'deploy-stack-bad-'));
const custom = path.join(dir, 'custom.yml');
const typo = path.join(dir, 'typo.yml');
const ecrParameters = path.join(dir, 'ecr-parameters.json');

beforeAll(async () => {
  writeFileSync(
    custom,
    [
      'Parameters:',
      '  DbPassword:',
      '    Type: String',
      '    NoEcho: true',
      '    MinLength: 12',
      '    ConstraintDescription: at least 12 characters',
      '  VpcId:',
      '    Type: AWS::EC2::VPC::Id',
      '  Stages:',
      '    Type: CommaDelimitedList',
      '    AllowedPattern: "[a-z]+"',
      '    Default: dev',
      'Resources:',
      '  Topic:',
      '    Type: AWS::SNS::Topic',
      ''
    ].join('\n')
  );
  writeFileSync(
    typo,
    'Resources:\n  Vpc:\n    Type: AWS::EC2::VPCC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n'
  );
  writeFileSync(ecrParameters, JSON.stringify([{ ParameterKey: 'KeepImages', ParameterValue: '0' }]));
  moto = await startMoto();
  proxy = await startFaultProxy({ target: moto.endpoint, lifetimeMs: 10 * 60 * 1000 });
  env = { AWS_ENDPOINT_URL: proxy.endpoint };
});
afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

const mutating = () => proxy.requests.filter((r) => MUTATING.has(r.action ?? '')).map((r) => r.action);

test('the proxy sees CloudFormation actions (the control for the table below)', async () => {
  proxy.clear();
  const run = await runActionBundle(
    'deploy-stack',
    { 'stack-name': 'twotier-ecr-review', template: 'templates/ecr.yml', 'no-execute': 'true' },
    env
  );
  expect(run.errors).toEqual([]);
  expect(run.outputs.status).toBe('CHANGE_SET_CREATED');
  expect(mutating()).toEqual(['CreateChangeSet']);
  expect(proxy.requests.map((r) => r.action)).toContain('DescribeStacks');
  // the phases are the face's log groups
  expect(run.stdout).toContain('::group::Plan: stack twotier-ecr-review (change set)');
  expect(run.stdout).toContain('::group::Apply: stack twotier-ecr-review');
});

interface BadInput {
  inputs: Record<string, string>;
  /** The input the error must name. */
  input: string;
  /** The value as the error must quote it (omitted for a NoEcho value). */
  quoted?: string;
  /** What the error must say is valid. */
  valid: RegExp;
}

const network = { 'stack-name': 'twotier-network', template: 'templates/network.yml' };
const service = { 'stack-name': 'twotier-service', template: 'templates/service.yml' };
const customStack = () => ({ 'stack-name': 'custom', template: custom });
const TABLE: Record<string, () => BadInput> = {
  'a value against AllowedPattern': () => ({
    inputs: { ...network, parameters: 'EnvironmentName=9env' },
    input: 'parameters',
    quoted: 'EnvironmentName="9env"',
    valid:
      /does not match the template's AllowedPattern "\^\[a-zA-Z\]\[a-zA-Z0-9-\]\{0,30\}\$"; the whole value must match it/
  }),
  'a value outside AllowedValues': () => ({
    inputs: { ...network, parameters: 'EgressMode=nat' },
    input: 'parameters',
    quoted: 'EgressMode="nat"',
    valid: /allowed values: nat-per-az, single-nat, endpoints/
  }),
  'a Number parameter given 0x10': () => ({
    inputs: { ...service, parameters: 'DesiredCount=0x10' },
    input: 'parameters',
    quoted: 'DesiredCount="0x10"',
    valid: /is not a number; a Number parameter takes an integer or a decimal/
  }),
  'a Number above MaxValue': () => ({
    inputs: { ...service, parameters: 'DesiredCount=101' },
    input: 'parameters',
    quoted: 'DesiredCount="101"',
    valid: /the template allows from 0 to 100/
  }),
  'a parameters-file value below MinValue': () => ({
    inputs: { 'stack-name': 'twotier-ecr', template: 'templates/ecr.yml', 'parameters-file': ecrParameters },
    input: 'parameters-file',
    quoted: 'KeepImages="0"',
    valid: /the template allows from 1 to 1000/
  }),
  'a NoEcho value shorter than MinLength (never quoted)': () => ({
    inputs: { ...customStack(), parameters: `DbPassword=${SECRET}\nVpcId=vpc-0123abcd` },
    input: 'parameters',
    valid:
      /DbPassword \(NoEcho\): the value given is shorter than MinLength; the template allows at least 12 characters\. The template's ConstraintDescription: "at least 12 characters"/
  }),
  'an AWS::EC2::VPC::Id that is not a VPC ID': () => ({
    inputs: { ...customStack(), parameters: 'DbPassword=long-enough-password\nVpcId=vpc_123' },
    input: 'parameters',
    quoted: 'VpcId="vpc_123"',
    valid:
      /is not a VPC ID; AWS::EC2::VPC::Id takes vpc- followed by 8 or 17 lower-case hex digits, such as vpc-a123baa3/
  }),
  'a CommaDelimitedList item against AllowedPattern': () => ({
    inputs: {
      ...customStack(),
      parameters: 'DbPassword=long-enough-password\nVpcId=vpc-0123abcd\nStages=dev,Prod'
    },
    input: 'parameters',
    quoted: 'Stages="dev,Prod": item 2 "Prod"',
    valid: /each item must match it as a whole/
  }),
  'termination-protection: maybe': () => ({
    inputs: { ...network, 'termination-protection': 'maybe' },
    input: 'termination-protection',
    quoted: '"maybe"',
    valid: /expected true or false/
  }),
  'timeout-minutes: 0x10': () => ({
    inputs: { ...network, 'timeout-minutes': '0x10' },
    input: 'timeout-minutes',
    quoted: '"0x10"',
    valid: /expected a number from 1 to 720 \(minutes/
  }),
  'capabilities: CAPABILITY_ADMIN': () => ({
    inputs: { ...network, capabilities: 'CAPABILITY_IAM,CAPABILITY_ADMIN' },
    input: 'capabilities',
    quoted: '"CAPABILITY_ADMIN"',
    valid: /valid: CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND/
  }),
  'a tag starting with aws:': () => ({
    inputs: { ...network, tags: 'project=twotier\naws:owner=me' },
    input: 'tags',
    quoted: '"aws:owner"',
    valid: /not starting with aws:/
  }),
  'a role ARN that is not one': () => ({
    inputs: { ...network, 'role-arn': 'cfn-role' },
    input: 'role-arn',
    quoted: '"cfn-role"',
    valid: /is not an IAM role ARN/
  }),
  'an unknown resource type': () => ({
    inputs: { 'stack-name': 'typo', template: typo },
    input: 'template',
    quoted: '"AWS::EC2::VPCC"',
    valid: /which CloudFormation does not know \(did you mean AWS::EC2::VPC\?\)/
  }),
  'a template outside the workspace': () => ({
    inputs: { 'stack-name': 'outside', template: '../outside/network.yml' },
    input: 'template',
    quoted: '"../outside/network.yml"',
    valid: /points outside the workspace .*; give a path inside it, or an absolute path/
  }),
  'a parameters-file outside the workspace': () => ({
    inputs: { ...network, 'parameters-file': '../../parameters.json' },
    input: 'parameters-file',
    quoted: '"../../parameters.json"',
    valid: /points outside the workspace/
  })
};

describe('bad inputs: exit 1, the input named, the value quoted, what is valid, no request sent', () => {
  test.each(Object.keys(TABLE))('%s', async (name) => {
    const bad = TABLE[name]!();
    proxy.clear();
    const run = await runActionBundle('deploy-stack', bad.inputs, env);
    expect(run.code).toBe(1);
    const error = run.errors.join('\n');
    expect(error).toMatch(/^::error::Configuration error: /);
    expect(error).toContain(bad.input);
    if (bad.quoted) expect(error).toContain(bad.quoted);
    expect(error).toMatch(bad.valid);
    expect(`${run.stdout}${run.stderr}${run.summary}`).not.toContain(SECRET);
    expect(mutating()).toEqual([]);
    expect(proxy.requests).toEqual([]);
  });
});

/**
 * deployStack with aws-sdk-client-mock: the states moto never produces (failed creates, update rollbacks),
 * the no-change paths, and bad inputs that must fail before any CloudFormation call.
 */
import { Duration } from '../../src/lib/duration.js';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  UpdateTerminationProtectionCommand,
  type Stack,
  type StackEvent
} from '@aws-sdk/client-cloudformation';
import { ConfigurationError, DeploymentError } from '../../src/lib/errors.js';
import { MemoryReporter } from '../../src/lib/reporter.js';
import {
  deployStack,
  stackSummaryMarkdown,
  type DeployStackOptions,
  type DeployStackResult
} from '../../src/stacks/index.js';

const cf = mockClient(CloudFormationClient);
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/twotier-service/1111';
const CS_ID = 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/cs-1/2222';
const aws = { region: 'us-east-1', endpoint: 'http://127.0.0.1:1' };
const base: DeployStackOptions = {
  stackName: 'twotier-service',
  template: 'templates/service.yml',
  changeSetName: 'cs-1',
  pollDelaySeconds: 1,
  timeout: Duration.minutes(1),
  ...aws
};

function notFound(): Error {
  return Object.assign(new Error('Stack with id twotier-service does not exist'), {
    name: 'ValidationError'
  });
}
function stack(status: string, extra: Partial<Stack> = {}): { Stacks: Stack[] } {
  return {
    Stacks: [
      {
        StackName: 'twotier-service',
        StackId: STACK_ID,
        StackStatus: status,
        CreationTime: new Date(),
        ...extra
      } as Stack
    ]
  };
}
function event(
  logicalId: string,
  status: string,
  reason: string,
  token: string | undefined,
  type = 'AWS::ECS::Service'
): StackEvent {
  const isStack = logicalId === 'twotier-service';
  return {
    StackId: STACK_ID,
    StackName: 'twotier-service',
    EventId: `${logicalId}-${status}`,
    LogicalResourceId: logicalId,
    ResourceType: isStack ? 'AWS::CloudFormation::Stack' : type,
    ResourceStatus: status,
    ResourceStatusReason: reason,
    ClientRequestToken: token,
    Timestamp: new Date('2026-11-21T10:00:00Z')
  } as StackEvent;
}
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the deploy to fail');
}

beforeEach(() => {
  cf.reset();
});
afterEach(() => {
  cf.reset();
});

describe('deployStack failure paths', () => {
  test('a failed create reports only this operation’s failed resources, with their reasons', async () => {
    cf.on(DescribeStacksCommand).rejectsOnce(notFound()).resolves(stack('ROLLBACK_COMPLETE'));
    cf.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cf.on(DescribeChangeSetCommand).resolves({
      Status: 'CREATE_COMPLETE',
      ExecutionStatus: 'AVAILABLE',
      Changes: [
        {
          Type: 'Resource',
          ResourceChange: {
            Action: 'Add',
            LogicalResourceId: 'WebService',
            ResourceType: 'AWS::ECS::Service'
          }
        }
      ]
    });
    cf.on(ExecuteChangeSetCommand).resolves({});
    cf.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        event('twotier-service', 'ROLLBACK_COMPLETE', '', 'cs-1'),
        event('WebService', 'DELETE_COMPLETE', '', 'cs-1'),
        event(
          'twotier-service',
          'ROLLBACK_IN_PROGRESS',
          'The following resource(s) failed to create: [WebService].',
          'cs-1'
        ),
        event(
          'WebService',
          'CREATE_FAILED',
          'Resource handler returned message: "Invalid request provided: CreateService error: TargetGroup has no load balancer"',
          'cs-1'
        ),
        event('WebTargetGroup', 'CREATE_COMPLETE', '', 'cs-1', 'AWS::ElasticLoadBalancingV2::TargetGroup'),
        event('twotier-service', 'CREATE_IN_PROGRESS', 'User Initiated', 'cs-1'),
        event('twotier-service', 'REVIEW_IN_PROGRESS', 'User Initiated', undefined),
        event('OldThing', 'CREATE_FAILED', 'an older operation', 'older-token')
      ]
    });
    const reporter = new MemoryReporter();
    const error = await failure(deployStack(base, reporter));
    expect(error).toBeInstanceOf(DeploymentError);
    expect(error.message).toContain('twotier-service ended in ROLLBACK_COMPLETE');
    expect(error.message).toContain('WebService CREATE_FAILED');
    const result = (error as DeploymentError).result as DeployStackResult;
    expect(result.failures.map((f) => [f.logicalId, f.status])).toEqual([['WebService', 'CREATE_FAILED']]);
    expect(result.failures[0]?.reason).toContain('TargetGroup has no load balancer');
    expect(reporter.lines.join('\n')).toContain('✗ WebService (AWS::ECS::Service) CREATE_FAILED');
    expect(stackSummaryMarkdown(result)).toContain('| WebService | AWS::ECS::Service | CREATE_FAILED |');
    expect(cf.commandCalls(ExecuteChangeSetCommand)[0]?.args[0].input).toMatchObject({
      ChangeSetName: CS_ID,
      ClientRequestToken: 'cs-1'
    });
  });

  test('an update that rolls back (UPDATE_ROLLBACK_COMPLETE) fails with the failed resource', async () => {
    cf.on(DescribeStacksCommand)
      .resolvesOnce(
        stack('UPDATE_COMPLETE', { Parameters: [{ ParameterKey: 'Topology', ParameterValue: 'sidecar' }] })
      )
      .resolves(stack('UPDATE_ROLLBACK_COMPLETE'));
    cf.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cf.on(DescribeChangeSetCommand).resolves({
      Status: 'CREATE_COMPLETE',
      Changes: [
        {
          Type: 'Resource',
          ResourceChange: {
            Action: 'Modify',
            LogicalResourceId: 'SidecarTaskDefinition',
            ResourceType: 'AWS::ECS::TaskDefinition',
            PhysicalResourceId: 'arn:aws:ecs:us-east-1:123456789012:task-definition/twotier-sidecar:3',
            Replacement: 'True'
          }
        }
      ]
    });
    cf.on(ExecuteChangeSetCommand).resolves({});
    cf.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        event('twotier-service', 'UPDATE_ROLLBACK_COMPLETE', '', 'cs-1'),
        event(
          'WebService',
          'UPDATE_FAILED',
          'Resource handler returned message: "Error occurred during operation \'ECS Deployment Circuit Breaker was triggered\'."',
          'cs-1'
        ),
        event('twotier-service', 'UPDATE_IN_PROGRESS', 'User Initiated', 'cs-1'),
        event('WebService', 'UPDATE_FAILED', 'the previous deploy', 'cs-0'),
        event('twotier-service', 'UPDATE_IN_PROGRESS', 'User Initiated', 'cs-0')
      ]
    });
    const reporter = new MemoryReporter();
    const error = await failure(deployStack({ ...base, parameters: { WebImage: 'nginx:2' } }, reporter));
    expect(error).toBeInstanceOf(DeploymentError);
    expect(error.message).toContain('ended in UPDATE_ROLLBACK_COMPLETE');
    const result = (error as DeploymentError).result as DeployStackResult;
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]?.reason).toContain('Circuit Breaker');
    expect(result.changes).toEqual([
      expect.objectContaining({ action: 'Modify', logicalId: 'SidecarTaskDefinition', replacement: 'True' })
    ]);
    expect(reporter.lines.join('\n')).toContain(
      '~ Modify SidecarTaskDefinition AWS::ECS::TaskDefinition (replacement: True)'
    );
    // UPDATE change set; Topology (not given) keeps its previous value, WebImage is the new one
    const input = cf.commandCalls(CreateChangeSetCommand)[0]?.args[0].input;
    expect(input?.ChangeSetType).toBe('UPDATE');
    expect(input?.Parameters).toEqual(
      expect.arrayContaining([
        { ParameterKey: 'WebImage', ParameterValue: 'nginx:2' },
        { ParameterKey: 'Topology', ParameterValue: 'sidecar' }
      ])
    );
  });

  test('a change set that fails for another reason is a DeploymentError and nothing is executed', async () => {
    cf.on(DescribeStacksCommand).rejects(notFound());
    cf.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cf.on(DescribeChangeSetCommand).resolves({
      Status: 'FAILED',
      StatusReason: 'Requires capabilities : [CAPABILITY_IAM]'
    });
    const error = await failure(deployStack(base, new MemoryReporter()));
    expect(error).toBeInstanceOf(DeploymentError);
    expect(error.message).toContain('Requires capabilities : [CAPABILITY_IAM]');
    expect(cf.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  test('a stack left in ROLLBACK_COMPLETE by a failed create is refused before any change', async () => {
    cf.on(DescribeStacksCommand).resolves(stack('ROLLBACK_COMPLETE'));
    const error = await failure(deployStack(base, new MemoryReporter()));
    expect(error).toBeInstanceOf(DeploymentError);
    expect(error.message).toContain('Delete the stack');
    expect(cf.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });
});

describe('deployStack success paths', () => {
  test('an empty change set is success without execution, and is deleted', async () => {
    cf.on(DescribeStacksCommand).resolves(
      stack('UPDATE_COMPLETE', { Outputs: [{ OutputKey: 'ServiceName', OutputValue: 'twotier-sidecar' }] })
    );
    cf.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cf.on(DescribeChangeSetCommand).resolves({
      Status: 'FAILED',
      StatusReason:
        "The submitted information didn't contain changes. Submit different information to create a change set."
    });
    cf.on(DeleteChangeSetCommand).resolves({});
    const result = await deployStack(base, new MemoryReporter());
    expect(result.status).toBe('NO_CHANGES');
    expect(result.changed).toBe(false);
    expect(result.executed).toBe(false);
    expect(result.outputs).toEqual({ ServiceName: 'twotier-sidecar' });
    expect(cf.commandCalls(DeleteChangeSetCommand)[0]?.args[0].input).toEqual({
      StackName: 'twotier-service',
      ChangeSetName: CS_ID
    });
    expect(cf.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(stackSummaryMarkdown(result)).toContain('No changes');
  });

  test('"No updates are to be performed" from CreateChangeSet is the same no-change success', async () => {
    cf.on(DescribeStacksCommand).resolves(stack('CREATE_COMPLETE'));
    cf.on(CreateChangeSetCommand).rejects(
      Object.assign(new Error('No updates are to be performed.'), { name: 'ValidationError' })
    );
    const result = await deployStack(base, new MemoryReporter());
    expect(result.status).toBe('NO_CHANGES');
    expect(cf.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
    expect(cf.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  test('no-execute creates and prints the change set and stops', async () => {
    cf.on(DescribeStacksCommand).rejects(notFound());
    cf.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cf.on(DescribeChangeSetCommand).resolves({
      Status: 'CREATE_COMPLETE',
      Changes: [
        {
          Type: 'Resource',
          ResourceChange: { Action: 'Add', LogicalResourceId: 'TaskRole', ResourceType: 'AWS::IAM::Role' }
        }
      ]
    });
    const result = await deployStack(
      { ...base, noExecute: true, capabilities: ['CAPABILITY_IAM'] },
      new MemoryReporter()
    );
    expect(result).toMatchObject({
      status: 'CHANGE_SET_CREATED',
      changed: true,
      executed: false,
      changeSetId: CS_ID
    });
    expect(cf.commandCalls(CreateChangeSetCommand)[0]?.args[0].input).toMatchObject({
      ChangeSetType: 'CREATE',
      Capabilities: ['CAPABILITY_IAM']
    });
    expect(cf.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  test('create, outputs, tags and termination protection', async () => {
    cf.on(DescribeStacksCommand)
      .rejectsOnce(notFound())
      .resolves(
        stack('CREATE_COMPLETE', { Outputs: [{ OutputKey: 'TaskFamily', OutputValue: 'twotier-sidecar' }] })
      );
    cf.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cf.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', Changes: [] });
    cf.on(ExecuteChangeSetCommand).resolves({});
    cf.on(UpdateTerminationProtectionCommand).resolves({});
    const result = await deployStack(
      { ...base, tags: { team: 'web' }, terminationProtection: true },
      new MemoryReporter()
    );
    expect(result).toMatchObject({
      status: 'CREATE_COMPLETE',
      changed: true,
      executed: true,
      terminationProtection: true
    });
    expect(result.outputs).toEqual({ TaskFamily: 'twotier-sidecar' });
    expect(cf.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.Tags).toEqual([
      { Key: 'team', Value: 'web' }
    ]);
    expect(cf.commandCalls(UpdateTerminationProtectionCommand)[0]?.args[0].input).toEqual({
      StackName: STACK_ID,
      EnableTerminationProtection: true
    });
  });

  test('create-without-change-set uses CreateStack and says so', async () => {
    cf.on(DescribeStacksCommand).rejectsOnce(notFound()).resolves(stack('CREATE_COMPLETE'));
    cf.on(CreateStackCommand).resolves({ StackId: STACK_ID });
    const reporter = new MemoryReporter();
    const result = await deployStack({ ...base, createWithoutChangeSet: true }, reporter);
    expect(result).toMatchObject({ method: 'create-stack', status: 'CREATE_COMPLETE' });
    expect(cf.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
    expect(reporter.warnings.join('\n')).toContain('without a change set');
  });

  test('NoEcho parameter values are masked and kept by UsePreviousValue on update', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tpl-'));
    const file = path.join(dir, 't.yml');
    writeFileSync(
      file,
      'Parameters:\n  Password:\n    Type: String\n    NoEcho: true\n  Name:\n    Type: String\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref Name\n'
    );
    cf.on(DescribeStacksCommand).resolves(
      stack('UPDATE_COMPLETE', {
        Parameters: [
          { ParameterKey: 'Password', ParameterValue: '****' },
          { ParameterKey: 'Name', ParameterValue: 'old' }
        ]
      })
    );
    cf.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cf.on(DescribeChangeSetCommand).resolves({
      Status: 'FAILED',
      StatusReason: 'No updates are to be performed.'
    });
    cf.on(DeleteChangeSetCommand).resolves({});
    const reporter = new MemoryReporter();
    await deployStack({ ...base, template: file, parameters: { Name: 'new' } }, reporter);
    expect(cf.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.Parameters).toEqual([
      { ParameterKey: 'Name', ParameterValue: 'new' },
      { ParameterKey: 'Password', UsePreviousValue: true }
    ]);
    await deployStack(
      { ...base, template: file, parameters: { Name: 'x', Password: 's3cret-value' } },
      reporter
    );
    expect(reporter.secrets).toContain('s3cret-value');
  });
});

describe('bad inputs fail before any CloudFormation call', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bad-'));
  const notYaml = path.join(dir, 'bad.yml');
  writeFileSync(notYaml, 'Resources: [unclosed\n');
  const noResources = path.join(dir, 'empty.yml');
  writeFileSync(noResources, 'Parameters:\n  A:\n    Type: String\n');
  const badParamsFile = path.join(dir, 'params.json');
  writeFileSync(badParamsFile, JSON.stringify([{ Key: 'Topology', Value: 'split' }]));
  const goodParamsFile = path.join(dir, 'good.json');
  writeFileSync(goodParamsFile, JSON.stringify([{ ParameterKey: 'Topolgy', ParameterValue: 'split' }]));

  const cases: Array<[string, Partial<DeployStackOptions>, RegExp, string]> = [
    [
      'missing template file',
      { template: 'templates/nope.yml' },
      /template file "templates\/nope.yml" does not exist/,
      'template'
    ],
    ['template that does not parse', { template: notYaml }, /is not valid YAML or JSON/, 'template'],
    ['template without Resources', { template: noResources }, /has no Resources section/, 'template'],
    ['http URL', { template: 'http://example.com/t.yml' }, /neither a file nor an https/, 'template'],
    [
      'unknown parameter',
      { parameters: { Topolgy: 'split' } },
      /"Topolgy" is not a parameter of templates\/service.yml; its parameters are EnvironmentName, AppName, Topology/,
      'parameters'
    ],
    [
      'value outside AllowedValues',
      { parameters: { Topology: 'mesh' } },
      /Topology="mesh" is not allowed by the template; allowed values: sidecar, split/,
      'parameters'
    ],
    [
      'unknown parameter in a file',
      { parametersFile: goodParamsFile },
      /"Topolgy" is not a parameter/,
      'parameters-file'
    ],
    [
      'malformed parameters file',
      { parametersFile: badParamsFile },
      /expected \{"ParameterKey": "Name", "ParameterValue": "value"\}/,
      'parameters-file'
    ],
    [
      'bad capability',
      { capabilities: ['CAPABILITY_ADMIN'] },
      /"CAPABILITY_ADMIN" is not a CloudFormation capability; valid: CAPABILITY_IAM/,
      'capabilities'
    ],
    [
      'bad stack name',
      { stackName: '1-stack_name' },
      /stack-name "1-stack_name" is not a stack name/,
      'stack-name'
    ],
    ['aws: tag', { tags: { 'aws:owner': 'me' } }, /"aws:owner" is not a valid tag/, 'tags'],
    ['bad role ARN', { roleArn: 'cfn-role' }, /role-arn "cfn-role" is not an IAM role ARN/, 'role-arn']
  ];
  test.each(cases)('%s', async (_name, override, message, input) => {
    const error = await failure(deployStack({ ...base, ...override }, new MemoryReporter()));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(message);
    expect((error as ConfigurationError).input).toBe(input);
    expect(cf.calls()).toHaveLength(0);
  });

  test('a required parameter missing on create fails after DescribeStacks, before any change', async () => {
    cf.on(DescribeStacksCommand).rejects(notFound());
    const error = await failure(
      deployStack(
        { ...base, template: 'templates/github-oidc.yml', parameters: { GitHubOrg: 'octo' } },
        new MemoryReporter()
      )
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('requires GitHubRepository, FrontendBucketName');
    expect(cf.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeStacksCommand']);
  });
});

/**
 * deploy-stack's phases and failure contract, with aws-sdk-client-mock: planStack writes at most the change
 * set, applyStack executes it; the library opens no log group; the library's default capabilities are the
 * declaration's; every failure after a write says what was already changed (message and `changed`), and
 * every AWS error names the API, the stack or change set and the region.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandOutput,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  UpdateTerminationProtectionCommand,
  type Stack,
  type StackStatus
} from '@aws-sdk/client-cloudformation';
import { Duration } from '../../src/lib/duration.js';
import { ConfigurationError, DeploymentError } from '../../src/lib/errors.js';
import { MemoryReporter, type Reporter } from '../../src/lib/reporter.js';
import { applyStack, deployStack, planStack, prepareStack } from '../../src/stacks/deploy.js';
import type { DeployStackOptions, DeployStackResult } from '../../src/stacks/types.js';

const cf = mockClient(CloudFormationClient);
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/twotier-ecr/1111';
const CS_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:changeSet/cs-1/2222';
const base: DeployStackOptions = {
  stackName: 'twotier-ecr',
  template: 'templates/ecr.yml',
  changeSetName: 'cs-1',
  pollDelaySeconds: 1,
  timeout: Duration.minutes(1),
  region: 'eu-west-1',
  endpoint: 'http://127.0.0.1:1'
};
const WRITES = [
  CreateChangeSetCommand,
  ExecuteChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  UpdateTerminationProtectionCommand
];

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}
const notFound = () => awsError('ValidationError', 'Stack with id twotier-ecr does not exist');
function stack(status: StackStatus, extra: Partial<Stack> = {}): { Stacks: Stack[] } {
  return {
    Stacks: [
      { StackName: 'twotier-ecr', StackId: STACK_ID, StackStatus: status, CreationTime: new Date(), ...extra }
    ]
  };
}
const addition: DescribeChangeSetCommandOutput = {
  $metadata: {},
  Status: 'CREATE_COMPLETE',
  Changes: [
    {
      Type: 'Resource',
      ResourceChange: {
        Action: 'Add',
        LogicalResourceId: 'ApiRepository',
        ResourceType: 'AWS::ECR::Repository'
      }
    }
  ]
};
const writesSent = () =>
  cf.calls().filter((c) => WRITES.some((command) => c.args[0] instanceof command)).length;

async function failure(promise: Promise<unknown>): Promise<DeploymentError<DeployStackResult>> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DeploymentError);
    return error as DeploymentError<DeployStackResult>;
  }
  throw new Error('expected a DeploymentError');
}

beforeEach(() => {
  cf.reset();
});
afterEach(() => {
  cf.reset();
});

describe('phases', () => {
  test('planStack creates and describes the change set and executes nothing; applyStack executes it', async () => {
    cf.on(DescribeStacksCommand).rejectsOnce(notFound()).resolves(stack('CREATE_COMPLETE'));
    cf.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cf.on(DescribeChangeSetCommand).resolves(addition);
    cf.on(ExecuteChangeSetCommand).resolves({});
    const reporter = new MemoryReporter();
    const plan = await planStack(prepareStack(base, reporter));
    expect(plan).toMatchObject({ stackName: 'twotier-ecr', operation: 'CREATE', next: 'execute-change-set' });
    expect(plan.result.changes.map((c) => c.logicalId)).toEqual(['ApiRepository']);
    expect(reporter.lines.join('\n')).toContain('+ Add ApiRepository AWS::ECR::Repository');
    expect(cf.commandCalls(CreateChangeSetCommand)).toHaveLength(1);
    expect(cf.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    const result = await applyStack(plan);
    expect(result).toMatchObject({ status: 'CREATE_COMPLETE', executed: true });
    expect(cf.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
  });

  test('create-without-change-set: the plan writes nothing, CreateStack is the apply', async () => {
    cf.on(DescribeStacksCommand).rejectsOnce(notFound()).resolves(stack('CREATE_COMPLETE'));
    cf.on(CreateStackCommand).resolves({ StackId: STACK_ID });
    const plan = await planStack(
      prepareStack({ ...base, createWithoutChangeSet: true }, new MemoryReporter())
    );
    expect(plan.next).toBe('create-stack');
    expect(writesSent()).toBe(0);
    expect((await applyStack(plan)).status).toBe('CREATE_COMPLETE');
    expect(cf.commandCalls(CreateStackCommand)).toHaveLength(1);
  });

  test('no-execute with create-without-change-set is refused after the read, before any write', async () => {
    cf.on(DescribeStacksCommand).rejects(notFound());
    const error = await planStack(
      prepareStack({ ...base, createWithoutChangeSet: true, noExecute: true }, new MemoryReporter())
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).input).toBe('no-execute');
    expect(writesSent()).toBe(0);
  });

  test('the library opens no log group (the faces do)', async () => {
    cf.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cf.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cf.on(DescribeChangeSetCommand).resolves(addition);
    cf.on(ExecuteChangeSetCommand).resolves({});
    const memory = new MemoryReporter();
    const reporter: Reporter = {
      info: (m) => memory.info(m),
      warn: (m) => memory.warn(m),
      debug: () => undefined,
      secret: (v) => memory.secret(v),
      group: () => {
        throw new Error('the library opened a group');
      }
    };
    const result = await deployStack({ ...base, parameters: { KeepImages: '20' } }, reporter);
    expect(result.status).toBe('UPDATE_COMPLETE');
  });

  test('the library defaults capabilities to the declaration’s CAPABILITY_IAM', async () => {
    cf.on(DescribeStacksCommand).rejects(notFound());
    cf.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cf.on(DescribeChangeSetCommand).resolves(addition);
    await planStack(prepareStack({ ...base, noExecute: true }, new MemoryReporter()));
    expect(cf.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.Capabilities).toEqual([
      'CAPABILITY_IAM'
    ]);
  });
});

describe('a failure says what was already changed', () => {
  test('nothing yet: DescribeStacks refused, named with the stack and the region', async () => {
    cf.on(DescribeStacksCommand).rejects(
      awsError('AccessDenied', 'not authorized to perform DescribeStacks')
    );
    const error = await failure(deployStack(base, new MemoryReporter()));
    expect(error.message).toBe(
      'DescribeStacks for stack twotier-ecr in eu-west-1 failed: AccessDenied: not authorized to perform DescribeStacks.\nNothing was changed in AWS.'
    );
    expect(error.changed).toEqual([]);
    expect(error.result?.status).toBe('DESCRIBESTACKS_FAILED');
    expect(writesSent()).toBe(0);
  });

  test('CreateChangeSet refused: nothing created', async () => {
    cf.on(DescribeStacksCommand).rejects(notFound());
    cf.on(CreateChangeSetCommand).rejects(
      awsError('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_NAMED_IAM]')
    );
    const error = await failure(deployStack(base, new MemoryReporter()));
    expect(error.message).toMatch(
      /^CreateChangeSet for change set cs-1 of stack twotier-ecr in eu-west-1 failed: InsufficientCapabilitiesException: Requires capabilities : \[CAPABILITY_NAMED_IAM\]\.\nNothing was changed in AWS\.$/
    );
    expect(error.changed).toEqual([]);
  });

  test('DescribeChangeSet fails after the create: the change set was created and kept for review', async () => {
    cf.on(DescribeStacksCommand).rejects(notFound());
    cf.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    // the waiter's poll sees the change set; the description after it is refused
    cf.on(DescribeChangeSetCommand)
      .resolvesOnce(addition)
      .rejects(awsError('AccessDenied', 'not authorized'));
    const error = await failure(deployStack(base, new MemoryReporter()));
    expect(error.message).toContain(
      'DescribeChangeSet for change set cs-1 of stack twotier-ecr in eu-west-1 failed: AccessDenied: not authorized.'
    );
    expect(error.changed).toEqual([
      'the change set cs-1 was created and kept for review; the new stack twotier-ecr is REVIEW_IN_PROGRESS (no resources) until the change set is executed or deleted'
    ]);
    expect(error.message).toContain(`\nAlready changed in AWS: ${error.changed[0]}.`);
  });

  test('ExecuteChangeSet refused on an update: the change set is kept, the stack unchanged', async () => {
    cf.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cf.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cf.on(DescribeChangeSetCommand).resolves(addition);
    cf.on(ExecuteChangeSetCommand).rejects(
      awsError('InvalidChangeSetStatusException', 'ChangeSet is in an invalid state')
    );
    const error = await failure(deployStack(base, new MemoryReporter()));
    expect(error.message).toMatch(
      /^ExecuteChangeSet for change set cs-1 of stack twotier-ecr in eu-west-1 failed: InvalidChangeSetStatusException/
    );
    expect(error.changed).toEqual([
      'the change set cs-1 was created and kept for review; the stack itself is unchanged'
    ]);
    expect(error.result).toMatchObject({
      status: 'EXECUTECHANGESET_FAILED',
      changeSetId: CS_ID,
      executed: false
    });
  });

  test('an update rolled back: the message says CloudFormation rolled it back', async () => {
    cf.on(DescribeStacksCommand)
      .resolvesOnce(stack('UPDATE_COMPLETE'))
      .resolves(stack('UPDATE_ROLLBACK_COMPLETE', { StackStatusReason: 'Resource update cancelled' }));
    cf.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cf.on(DescribeChangeSetCommand).resolves(addition);
    cf.on(ExecuteChangeSetCommand).resolves({});
    cf.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    const error = await failure(deployStack(base, new MemoryReporter()));
    expect(error.changed).toEqual([
      'the stack update of twotier-ecr was started by executing change set cs-1; CloudFormation rolled it back to the previous template and parameters (UPDATE_ROLLBACK_COMPLETE)'
    ]);
    expect(error.message).toMatch(
      /^twotier-ecr ended in UPDATE_ROLLBACK_COMPLETE \(Resource update cancelled\)\.\nAlready changed in AWS: the stack update/
    );
  });

  test('a create rolled back: the stack must be deleted', async () => {
    cf.on(DescribeStacksCommand).rejectsOnce(notFound()).resolves(stack('ROLLBACK_COMPLETE'));
    cf.on(CreateStackCommand).resolves({ StackId: STACK_ID });
    cf.on(DescribeStackEventsCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    const error = await failure(deployStack({ ...base, createWithoutChangeSet: true }, new MemoryReporter()));
    expect(error.changed[0]).toBe(
      'the stack creation of twotier-ecr was started with CreateStack; CloudFormation rolled it back (ROLLBACK_COMPLETE): the stack exists without resources and must be deleted before it can be deployed again'
    );
    // the events could not be read: said, without hiding the failure itself
    expect(error.message).toContain(
      '(DescribeStackEvents for stack twotier-ecr in eu-west-1 failed: Rate exceeded)'
    );
  });

  test('termination protection refused after a successful update: the update is reported as done', async () => {
    cf.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cf.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cf.on(DescribeChangeSetCommand).resolves(addition);
    cf.on(ExecuteChangeSetCommand).resolves({});
    cf.on(UpdateTerminationProtectionCommand).rejects(awsError('AccessDenied', 'not authorized'));
    const error = await failure(deployStack({ ...base, terminationProtection: true }, new MemoryReporter()));
    expect(error.message).toMatch(
      /^UpdateTerminationProtection for stack twotier-ecr in eu-west-1 failed: AccessDenied: not authorized\.\nAlready changed in AWS: the stack twotier-ecr was updated \(UPDATE_COMPLETE\)\.$/
    );
  });

  test('a failed delete of the empty change set is a warning; termination protection is still set', async () => {
    cf.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE', { EnableTerminationProtection: false }));
    cf.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cf.on(DescribeChangeSetCommand).resolves({
      Status: 'FAILED',
      StatusReason: "The submitted information didn't contain changes."
    });
    cf.on(DeleteChangeSetCommand).rejects(awsError('AccessDenied', 'not authorized to delete'));
    cf.on(UpdateTerminationProtectionCommand).resolves({});
    const reporter = new MemoryReporter();
    const result = await deployStack({ ...base, terminationProtection: true }, reporter);
    // a failed delete of the empty change set is a warning: the deploy had nothing to do either way
    expect(result.status).toBe('NO_CHANGES');
    expect(result.terminationProtection).toBe(true);
    expect(reporter.warnings.join('\n')).toContain(
      'DeleteChangeSet for change set cs-1 of stack twotier-ecr in eu-west-1 failed (not authorized to delete): the empty change set is left'
    );
  });
});

/**
 * The preflight against aws-sdk-client-mock, for answers the local AWS does not give on demand: AccessDenied
 * on each check, DescribeParameters pages that are empty but carry a NextToken, deleted secrets, missing
 * version stages, parameters of another account.
 */
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeTaskDefinitionCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  findMissingResources,
  parseEcrImage,
  parseSecretReference,
  preflightTaskDefinition
} from '../../src/ecs/preflight.js';
import { registerTaskDefinition } from '../../src/ecs/register.js';
import type { TaskDefinitionDoc } from '../../src/ecs/task-definition.js';
import { ConfigurationError } from '../../src/lib/errors.js';
import { MemoryReporter } from '../../src/lib/reporter.js';

const ecr = mockClient(ECRClient);
const ssm = mockClient(SSMClient);
const secrets = mockClient(SecretsManagerClient);
const logs = mockClient(CloudWatchLogsClient);
const ecs = mockClient(ECSClient);

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app/api:v7';
const PARAMETER = 'arn:aws:ssm:eu-west-1:123456789012:parameter/app/database-url';
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/api-key-AbCdEf';
const AWS = { region: 'eu-west-1' };

const denied = (name = 'AccessDeniedException') => Object.assign(new Error('not authorized'), { name });
const notFound = (name: string) => Object.assign(new Error(`${name}`), { name });
/** What ECS answers DescribeTaskDefinition for a family with no revision yet. */
const noSuchFamily = () =>
  Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' });

function taskDefinition(over: Partial<Record<string, unknown>> = {}): TaskDefinitionDoc {
  return {
    family: 'app',
    executionRoleArn: 'arn:aws:iam::123456789012:role/app/execution',
    containerDefinitions: [
      {
        name: 'api',
        image: IMAGE,
        secrets: [
          { name: 'DATABASE_URL', valueFrom: PARAMETER },
          { name: 'API_KEY', valueFrom: `${SECRET}:key::` }
        ],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/app' } },
        ...over
      }
    ]
  };
}

beforeEach(() => {
  for (const mock of [ecr, ssm, secrets, logs, ecs]) mock.reset();
  ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageTags: ['v7'] }] });
  ssm.on(DescribeParametersCommand).resolves({ Parameters: [{ Name: '/app/database-url' }] });
  secrets.on(DescribeSecretCommand).resolves({ ARN: SECRET, VersionIdsToStages: { v1: ['AWSCURRENT'] } });
  logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: '/ecs/app' }] });
});
afterAll(() => {
  for (const mock of [ecr, ssm, secrets, logs, ecs]) mock.restore();
});

describe('parsing references', () => {
  it.each([
    [IMAGE, { registryId: '123456789012', region: 'eu-west-1', repositoryName: 'app/api', imageTag: 'v7' }],
    [
      `123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1@sha256:${'a'.repeat(64)}`,
      {
        registryId: '123456789012',
        region: 'us-east-1',
        repositoryName: 'api',
        imageDigest: `sha256:${'a'.repeat(64)}`
      }
    ],
    [
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/api',
      { registryId: '123456789012', region: 'us-east-1', repositoryName: 'api', imageTag: 'latest' }
    ],
    ['nginx:1.27', undefined],
    ['public.ecr.aws/nginx/nginx:1.27', undefined],
    ['ghcr.io/org/app:1', undefined]
  ])('parseEcrImage(%s)', (image, expected) => {
    expect(parseEcrImage(image)).toEqual(expected);
  });

  it.each([
    [
      PARAMETER,
      { kind: 'ssm-parameter', region: 'eu-west-1', account: '123456789012', names: ['/app/database-url'] }
    ],
    [
      'arn:aws:ssm:eu-west-1:123456789012:parameter/flat',
      { kind: 'ssm-parameter', region: 'eu-west-1', account: '123456789012', names: ['flat', '/flat'] }
    ],
    ['/app/database-url', { kind: 'ssm-parameter', names: ['/app/database-url'] }],
    ['flat-name', { kind: 'ssm-parameter', names: ['flat-name'] }],
    [
      `${SECRET}:password:AWSPREVIOUS:`,
      {
        kind: 'secret',
        region: 'eu-west-1',
        account: '123456789012',
        secretId: SECRET,
        versionStage: 'AWSPREVIOUS',
        versionId: undefined
      }
    ],
    [
      SECRET,
      {
        kind: 'secret',
        region: 'eu-west-1',
        account: '123456789012',
        secretId: SECRET,
        versionStage: undefined,
        versionId: undefined
      }
    ],
    ['arn:aws:s3:::bucket/key', undefined]
  ])('parseSecretReference(%s)', (valueFrom, expected) => {
    expect(parseSecretReference(valueFrom)).toEqual(expected);
  });
});

describe('checks', () => {
  it('asks each service exactly what the task needs, never for a secret value', async () => {
    const result = await findMissingResources(taskDefinition(), AWS, new MemoryReporter());
    expect(result).toMatchObject({ checked: 4, missing: [], unchecked: [], skipped: [] });
    expect(ecr.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toEqual({
      registryId: '123456789012',
      repositoryName: 'app/api',
      imageIds: [{ imageTag: 'v7' }]
    });
    expect(ssm.commandCalls(DescribeParametersCommand)[0]?.args[0].input.ParameterFilters).toEqual([
      { Key: 'Name', Option: 'Equals', Values: ['/app/database-url'] }
    ]);
    expect(secrets.commandCalls(DescribeSecretCommand)[0]?.args[0].input).toEqual({ SecretId: SECRET });
    expect(logs.commandCalls(DescribeLogGroupsCommand)[0]?.args[0].input).toMatchObject({
      logGroupNamePrefix: '/ecs/app'
    });
  });

  it('reads every DescribeParameters page (SSM may return an empty page with a NextToken)', async () => {
    ssm
      .on(DescribeParametersCommand)
      .resolvesOnce({ Parameters: [], NextToken: 't1' })
      .resolvesOnce({ Parameters: [{ Name: '/app/database-url' }] });
    const result = await findMissingResources(taskDefinition(), AWS, new MemoryReporter());
    expect(result.missing).toEqual([]);
    expect(ssm.commandCalls(DescribeParametersCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      't1'
    ]);
  });

  it('asks for at most 50 parameter names per DescribeParameters call', async () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ name: `P${i}`, valueFrom: `/app/p${i}` }));
    ssm.on(DescribeParametersCommand).callsFake((input: { ParameterFilters: { Values: string[] }[] }) => ({
      Parameters: input.ParameterFilters[0]!.Values.map((Name) => ({ Name }))
    }));
    const result = await findMissingResources(taskDefinition({ secrets: many }), AWS, new MemoryReporter());
    expect(result.missing).toEqual([]);
    const sizes = ssm
      .commandCalls(DescribeParametersCommand)
      .map((c) => c.args[0].input.ParameterFilters![0]!.Values!.length);
    expect(sizes).toEqual([50, 10]);
  });

  it('stops reading log groups once the sorted names are past the one it looks for', async () => {
    logs.on(DescribeLogGroupsCommand).resolves({
      logGroups: [{ logGroupName: '/ecs/app-old' }, { logGroupName: '/ecs/apple' }],
      nextToken: 'more'
    });
    const result = await findMissingResources(taskDefinition(), AWS, new MemoryReporter());
    expect(result.missing).toEqual([
      expect.objectContaining({
        container: 'api',
        kind: 'log-group',
        what: 'log group /ecs/app (not found in eu-west-1)'
      })
    ]);
    expect(logs.commandCalls(DescribeLogGroupsCommand)).toHaveLength(1);
  });

  it('counts a deleted secret and a version stage no version carries as missing', async () => {
    secrets
      .on(DescribeSecretCommand)
      .resolvesOnce({ ARN: SECRET, DeletedDate: new Date(0) })
      .resolves({ ARN: SECRET, VersionIdsToStages: { v1: ['AWSCURRENT'] } });
    const deleted = await findMissingResources(taskDefinition(), AWS, new MemoryReporter());
    expect(deleted.missing.map((m) => m.what)).toEqual([
      `Secrets Manager secret ${SECRET} (scheduled for deletion)`
    ]);
    const stage = await findMissingResources(
      taskDefinition({ secrets: [{ name: 'K', valueFrom: `${SECRET}:key:AWSPREVIOUS:` }] }),
      AWS,
      new MemoryReporter()
    );
    expect(stage.missing.map((m) => m.what)).toEqual([
      `Secrets Manager secret ${SECRET} version stage AWSPREVIOUS (no version has it)`
    ]);
  });

  it('skips images outside ECR and parameters of another account', async () => {
    const reporter = new MemoryReporter();
    const result = await findMissingResources(
      taskDefinition({
        image: 'nginx:1.27',
        secrets: [{ name: 'X', valueFrom: 'arn:aws:ssm:eu-west-1:999999999999:parameter/shared/x' }]
      }),
      AWS,
      reporter
    );
    expect(result.checked).toBe(1);
    expect(result.skipped).toEqual([
      'image nginx:1.27 of api is not in a private ECR registry; not checked',
      expect.stringMatching(/parameter .* is in account 999999999999.*not checked/)
    ]);
    expect(ecr.commandCalls(DescribeImagesCommand)).toEqual([]);
    expect(ssm.commandCalls(DescribeParametersCommand)).toEqual([]);
  });

  it('throws one ConfigurationError naming each container and miss', async () => {
    ecr.on(DescribeImagesCommand).rejects(notFound('ImageNotFoundException'));
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
    const error = await preflightTaskDefinition(taskDefinition(), AWS, new MemoryReporter()).catch(
      (e: unknown) => e
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(
      [
        'Preflight: the tasks of app could not start; 2 thing(s) they need do not exist, so nothing was registered:',
        `  - container api: image ${IMAGE} (repository app/api has no tag v7). Fix: push the image first (the build-push action), or correct \`images\`.`,
        '  - container api: SSM parameter /app/database-url (not found in eu-west-1). Fix: create the parameter (aws ssm put-parameter --type SecureString), or correct `secrets`.',
        'Set `preflight: false` to register without these checks.'
      ].join('\n')
    );
  });
});

describe('AccessDenied', () => {
  function file(): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'preflight-'));
    writeFileSync(path.join(dir, 'td.json'), JSON.stringify(taskDefinition()));
    return path.join(dir, 'td.json');
  }

  it('on every check is a warning naming the permission, and the task definition is still registered', async () => {
    ecr.on(DescribeImagesCommand).rejects(denied());
    ssm.on(DescribeParametersCommand).rejects(denied());
    secrets.on(DescribeSecretCommand).rejects(denied());
    logs.on(DescribeLogGroupsCommand).rejects(denied('AccessDenied'));
    ecs.on(DescribeTaskDefinitionCommand).rejects(noSuchFamily());
    ecs.on(RegisterTaskDefinitionCommand).resolves({
      taskDefinition: {
        taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/app:1',
        revision: 1
      }
    });
    const reporter = new MemoryReporter();
    const result = await registerTaskDefinition(
      { ...AWS, taskDefinitionFile: file(), client: new ECSClient(AWS) },
      reporter
    );
    expect(result.changed).toBe(true);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
    expect(result.preflight?.unchecked).toHaveLength(4);
    expect(reporter.warnings.sort()).toEqual([
      'preflight could not check SSM parameter /app/database-url (api): AccessDeniedException. Allow ssm:DescribeParameters (resource "*") to let it check.',
      `preflight could not check Secrets Manager secret ${SECRET} (api): AccessDeniedException. Allow secretsmanager:DescribeSecret on ${SECRET}* to let it check.`,
      `preflight could not check image ${IMAGE} (api): AccessDeniedException. Allow ecr:DescribeImages on arn:aws:ecr:eu-west-1:123456789012:repository/app/api to let it check.`,
      'preflight could not check log group /ecs/app (api): AccessDenied. Allow logs:DescribeLogGroups on arn:aws:logs:eu-west-1:<account>:log-group:* to let it check.'
    ]);
    expect(reporter.lines).toContain(
      'preflight: 0 of 4 image(s), secret(s) and log group(s) checked and present; 4 could not be checked'
    );
  });

  it('with preflight false, nothing but ECS is called', async () => {
    ecs.on(DescribeTaskDefinitionCommand).rejects(noSuchFamily());
    ecs.on(RegisterTaskDefinitionCommand).resolves({
      taskDefinition: {
        taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/app:1',
        revision: 1
      }
    });
    const result = await registerTaskDefinition(
      { ...AWS, taskDefinitionFile: file(), preflight: false, client: new ECSClient(AWS) },
      new MemoryReporter()
    );
    expect(result.preflight).toBeUndefined();
    for (const mock of [ecr, ssm, secrets, logs]) expect(mock.calls()).toEqual([]);
  });
});

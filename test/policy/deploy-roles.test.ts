/**
 * Least privilege, checked against the code: every AWS API the toolkit calls is allowed by the roles in
 * templates/github-oidc.yml (the deploy actions' calls by DeployRole, deploy-stack's by StackDeployRole),
 * and neither role allows an action the toolkit does not call.
 *
 * "What the toolkit calls" is read from the TypeScript sources at test time: every `new XxxCommand(`,
 * `paginateXxx(`, `@aws-sdk/lib-storage` `new Upload(` and SDK waiter `waitUntilXxx(` in src/**, except
 * src/local/ (the embedded local AWS), src/demo/ (fixtures the demo creates in the local AWS) and src/cli/
 * (the same library calls). A command missing from the table below fails the test, naming the file.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseTemplate } from '../../src/stacks/template.js';

const ROOT = process.cwd();
const EXCLUDED = ['src/local/', 'src/demo/', 'src/cli/'];

/**
 * SDK command → IAM actions it needs, per client package (service authorization reference:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
 * Dependent actions are listed with the command that needs them (RegisterTaskDefinition and RunTask pass
 * the task roles; UpdateService passes service.yml's ECS infrastructure role when the update carries the
 * service's LoadBalancers[].AdvancedConfiguration.RoleArn; CreateChangeSet/CreateStack pass role-arn to
 * CloudFormation).
 */
const COMMANDS: Record<string, Record<string, string[]>> = {
  '@aws-sdk/client-ecs': {
    RegisterTaskDefinition: ['ecs:RegisterTaskDefinition', 'iam:PassRole'],
    DescribeTaskDefinition: ['ecs:DescribeTaskDefinition'],
    DeregisterTaskDefinition: ['ecs:DeregisterTaskDefinition'],
    ListTaskDefinitions: ['ecs:ListTaskDefinitions'],
    UpdateService: ['ecs:UpdateService', 'iam:PassRole'],
    DescribeServices: ['ecs:DescribeServices'],
    RunTask: ['ecs:RunTask', 'iam:PassRole'],
    DescribeTasks: ['ecs:DescribeTasks'],
    ListTasks: ['ecs:ListTasks'],
    StopTask: ['ecs:StopTask'],
    DescribeClusters: ['ecs:DescribeClusters'],
    ListServiceDeployments: ['ecs:ListServiceDeployments'],
    DescribeServiceDeployments: ['ecs:DescribeServiceDeployments'],
    DescribeServiceRevisions: ['ecs:DescribeServiceRevisions'],
    StopServiceDeployment: ['ecs:StopServiceDeployment'],
    ContinueServiceDeployment: ['ecs:ContinueServiceDeployment']
  },
  '@aws-sdk/client-cloudwatch-logs': {
    GetLogEvents: ['logs:GetLogEvents'],
    FilterLogEvents: ['logs:FilterLogEvents'],
    DescribeLogStreams: ['logs:DescribeLogStreams'],
    DescribeLogGroups: ['logs:DescribeLogGroups']
  },
  '@aws-sdk/client-ssm': { DescribeParameters: ['ssm:DescribeParameters'] },
  '@aws-sdk/client-secrets-manager': { DescribeSecret: ['secretsmanager:DescribeSecret'] },
  '@aws-sdk/client-ecr': {
    DescribeImages: ['ecr:DescribeImages'],
    DescribeRepositories: ['ecr:DescribeRepositories'],
    GetAuthorizationToken: ['ecr:GetAuthorizationToken'],
    BatchGetImage: ['ecr:BatchGetImage'],
    PutImage: ['ecr:PutImage']
  },
  '@aws-sdk/client-s3': {
    ListObjectsV2: ['s3:ListBucket'],
    HeadBucket: ['s3:ListBucket'],
    HeadObject: ['s3:GetObject'],
    GetObject: ['s3:GetObject'],
    PutObject: ['s3:PutObject'],
    CopyObject: ['s3:GetObject', 's3:PutObject'],
    DeleteObject: ['s3:DeleteObject'],
    DeleteObjects: ['s3:DeleteObject'],
    CreateMultipartUpload: ['s3:PutObject'],
    UploadPart: ['s3:PutObject'],
    CompleteMultipartUpload: ['s3:PutObject'],
    AbortMultipartUpload: ['s3:AbortMultipartUpload']
  },
  '@aws-sdk/client-cloudfront': {
    CreateInvalidation: ['cloudfront:CreateInvalidation'],
    GetInvalidation: ['cloudfront:GetInvalidation'],
    ListInvalidations: ['cloudfront:ListInvalidations'],
    GetDistribution: ['cloudfront:GetDistribution']
  },
  '@aws-sdk/client-cloudformation': {
    CreateChangeSet: ['cloudformation:CreateChangeSet', 'iam:PassRole'],
    DescribeChangeSet: ['cloudformation:DescribeChangeSet'],
    ExecuteChangeSet: ['cloudformation:ExecuteChangeSet'],
    DeleteChangeSet: ['cloudformation:DeleteChangeSet'],
    ListChangeSets: ['cloudformation:ListChangeSets'],
    CreateStack: ['cloudformation:CreateStack', 'iam:PassRole'],
    DescribeStacks: ['cloudformation:DescribeStacks'],
    DescribeStackEvents: ['cloudformation:DescribeStackEvents'],
    UpdateTerminationProtection: ['cloudformation:UpdateTerminationProtection']
  },
  // GetCallerIdentity needs no permission (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
  '@aws-sdk/client-sts': { GetCallerIdentity: [] }
};

/** SDK waiters → the call they poll. */
const WAITERS: Record<string, string[]> = {
  TasksStopped: ['ecs:DescribeTasks'],
  TasksRunning: ['ecs:DescribeTasks'],
  ServicesStable: ['ecs:DescribeServices'],
  ServicesInactive: ['ecs:DescribeServices'],
  ChangeSetCreateComplete: ['cloudformation:DescribeChangeSet'],
  StackCreateComplete: ['cloudformation:DescribeStacks'],
  StackUpdateComplete: ['cloudformation:DescribeStacks'],
  StackDeleteComplete: ['cloudformation:DescribeStacks'],
  StackRollbackComplete: ['cloudformation:DescribeStacks'],
  StackExists: ['cloudformation:DescribeStacks'],
  InvalidationCompleted: ['cloudfront:GetInvalidation'],
  ImageScanComplete: ['ecr:DescribeImageScanFindings']
};

/** lib-storage's Upload: PutObject or a multipart upload, aborted on failure. */
const UPLOAD = ['s3:PutObject', 's3:AbortMultipartUpload'];

/**
 * Called by `docker push` / buildx in the build-push composite action (after amazon ECR login), not by our
 * TypeScript: the registry API of an image push (and the manifest/layer reads of a cache or skip check).
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html
 */
const DOCKER_PUSH = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:PutImage',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:GetAuthorizationToken'
];

interface Call {
  file: string;
  what: string;
  actions: string[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** name → package, from `import {...} from '@aws-sdk/...'` statements of one file. */
function sdkImports(text: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'(@aws-sdk\/[^']+)'/g)) {
    for (const raw of (m[1] ?? '').split(',')) {
      const name = raw
        .replace(/^\s*type\s+/, '')
        .split(/\s+as\s+/)[0]
        ?.trim();
      if (name) names.set(name, m[2] ?? '');
    }
  }
  return names;
}

/** Every AWS call in the toolkit's sources, with its IAM actions; throws naming the file for unknown ones. */
function scanCalls(): Call[] {
  const calls: Call[] = [];
  const unknown: string[] = [];
  const files = sourceFiles(path.join(ROOT, 'src'))
    .map((f) => path.relative(ROOT, f).split(path.sep).join('/'))
    .filter((f) => !EXCLUDED.some((prefix) => f.startsWith(prefix)));
  for (const file of files) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    const imports = sdkImports(text);
    const commandNames = [
      ...[...text.matchAll(/new\s+([A-Z][A-Za-z0-9]*)Command\s*\(/g)].map((m) => m[1] ?? ''),
      ...[...text.matchAll(/\bpaginate([A-Z][A-Za-z0-9]*)\s*\(/g)].map((m) => m[1] ?? '')
    ];
    for (const command of commandNames) {
      const pkg = imports.get(`${command}Command`) ?? imports.get(`paginate${command}`);
      const actions = pkg ? COMMANDS[pkg]?.[command] : undefined;
      if (!actions) {
        unknown.push(`${file}: ${command}Command (${pkg ?? 'not imported from an @aws-sdk client'})`);
        continue;
      }
      calls.push({ file, what: `${command}Command`, actions });
    }
    for (const m of text.matchAll(/\bwaitUntil([A-Z][A-Za-z0-9]*)\s*\(/g)) {
      const actions = WAITERS[m[1] ?? ''];
      if (!actions) unknown.push(`${file}: waitUntil${m[1]}`);
      else calls.push({ file, what: `waitUntil${m[1]}`, actions });
    }
    if (/new\s+Upload\s*\(/.test(text)) {
      if (imports.get('Upload') !== '@aws-sdk/lib-storage')
        unknown.push(`${file}: Upload not from @aws-sdk/lib-storage`);
      else calls.push({ file, what: 'lib-storage Upload', actions: UPLOAD });
    }
  }
  if (unknown.length) {
    throw new Error(
      `AWS calls with no IAM mapping in test/policy/deploy-roles.test.ts (add them to COMMANDS/WAITERS, then to the roles in templates/github-oidc.yml):\n  ${unknown.join('\n  ')}`
    );
  }
  return calls;
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const template = parseTemplate(
  readFileSync(path.join(ROOT, 'templates/github-oidc.yml'), 'utf8'),
  'github-oidc.yml'
);
const resources = template.document.Resources as Record<string, { Properties: Record<string, unknown> }>;
const serviceTemplate = parseTemplate(
  readFileSync(path.join(ROOT, 'templates/service.yml'), 'utf8'),
  'service.yml'
);
const serviceResources = serviceTemplate.document.Resources as Record<
  string,
  { Properties: Record<string, unknown> }
>;

function roleStatements(role: string): Statement[] {
  const policies = resources[role]?.Properties.Policies as Array<{
    PolicyDocument: { Statement: Statement[] };
  }>;
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}
const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

/** The resource patterns of a statement, with intrinsics rendered: Fn::Sub → its string, Fn::If → both branches. */
function resourcePatterns(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(resourcePatterns);
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('Fn::Sub' in v) return [Array.isArray(v['Fn::Sub']) ? String(v['Fn::Sub'][0]) : String(v['Fn::Sub'])];
    if ('Fn::If' in v) return (v['Fn::If'] as unknown[]).slice(1).flatMap(resourcePatterns);
    if ('Fn::GetAtt' in v) return [`GetAtt:${(v['Fn::GetAtt'] as string[]).join('.')}`];
    if ('Ref' in v) return [`Ref:${String(v.Ref)}`];
  }
  return [JSON.stringify(value)];
}

function allowed(role: string): Set<string> {
  return new Set(
    roleStatements(role)
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => list(s.Action))
  );
}

/** Actions whose IAM resource type cannot be scoped (resource "*" is the only option). */
const UNSCOPABLE = new Set([
  'ecr:GetAuthorizationToken',
  'ecs:RegisterTaskDefinition',
  'ecs:DescribeTaskDefinition',
  'ecs:DeregisterTaskDefinition',
  'ecs:ListTaskDefinitions',
  'ssm:DescribeParameters'
]);

const SERVICE = /:service\/\$\{EnvironmentName\}\/\$\{AppName\}-\*$/;
const SERVICE_DEPLOYMENT = /:service-deployment\/\$\{EnvironmentName\}\/\$\{AppName\}-\*\/\*$/;
const SERVICE_REVISION = /:service-revision\/\$\{EnvironmentName\}\/\$\{AppName\}-\*\/\*$/;
/** The IAM path of service.yml's ECS infrastructure role, the only roles DeployRole may pass to ECS itself. */
const INFRASTRUCTURE_ROLES =
  /^arn:\$\{AWS::Partition\}:iam::\$\{AWS::AccountId\}:role\/\$\{EnvironmentName\}\/ecs-infrastructure\/\*$/;

const calls = scanCalls();
const stackCalls = calls.filter((c) => c.file.startsWith('src/stacks/'));
const deployCalls = calls.filter((c) => !c.file.startsWith('src/stacks/'));
const needed = (cs: Call[]) => new Set(cs.flatMap((c) => c.actions));

describe('the toolkit’s AWS calls (scanned from src/)', () => {
  test('the scan finds the calls of every domain', () => {
    const files = new Set(calls.map((c) => c.file.split('/')[1]));
    expect([...files].sort()).toEqual(expect.arrayContaining(['ecs', 'frontend', 'stacks']));
    expect(needed(stackCalls)).toContain('cloudformation:CreateChangeSet');
    expect(needed(deployCalls)).toContain('ecs:UpdateService');
  });
});

describe('DeployRole (deploy actions)', () => {
  const role = allowed('DeployRole');
  const expected = new Set([...needed(deployCalls), ...DOCKER_PUSH]);

  test('allows every AWS API the deploy actions call', () => {
    const missing = deployCalls.flatMap((c) =>
      c.actions.filter((a) => !role.has(a)).map((a) => `${a} (${c.what} in ${c.file})`)
    );
    expect(missing).toEqual([]);
    expect(DOCKER_PUSH.filter((a) => !role.has(a))).toEqual([]);
  });

  test('allows nothing the toolkit does not call', () => {
    expect([...role].filter((a) => !expected.has(a)).sort()).toEqual([]);
    expect([...role].filter((a) => a.includes('*'))).toEqual([]);
  });

  test('scopes every action to the environment’s resources (REFERENCE §4)', () => {
    for (const statement of roleStatements('DeployRole')) {
      const actions = list(statement.Action);
      const patterns = resourcePatterns(statement.Resource);
      const where = `${statement.Sid}: ${actions.join(', ')} on ${patterns.join(', ')}`;
      if (patterns.includes('*')) {
        const conditioned =
          actions.every((a) => a === 'ecs:ListTasks') && statement.Condition?.ArnEquals?.['ecs:cluster'];
        expect({ where, scoped: actions.every((a) => UNSCOPABLE.has(a)) || Boolean(conditioned) }).toEqual({
          where,
          scoped: true
        });
        continue;
      }
      for (const action of actions) {
        const expectMatch = (re: RegExp) =>
          expect({ where, ok: patterns.every((p) => re.test(p)) }).toEqual({ where, ok: true });
        if (action.startsWith('ecr:')) expectMatch(/:repository\/\$\{\w+RepositoryName\}$/);
        else if (['ecs:UpdateService', 'ecs:DescribeServices', 'ecs:ListServiceDeployments'].includes(action))
          expectMatch(SERVICE);
        else if (
          [
            'ecs:DescribeServiceDeployments',
            'ecs:StopServiceDeployment',
            'ecs:ContinueServiceDeployment'
          ].includes(action)
        ) {
          // Authorized on both the service and the service deployment (both required resource types).
          expectMatch(new RegExp(`${SERVICE.source}|${SERVICE_DEPLOYMENT.source}`));
          expect({ where, service: patterns.some((p) => SERVICE.test(p)) }).toEqual({ where, service: true });
          expect({ where, deployment: patterns.some((p) => SERVICE_DEPLOYMENT.test(p)) }).toEqual({
            where,
            deployment: true
          });
        } else if (action === 'ecs:DescribeServiceRevisions') {
          // Authorized on both the service and the service revision.
          expectMatch(new RegExp(`${SERVICE.source}|${SERVICE_REVISION.source}`));
          expect({ where, service: patterns.some((p) => SERVICE.test(p)) }).toEqual({ where, service: true });
          expect({ where, revision: patterns.some((p) => SERVICE_REVISION.test(p)) }).toEqual({
            where,
            revision: true
          });
        } else if (action === 'ecs:RunTask') {
          expectMatch(/:task-definition\/\$\{AppName\}-\*:\*$/);
          expect(statement.Condition?.ArnEquals?.['ecs:cluster']).toBeDefined();
        } else if (action === 'ecs:DescribeTasks' || action === 'ecs:StopTask')
          expectMatch(/:task\/\$\{EnvironmentName\}\/\*$/);
        else if (action === 'ecs:DescribeClusters') expectMatch(/:cluster\/\$\{EnvironmentName\}$/);
        else if (action === 'iam:PassRole') {
          const passedTo = statement.Condition?.StringEquals?.['iam:PassedToService'];
          if (passedTo === 'ecs.amazonaws.com') expectMatch(INFRASTRUCTURE_ROLES);
          else {
            expectMatch(/:role\/\$\{EnvironmentName\}\/\*$/);
            expect({ where, passedTo }).toEqual({ where, passedTo: 'ecs-tasks.amazonaws.com' });
          }
        } else if (action === 'logs:DescribeLogGroups')
          // Authorized on `log-group::log-stream:` of the region, whatever the prefix asked for.
          expectMatch(/^arn:\$\{AWS::Partition\}:logs:\$\{AWS::Region\}:\$\{AWS::AccountId\}:log-group:\*$/);
        else if (action === 'secretsmanager:DescribeSecret')
          // The app's secrets have any name (RDS names its own rds!cluster-…): the account and region's.
          expectMatch(
            /^arn:\$\{AWS::Partition\}:secretsmanager:\$\{AWS::Region\}:\$\{AWS::AccountId\}:secret:\*$/
          );
        else if (action.startsWith('logs:'))
          expectMatch(/:log-group:\/ecs\/\$\{EnvironmentName\}:log-stream:\*$/);
        else if (action === 's3:ListBucket')
          expectMatch(/^arn:\$\{AWS::Partition\}:s3:::\$\{FrontendBucketName\}$/);
        else if (action.startsWith('s3:'))
          expectMatch(/^arn:\$\{AWS::Partition\}:s3:::\$\{FrontendBucketName\}\/\*$/);
        else if (action.startsWith('cloudfront:')) expectMatch(/:distribution\/(\$\{DistributionId\}|\*)$/);
        else throw new Error(`no scoping rule for ${action} (${where})`);
      }
    }
  });
});

describe('the ECS infrastructure role (service.yml, traffic-shifting strategies)', () => {
  const role = serviceResources.EcsInfrastructureRole?.Properties ?? {};

  test('is trusted by ECS, carries the managed policy for load balancers and lives under the path DeployRole passes', () => {
    const trust = role.AssumeRolePolicyDocument as { Statement: Statement[] };
    expect(
      trust.Statement.map((s) => [s.Effect, s.Action, (s as { Principal?: unknown }).Principal])
    ).toEqual([['Allow', 'sts:AssumeRole', { Service: 'ecs.amazonaws.com' }]]);
    expect(resourcePatterns(role.ManagedPolicyArns)).toEqual([
      'arn:${AWS::Partition}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers'
    ]);
    const rolePath = resourcePatterns(role.Path);
    expect(rolePath).toEqual(['/${EnvironmentName}/ecs-infrastructure/']);
    expect(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role${rolePath[0]}*`).toMatch(
      INFRASTRUCTURE_ROLES
    );
  });

  test('DeployRole passes it, and nothing else, to ecs.amazonaws.com', () => {
    const toEcs = roleStatements('DeployRole').filter(
      (s) => s.Condition?.StringEquals?.['iam:PassedToService'] === 'ecs.amazonaws.com'
    );
    expect(toEcs.map((s) => [list(s.Action), resourcePatterns(s.Resource)])).toEqual([
      [['iam:PassRole'], [expect.stringMatching(INFRASTRUCTURE_ROLES)]]
    ]);
  });
});

describe('StackDeployRole (deploy-stack)', () => {
  const role = allowed('StackDeployRole');
  const expected = needed(stackCalls);

  test('allows every AWS API deploy-stack calls', () => {
    const missing = stackCalls.flatMap((c) =>
      c.actions.filter((a) => !role.has(a)).map((a) => `${a} (${c.what} in ${c.file})`)
    );
    expect(missing).toEqual([]);
  });

  test('allows nothing deploy-stack does not call', () => {
    expect([...role].filter((a) => !expected.has(a)).sort()).toEqual([]);
    expect([...role].filter((a) => a.includes('*'))).toEqual([]);
  });

  test('works only on the environment’s stacks and passes only the CloudFormation execution role', () => {
    for (const statement of roleStatements('StackDeployRole')) {
      const patterns = resourcePatterns(statement.Resource);
      for (const action of list(statement.Action)) {
        if (action.startsWith('cloudformation:')) {
          expect(patterns).toEqual([
            'arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${EnvironmentName}-*/*'
          ]);
        } else if (action === 'iam:PassRole') {
          expect(patterns).toEqual(['GetAtt:CloudFormationExecutionRole.Arn']);
          expect(statement.Condition?.StringEquals?.['iam:PassedToService']).toBe(
            'cloudformation.amazonaws.com'
          );
        } else throw new Error(`unexpected ${action} in StackDeployRole`);
      }
    }
  });
});

describe('GitHub OIDC trust', () => {
  test.each(['DeployRole', 'StackDeployRole'])('%s trusts exactly one repository and environment', (role) => {
    const trust = resources[role]?.Properties.AssumeRolePolicyDocument as { Statement: Statement[] };
    expect(trust.Statement).toHaveLength(1);
    const [statement] = trust.Statement;
    expect(statement?.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(Object.keys(statement?.Condition ?? {})).toEqual(['StringEquals']);
    const equals = statement?.Condition?.StringEquals ?? {};
    expect(equals['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
    const sub = JSON.stringify(equals['token.actions.githubusercontent.com:sub']);
    expect(sub).toContain('repo:${GitHubOrg}/${GitHubRepository}:environment:');
    expect(sub).not.toMatch(/\*/);
  });
});

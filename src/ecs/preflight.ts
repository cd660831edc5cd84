/**
 * Preflight for register-task-definition: before a task definition is registered, check that what its tasks
 * will need at start exists, so a rollout that cannot start never starts. Only read/describe calls are made;
 * no secret value is ever read.
 *
 * - **Images** in ECR (`<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag][@sha256:…]`): ECR
 *   DescribeImages with registryId, repositoryName and the digest (or the tag, `latest` when none).
 *   https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html
 *   Other registries (Docker Hub, public.ecr.aws, ghcr.io) are skipped.
 * - **Secrets** (`secrets[].valueFrom`): SSM parameters (an ARN `arn:aws:ssm:…:parameter/NAME` or a bare
 *   name in the task's region) with DescribeParameters and a `Name` `Equals` ParameterStringFilter, up to 50
 *   names per call (the filter's value limit), every page read;
 *   https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeParameters.html
 *   Secrets Manager ARNs (the `:json-key:version-stage:version-id` suffix ECS allows is stripped; a
 *   version-stage no version carries is a miss) with DescribeSecret (metadata only, never the value).
 *   https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html
 * - **Log groups** of `awslogs` containers, unless the container sets `awslogs-create-group: "true"`:
 *   CloudWatch Logs DescribeLogGroups with `logGroupNamePrefix` and an exact name match.
 *   https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html
 *
 * A definite miss (ImageNotFoundException, RepositoryNotFoundException, no such parameter,
 * ResourceNotFoundException, a secret scheduled for deletion, no such log group) is collected; all misses
 * fail together in one ConfigurationError. A check that cannot be made (AccessDenied: a warning naming the
 * permission that would allow it; any other error: a warning with the error) never fails the registration.
 */
import { DescribeLogGroupsCommand, CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { clientConfig, type AwsOptions, type ServiceId } from '../lib/aws.js';
import { isAccessDenied } from '../lib/aws-call.js';
import { ConfigurationError, errorName, messageOf } from '../lib/errors.js';
import { lookUpImage, parseEcrImage, type EcrImage } from '../ecr/images.js';
import type { Reporter } from '../lib/reporter.js';
import type { ContainerDefinitionDoc, TaskDefinitionDoc } from './task-definition.js';

export { parseEcrImage, type EcrImage } from '../ecr/images.js';

/** What kind of thing a preflight check looks for. */
export type PreflightKind = 'image' | 'ssm-parameter' | 'secret' | 'log-group';

/** One thing a task would need at start that does not exist. */
export interface PreflightMiss {
  /** The container (or containers, comma-separated) that need it. */
  container: string;
  kind: PreflightKind;
  /** What is missing, for example `image 1234….dkr.ecr…/api:v2 (no tag v2 in repository api)`. */
  what: string;
  /** What to do about it. */
  fix: string;
}

/** What preflightTaskDefinition found. */
export interface PreflightResult {
  /** Number of distinct images, parameters, secrets and log groups checked (found, missing or unchecked). */
  checked: number;
  /** Found missing (empty when preflightTaskDefinition returns). */
  missing: PreflightMiss[];
  /** Checks that could not be made (AccessDenied or another error), one line each; also sent to warn. */
  unchecked: string[];
  /** References not checked by design (non-ECR images, parameters of another account), one line each. */
  skipped: string[];
}

const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d+';

/** A secret `valueFrom`, parsed. */
export type SecretReference =
  | {
      kind: 'ssm-parameter';
      /** Undefined: the task's region (a bare name). */
      region?: string;
      account?: string;
      /** Names the reference may denote (an ARN `parameter/x` is `x` or `/x`); the first is shown. */
      names: string[];
    }
  | {
      kind: 'secret';
      region: string;
      account: string;
      /** The secret's ARN without the json-key/version suffix. */
      secretId: string;
      versionStage?: string;
      versionId?: string;
    };

const SSM_ARN = new RegExp(`^arn:aws[a-z-]*:ssm:(${REGION}):(\\d{12}):parameter(/.+)$`);
const SECRET_ARN = new RegExp(
  `^(arn:aws[a-z-]*:secretsmanager:(${REGION}):(\\d{12}):secret:[^:]+)(?::(.*))?$`
);

/**
 * Parses a secret `valueFrom` the way ECS reads it: an SSM parameter ARN or name, or a Secrets Manager ARN
 * with the optional `:json-key:version-stage:version-id` suffix.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
 * @returns undefined for an ARN of another service or a malformed ARN.
 */
export function parseSecretReference(valueFrom: string): SecretReference | undefined {
  const secret = SECRET_ARN.exec(valueFrom);
  if (secret) {
    const [, secretId, region, account, suffix] = secret;
    const [, versionStage, versionId] = (suffix ?? '').split(':');
    return {
      kind: 'secret',
      region: region!,
      account: account!,
      secretId: secretId!,
      versionStage: versionStage || undefined,
      versionId: versionId || undefined
    };
  }
  const ssm = SSM_ARN.exec(valueFrom);
  if (ssm) {
    const [, region, account, path] = ssm;
    // ARN `parameter/a/b` is the hierarchical name `/a/b`; `parameter/x` is either `x` or `/x`.
    const names = path!.indexOf('/', 1) > 0 ? [path!] : [path!.slice(1), path!];
    return { kind: 'ssm-parameter', region, account, names };
  }
  if (valueFrom.startsWith('arn:')) return undefined;
  return { kind: 'ssm-parameter', names: [valueFrom] };
}

/**
 * Options of preflightTaskDefinition: region (the task's; images, ARNs and awslogs-region name their own),
 * retries, and an endpoint used for all four services (leave it out to use AWS_ENDPOINT_URL_<SERVICE>).
 */
export type PreflightOptions = AwsOptions;

type Service = Extract<ServiceId, 'ECR' | 'SSM' | 'SECRETS_MANAGER' | 'CLOUDWATCH_LOGS'>;

/** One check: what it looks for, the permission it needs (named when AccessDenied), how to run it. */
interface Check {
  containers: Set<string>;
  label: string;
  permission: string;
  run: () => Promise<PreflightMiss['what'] | undefined>;
  kind: PreflightKind;
  fix: string;
}

/** Clients per service and region, built with clientConfig and destroyed at the end. */
class Clients {
  private readonly cache = new Map<string, { destroy(): void }>();
  constructor(private readonly options: AwsOptions) {}
  private get<T extends { destroy(): void }>(
    service: Service,
    region: string,
    make: (config: ReturnType<typeof clientConfig>) => T
  ): T {
    const key = `${service}:${region}`;
    let client = this.cache.get(key) as T | undefined;
    if (!client) {
      const config = clientConfig(service, { ...this.options, region });
      client = make(config);
      this.cache.set(key, client);
    }
    return client;
  }
  ecr = (region: string) => this.get('ECR', region, (c) => new ECRClient(c));
  ssm = (region: string) => this.get('SSM', region, (c) => new SSMClient(c));
  secrets = (region: string) => this.get('SECRETS_MANAGER', region, (c) => new SecretsManagerClient(c));
  logs = (region: string) => this.get('CLOUDWATCH_LOGS', region, (c) => new CloudWatchLogsClient(c));
  destroy(): void {
    for (const client of this.cache.values()) client.destroy();
  }
}

const accountOf = (arn: unknown) =>
  typeof arn === 'string' ? /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(arn)?.[1] : undefined;

function imageCheck(image: string, ref: EcrImage, clients: Clients): Omit<Check, 'containers'> {
  return {
    kind: 'image',
    label: `image ${image}`,
    permission: `ecr:DescribeImages on arn:aws:ecr:${ref.region}:${ref.registryId}:repository/${ref.repositoryName}`,
    fix: 'push the image first (the build-push action), or correct `images`',
    run: async () => {
      const found = await lookUpImage(clients.ecr(ref.region), ref);
      if (found.kind === 'no-repository')
        return `image ${image} (no repository ${ref.repositoryName} in registry ${ref.registryId}, ${ref.region})`;
      if (found.kind === 'no-image')
        return `image ${image} (repository ${ref.repositoryName} has no ${ref.imageDigest ? `image ${ref.imageDigest}` : `tag ${ref.imageTag}`})`;
      return undefined;
    }
  };
}

function secretCheck(
  ref: Extract<SecretReference, { kind: 'secret' }>,
  clients: Clients
): Omit<Check, 'containers'> {
  const qualifier = ref.versionStage ? ` (version stage ${ref.versionStage})` : '';
  return {
    kind: 'secret',
    label: `Secrets Manager secret ${ref.secretId}${qualifier}`,
    permission: `secretsmanager:DescribeSecret on ${ref.secretId}*`,
    fix: 'create the secret (or restore it), or correct `secrets`',
    run: async () => {
      try {
        const out = await clients
          .secrets(ref.region)
          .send(new DescribeSecretCommand({ SecretId: ref.secretId }));
        if (out.DeletedDate) return `Secrets Manager secret ${ref.secretId} (scheduled for deletion)`;
        if (ref.versionStage) {
          const stages = Object.values(out.VersionIdsToStages ?? {}).flat();
          if (!stages.includes(ref.versionStage))
            return `Secrets Manager secret ${ref.secretId} version stage ${ref.versionStage} (no version has it)`;
        }
        return undefined;
      } catch (error) {
        if (errorName(error) === 'ResourceNotFoundException')
          return `Secrets Manager secret ${ref.secretId} (not found in ${ref.region})`;
        throw error;
      }
    }
  };
}

function logGroupCheck(name: string, region: string, clients: Clients): Omit<Check, 'containers'> {
  return {
    kind: 'log-group',
    label: `log group ${name}`,
    permission: `logs:DescribeLogGroups on arn:aws:logs:${region}:<account>:log-group:*`,
    fix: 'create the log group (the platform stack creates /ecs/<environment>), or set `awslogs-create-group: "true"` in the container\'s logConfiguration options (the execution role then needs logs:CreateLogGroup)',
    run: async () => {
      const logs = clients.logs(region);
      let nextToken: string | undefined;
      do {
        const page = await logs.send(
          new DescribeLogGroupsCommand({ logGroupNamePrefix: name, nextToken, limit: 50 })
        );
        const names = (page.logGroups ?? []).map((g) => g.logGroupName ?? '');
        if (names.includes(name)) return undefined;
        // Results are ASCII-sorted by name: past our name, it is not there.
        if (names.some((n) => n > name)) break;
        nextToken = page.nextToken;
      } while (nextToken);
      return `log group ${name} (not found in ${region})`;
    }
  };
}

/** One DescribeParameters pass over up to 50 filter values, every page read; returns the names found. */
async function describeParameterNames(ssm: SSMClient, names: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  let NextToken: string | undefined;
  do {
    const page = await ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: names }],
        MaxResults: 50,
        NextToken
      })
    );
    for (const p of page.Parameters ?? []) if (p.Name) found.add(p.Name);
    NextToken = page.NextToken;
  } while (NextToken);
  return found;
}

/** SSM checks of one region share DescribeParameters calls (up to 50 names each). */
function parameterChecks(
  region: string,
  refs: { names: string[]; containers: Set<string> }[],
  clients: Clients
): Check[] {
  const batches: (typeof refs)[] = [];
  let batch: typeof refs = [];
  let size = 0;
  for (const ref of refs) {
    if (size + ref.names.length > 50) {
      batches.push(batch);
      batch = [];
      size = 0;
    }
    batch.push(ref);
    size += ref.names.length;
  }
  if (batch.length) batches.push(batch);
  const checks: Check[] = [];
  for (const members of batches) {
    let lookup: Promise<Set<string>> | undefined;
    const found = () =>
      (lookup ??= describeParameterNames(
        clients.ssm(region),
        members.flatMap((m) => m.names)
      ));
    for (const ref of members) {
      checks.push({
        containers: ref.containers,
        kind: 'ssm-parameter',
        label: `SSM parameter ${ref.names[ref.names.length - 1]}`,
        permission: 'ssm:DescribeParameters (resource "*")',
        fix: 'create the parameter (aws ssm put-parameter --type SecureString), or correct `secrets`',
        run: async () => {
          const names = await found();
          return ref.names.some((n) => names.has(n))
            ? undefined
            : `SSM parameter ${ref.names[ref.names.length - 1]} (not found in ${region})`;
        }
      });
    }
  }
  return checks;
}

/** Adds `container` to the check keyed `key`, creating it with `make` the first time. */
function collect<T>(
  map: Map<string, T & { containers: Set<string> }>,
  key: string,
  container: string,
  make: () => T
) {
  let entry = map.get(key);
  if (!entry) {
    entry = { ...make(), containers: new Set<string>() };
    map.set(key, entry);
  }
  entry.containers.add(container);
}

function awslogs(container: ContainerDefinitionDoc): Record<string, string> | undefined {
  const config = container.logConfiguration as
    { logDriver?: string; options?: Record<string, string> } | undefined;
  return config?.logDriver === 'awslogs' ? (config.options ?? {}) : undefined;
}

/**
 * Checks that the images, secrets and log groups `doc` refers to exist, without throwing for misses.
 * @param doc the rendered task definition (what would be registered).
 * @returns misses, unchecked (also sent to `reporter.warn`) and skipped references.
 * @throws ConfigurationError only when no region is given or set in the environment (clientConfig).
 */
export async function findMissingResources(
  doc: TaskDefinitionDoc,
  options: PreflightOptions,
  reporter: Reporter
): Promise<PreflightResult> {
  // The region the tasks run in: where bare parameter names and log groups without awslogs-region live.
  const taskRegion = clientConfig('ECS', options).region;
  const clients = new Clients({ ...options, region: taskRegion });
  const skipped: string[] = [];
  const skip = (line: string) => {
    skipped.push(line);
    reporter.debug(`preflight: ${line}`);
  };
  const taskAccount = accountOf(doc.executionRoleArn) ?? accountOf(doc.taskRoleArn);
  const single = new Map<string, Check>();
  const parameters = new Map<string, Map<string, { names: string[]; containers: Set<string> }>>();

  for (const container of doc.containerDefinitions) {
    const ecr = parseEcrImage(container.image);
    if (ecr)
      collect(single, `image:${container.image}`, container.name, () =>
        imageCheck(container.image, ecr, clients)
      );
    else skip(`image ${container.image} of ${container.name} is not in a private ECR registry; not checked`);

    for (const secret of container.secrets ?? []) {
      const ref = parseSecretReference(secret.valueFrom);
      if (!ref) {
        skip(
          `secret ${secret.name} of ${container.name}: ${secret.valueFrom} is not an SSM or Secrets Manager ARN; not checked`
        );
      } else if (ref.kind === 'secret') {
        const key = `secret:${ref.secretId}:${ref.versionStage ?? ''}`;
        collect(single, key, container.name, () => secretCheck(ref, clients));
      } else if (ref.account && taskAccount && ref.account !== taskAccount) {
        skip(
          `secret ${secret.name} of ${container.name}: parameter ${secret.valueFrom} is in account ${ref.account}; DescribeParameters lists only this account's parameters; not checked`
        );
      } else {
        const region = ref.region ?? taskRegion;
        const byName = parameters.get(region) ?? new Map();
        parameters.set(region, byName);
        const key = ref.names.join('|');
        const entry = byName.get(key) ?? { names: ref.names, containers: new Set<string>() };
        entry.containers.add(container.name);
        byName.set(key, entry);
      }
    }

    const logOptions = awslogs(container);
    const group = logOptions?.['awslogs-group'];
    if (logOptions && group) {
      if (String(logOptions['awslogs-create-group']).toLowerCase() === 'true') {
        skip(`log group ${group} of ${container.name}: awslogs-create-group is true; not checked`);
      } else {
        const region = logOptions['awslogs-region'] || taskRegion;
        collect(single, `log:${region}:${group}`, container.name, () =>
          logGroupCheck(group, region, clients)
        );
      }
    }
  }

  const checks: Check[] = [...single.values()];
  for (const [region, byName] of parameters)
    checks.push(...parameterChecks(region, [...byName.values()], clients));

  const missing: PreflightMiss[] = [];
  const unchecked: string[] = [];
  try {
    await Promise.all(
      checks.map(async (check) => {
        const containers = [...check.containers].join(', ');
        try {
          const what = await check.run();
          if (what) missing.push({ container: containers, kind: check.kind, what, fix: check.fix });
          else reporter.debug(`preflight: ${check.label} exists`);
        } catch (error) {
          const line = isAccessDenied(error)
            ? `preflight could not check ${check.label} (${containers}): ${errorName(error)}. Allow ${check.permission} to let it check.`
            : `preflight could not check ${check.label} (${containers}): ${errorName(error)}: ${messageOf(error)}`;
          unchecked.push(line);
          reporter.warn(line);
        }
      })
    );
  } finally {
    clients.destroy();
  }
  const order = (m: PreflightMiss) => `${m.container}\u0000${m.kind}\u0000${m.what}`;
  missing.sort((a, b) => order(a).localeCompare(order(b)));
  return { checked: checks.length, missing, unchecked, skipped };
}

/**
 * Runs the preflight checks and fails when anything is missing.
 * @returns the result when nothing is missing (some checks may be unchecked: see `unchecked`).
 * @throws ConfigurationError listing every container and what it lacks, with what to do — before anything
 *   is registered.
 */
export async function preflightTaskDefinition(
  doc: TaskDefinitionDoc,
  options: PreflightOptions,
  reporter: Reporter
): Promise<PreflightResult> {
  const result = await findMissingResources(doc, options, reporter);
  if (result.missing.length) {
    const lines = result.missing.map((m) => `  - container ${m.container}: ${m.what}. Fix: ${m.fix}.`);
    throw new ConfigurationError(
      [
        `Preflight: the tasks of ${doc.family} could not start; ${result.missing.length} thing(s) they need do not exist, so nothing was registered:`,
        ...lines,
        'Set `preflight: false` to register without these checks.'
      ].join('\n'),
      'task-definition'
    );
  }
  const found = result.checked - result.unchecked.length;
  reporter.info(
    `preflight: ${found} of ${result.checked} image(s), secret(s) and log group(s) checked and present` +
      (result.unchecked.length ? `; ${result.unchecked.length} could not be checked` : '') +
      (result.skipped.length ? `; ${result.skipped.length} skipped` : '')
  );
  return result;
}

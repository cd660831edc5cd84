/**
 * The declared options of the ECS operations (register-task-definition, deploy-service, run-task): one
 * declaration each (src/lib/options.ts), from which the actions' inputs, the `twotier` flags, action.yml,
 * the docs tables and the library's defaults all come.
 */
import { awsRegionOption } from '../lib/aws.js';
import { Duration } from '../lib/duration.js';
import {
  bool,
  custom,
  defineOptions,
  duration,
  exactlyOne,
  int,
  keyValueLines,
  list,
  notBoth,
  oneOf,
  requires,
  text
} from '../lib/options.js';
import { ConfigurationError, show } from '../lib/errors.js';
import { parseCommand } from './command.js';
import { WAIT_UNTIL } from './service-deployment.js';

const NAME = '[A-Za-z0-9_-]{1,255}';
const ARN = 'arn:aws[a-z-]*:ecs:[a-z0-9-]+:\\d{12}';

/** A cluster name or ARN. */
export const CLUSTER_PATTERN = new RegExp(`^(${NAME}|${ARN}:cluster/${NAME})$`);
/** A service name or ARN (`service/NAME` or `service/CLUSTER/NAME`). */
export const SERVICE_PATTERN = new RegExp(`^(${NAME}|${ARN}:service/(${NAME}/)?${NAME})$`);
/** A registered revision: ARN or `family:revision`. */
export const REVISION_PATTERN = new RegExp(`^(${ARN}:task-definition/)?${NAME}:\\d+$`);
/** A task definition for RunTask: family (latest ACTIVE revision), `family:revision` or ARN. */
export const TASK_DEFINITION_PATTERN = new RegExp(`^((${ARN}:task-definition/)?${NAME}:\\d+|${NAME})$`);
/** A container name as ECS allows it. */
const CONTAINER = /^[A-Za-z0-9_-]{1,255}$/;
/** An environment variable name a shell and ECS accept. */
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const cluster = {
  name: 'cluster',
  type: text({
    pattern: CLUSTER_PATTERN,
    placeholder: 'name',
    patternDoc: 'an ECS cluster name (letters, digits, hyphens, underscores) or cluster ARN'
  }),
  doc: 'The ECS cluster name or ARN.'
} as const;

export const service = {
  name: 'service',
  type: text({
    pattern: SERVICE_PATTERN,
    placeholder: 'name',
    patternDoc: 'an ECS service name (letters, digits, hyphens, underscores) or service ARN'
  }),
  doc: 'The ECS service name or ARN.'
} as const;

/** Checks a `container.NAME` key of an environment/secrets line. */
function containerVariable(kind: string) {
  return ({ key }: { key: string }, name: string): void => {
    const dot = key.indexOf('.');
    const container = key.slice(0, dot);
    const variable = key.slice(dot + 1);
    if (dot <= 0 || !CONTAINER.test(container) || !VARIABLE.test(variable)) {
      throw new ConfigurationError(
        `${name}: ${show(key)} must be CONTAINER.NAME=value (a container name, a dot, then a ${kind} name of letters, digits and underscores not starting with a digit).`,
        name
      );
    }
  };
}

const images = {
  name: 'images',
  type: keyValueLines({
    doc: 'one container=image line per container',
    checkPair({ key }, name) {
      if (!CONTAINER.test(key))
        throw new ConfigurationError(`${name}: ${show(key)} is not a container name.`, name);
    }
  }),
  doc: 'New images, one `container=image` line per container (pin them by digest).',
  cli: { flag: '--image' }
} as const;

const taskDefinitionFile = {
  name: 'task-definition',
  type: text({ patternDoc: 'a path', placeholder: 'file' }),
  doc: 'The task definition file (JSON or YAML; describe-task-definition output is accepted): a path inside the workspace, or an absolute path.'
} as const;

const preflight = {
  name: 'preflight',
  type: bool(),
  default: true,
  doc: 'Before registering, check that the ECR images, secrets (SSM, Secrets Manager) and awslogs log groups the tasks need exist; false skips the checks.'
} as const;

const desiredCount = {
  name: 'desired-count',
  type: int({ min: 0, max: 5000 }),
  doc: 'The new desired task count; empty leaves it unchanged.'
} as const;

/** register-task-definition. */
export const registerOptions = defineOptions(
  'register-task-definition',
  {
    taskDefinitionFile: {
      ...taskDefinitionFile,
      doc: "The task definition file (JSON or YAML; describe-task-definition output is accepted): a path inside the workspace, or an absolute path; empty uses the live service's task definition as the source."
    },
    cluster: { ...cluster, doc: 'The cluster of `service`.' },
    service: {
      ...service,
      doc: 'The service whose task definition is the source when there is no file; with a file, only read so that keep-revisions never deregisters its revision.'
    },
    images,
    environment: {
      name: 'environment',
      type: keyValueLines({ doc: 'container.NAME=value lines', checkPair: containerVariable('variable') }),
      doc: 'Environment variables to set, one `container.NAME=value` line each (credentials belong in secrets).',
      cli: { flag: '--env' }
    },
    secrets: {
      name: 'secrets',
      type: keyValueLines({
        doc: 'container.NAME=valueFrom lines',
        checkPair: containerVariable('secret')
      }),
      doc: 'Secrets to set, one `container.NAME=valueFrom` line each (an SSM parameter name or ARN, or a Secrets Manager ARN).',
      cli: { flag: '--secret' }
    },
    forceRegister: {
      name: 'force-register',
      type: bool(),
      default: false,
      doc: 'Register a new revision even when it equals the latest one.'
    },
    keepRevisions: {
      name: 'keep-revisions',
      type: int({ min: 1, max: 1000 }),
      doc: "Deregister ACTIVE revisions of the family beyond the newest n (never the service's); empty keeps all."
    },
    preflight,
    region: awsRegionOption
  },
  [
    (values, names) => {
      if (!values.taskDefinitionFile && !values.service) {
        throw new ConfigurationError(
          `Give \`${names.taskDefinitionFile}\` (a JSON or YAML file) or \`${names.cluster}\` and \`${names.service}\` (use the live service's task definition as the source).`,
          names.taskDefinitionFile
        );
      }
    },
    (values, names) => {
      if (values.service && !values.cluster) {
        throw new ConfigurationError(
          `${names.service} ${show(values.service)} needs its \`${names.cluster}\` (the name or ARN of the cluster it runs in).`,
          names.cluster
        );
      }
    },
    requires('cluster', 'service', 'a cluster alone names nothing to read or protect.'),
    (values, names) => {
      if (values.keepRevisions !== undefined && values.keepRevisions < 2 && !values.service) {
        throw new ConfigurationError(
          `${names.keepRevisions} ${show(String(values.keepRevisions))} is below 2, which needs \`${names.cluster}\` and \`${names.service}\` so that the revision the service runs is never deregistered; give them, or keep 2 or more.`,
          names.keepRevisions
        );
      }
    }
  ]
);

/** deploy-service. */
export const deployOptions = defineOptions(
  'deploy-service',
  {
    cluster: { ...cluster, required: true },
    service: { ...service, required: true },
    taskDefinitionArn: {
      name: 'task-definition-arn',
      type: text({
        pattern: REVISION_PATTERN,
        placeholder: 'arn',
        patternDoc:
          'a task definition ARN or family:revision (for example arn:aws:ecs:us-east-1:123456789012:task-definition/app:7)'
      }),
      doc: "The registered task definition to deploy (ARN or family:revision), e.g. register-task-definition's output."
    },
    taskDefinitionFile: {
      ...taskDefinitionFile,
      doc: 'Alternatively, a task definition file to register first (JSON or YAML): a path inside the workspace, or an absolute path.'
    },
    images: {
      ...images,
      doc: 'With `task-definition`, new images, one `container=image` line per container.'
    },
    desiredCount,
    forceNewDeployment: {
      name: 'force-new-deployment',
      type: bool(),
      default: false,
      doc: 'Start a new deployment even when the task definition is unchanged.'
    },
    wait: {
      name: 'wait',
      type: bool(),
      default: true,
      doc: 'Follow the deployment until it completes or fails.'
    },
    waitUntil: {
      name: 'wait-until',
      type: oneOf(WAIT_UNTIL),
      default: 'completed',
      doc: 'What the step waits for: completed (the service deployment is SUCCESSFUL), traffic-shifted (production traffic is on the new revision; bake time under way; for ROLLING the same as completed) or paused (a PAUSE lifecycle hook is awaiting action; outputs service-deployment-arn and hook-id for continue-deployment). A failure or rollback ends the wait at once whatever this says.'
    },
    timeout: {
      name: 'timeout-minutes',
      type: duration({ unit: 'minutes', min: 0.05, max: 720 }),
      default: Duration.minutes(30),
      doc: 'How long to wait for the deployment.'
    },
    pollInterval: {
      name: 'poll-interval-seconds',
      type: duration({ unit: 'seconds', min: 1, max: 300, whole: true }),
      default: Duration.seconds(10),
      doc: 'The fixed time between two looks at the deployment while waiting.'
    },
    rollbackOnTimeout: {
      name: 'rollback-on-timeout',
      type: bool(),
      default: false,
      doc: 'On timeout, return the service to the task definition it ran before and wait for that (useful without a circuit breaker).'
    },
    rollbackTimeout: {
      name: 'rollback-timeout-minutes',
      type: duration({ unit: 'minutes', min: 0.05, max: 720 }),
      default: Duration.minutes(10),
      doc: 'With rollback-on-timeout, how long to wait for the rollback; the step waits at most timeout-minutes plus this.'
    },
    preflight: {
      ...preflight,
      doc: 'With `task-definition`, check before registering that the ECR images, secrets (SSM, Secrets Manager) and awslogs log groups the tasks need exist; false skips the checks.'
    },
    region: awsRegionOption
  },
  [
    exactlyOne(
      'taskDefinitionArn',
      'taskDefinitionFile',
      'a registered revision, or a file to register first'
    ),
    requires(
      'images',
      'taskDefinitionFile',
      'images are rendered into a task definition file; for a registered revision, render it with register-task-definition.'
    )
  ]
);

/** run-task. */
export const runTaskOptions = defineOptions(
  'run-task',
  {
    cluster: { ...cluster, required: true },
    taskDefinition: {
      name: 'task-definition',
      type: text({
        pattern: TASK_DEFINITION_PATTERN,
        placeholder: 'arn',
        patternDoc: 'a task definition family, family:revision or ARN'
      }),
      required: true,
      doc: 'The task definition to run: family (latest ACTIVE revision), family:revision or ARN.'
    },
    service: { ...service, doc: 'A service whose network configuration (and launch type) the task copies.' },
    subnets: {
      name: 'subnets',
      type: list({
        doc: 'subnet ids, comma-separated',
        checkItem(item, name) {
          if (!/^subnet-[0-9a-f]{8,17}$/.test(item))
            throw new ConfigurationError(
              `${name}: ${show(item)} is not a subnet id (subnet-0123abcd...).`,
              name
            );
        }
      }),
      doc: 'Subnets of the task, comma-separated; empty copies the service network configuration.',
      cli: { flag: '--subnet' }
    },
    securityGroups: {
      name: 'security-groups',
      type: list({
        doc: 'security group ids, comma-separated',
        checkItem(item, name) {
          if (!/^sg-[0-9a-f]{8,17}$/.test(item))
            throw new ConfigurationError(
              `${name}: ${show(item)} is not a security group id (sg-0123abcd...).`,
              name
            );
        }
      }),
      doc: 'Security groups of the task, comma-separated (with subnets).',
      cli: { flag: '--security-group' }
    },
    assignPublicIp: {
      name: 'assign-public-ip',
      type: bool(),
      default: false,
      doc: 'Give the task a public IP (with subnets; a public subnet without a NAT needs it to pull images).'
    },
    container: {
      name: 'container',
      type: text({ pattern: CONTAINER, patternDoc: 'a container name', placeholder: 'name' }),
      doc: 'The container whose command is overridden and whose exit code decides; needed when the task has more than one essential container.'
    },
    command: {
      name: 'command',
      type: custom<string[]>({
        kind: 'command',
        parse: (raw, name) => parseCommand(raw, name) ?? [],
        check(value, name) {
          if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string'))
            throw new ConfigurationError(`Input ${name} must be a non-empty list of strings.`, name);
        },
        format: (value) => JSON.stringify(value),
        describe: () => 'a JSON array of strings, or words separated by spaces'
      }),
      doc: "The container's command override: a JSON array (exec form) or words separated by spaces."
    },
    wait: {
      name: 'wait',
      type: bool(),
      default: true,
      doc: 'Wait for the task to stop and fail on a non-zero exit.'
    },
    timeout: {
      name: 'timeout-minutes',
      type: duration({ unit: 'minutes', min: 0.05, max: 720 }),
      default: Duration.minutes(30),
      doc: 'How long to wait for the task to stop.'
    },
    pollInterval: {
      name: 'poll-interval-seconds',
      type: duration({ unit: 'seconds', min: 1, max: 300, whole: true }),
      default: Duration.seconds(6),
      doc: 'The fixed time between two looks at the task while waiting.'
    },
    stopOnTimeout: {
      name: 'stop-on-timeout',
      type: bool(),
      default: true,
      doc: 'On timeout, stop the task (StopTask); false leaves it running and says so.'
    },
    region: awsRegionOption
  },
  [
    notBoth('service', 'subnets', 'subnets (and security-groups) replace the service network configuration.'),
    (values, names) => {
      if (!values.service && !values.subnets?.length) {
        throw new ConfigurationError(
          `Give \`${names.service}\` (to copy its network configuration) or \`${names.subnets}\`.`,
          names.subnets
        );
      }
    },
    requires('securityGroups', 'subnets', 'security groups go with the subnets you give.')
  ]
);

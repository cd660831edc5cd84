/** `twotier register-task-definition`, `twotier deploy-service`, `twotier run-task`. */
import type { Command } from 'commander';
import { DeploymentError } from '../../lib/errors.js';
import { parseKeyValueLines } from '../../lib/lines.js';
import { StreamReporter } from '../../lib/reporter.js';
import {
  deployService,
  deploySummaryMarkdown,
  parseCommand,
  registerSummaryMarkdown,
  registerTaskDefinition,
  runTask,
  runTaskSummaryMarkdown
} from '../../ecs/index.js';
import { collect, wholeNumber, writeSummaryFile } from '../options.js';

const lines = (values: string[] | undefined) => (values ?? []).join('\n');

/** Adds this file's subcommands to `program` (called by src/cli/main.ts for every file in commands/). */
export function register(program: Command): void {
  program
    .command('register-task-definition')
    .description('Render and register an ECS task definition (skipped when unchanged)')
    .option('--task-definition <file>', 'task definition file (JSON or YAML)')
    .option('--cluster <name>', 'cluster of --service')
    .option('--service <name>', "use the service's current task definition as the source")
    .option('--image <container=image>', 'new image for a container (repeatable)', collect)
    .option('--env <container.NAME=value>', 'environment variable (repeatable)', collect)
    .option('--secret <container.NAME=valueFrom>', 'secret (repeatable)', collect)
    .option('--force-register', 'register even when unchanged', false)
    .option('--no-preflight', 'skip the checks that images, secrets and log groups exist')
    .option(
      '--keep-revisions <n>',
      'deregister ACTIVE revisions beyond the newest n',
      wholeNumber('keep-revisions', 1, 1000)
    )
    .option('--region <region>', 'AWS region (default AWS_REGION)')
    .option('--summary-file <file>', 'append the markdown summary here')
    .action(async (o) => {
      const result = await registerTaskDefinition(
        {
          taskDefinitionFile: o.taskDefinition,
          cluster: o.cluster,
          service: o.service,
          images: parseKeyValueLines(lines(o.image), 'images'),
          environment: parseKeyValueLines(lines(o.env), 'environment'),
          secrets: parseKeyValueLines(lines(o.secret), 'secrets'),
          forceRegister: o.forceRegister,
          keepRevisions: o.keepRevisions,
          preflight: o.preflight,
          region: o.region
        },
        new StreamReporter()
      );
      writeSummaryFile(o.summaryFile, registerSummaryMarkdown(result));
      console.log(result.taskDefinitionArn);
    });

  program
    .command('deploy-service')
    .description('Deploy a task definition to an ECS service and follow the rollout')
    .requiredOption('--cluster <name>', 'ECS cluster')
    .requiredOption('--service <name>', 'ECS service')
    .requiredOption('--task-definition-arn <arn>', 'registered task definition (ARN or family:revision)')
    .option('--desired-count <n>', 'new desired count', wholeNumber('desired-count', 0, 5000))
    .option('--force-new-deployment', 'deploy even when unchanged', false)
    .option('--no-wait', 'do not follow the deployment')
    .option('--timeout-minutes <n>', 'minutes to wait', wholeNumber('timeout-minutes', 1, 720), 30)
    .option(
      '--poll-interval-seconds <n>',
      'seconds between polls',
      wholeNumber('poll-interval-seconds', 1, 300),
      10
    )
    .option('--rollback-on-timeout', 'return to the previous task definition on timeout', false)
    .option('--region <region>', 'AWS region (default AWS_REGION)')
    .option('--summary-file <file>', 'append the markdown summary here')
    .action(async (o) => {
      const result = await deployService(
        {
          cluster: o.cluster,
          service: o.service,
          taskDefinitionArn: o.taskDefinitionArn,
          desiredCount: o.desiredCount,
          forceNewDeployment: o.forceNewDeployment,
          wait: o.wait,
          timeoutSeconds: o.timeoutMinutes * 60,
          pollIntervalSeconds: o.pollIntervalSeconds,
          rollbackOnTimeout: o.rollbackOnTimeout,
          region: o.region
        },
        new StreamReporter()
      );
      writeSummaryFile(o.summaryFile, deploySummaryMarkdown(result));
      if (!result.ok) throw new DeploymentError(result.message);
      console.log(result.message);
    });

  program
    .command('run-task')
    .description('Run a one-off task (migrations), wait for it, print its logs')
    .requiredOption('--cluster <name>', 'ECS cluster')
    .requiredOption('--task-definition <arn>', 'task definition (ARN, family:revision or family)')
    .option('--service <name>', "copy this service's network configuration")
    .option('--subnet <id>', 'subnet id (repeatable)', collect)
    .option('--security-group <id>', 'security group id (repeatable)', collect)
    .option('--assign-public-ip', 'give the task a public IP', false)
    .option('--container <name>', 'container to override and watch')
    .option('--command <command>', 'command: JSON array or words')
    .option('--no-wait', 'do not wait for the task to stop')
    .option('--timeout-minutes <n>', 'minutes to wait', wholeNumber('timeout-minutes', 1, 720), 30)
    .option('--region <region>', 'AWS region (default AWS_REGION)')
    .option('--summary-file <file>', 'append the markdown summary here')
    .action(async (o) => {
      const result = await runTask(
        {
          cluster: o.cluster,
          taskDefinition: o.taskDefinition,
          service: o.service,
          subnets: o.subnet,
          securityGroups: o.securityGroup,
          assignPublicIp: o.assignPublicIp,
          container: o.container,
          command: o.command ? parseCommand(o.command) : undefined,
          wait: o.wait,
          timeoutSeconds: o.timeoutMinutes * 60,
          region: o.region
        },
        new StreamReporter()
      );
      writeSummaryFile(o.summaryFile, runTaskSummaryMarkdown(result));
      if (!result.ok) throw new DeploymentError([result.message, result.hint].filter(Boolean).join('\n'));
      console.log(result.message);
    });
}

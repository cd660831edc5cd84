/** `twotier deploy-stack`: create or update a CloudFormation stack through a change set. */
import type { Command } from 'commander';
import { ConfigurationError, DeploymentError, show } from '../../lib/errors.js';
import { parseKeyValueLines, parseList } from '../../lib/lines.js';
import { StreamReporter } from '../../lib/reporter.js';
import { deployStack, stackSummaryMarkdown, type DeployStackResult } from '../../stacks/index.js';
import { collect, wholeNumber, writeSummaryFile } from '../options.js';

const record = (values: string[] | undefined, input: string): Record<string, string> =>
  Object.fromEntries(
    parseKeyValueLines((values ?? []).join('\n'), input).map(({ key, value }) => [key, value])
  );

/** Adds this file's subcommands to `program` (called by src/cli/main.ts for every file in commands/). */
export function register(program: Command): void {
  program
    .command('deploy-stack')
    .description(
      'Create or update a CloudFormation stack through a change set, print the changes, wait, and print the outputs'
    )
    .requiredOption('--stack-name <name>', 'the stack to create or update')
    .requiredOption(
      '--template <file-or-url>',
      'template file (YAML/JSON) or https:// URL of a template in S3'
    )
    .option('--parameter <Name=Value>', 'parameter value (repeatable; overrides --parameters-file)', collect)
    .option('--parameters-file <file>', 'JSON list of {ParameterKey, ParameterValue}, or a JSON/YAML mapping')
    .option(
      '--capabilities <list>',
      'CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND',
      'CAPABILITY_IAM'
    )
    .option('--tag <Key=Value>', 'stack tag (repeatable)', collect)
    .option('--termination-protection <on|off>', 'turn termination protection on or off after the deploy')
    .option('--no-execute', 'create and print the change set only')
    .option('--role-arn <arn>', 'role CloudFormation assumes to create the resources')
    .option(
      '--create-without-change-set',
      'create a new stack with CreateStack (for moto; no preview)',
      false
    )
    .option('--change-set-name <name>', 'change set name (default twotier-<timestamp>-<random>)')
    .option('--timeout-minutes <n>', 'wait at most this long', wholeNumber('timeout-minutes', 1, 720), 60)
    .option('--region <region>', 'AWS region (default AWS_REGION)')
    .option('--endpoint <url>', 'CloudFormation endpoint (default AWS_ENDPOINT_URL)')
    .option('--summary-file <file>', 'append the markdown summary here')
    .option('--json', 'print the result as JSON instead of Key=Value outputs', false)
    .action(async (o) => {
      const protection = o.terminationProtection as string | undefined;
      if (protection !== undefined && !/^(on|off|true|false)$/i.test(protection)) {
        throw new ConfigurationError(
          `--termination-protection is ${show(protection)}; expected on or off.`,
          'termination-protection'
        );
      }
      let result: DeployStackResult;
      try {
        result = await deployStack(
          {
            stackName: o.stackName,
            templateFile: /^https?:\/\//.test(o.template) ? undefined : o.template,
            templateUrl: /^https?:\/\//.test(o.template) ? o.template : undefined,
            parameters: record(o.parameter, 'parameters'),
            parametersFile: o.parametersFile,
            capabilities: parseList(o.capabilities ?? ''),
            tags: record(o.tag, 'tags'),
            terminationProtection: protection === undefined ? undefined : /^(on|true)$/i.test(protection),
            execute: o.execute,
            roleArn: o.roleArn,
            createWithoutChangeSet: o.createWithoutChangeSet,
            changeSetName: o.changeSetName,
            timeoutSeconds: o.timeoutMinutes * 60,
            aws: { region: o.region, endpoint: o.endpoint }
          },
          new StreamReporter()
        );
      } catch (error) {
        const partial = error instanceof DeploymentError ? error.details.result : undefined;
        if (partial) writeSummaryFile(o.summaryFile, stackSummaryMarkdown(partial as DeployStackResult));
        throw error;
      }
      writeSummaryFile(o.summaryFile, stackSummaryMarkdown(result));
      if (o.json) console.log(JSON.stringify(result, null, 2));
      else for (const [key, value] of Object.entries(result.outputs)) console.log(`${key}=${value}`);
    });
}

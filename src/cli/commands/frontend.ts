/** `twotier upload-frontend` and `twotier invalidate-cdn`: the same options as the action inputs. */
import type { Command } from 'commander';
import { ConfigurationError, show } from '../../lib/errors.js';
import { parseList } from '../../lib/lines.js';
import { StreamReporter } from '../../lib/reporter.js';
import {
  invalidateCdn,
  invalidationSummaryMarkdown,
  uploadFrontend,
  uploadSummaryMarkdown
} from '../../frontend/index.js';
import { collect, wholeNumber, writeSummaryFile } from '../options.js';

/** Parses a non-negative number option (hours, percent) up to `max`. */
function number(name: string, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || n > max) {
      throw new ConfigurationError(`--${name} is ${show(value)}; expected a number from 0 to ${max}.`, name);
    }
    return n;
  };
}

/** `--changed-paths`: a JSON list (upload-frontend's output) or comma-separated paths. */
function changedPaths(value: string): string[] {
  if (!value.trim().startsWith('[')) return parseList(value);
  const parsed: unknown = JSON.parse(value);
  if (!Array.isArray(parsed) || parsed.some((p) => typeof p !== 'string')) {
    throw new ConfigurationError(
      `--changed-paths ${show(value)} must be a JSON list of strings.`,
      'changed-paths'
    );
  }
  return parsed as string[];
}

/** Adds this file's subcommands to `program` (called by src/cli/main.ts for every file in commands/). */
export function register(program: Command): void {
  program
    .command('upload-frontend')
    .description(
      'Sync a built frontend to S3 by content (MD5 vs ETag): new/changed assets first, HTML entry points last, deletes after'
    )
    .requiredOption('--source-dir <dir>', 'the built frontend (for example dist)')
    .requiredOption('--bucket <name>', 'S3 bucket')
    .option('--prefix <prefix>', 'key prefix inside the bucket', '')
    .option('--delete', 'delete stale objects under the prefix after every upload succeeded', false)
    .option(
      '--delete-grace-hours <h>',
      'keep stale objects written less than h hours ago',
      number('delete-grace-hours', 8760),
      24
    )
    .option(
      '--delete-max-percent <p>',
      'refuse to delete more than p % of the objects (100: no cap)',
      number('delete-max-percent', 100),
      50
    )
    .option(
      '--cache-control <rule>',
      '`<glob> = <value>` or `spa` (repeatable, ordered, first match wins)',
      collect
    )
    .option('--entry-points <globs>', 'HTML entry points uploaded last (comma separated)', '**/*.html')
    .option('--concurrency <n>', 'requests in flight', wholeNumber('concurrency', 1, 64), 16)
    .option(
      '--multipart-threshold-mb <n>',
      'upload files this large in parts',
      wholeNumber('multipart-threshold-mb', 5, 5120),
      16
    )
    .option('--no-check-headers', 'trust the ETag alone (no HeadObject per unchanged file)')
    .option('--dry-run', 'print the plan, write nothing', false)
    .option('--region <region>', 'AWS region (default AWS_REGION)')
    .option('--endpoint <url>', 'S3 endpoint (default AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)')
    .option('--summary-file <file>', 'append the markdown summary here')
    .action(async (o) => {
      const result = await uploadFrontend(
        {
          sourceDir: o.sourceDir,
          bucket: o.bucket,
          prefix: o.prefix,
          delete: o.delete,
          deleteGraceHours: o.deleteGraceHours,
          deleteMaxPercent: o.deleteMaxPercent,
          cacheControl: (o.cacheControl ?? ['spa']).join('\n'),
          entryPoints: parseList(o.entryPoints),
          concurrency: o.concurrency,
          multipartThreshold: o.multipartThresholdMb * 1024 * 1024,
          checkHeaders: o.checkHeaders,
          dryRun: o.dryRun,
          region: o.region,
          endpoint: o.endpoint
        },
        new StreamReporter()
      );
      writeSummaryFile(o.summaryFile, uploadSummaryMarkdown(result));
      console.log(JSON.stringify(result.changedPaths));
    });

  program
    .command('invalidate-cdn')
    .description(
      'Invalidate the CloudFront paths a deploy changed (hashed assets skipped, collapsed past a budget)'
    )
    .requiredOption('--distribution-id <id>', 'CloudFront distribution id')
    .option(
      '--changed-paths <list>',
      "upload-frontend's changed paths (JSON list or comma separated)",
      changedPaths
    )
    .option('--paths <list>', 'extra paths as given (comma separated)', parseList)
    .option('--max-paths <n>', 'collapse to wildcards past n paths', wholeNumber('max-paths', 1, 3000), 20)
    .option(
      '--hashed-paths <globs>',
      'content-hashed files needing no invalidation (comma separated)',
      'assets/**'
    )
    .option('--path-prefix <prefix>', 'prepended to every planned path', '')
    .option(
      '--caller-reference <ref>',
      'CallerReference (default from GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT and the paths)'
    )
    .option('--wait', 'wait until Completed', false)
    .option('--timeout-minutes <n>', 'minutes to retry and wait', wholeNumber('timeout-minutes', 1, 120), 15)
    .option('--dry-run', 'print the planned paths, create nothing', false)
    .option('--region <region>', 'AWS region for the client (CloudFront is global)')
    .option(
      '--endpoint <url>',
      'CloudFront endpoint (default AWS_ENDPOINT_URL_CLOUDFRONT / AWS_ENDPOINT_URL)'
    )
    .option('--summary-file <file>', 'append the markdown summary here')
    .action(async (o) => {
      const result = await invalidateCdn(
        {
          distributionId: o.distributionId,
          changedPaths: o.changedPaths ?? [],
          paths: o.paths ?? [],
          maxPaths: o.maxPaths,
          hashedPatterns: parseList(o.hashedPaths),
          pathPrefix: o.pathPrefix,
          callerReference: o.callerReference,
          wait: o.wait,
          timeoutMinutes: o.timeoutMinutes,
          dryRun: o.dryRun,
          region: o.region,
          endpoint: o.endpoint
        },
        new StreamReporter()
      );
      writeSummaryFile(o.summaryFile, invalidationSummaryMarkdown(result));
      console.log(result.invalidationId ?? result.status);
    });
}

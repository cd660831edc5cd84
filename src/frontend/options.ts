/**
 * The declared options of the frontend operations (upload-frontend, invalidate-cdn): one declaration each
 * (src/lib/options.ts), from which the actions' inputs, the `twotier` flags, action.yml, the docs tables and
 * the library's defaults all come.
 */
import { awsRegionOption } from '../lib/aws.js';
import { Duration } from '../lib/duration.js';
import { ConfigurationError, show } from '../lib/errors.js';
import {
  bool,
  custom,
  defineOptions,
  duration,
  given,
  int,
  list,
  mebibytes,
  num,
  oneOf,
  text
} from '../lib/options.js';
import { parseChangedPaths } from './changed-paths.js';
import { checkGlob } from './globs.js';
import { checkCloudFrontPath, MAX_PATHS_IN_PROGRESS, MAX_WILDCARDS } from './invalidation-plan.js';

/** An S3 bucket name (general purpose buckets). */
export const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A CloudFront distribution id. */
export const DISTRIBUTION_ID_PATTERN = /^[A-Z0-9]{1,32}$/;
/**
 * A key prefix: segments separated by `/` (leading, trailing and repeated slashes and `.` segments are
 * dropped when it is used), no `..` segment, no `.twotier` segment (the toolkit's reserved folder), no
 * control characters.
 */
export const PREFIX_PATTERN =
  // eslint-disable-next-line no-control-regex
  /^(?!(?:.*\/)?\.\.(?:\/|$))(?!(?:.*\/)?\.twotier(?:\/|$))[^\u0000-\u001f\u007f]*$/;
/**
 * An object key chosen for the manifest: no leading `/`, no empty, `.` or `..` segment, not ending in `/`,
 * no control characters, at most 1,024 characters.
 */
export const MANIFEST_KEY_PATTERN =
  // eslint-disable-next-line no-control-regex
  /^(?!\/)(?!.*\/\/)(?!.*\/$)(?!(?:.*\/)?\.\.?(?:\/|$))[^\u0000-\u001f\u007f]{1,1024}$/;

/**
 * A release id: one safe key segment (it names `<prefix>.twotier/staged/<id>/` and
 * `<prefix>.twotier/releases/<id>/`): 1–64 letters, digits, `.`, `_` and `-`, starting with a letter or digit.
 */
export const RELEASE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The `endpoint` option of the command line (the actions use AWS_ENDPOINT_URL_<SERVICE>). */
function endpointOption(service: string) {
  return {
    name: 'endpoint',
    type: text({ pattern: /^https?:\/\/[^\s/]+/, patternDoc: 'an http(s) URL', placeholder: 'url' }),
    doc: `The ${service} endpoint (default AWS_ENDPOINT_URL_${service.toUpperCase()} / AWS_ENDPOINT_URL).`,
    action: false
  } as const;
}

/** upload-frontend. */
export const uploadOptions = defineOptions('upload-frontend', {
  sourceDir: {
    name: 'source-dir',
    type: text({ patternDoc: 'a directory', placeholder: 'dir' }),
    doc: 'The built frontend directory (for example examples/twotier-app/frontend/dist); required unless `phase` is `publish` (which puts the staged copies live and reads no local file).'
  },
  bucket: {
    name: 'bucket',
    type: text({
      pattern: BUCKET_PATTERN,
      placeholder: 'name',
      patternDoc: 'an S3 bucket name (3–63 lower-case letters, digits, dots and hyphens; no s3:// or path)'
    }),
    required: true,
    doc: 'Name of the S3 bucket to deploy to (the bucket must exist).'
  },
  prefix: {
    name: 'prefix',
    type: text({
      pattern: PREFIX_PATTERN,
      patternDoc:
        'a key prefix such as site or releases/web (segments separated by "/"; no ".." or ".twotier" segment, no control characters)',
      placeholder: 'prefix'
    }),
    default: '',
    doc: 'Key prefix inside the bucket (empty for the bucket root); `/site/`, `./site` and `site//` all mean `site/`.'
  },
  delete: {
    name: 'delete',
    type: bool(),
    default: false,
    doc: 'Delete objects under the prefix that are not in source-dir, after every upload succeeded.'
  },
  deleteGrace: {
    name: 'delete-grace-hours',
    type: duration({ unit: 'hours', min: 0, max: 8760 }),
    default: Duration.hours(24),
    doc: 'Keep stale objects written (LastModified) less than this long ago, so visitors holding an older index.html still load its chunks.'
  },
  deleteMaxPercent: {
    name: 'delete-max-percent',
    type: num({ min: 0, max: 100, unit: '%' }),
    default: 50,
    doc: 'Refuse, before writing anything, to delete more than this share of the objects under the prefix (100 allows any share).'
  },
  cacheControl: {
    name: 'cache-control',
    type: custom<string>({
      kind: 'rule',
      multiline: true,
      parse: (raw) => raw,
      format: (value) => value,
      describe: () => '`<glob> = <value>` lines or `spa`'
    }),
    default: 'spa',
    doc: 'Ordered Cache-Control rules, one `<glob> = <value>` a line, first match wins (globs relative to source-dir, picomatch syntax); the line `spa` inserts the preset (`**/*.html = no-cache`, `assets/** = public, max-age=31536000, immutable`, `** = public, max-age=300`).'
  },
  entryPoints: {
    name: 'entry-points',
    type: list({ doc: 'globs relative to source-dir, comma- or newline-separated', checkItem: checkGlob }),
    default: ['**/*.html'],
    doc: 'Globs of the HTML entry points, uploaded after every other file (comma or newline separated); each glob you give must match a file (the default may match none).'
  },
  concurrency: {
    name: 'concurrency',
    type: int({ min: 1, max: 64 }),
    default: 16,
    doc: 'Requests in flight at once.'
  },
  multipartThreshold: {
    name: 'multipart-threshold-mb',
    type: mebibytes({ min: 5, max: 5120 }),
    default: 16 * 1024 * 1024,
    doc: 'Files this large or larger are uploaded in parts of up to 8 MiB.'
  },
  checkHeaders: {
    name: 'check-headers',
    type: bool(),
    default: true,
    doc: 'Compare Content-Type and Cache-Control of unchanged files and fix differences with CopyObject: from the header manifest where its entry still matches the listing, else with one HeadObject each; false skips the HeadObject (manifest entries only, else the ETag alone).'
  },
  symlinks: {
    name: 'symlinks',
    type: oneOf(['error', 'skip'] as const),
    default: 'error',
    doc: 'Symbolic links in source-dir whose target is inside it are followed; a link out of source-dir, a dangling link or a loop fails the step before any write (`error`) or is left out with a warning (`skip`).'
  },
  manifestKey: {
    name: 'manifest-key',
    type: text({
      pattern: MANIFEST_KEY_PATTERN,
      patternDoc:
        'an object key such as site/.twotier/manifest.json or twotier/site-manifest.json (no leading "/", no empty, "." or ".." segment, at most 1,024 characters)',
      placeholder: 'key'
    }),
    doc: 'Key (from the bucket root) of the header manifest; default `<prefix>.twotier/manifest.json`. A key outside the prefix keeps it out of what the distribution serves.'
  },
  phase: {
    name: 'phase',
    type: oneOf(['all', 'stage', 'publish'] as const),
    default: 'all',
    doc: '`all` deploys in one go; `stage` uploads the new assets and keeps the HTML entry points under `<prefix>.twotier/staged/<release-id>/` (nothing a visitor loads changes, nothing is deleted); `publish` puts a staged release live (entry points copied into place, the previous release archived for rollback, then the deletes).'
  },
  releaseId: {
    name: 'release-id',
    type: text({
      pattern: RELEASE_ID_PATTERN,
      patternDoc:
        'a release id of 1 to 64 letters, digits, ".", "_" and "-", starting with a letter or digit (one key segment)',
      placeholder: 'id'
    }),
    doc: 'Names the release that stage writes and publish puts live; default `sha-<first 12 of GITHUB_SHA>`, else `content-<hash of the plan>` (the same build gives the same id).'
  },
  dryRun: {
    name: 'dry-run',
    type: bool(),
    default: false,
    doc: 'Print the plan and write nothing.'
  },
  region: awsRegionOption,
  endpoint: endpointOption('S3')
});

/**
 * The frontend half of `rollback` (src/frontend/release.ts `planRollback`): the same declarations as
 * upload-frontend's, where the two share an option.
 */
export const rollbackFrontendOptions = defineOptions('rollback-frontend', {
  bucket: { ...uploadOptions.options.bucket, required: true },
  prefix: uploadOptions.options.prefix,
  manifestKey: uploadOptions.options.manifestKey,
  concurrency: uploadOptions.options.concurrency,
  dryRun: uploadOptions.options.dryRun,
  region: awsRegionOption,
  endpoint: endpointOption('S3')
});

/** The changed-paths input: upload-frontend's JSON list, or paths one a line. */
const changedPathsType = custom<string[]>({
  kind: 'paths',
  multiline: true,
  parse: (raw, name) => parseChangedPaths(raw, name),
  check(value, name) {
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
      throw new ConfigurationError(`Input ${name} must be a list of paths.`, name);
  },
  format: (value) => JSON.stringify(value),
  describe: () => 'a JSON list of paths, or paths one a line'
});

/** invalidate-cdn. */
export const invalidateOptions = defineOptions(
  'invalidate-cdn',
  {
    distributionId: {
      name: 'distribution-id',
      type: text({
        pattern: DISTRIBUTION_ID_PATTERN,
        placeholder: 'id',
        patternDoc: 'a CloudFront distribution id (upper-case letters and digits, like E2QWRUHAPOMQZL)'
      }),
      required: true,
      doc: 'CloudFront distribution id (for example E2QWRUHAPOMQZL).'
    },
    changedPaths: {
      name: 'changed-paths',
      type: changedPathsType,
      doc: 'The changed-paths output of upload-frontend (a JSON list) or paths one a line: object paths starting with /, not URL-encoded (they are encoded here); planned: hashed files dropped, /index.html adds /, collapsed past max-paths.'
    },
    paths: {
      name: 'paths',
      type: list({
        doc: 'CloudFront paths (starting with /, URL-encoded, `*` only at the end), comma- or newline-separated',
        checkItem: checkCloudFrontPath
      }),
      doc: 'Extra paths to invalidate as given, never collapsed (comma or newline separated; each starts with /, is URL-encoded, and has `*` only at its end); at most max-paths of them.'
    },
    maxPaths: {
      name: 'max-paths',
      type: int({ min: 1, max: 3000 }),
      default: 20,
      doc: 'Most paths in one invalidation: changed paths collapse to directory wildcards, then to /*, to fit what the explicit `paths` leave (the first 1,000 paths a month are free).'
    },
    hashedPatterns: {
      name: 'hashed-paths',
      type: list({
        doc: 'globs relative to the site root, comma- or newline-separated',
        checkItem: checkGlob
      }),
      default: ['assets/**'],
      doc: 'Globs (relative, no leading /) of content-hashed files that need no invalidation.'
    },
    pathPrefix: {
      name: 'path-prefix',
      type: text({
        pattern: /^(\/[^\s*?#]*)?$/,
        patternDoc: 'a URL path prefix starting with "/" (such as /site), without spaces, "*", "?" or "#"',
        placeholder: 'prefix'
      }),
      default: '',
      doc: 'Prepended to every planned path, when the distribution serves the bucket root but you upload under a prefix.'
    },
    callerReference: {
      name: 'caller-reference',
      type: text({ patternDoc: 'a caller reference', placeholder: 'ref', maxLength: 128 }),
      doc: 'CallerReference for CreateInvalidation; default derived from GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT and the paths, so running the step again in the same job attempt does not create a second invalidation.'
    },
    wait: {
      name: 'wait',
      type: bool(),
      default: false,
      doc: 'Wait until the invalidation is Completed.'
    },
    timeout: {
      name: 'timeout-minutes',
      type: duration({ unit: 'minutes', min: 0.1, max: 120 }),
      default: Duration.minutes(15),
      doc: 'How long to keep retrying a busy CloudFront and to wait.'
    },
    dryRun: {
      name: 'dry-run',
      type: bool(),
      default: false,
      doc: 'Print the planned paths and create nothing.'
    },
    region: {
      ...awsRegionOption,
      doc: 'AWS region for the client (CloudFront is global; default AWS_REGION, else us-east-1).'
    },
    endpoint: endpointOption('CloudFront')
  },
  [
    (values, names) => {
      const paths = values.paths ?? [];
      if (paths.length > MAX_PATHS_IN_PROGRESS) {
        throw new ConfigurationError(
          `Input ${names.paths} has ${paths.length} paths (first ${show(paths[0])}), more than the ${MAX_PATHS_IN_PROGRESS} CloudFront allows in progress per distribution; ` +
            'explicit paths are never collapsed: give fewer, or wildcards such as /img/*.',
          names.paths
        );
      }
      if (given(values, 'paths') && paths.length > values.maxPaths) {
        throw new ConfigurationError(
          `Input ${names.paths} has ${paths.length} paths (first ${show(paths[0])}), more than ${names.maxPaths} ${values.maxPaths}; explicit paths are never collapsed: ` +
            `give at most ${values.maxPaths}, use wildcards such as /img/*, or raise ${names.maxPaths} (up to ${MAX_PATHS_IN_PROGRESS}).`,
          names.paths
        );
      }
      const wildcards = paths.filter((p) => p.endsWith('*'));
      if (wildcards.length > MAX_WILDCARDS) {
        throw new ConfigurationError(
          `Input ${names.paths} has ${wildcards.length} wildcard paths (${show(wildcards.slice(0, 3).join(', '))}...); CloudFront allows at most ${MAX_WILDCARDS} in progress per distribution: use fewer, broader ones such as /img/*.`,
          names.paths
        );
      }
    }
  ]
);

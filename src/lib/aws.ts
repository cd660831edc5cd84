/**
 * One place that builds AWS SDK v3 client configuration, so every client honours the same region,
 * endpoint overrides (the local AWS, or a VPC endpoint), retry settings and request timeouts.
 *
 * Endpoint resolution, first match wins:
 *   1. `endpoint` passed in code,
 *   2. `AWS_ENDPOINT_URL_<SERVICE>` (for example `AWS_ENDPOINT_URL_ECS`, `AWS_ENDPOINT_URL_S3`),
 *   3. `AWS_ENDPOINT_URL`,
 *   4. the SDK's own resolution (real AWS).
 * These are the variable names the AWS SDKs and CLI use:
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 *
 * Timeouts: every request attempt must connect within CONNECTION_TIMEOUT and get its response within
 * REQUEST_TIMEOUT, and its socket may then stay silent (a response body that stops arriving) for at most
 * REQUEST_TIMEOUT again; a timed-out attempt is a transient error that the SDK's standard retry strategy
 * retries (jittered backoff, at most `maxAttempts` attempts in all). So a stalled service fails the request
 * after at most maxAttempts × (CONNECTION_TIMEOUT + REQUEST_TIMEOUT) plus the backoff (about 2.9 minutes
 * with the defaults) instead of hanging until the job's own timeout.
 * `TWOTIER_REQUEST_TIMEOUT_SECONDS` in the environment replaces REQUEST_TIMEOUT (and caps
 * CONNECTION_TIMEOUT at it): the tests of a stalled endpoint use it to fail within seconds; a slow network
 * may raise it for large uploads (each attempt of a PutObject or an upload part must send its whole body
 * within it).
 * https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html
 */
import { ConfigurationError, show } from './errors.js';
import { Duration } from './duration.js';
import { text, type OptionDecl } from './options.js';

/** The services the toolkit talks to, keyed by the suffix of their `AWS_ENDPOINT_URL_*` variable. */
export type ServiceId =
  | 'ECS'
  | 'S3'
  | 'CLOUDFRONT'
  | 'ECR'
  | 'CLOUDFORMATION'
  | 'CLOUDWATCH_LOGS'
  | 'STS'
  | 'SSM'
  | 'SECRETS_MANAGER';

/** An AWS region name (`us-east-1`, `eu-west-1`, `us-gov-west-1`, `ap-southeast-3`). */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** How long one attempt may take to connect. */
export const CONNECTION_TIMEOUT = Duration.seconds(5);
/** How long one attempt's socket may stay silent before the attempt is abandoned (and retried). */
export const REQUEST_TIMEOUT = Duration.seconds(30);
/** Attempts per request including the first, by default. */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** The environment variable that replaces REQUEST_TIMEOUT (seconds, 0.1 to 600). */
export const REQUEST_TIMEOUT_ENV = 'TWOTIER_REQUEST_TIMEOUT_SECONDS';

/**
 * The per-attempt timeouts: REQUEST_TIMEOUT and CONNECTION_TIMEOUT, or what REQUEST_TIMEOUT_ENV says.
 * @throws ConfigurationError naming the variable when it is not a number of seconds from 0.1 to 600.
 */
export function requestTimeouts(env: Record<string, string | undefined> = process.env): {
  connection: Duration;
  request: Duration;
} {
  const raw = env[REQUEST_TIMEOUT_ENV]?.trim();
  if (!raw) return { connection: CONNECTION_TIMEOUT, request: REQUEST_TIMEOUT };
  const seconds = Number(raw);
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(raw) || seconds < 0.1 || seconds > 600) {
    throw new ConfigurationError(
      `${REQUEST_TIMEOUT_ENV} is ${show(raw)}; expected a number of seconds from 0.1 to 600.`,
      REQUEST_TIMEOUT_ENV
    );
  }
  const request = Duration.seconds(seconds);
  return { connection: request.ms < CONNECTION_TIMEOUT.ms ? request : CONNECTION_TIMEOUT, request };
}

/** The `aws-region` option every operation declares. */
export const awsRegionOption = {
  name: 'aws-region',
  type: text({
    pattern: REGION_PATTERN,
    patternDoc: 'an AWS region name; expected something like us-east-1 or eu-west-1',
    placeholder: 'region'
  }),
  doc: 'The AWS region; empty uses AWS_REGION (then AWS_DEFAULT_REGION) from the environment.',
  cli: { flag: '--region' }
} as const satisfies OptionDecl<string>;

/** Options every client factory takes. */
export interface AwsOptions {
  /** AWS region, for example `eu-west-1`; defaults to `AWS_REGION`, then `AWS_DEFAULT_REGION`. */
  region?: string;
  /** Endpoint URL override (http://127.0.0.1:PORT for the local AWS). */
  endpoint?: string;
  /** Total attempts per request including the first (SDK standard retry mode, jittered backoff). Default 5. */
  maxAttempts?: number;
}

/** The configuration object passed to an SDK v3 client constructor. */
export interface ClientConfig {
  region: string;
  endpoint?: string;
  maxAttempts: number;
  retryMode: 'standard';
  forcePathStyle?: boolean;
  /**
   * NodeHttpHandler settings (milliseconds): connect timeout, time to the response, and socket inactivity
   * (which also bounds a response body that stops arriving) per attempt. `throwOnRequestTimeout` makes an
   * attempt past its requestTimeout fail with TimeoutError (which the retry strategy retries); without it
   * @smithy/node-http-handler 4.x only logs a warning and keeps waiting.
   */
  requestHandler: {
    connectionTimeout: number;
    requestTimeout: number;
    socketTimeout: number;
    throwOnRequestTimeout: true;
  };
}

/**
 * Builds the SDK client configuration for `service`.
 * @throws ConfigurationError when no region is given or set in the environment, an endpoint is not a URL,
 *   or TWOTIER_REQUEST_TIMEOUT_SECONDS is not a number of seconds from 0.1 to 600.
 */
export function clientConfig(service: ServiceId, options: AwsOptions = {}, env = process.env): ClientConfig {
  const region = options.region || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new ConfigurationError(
      'No AWS region: set the `aws-region` input, or AWS_REGION in the environment (for example eu-west-1).',
      'aws-region'
    );
  }
  if (!REGION_PATTERN.test(region)) {
    throw new ConfigurationError(
      `aws-region ${show(region)} is not an AWS region name; expected something like us-east-1 or eu-west-1.`,
      'aws-region'
    );
  }
  const endpoint =
    options.endpoint || env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
  if (endpoint && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new ConfigurationError(`endpoint ${show(endpoint)} is not an http(s) URL.`, 'endpoint');
  }
  const timeouts = requestTimeouts(env);
  const config: ClientConfig = {
    region,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'standard',
    requestHandler: {
      connectionTimeout: timeouts.connection.ms,
      requestTimeout: timeouts.request.ms,
      socketTimeout: timeouts.request.ms,
      throwOnRequestTimeout: true
    }
  };
  if (endpoint) {
    config.endpoint = endpoint;
    if (service === 'S3') config.forcePathStyle = true;
  }
  return config;
}

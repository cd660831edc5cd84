/**
 * One place that builds AWS SDK v3 client configuration, so every client honours the same region,
 * endpoint overrides (the local AWS, or a VPC endpoint) and retry settings.
 *
 * Endpoint resolution, first match wins:
 *   1. `endpoint` passed in code,
 *   2. `AWS_ENDPOINT_URL_<SERVICE>` (for example `AWS_ENDPOINT_URL_ECS`, `AWS_ENDPOINT_URL_S3`),
 *   3. `AWS_ENDPOINT_URL`,
 *   4. the SDK's own resolution (real AWS).
 * These are the variable names the AWS SDKs and CLI use:
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
import { ConfigurationError, show } from './errors.js';

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
}

/**
 * Builds the SDK client configuration for `service`.
 * @throws ConfigurationError when no region is given or set in the environment, or an endpoint is not a URL.
 */
export function clientConfig(service: ServiceId, options: AwsOptions = {}, env = process.env): ClientConfig {
  const region = options.region || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new ConfigurationError(
      'No AWS region: set the `aws-region` input, or AWS_REGION in the environment (for example eu-west-1).',
      'aws-region'
    );
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
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
  const config: ClientConfig = { region, maxAttempts: options.maxAttempts ?? 5, retryMode: 'standard' };
  if (endpoint) {
    config.endpoint = endpoint;
    if (service === 'S3') config.forcePathStyle = true;
  }
  return config;
}

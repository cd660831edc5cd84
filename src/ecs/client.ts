/** The ECS client every function here uses, built from the shared AWS options. */
import { ECSClient } from '@aws-sdk/client-ecs';
import { clientConfig, type AwsOptions } from '../lib/aws.js';

/** A new ECS client for `options` (region, endpoint, retries). */
export function ecsClient(options: AwsOptions = {}): ECSClient {
  return new ECSClient(clientConfig('ECS', options));
}

/** The last path part of an ARN (`.../twotier-sidecar:7` → `twotier-sidecar:7`). */
export function arnName(arn: string | undefined): string {
  return arn?.split('/').pop() ?? '';
}

/**
 * Every ECS request of the library goes through {@link ecsSend}, so every failure names what it concerned:
 * the cluster, service, task definition or task, and the region.
 *
 * - ClusterNotFoundException, ServiceNotFoundException, ServiceNotActiveException and ClientException
 *   "Unable to describe task definition" mean that what the user named does not exist (or cannot be used):
 *   a ConfigurationError naming the input, quoting the value and saying what is valid.
 * - Any other ClientException or InvalidParameterException is ECS refusing the request as sent: a
 *   ConfigurationError that keeps ECS's own message (never "not registered" unless it is that case).
 * - Anything else (AccessDenied, throttling or 5xx after the SDK's retries, a timeout) is a DeploymentError
 *   naming the operation, the resource and the region, with the SDK error as its cause (src/lib/aws-call.ts).
 *
 * Errors: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html and each operation's
 * "Errors" section (for example
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html#API_UpdateService_Errors).
 */
import type {
  ECSClient,
  ECSClientResolvedConfig,
  ServiceInputTypes,
  ServiceOutputTypes
} from '@aws-sdk/client-ecs';
import type { Command } from '@smithy/types';
import { awsFailure, operationOf } from '../lib/aws-call.js';
import { ConfigurationError, errorName, messageOf, show } from '../lib/errors.js';

/** What an ECS request concerns, and the inputs that name each part (for messages). */
export interface EcsTarget {
  cluster?: string;
  service?: string;
  taskDefinition?: string;
  task?: string;
  /** Input names, when they differ from `cluster`, `service`, `task-definition`. */
  inputs?: { cluster?: string; service?: string; taskDefinition?: string };
  /** Appended to a ConfigurationError, e.g. `the service was not changed`. */
  note?: string;
}

/** The phrase for a target: `service api in cluster dev`, `task definition app:7`, `cluster dev`. */
export function describeTarget(target: EcsTarget): string {
  const inCluster = target.cluster ? ` in cluster ${target.cluster}` : '';
  if (target.task) return `task ${target.task.split('/').pop()}${inCluster}`;
  if (target.service) return `service ${target.service}${inCluster}`;
  if (target.taskDefinition) return `task definition ${target.taskDefinition}`;
  if (target.cluster) return `cluster ${target.cluster}`;
  return 'the request';
}

/** The region a client talks to, for messages (`unknown region` when it cannot be read). */
export async function regionOf(ecs: ECSClient): Promise<string> {
  try {
    const region = (ecs as { config?: { region?: unknown } }).config?.region;
    const value = typeof region === 'function' ? await (region as () => Promise<string>)() : region;
    return typeof value === 'string' && value ? value : 'unknown region';
  } catch {
    return 'unknown region';
  }
}

/** `Headline[; note]. What is valid (region; what ECS said).` */
function sentence(headline: string, target: EcsTarget, valid: string, where: string): string {
  return `${headline}${target.note ? `; ${target.note}` : ''}. ${valid} (${where}).`;
}

/** The ConfigurationError for a service DescribeServices did not find (a `failures` entry MISSING). */
export function serviceNotFound(target: EcsTarget, region: string, detail: string): ConfigurationError {
  const input = target.inputs?.service ?? 'service';
  return new ConfigurationError(
    sentence(
      `Service ${target.service} not found in cluster ${target.cluster}`,
      target,
      `\`${input}\` ${show(target.service)} must name an existing ACTIVE service of that cluster (its name or ARN)`,
      `${region}; ${detail}`
    ),
    input
  );
}

/**
 * Turns an ECS error into the error the library throws (see the module doc).
 * @param operation the API operation, e.g. `DescribeServices`.
 */
export function ecsError(error: unknown, operation: string, target: EcsTarget, region: string): Error {
  const name = errorName(error);
  const message = messageOf(error);
  const where = `${region}; ECS ${operation}: ${name}: ${message}`;
  const clusterInput = target.inputs?.cluster ?? 'cluster';
  const definitionInput = target.inputs?.taskDefinition ?? 'task-definition';
  switch (name) {
    case 'ClusterNotFoundException':
      return new ConfigurationError(
        sentence(
          `Cluster ${target.cluster ?? 'default'} not found`,
          target,
          `\`${clusterInput}\` ${show(target.cluster ?? 'default')} must name an existing ECS cluster of this account and region (its name or ARN)`,
          where
        ),
        clusterInput
      );
    case 'ServiceNotFoundException':
      return serviceNotFound(target, region, `ECS ${operation}: ${name}: ${message}`);
    case 'ServiceNotActiveException': {
      const input = target.inputs?.service ?? 'service';
      return new ConfigurationError(
        sentence(
          `Service ${target.service} in cluster ${target.cluster} is not ACTIVE`,
          target,
          `\`${input}\` ${show(target.service)} must name an ACTIVE service (not DRAINING or INACTIVE)`,
          where
        ),
        input
      );
    }
    case 'ClientException':
    case 'InvalidParameterException':
      if (target.taskDefinition && /unable to describe task definition/i.test(message)) {
        return new ConfigurationError(
          sentence(
            `Task definition ${target.taskDefinition} is not registered`,
            target,
            `\`${definitionInput}\` ${show(target.taskDefinition)} must name a registered revision (family:revision or ARN; a family alone means its latest ACTIVE revision)`,
            where
          ),
          definitionInput
        );
      }
      return new ConfigurationError(
        sentence(
          `ECS refused ${operation} for ${describeTarget(target)}`,
          target,
          `${name}: ${message}`,
          region
        )
      );
    default:
      return awsFailure({ service: 'ECS', operation, resource: describeTarget(target), region }, error);
  }
}

/**
 * Sends one ECS command; a failure becomes the error {@link ecsError} gives for `target`.
 * @throws ConfigurationError or DeploymentError, as described in the module doc.
 */
export async function ecsSend<I extends ServiceInputTypes, O extends ServiceOutputTypes>(
  ecs: ECSClient,
  command: Command<ServiceInputTypes, I, ServiceOutputTypes, O, ECSClientResolvedConfig>,
  target: EcsTarget
): Promise<O> {
  try {
    return await ecs.send(command);
  } catch (error) {
    throw ecsError(error, operationOf(command), target, await regionOf(ecs));
  }
}

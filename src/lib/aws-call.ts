/**
 * How a failed AWS request is reported: always with the service, the operation, the resource it concerned
 * and the region, and with the SDK's exception name and message kept (never replaced by a guess). Each
 * domain has one wrapper over its client (src/ecs/call.ts, src/ecr/images.ts) that first turns the
 * exceptions that mean "what you named does not exist" into ConfigurationErrors naming the input, and hands
 * everything else to {@link awsFailure}.
 */
import { DeploymentError, errorName, messageOf } from './errors.js';

/** What a request was about, for messages. */
export interface CallAbout {
  /** `ECS`, `ECR`, … */
  service: string;
  /** The API operation, e.g. `DescribeServices`. */
  operation: string;
  /** The resource it concerned, as a phrase: `service api in cluster dev`, `repository twotier/api`. */
  resource: string;
  region: string;
}

/** True for an error that says the caller's role may not make the request. */
export function isAccessDenied(error: unknown): boolean {
  return /AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(errorName(error));
}

/** The operation of an SDK v3 command (`DescribeServicesCommand` → `DescribeServices`). */
export function operationOf(command: object): string {
  return command.constructor.name.replace(/Command$/, '');
}

/**
 * A DeploymentError for a request that failed after the SDK's retries (or was refused by IAM), naming the
 * service, operation, resource and region, with the SDK error as its cause.
 */
export function awsFailure(about: CallAbout, error: unknown): DeploymentError {
  const where = `${about.service} ${about.operation} for ${about.resource} (${about.region})`;
  const sdk = `${errorName(error)}: ${messageOf(error)}`;
  const message = isAccessDenied(error)
    ? `${where} was denied: ${sdk}. The role needs ${about.service.toLowerCase()}:${about.operation} on it.`
    : `${where} failed: ${sdk}`;
  return new DeploymentError(message, { cause: error });
}

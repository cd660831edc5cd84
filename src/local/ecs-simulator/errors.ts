/**
 * The error shape of the ECS JSON 1.1 protocol. The server answers an `EcsApiError` with HTTP `status`,
 * body `{"__type": type, "message": message}` and header `x-amzn-errortype: type`, which the AWS SDK v3
 * (`@aws-sdk/client-ecs`, `loadJsonRpcErrorCode`) turns into the modelled exception class of that name.
 * Error types: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html and the
 * "Errors" section of each operation's page.
 */
export class EcsApiError extends Error {
  /**
   * @param type the error code, for example `ClientException` or `ServiceNotFoundException`
   * @param message the human-readable message ECS would send
   * @param status HTTP status; 400 for client errors, 500 for `ServerException`
   */
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400
  ) {
    super(message);
    this.name = type;
  }
}

/** `ClientException`: the request is wrong in a way ECS reports generically (used by task definition calls). */
export const clientException = (message: string): EcsApiError => new EcsApiError('ClientException', message);

/** `InvalidParameterException`: a parameter is missing or has a value ECS refuses. */
export const invalidParameter = (message: string): EcsApiError =>
  new EcsApiError('InvalidParameterException', message);

/** `ClusterNotFoundException` with the message ECS sends. */
export const clusterNotFound = (): EcsApiError =>
  new EcsApiError('ClusterNotFoundException', 'Cluster not found.');

/** `ServiceNotFoundException` with the message ECS sends. */
export const serviceNotFound = (): EcsApiError =>
  new EcsApiError('ServiceNotFoundException', 'Service not found.');

/** `ServiceNotActiveException`: the service is DRAINING or INACTIVE. */
export const serviceNotActive = (): EcsApiError =>
  new EcsApiError('ServiceNotActiveException', 'Service was not ACTIVE.');

/** Reads a required string parameter or throws `InvalidParameterException` (or `ClientException`). */
export function requireString(
  body: Record<string, unknown>,
  name: string,
  make: (message: string) => EcsApiError = invalidParameter
): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') throw make(`${name} must be specified.`);
  return value;
}

/** Reads an optional string parameter; throws `InvalidParameterException` when it is present but not a string. */
export function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${name} must be a string.`);
  return value;
}

/** Reads an optional integer parameter within [min, max]; throws `InvalidParameterException` otherwise. */
export function optionalInt(
  body: Record<string, unknown>,
  name: string,
  min: number,
  max: number
): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(`${name} must be an integer between ${min} and ${max}.`);
  }
  return value;
}

/** `ServiceDeploymentNotFoundException`: the service deployment ARN names no service deployment. */
export const serviceDeploymentNotFound = (): EcsApiError =>
  new EcsApiError('ServiceDeploymentNotFoundException', 'Service deployment not found.');

/** `ConflictException`: the resource's current state does not allow the request. */
export const conflict = (message: string): EcsApiError => new EcsApiError('ConflictException', message);

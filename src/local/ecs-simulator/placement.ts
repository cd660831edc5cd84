/**
 * The checks CreateService, UpdateService and RunTask share: launch type or capacity provider strategy (never
 * both), the task definition's compatibilities against that launch type, the cluster's capacity providers, and
 * the network configuration against the task definition's network mode. Messages are the ones ECS sends
 * (InvalidParameterException), e.g. "Specifying both a launch type and capacity provider strategy is not
 * supported. Remove one and try again." and "Task definition does not support launch_type FARGATE."
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html#ECS-CreateService-request-launchType
 */
import { invalidParameter } from './errors.js';
import type { Cluster, Json, TaskDefinitionRecord } from './state.js';

/** How the tasks are placed: a launch type, or a capacity provider strategy. */
export interface Placement {
  launchType?: string;
  capacityProviderStrategy?: Json[];
  /** The launch type the tasks report: the given one, FARGATE for FARGATE/FARGATE_SPOT providers, else EC2. */
  effectiveLaunchType: string;
}

/**
 * Resolves and checks the placement of a request. Without either, the cluster's default capacity provider
 * strategy applies, else the EC2 launch type.
 * @throws InvalidParameterException for both at once, a provider the cluster does not have, or a launch type
 *   the task definition does not support.
 */
export function resolvePlacement(body: Json, cluster: Cluster, td: TaskDefinitionRecord): Placement {
  const launchType = typeof body.launchType === 'string' ? body.launchType : undefined;
  let strategy = Array.isArray(body.capacityProviderStrategy)
    ? (body.capacityProviderStrategy as Json[])
    : undefined;
  if (launchType !== undefined && strategy !== undefined && strategy.length > 0) {
    throw invalidParameter(
      'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.'
    );
  }
  if (launchType === undefined && (strategy === undefined || strategy.length === 0)) {
    const fallback = cluster.extra.defaultCapacityProviderStrategy;
    strategy = Array.isArray(fallback) && fallback.length > 0 ? (fallback as Json[]) : undefined;
  }
  if (strategy !== undefined && launchType === undefined) {
    const known = Array.isArray(cluster.extra.capacityProviders)
      ? (cluster.extra.capacityProviders as string[])
      : [];
    for (const item of strategy) {
      if (!known.includes(String(item.capacityProvider))) {
        throw invalidParameter(
          'The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.'
        );
      }
    }
  }
  const fargateProviders = strategy?.every((s) => /^FARGATE(_SPOT)?$/.test(String(s.capacityProvider)));
  const effective = launchType ?? (strategy && fargateProviders ? 'FARGATE' : 'EC2');
  const compatibilities = (td.body.compatibilities as string[] | undefined) ?? ['EC2'];
  if (!compatibilities.includes(effective)) {
    throw invalidParameter(`Task definition does not support launch_type ${effective}.`);
  }
  return {
    launchType,
    capacityProviderStrategy: launchType === undefined ? strategy : undefined,
    effectiveLaunchType: effective
  };
}

/**
 * The awsvpc rule ECS applies to RunTask, CreateService and UpdateService: awsvpc needs
 * `networkConfiguration.awsvpcConfiguration.subnets`; other network modes take no networkConfiguration.
 * @throws InvalidParameterException with ECS's messages.
 */
export function requireNetworkConfiguration(td: TaskDefinitionRecord, networkConfiguration: unknown): void {
  const awsvpc = (networkConfiguration as { awsvpcConfiguration?: { subnets?: unknown } } | undefined)
    ?.awsvpcConfiguration;
  if (td.body.networkMode !== 'awsvpc') {
    if (awsvpc !== undefined) {
      throw invalidParameter(
        'Network Configuration is not valid for the given networkMode of this task definition.'
      );
    }
    return;
  }
  if (!Array.isArray(awsvpc?.subnets) || awsvpc.subnets.length === 0) {
    throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  }
}

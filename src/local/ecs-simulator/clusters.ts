/**
 * Cluster operations: CreateCluster, DescribeClusters, ListClusters
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html and neighbours).
 */
import { clusterNotFound, invalidParameter } from './errors.js';
import { clusterShape } from './shapes.js';
import { lastSegment, type Cluster, type Json, type SimulatorState, type Tag } from './state.js';

const CLUSTER_NAME = /^[a-zA-Z0-9_-]{1,255}$/;

/**
 * Finds the cluster a request names (name or ARN; `default` when omitted).
 * @throws ClusterNotFoundException
 */
export function resolveCluster(state: SimulatorState, ref: unknown): Cluster {
  if (ref !== undefined && ref !== null && typeof ref !== 'string')
    throw invalidParameter('cluster must be a string.');
  const cluster = state.clusters.get(lastSegment((ref as string | undefined) || 'default'));
  if (!cluster) throw clusterNotFound();
  return cluster;
}

/** CreateCluster: creates the cluster, or returns the existing one of that name. */
export function createCluster(state: SimulatorState, body: Json): Json {
  const name = (body.clusterName as string | undefined) ?? 'default';
  if (typeof name !== 'string' || !CLUSTER_NAME.test(name)) {
    throw invalidParameter(
      'Cluster name can only contain letters (uppercase and lowercase), numbers, hyphens, and underscores, up to 255 characters.'
    );
  }
  let cluster = state.clusters.get(name);
  if (!cluster) {
    const { clusterName: _n, tags, ...extra } = body;
    cluster = { name, arn: state.arn(`cluster/${name}`), tags: (tags as Tag[] | undefined) ?? [], extra };
    state.clusters.set(name, cluster);
  }
  return { cluster: clusterShape(state, cluster) };
}

/** DescribeClusters: unknown clusters come back in `failures` with reason MISSING. */
export function describeClusters(state: SimulatorState, body: Json): Json {
  const refs =
    Array.isArray(body.clusters) && body.clusters.length > 0 ? body.clusters.map(String) : ['default'];
  const includeTags = Array.isArray(body.include) && body.include.includes('TAGS');
  const clusters: Json[] = [];
  const failures: Json[] = [];
  for (const ref of refs) {
    const cluster = state.clusters.get(lastSegment(ref));
    if (cluster) clusters.push(clusterShape(state, cluster, includeTags));
    else
      failures.push({ arn: ref.startsWith('arn:') ? ref : state.arn(`cluster/${ref}`), reason: 'MISSING' });
  }
  return { clusters, failures };
}

/** ListClusters (no pagination needed for the handful of clusters a test creates). */
export function listClusters(state: SimulatorState): Json {
  return { clusterArns: [...state.clusters.values()].map((c) => c.arn) };
}

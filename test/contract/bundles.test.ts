/**
 * Each bundle carries only what its action runs: the AWS SDK clients in dist/<name>/index.js (found by the
 * `serviceId` each client's runtime configuration declares) are exactly the ones its action calls, plus the
 * clients of the SDK's default credential chain (STS for web identity / OIDC and assume-role, SSO, SSO OIDC
 * and Signin for profiles), which every client carries. Actions import deep module paths, never a barrel
 * `index.ts`, so a domain's other operations stay out (issue 9: invalidate-cdn carried the S3 client and
 * lib-storage, run-task the preflight).
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const CREDENTIALS = ['SSO', 'SSO OIDC', 'STS', 'Signin'];
const PREFLIGHT = ['CloudWatch Logs', 'ECR', 'ECS', 'SSM', 'Secrets Manager'];

/** The service ids each action's bundle may contain besides the credential chain's. */
const EXPECTED: Record<string, string[]> = {
  // ECS, plus the preflight's ECR, SSM, Secrets Manager and CloudWatch Logs.
  'register-task-definition': PREFLIGHT,
  // The same: it registers a task definition file first when given one.
  'deploy-service': PREFLIGHT,
  // ECS, and CloudWatch Logs for the container's log lines.
  'run-task': ['CloudWatch Logs', 'ECS'],
  // ECS only: they act on a service deployment in flight.
  'continue-deployment': ['ECS'],
  'stop-deployment': ['ECS'],
  'upload-frontend': ['S3'],
  'invalidate-cdn': ['CloudFront'],
  'deploy-stack': ['CloudFormation'],
  'resolve-image-tag': ['ECR'],
  // The frontend's previous release back in place (S3), its invalidation (CloudFront), the service (ECS).
  rollback: ['CloudFront', 'ECS', 'S3'],
  // None: the root action's plan (input checks, lines per container, digest pinning) makes no AWS call.
  'plan-release': []
};

/** Code that only some bundles may carry: a marker (a name of ours or of the library) → the bundles. */
const MARKERS: Record<string, { marker: string; only: string[] }> = {
  'the preflight (src/ecs/preflight.ts)': {
    marker: 'findMissingResources',
    only: ['register-task-definition', 'deploy-service']
  },
  '@aws-sdk/lib-storage': { marker: '__uploadUsingPut', only: ['upload-frontend'] }
};

const bundles = readdirSync(path.join(ROOT, 'src', 'actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(ROOT, 'src', 'actions', d.name, 'index.ts')))
  .map((d) => d.name)
  .sort();

const read = (name: string) => readFileSync(path.join(ROOT, 'dist', name, 'index.js'), 'utf8');

/** The service ids of the AWS SDK clients in a bundle. */
function clientsIn(code: string): string[] {
  const ids = new Set<string>();
  for (const m of code.matchAll(/serviceId:\s*(?:[\w?.]+\s*\?\?\s*)?"([A-Za-z0-9 ]+)"/g)) ids.add(m[1]!);
  return [...ids].sort();
}

describe('bundle contents', () => {
  it('every action has an expected set', () => {
    expect(bundles).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(bundles)('dist/%s/index.js carries exactly the AWS clients its action uses', (name) => {
    const found = clientsIn(read(name));
    expect({ name, clients: found.filter((id) => !CREDENTIALS.includes(id)) }).toEqual({
      name,
      clients: [...EXPECTED[name]!].sort()
    });
  });

  it.each(Object.entries(MARKERS))('%s is only in the bundles that run it', (_what, { marker, only }) => {
    const carrying = bundles.filter((name) => read(name).includes(marker));
    expect(carrying.sort()).toEqual([...only].sort());
  });

  it('dist/plan-release/index.js carries no AWS client at all, not even the credential chain', () => {
    expect(clientsIn(read('plan-release'))).toEqual([]);
  });

  it('recognises a client by its serviceId', () => {
    expect(clientsIn('serviceId: config?.serviceId ?? "ECS",\nserviceId: "S3"')).toEqual(['ECS', 'S3']);
  });
});

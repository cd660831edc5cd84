/**
 * One act test file's world and the SDK clients (over HTTP, to the local AWS) its assertions use: started
 * before the file's tests, stopped after them. Each test starts from an empty local AWS (the ECS simulator
 * and moto reset) and no recorded OIDC requests; workspaces handed to `keep` are removed at the end.
 */
import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import type { Workspace } from './harness.js';
import { REGION, startActWorld, type ActWorld } from './world.js';

/** What a test file reaches through `useActWorld()`; reading a field before beforeAll ran throws. */
export interface ActSuite {
  readonly world: ActWorld;
  readonly ecs: ECSClient;
  readonly ecr: ECRClient;
  readonly s3: S3Client;
  readonly cfn: CloudFormationClient;
  readonly cloudfront: CloudFrontClient;
  /** Removes `workspace` after the file's tests; returns it. */
  keep(workspace: Workspace): Workspace;
}

type Started = Omit<ActSuite, 'keep'>;

/** Registers the file's beforeAll/afterAll/beforeEach hooks and returns the suite they fill in. */
export function useActWorld(): ActSuite {
  let started: Started | undefined;
  const workspaces: Workspace[] = [];
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  beforeAll(async () => {
    const world = await startActWorld();
    const moto = { endpoint: world.local.moto.endpoint, region: REGION, credentials };
    started = {
      world,
      ecs: new ECSClient({ endpoint: world.local.ecs.endpoint, region: REGION, credentials }),
      ecr: new ECRClient(moto),
      s3: new S3Client({ ...moto, forcePathStyle: true }),
      cfn: new CloudFormationClient(moto),
      cloudfront: new CloudFrontClient(moto)
    };
  }, 120000);
  afterAll(async () => {
    for (const w of workspaces) w.remove();
    if (!started) return;
    const { world, ...clients } = started;
    for (const client of Object.values(clients)) client.destroy();
    await world.stop();
  });
  beforeEach(async () => {
    const { world } = need();
    world.local.ecs.reset();
    await world.local.moto.reset();
    world.oidc.requests.length = 0;
  });
  const need = (): Started => {
    if (!started) throw new Error('the act world is not started: use the suite inside a test or a hook');
    return started;
  };
  return {
    get world() {
      return need().world;
    },
    get ecs() {
      return need().ecs;
    },
    get ecr() {
      return need().ecr;
    },
    get s3() {
      return need().s3;
    },
    get cfn() {
      return need().cfn;
    },
    get cloudfront() {
      return need().cloudfront;
    },
    keep(workspace) {
      workspaces.push(workspace);
      return workspace;
    }
  };
}

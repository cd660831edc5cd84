/**
 * Shared setup of the frontend integration tests: moto, a recording fault proxy in front of it, an S3
 * client talking to moto directly (setup and assertions never go through the proxy), and site builders.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudFrontClient, CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { startMoto, type MotoServer } from '../../src/local/moto.js';
import { runActionBundle, type ActionRun } from '../helpers/action.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';

/** Key of the header manifest upload-frontend writes under the prefix (src/frontend/manifest.ts). */
export const MANIFEST = '.twotier/manifest.json';
/** Where versions before the reserved folder wrote it (read when the new one is missing). */
export const LEGACY_MANIFEST = '.twotier-manifest.json';

export interface World {
  moto: MotoServer;
  proxy: FaultProxy;
  s3: S3Client;
  /** Environment for runActionBundle: the action talks to moto through the proxy. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const moto = await startMoto();
  const proxy = await startFaultProxy({ target: moto.endpoint, lifetimeMs: 15 * 60000 });
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });
  return {
    moto,
    proxy,
    s3,
    env: { AWS_ENDPOINT_URL: proxy.endpoint },
    async stop() {
      s3.destroy();
      await proxy.stop();
      await moto.stop();
    }
  };
}

let bucketCounter = 0;
/** Creates a fresh bucket in moto and returns its name. */
/**
 * Creates a CloudFront distribution in the world's moto (an S3 origin, the managed CachingOptimized policy)
 * and returns a client for moto's CloudFront with the distribution's id; the caller destroys the client.
 */
export async function newDistribution(
  world: World,
  comment: string,
  extra: { DefaultRootObject?: string } = {}
): Promise<{ cloudfront: CloudFrontClient; distributionId: string }> {
  const cloudfront = new CloudFrontClient({
    region: 'us-east-1',
    endpoint: world.moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });
  const created = await cloudfront.send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: `${comment}-${Date.now()}`,
        Comment: comment,
        Enabled: true,
        ...extra,
        Origins: {
          Quantity: 1,
          Items: [
            {
              Id: 's3',
              DomainName: 'site.s3.us-east-1.amazonaws.com',
              S3OriginConfig: { OriginAccessIdentity: '' }
            }
          ]
        },
        DefaultCacheBehavior: {
          TargetOriginId: 's3',
          ViewerProtocolPolicy: 'redirect-to-https',
          CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6'
        }
      }
    })
  );
  return { cloudfront, distributionId: created.Distribution!.Id! };
}

export async function newBucket(world: World, stem = 'site'): Promise<string> {
  const name = `${stem}-${process.pid}-${++bucketCounter}`;
  await world.s3.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

/** Writes `files` (relative path → content) into a fresh temporary directory; returns its path. */
/**
 * Registers the hooks of an upload-frontend test file: one world for the file, a clean proxy (no fault
 * schedule, empty log) before each test. Returns the world (once beforeAll has run) and a runner for the
 * upload-frontend bundle against it.
 */
export function useUploadWorld(): {
  world: () => World;
  run: (inputs: Record<string, string>) => Promise<ActionRun>;
} {
  let world: World | undefined;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world?.stop();
  });
  beforeEach(() => {
    world!.proxy.setSchedule(undefined);
    world!.proxy.setHook(undefined);
    world!.proxy.clear();
  });
  return {
    world: () => world!,
    run: (inputs) => runActionBundle('upload-frontend', inputs, world!.env)
  };
}

export function writeSite(files: Record<string, string | Buffer>, dir?: string): string {
  const root = dir ?? mkdtempSync(path.join(tmpdir(), 'site-'));
  if (dir) rmSync(dir, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
  return root;
}

/** A small Vite-shaped build. */
export function viteSite(version = 'v1'): Record<string, string> {
  return {
    'index.html': `<!doctype html><html><head><script type="module" src="/assets/index-${version === 'v1' ? 'B1c2D3e4' : 'F5g6H7i8'}.js"></script></head><body>${version}</body></html>`,
    [`assets/index-${version === 'v1' ? 'B1c2D3e4' : 'F5g6H7i8'}.js`]: `console.log(${JSON.stringify(version)});`,
    'assets/index-Zz9Yy8Xx.css': 'body{margin:0}',
    'favicon.ico': 'ICON',
    'docs/index.html': '<!doctype html><p>docs</p>',
    'robots.txt': 'User-agent: *'
  };
}

/** Keys in the bucket. */
export async function keysOf(world: World, bucket: string): Promise<string[]> {
  const out = await world.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((c) => c.Key ?? '').sort();
}

/** Headers of one object. */
export async function headersOf(world: World, bucket: string, key: string) {
  return world.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
}

/** Operations of the proxy log that write (anything but GET/HEAD). */
export function writesIn(world: World): string[] {
  return world.proxy.requests
    .filter((r) => !['GET', 'HEAD'].includes(r.method))
    .map((r) => `${r.operation} ${r.key}`);
}

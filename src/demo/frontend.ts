/**
 * The demo's frontend part: build the example Vue app, then deploy it to a private bucket behind a CloudFront
 * distribution in the local AWS, twice — the second time from a fresh rebuild with identical content, which
 * must upload nothing. The bucket starts with a "previous release" (an older index.html and chunk), as a real
 * bucket would, so the first deploy replaces index.html (invalidated) and keeps the old chunk for the grace
 * period (visitors holding the old index.html still load it).
 */
import { Duration } from '../lib/duration.js';
import { CloudFrontClient, CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { LocalAws } from '../local/local-aws.js';
import { projectRoot } from '../local/moto.js';
import type { Reporter } from '../lib/reporter.js';
import {
  invalidateCdn,
  invalidationSummaryMarkdown,
  uploadFrontend,
  uploadSummaryMarkdown
} from '../frontend/index.js';

const APP = path.join(projectRoot, 'examples', 'twotier-app');

/** Builds examples/twotier-app/frontend (installing its packages when needed); returns the dist path. */
export function buildFrontend(reporter: Reporter): string {
  const out = execFileSync('bash', [path.join(APP, 'build-frontend.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe']
  });
  const dist = out.trim().split('\n').pop() ?? path.join(APP, 'frontend', 'dist');
  reporter.info(`built ${dist}`);
  return dist;
}

/** Creates the bucket (with a previous release in it) and a distribution in front of it. */
export async function seedFrontend(
  local: LocalAws
): Promise<{ bucket: string; distributionId: string; domain: string }> {
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const s3 = new S3Client({
    endpoint: local.moto.endpoint,
    region: local.region,
    credentials,
    forcePathStyle: true
  });
  const cloudfront = new CloudFrontClient({
    endpoint: local.moto.endpoint,
    region: local.region,
    credentials
  });
  const bucket = 'twotier-demo-frontend';
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: 'index.html',
      Body: '<!doctype html><script src="/assets/index-0ld0ld00.js"></script>',
      ContentType: 'text/html; charset=utf-8',
      CacheControl: 'no-cache'
    })
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: 'assets/index-0ld0ld00.js',
      Body: 'console.log("previous release")',
      ContentType: 'text/javascript; charset=utf-8',
      CacheControl: 'public, max-age=31536000, immutable'
    })
  );
  const created = await cloudfront.send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: `twotier-demo-${Date.now()}`,
        Comment: 'twotier demo frontend',
        Enabled: true,
        DefaultRootObject: 'index.html',
        Origins: {
          Quantity: 1,
          Items: [
            {
              Id: 's3',
              DomainName: `${bucket}.s3.${local.region}.amazonaws.com`,
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
  s3.destroy();
  cloudfront.destroy();
  return {
    bucket,
    distributionId: created.Distribution!.Id!,
    domain: created.Distribution!.DomainName ?? ''
  };
}

/** Upload + invalidate once; returns the summary lines for the overview. */
export async function deployFrontendOnce(
  local: LocalAws,
  target: { bucket: string; distributionId: string },
  sourceDir: string,
  label: string,
  reporter: Reporter,
  summary: (markdown: string) => void
): Promise<string> {
  const uploaded = await reporter.group(`Frontend (${label}): upload to s3://${target.bucket}`, () =>
    uploadFrontend({ sourceDir, bucket: target.bucket, delete: true, region: local.region }, reporter)
  );
  summary(uploadSummaryMarkdown(uploaded));
  const invalidation = await reporter.group(`Frontend (${label}): invalidate ${target.distributionId}`, () =>
    invalidateCdn(
      {
        distributionId: target.distributionId,
        changedPaths: uploaded.changedPaths,
        wait: true,
        timeout: Duration.minutes(2),
        region: local.region
      },
      reporter
    )
  );
  summary(invalidationSummaryMarkdown(invalidation));
  return `frontend (${label}): ${uploaded.uploaded.count} uploaded (${uploaded.uploaded.bytes} bytes), ${uploaded.headerUpdated.count} header-updated, ${uploaded.unchanged.count} unchanged, ${uploaded.deleted.count} deleted, ${uploaded.kept.count} kept for the grace period; invalidation ${invalidation.status}${invalidation.paths.length ? ` of ${invalidation.paths.join(' ')}` : ''}`;
}

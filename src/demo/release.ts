/**
 * The demo's release scene: one release of both tiers in the order the toolkit uses.
 *
 *     build the frontend ─▶ stage it (new assets, staged HTML)  ┐ at the same time
 *                           backend rollout (run-demo.ts)       ┘
 *     backend SUCCESSFUL ─▶ publish (HTML entry points last) ─▶ invalidate
 *     backend failed     ─▶ not published: the old frontend stays live
 *
 * The stage runs while the backend rolls out, with its log lines held back and printed as one group once
 * the rollout has ended, so the two logs do not interleave.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Duration } from '../lib/duration.js';
import { MemoryReporter, type Reporter } from '../lib/reporter.js';
import type { LocalAws } from '../local/local-aws.js';
import { invalidateCdn, invalidationSummaryMarkdown, planUpload } from '../frontend/index.js';
import {
  applyPublish,
  planPublish,
  releaseIdOf,
  releaseSummaryMarkdown,
  type ReleaseResult
} from '../frontend/release.js';
import { stageRelease } from '../frontend/stage.js';
import { buildFrontend, deployFrontendOnce, seedFrontend } from './frontend.js';

/** A frontend release being staged while the backend rolls out. */
export interface StagingFrontend {
  target: { bucket: string; distributionId: string; domain: string };
  dist: string;
  /** The staging, started; resolves with the stage's result and its held-back log lines. */
  staged: Promise<{ result?: ReleaseResult; error?: unknown; lines: string[] }>;
  /** index.html as visitors got it before the release. */
  liveBefore: string;
}

/**
 * Seeds the frontend (a bucket holding the previous release, a distribution), builds the app, and starts
 * staging it; returns at once (the build, which blocks, is done before the backend starts).
 */
export async function startStaging(local: LocalAws, reporter: Reporter): Promise<StagingFrontend> {
  const target = await reporter.group(
    'Existing frontend: private bucket with the previous release, CloudFront distribution',
    async () => {
      const t = await seedFrontend(local);
      reporter.info(`bucket ${t.bucket}, distribution ${t.distributionId} (${t.domain})`);
      return t;
    }
  );
  const dist = await reporter.group('Frontend: build examples/twotier-app/frontend (vite)', async () =>
    buildFrontend(reporter)
  );
  const liveBefore = await indexHtml(local, target.bucket);
  reporter.info(
    'Frontend: staging the new release while the backend rolls out (its log follows the rollout)'
  );
  const held = new MemoryReporter();
  const staged = (async () => {
    try {
      const plan = await planUpload(
        { sourceDir: dist, bucket: target.bucket, delete: true, region: local.region, phase: 'stage' },
        held
      );
      const id = releaseIdOf(undefined, {}, plan)!.id;
      return { result: await stageRelease(plan, id, held), lines: held.lines };
    } catch (error) {
      return { error, lines: held.lines };
    }
  })();
  return { target, dist, staged, liveBefore };
}

/**
 * After the backend: publishes the staged release and invalidates (backend ok), or leaves it staged and
 * shows that the old frontend is still live (backend failed); then, after a publish, deploys a fresh
 * rebuild with identical content (nothing to upload). Returns the overview lines.
 * @throws the stage's or the publish's error.
 */
export async function finishRelease(
  local: LocalAws,
  staging: StagingFrontend,
  backendOk: boolean,
  reporter: Reporter,
  summary: (markdown: string) => void
): Promise<string[]> {
  const { target } = staging;
  const stage = await staging.staged;
  await reporter.group('Frontend: stage (ran during the backend rollout)', async () => {
    for (const line of stage.lines) reporter.info(line);
  });
  if (stage.error || !stage.result) throw stage.error;
  const staged = stage.result;
  summary(releaseSummaryMarkdown(staged));
  const stagedLine = `${staged.uploaded.count} new assets uploaded, ${staged.staged.count} HTML entry points and replaced files staged`;
  if (!backendOk) {
    const live = await indexHtml(local, target.bucket);
    const same = live === staging.liveBefore;
    const line = `frontend release ${staged.releaseId}: staged, not published (${stagedLine}); the backend deployment failed, so publish did not run and the old frontend stays live (index.html ${same ? 'unchanged' : 'CHANGED'})`;
    reporter.warn(line);
    summary(`> **Frontend staged, not published**: ${line}.\n`);
    return [line];
  }
  const published = await reporter.group(
    `Frontend: publish ${staged.releaseId} (the backend is healthy)`,
    async () =>
      applyPublish(
        await planPublish(
          { bucket: target.bucket, releaseId: staged.releaseId, delete: true, region: local.region },
          reporter
        ),
        reporter
      )
  );
  summary(releaseSummaryMarkdown(published));
  const invalidation = await reporter.group(`Frontend: invalidate ${target.distributionId}`, () =>
    invalidateCdn(
      {
        distributionId: target.distributionId,
        changedPaths: published.changedPaths,
        wait: true,
        timeout: Duration.minutes(2),
        region: local.region
      },
      reporter
    )
  );
  summary(invalidationSummaryMarkdown(invalidation));
  const lines = [
    `frontend release ${staged.releaseId}: staged during the backend rollout (${stagedLine}), published after it completed (${published.published.count} put in place, HTML entry points last; ${published.archived.count} archived as ${published.replacedReleaseId} for rollback); invalidation ${invalidation.status}${invalidation.paths.length ? ` of ${invalidation.paths.join(' ')}` : ''}`
  ];
  const rebuilt = await reporter.group(
    'Frontend: fresh rebuild with identical content (new mtimes)',
    async () => buildFrontend(reporter)
  );
  lines.push(
    await deployFrontendOnce(local, target, rebuilt, 'second deploy of a fresh rebuild', reporter, summary)
  );
  return lines;
}

async function indexHtml(local: LocalAws, bucket: string): Promise<string> {
  const s3 = new S3Client({
    endpoint: local.moto.endpoint,
    region: local.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    forcePathStyle: true
  });
  try {
    const o = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'index.html' }));
    return (await o.Body?.transformToString()) ?? '';
  } finally {
    s3.destroy();
  }
}

/**
 * A page that never breaks, seen from a real browser: the example app, release 1 deployed with
 * upload-frontend to moto and served through the local CloudFront-like origin (src/local/cdn.ts, the
 * template's viewer-request function, the objects' Cache-Control), is loaded in headless Chromium again
 * and again while release 2 is deployed, in new browser contexts, in one context whose cache holds what it
 * saw, and in tabs opened on release 1 before the deploy and clicked after it. Every load must render with
 * no failed request and no console error. A second test deploys with `delete-grace-hours: 0` and shows
 * that the same checks catch the tab whose lazily loaded chunk was deleted under it.
 *
 * Needs Debian's chromium (scripts/setup.sh installs it when it runs as root with apt-get); skipped with a
 * notice only where it cannot be installed.
 */
import { Duration } from '../../src/lib/duration.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Browser } from 'playwright-core';
import { uploadFrontend } from '../../src/frontend/index.js';
import { MemoryReporter } from '../../src/lib/reporter.js';
import { startLocalCdn, type LocalCdn } from '../../src/local/cdn.js';
import { startMoto, type MotoServer } from '../../src/local/moto.js';
import { startLatencyProxy, type LatencyProxy } from '../helpers/latency-proxy.js';
import {
  buildRelease,
  chromiumStatus,
  describeBroken,
  launchChromium,
  loadLoop,
  newAppContext,
  openTab,
  pause,
  removeBuild,
  type LoadResult,
  type OpenTab
} from '../helpers/page-loads.js';

const status = chromiumStatus();
if (!status.ok && !status.installable) console.warn(`notice: ${status.reason}`);
const suite = status.ok || status.installable ? describe : describe.skip;

suite('the example app in Chromium during a deploy', () => {
  let moto: MotoServer;
  let slow: LatencyProxy;
  let s3: S3Client;
  let browser: Browser;
  let release1: string;
  let release2: string;
  let bucketN = 0;

  beforeAll(async () => {
    if (!status.ok) throw new Error(status.reason);
    release1 = buildRelease('r1');
    release2 = buildRelease('r2');
    moto = await startMoto();
    // The deploys go through 50 ms of added latency per request, so they take long enough for loads to
    // overlap them (the pages read moto directly through the CDN).
    slow = await startLatencyProxy({ target: moto.endpoint, delayMs: 50, lifetimeMs: 10 * 60000 });
    s3 = new S3Client({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
    });
    process.env.AWS_ACCESS_KEY_ID ??= 'testing';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
    browser = await launchChromium();
  }, 180000);

  afterAll(async () => {
    await browser?.close();
    s3?.destroy();
    await slow?.stop();
    await moto?.stop();
    if (release1) removeBuild(release1);
    if (release2) removeBuild(release2);
  });

  /** upload-frontend with delete on and the action's default grace period (24 hours) unless told. */
  async function deploy(sourceDir: string, bucket: string, deleteGraceHours = 24) {
    return uploadFrontend(
      {
        sourceDir,
        bucket,
        delete: true,
        deleteGrace: Duration.hours(deleteGraceHours),
        concurrency: 2,
        region: 'us-east-1',
        endpoint: slow.endpoint
      },
      new MemoryReporter()
    );
  }

  async function siteWithRelease1(): Promise<{ bucket: string; cdn: LocalCdn }> {
    const bucket = `browser-${process.pid}-${++bucketN}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await deploy(release1, bucket);
    return { bucket, cdn: await startLocalCdn({ s3, bucket, lifetimeMs: 5 * 60000 }) };
  }

  it('renders every load, before, during and after release 2 is deployed', async () => {
    const { bucket, cdn } = await siteWithRelease1();
    try {
      // Tabs opened on release 1 that follow a link only after the deploy (the old About chunk).
      const held: OpenTab[] = [];
      for (const route of ['/', '/'] as const)
        held.push(await openTab(await newAppContext(browser), cdn.endpoint, route, 'held', true));
      const window = { deployStart: 0, deployEnd: 0, stopAt: Number.POSITIVE_INFINITY };
      const loads = loadLoop(browser, cdn.endpoint, () => performance.now() >= window.stopAt, 300);
      await pause(1500);
      window.deployStart = performance.now();
      const result = await deploy(release2, bucket);
      window.deployEnd = performance.now();
      // Past the deploy by more than the edge's 1 s for a no-cache index.html.
      window.stopAt = window.deployEnd + 2500;
      const results: LoadResult[] = await loads;
      for (const tab of held) results.push(await tab.finish());
      // A first visit once the edge's 1 s is over gets release 2, whole.
      await pause(Math.max(0, window.deployEnd + 1100 - performance.now()));
      const after = await openTab(await newAppContext(browser), cdn.endpoint, '/about', 'fresh', true);
      results.push(await after.finish());

      expect(describeBroken(results)).toEqual([]);
      expect(result.uploaded.count).toBeGreaterThanOrEqual(3); // index.html and two new chunks
      expect(result.kept.count).toBe(2); // the old chunks, inside the grace period
      // The loads did span the deploy: release 1 before it, some during it, release 2 after the edge's TTL.
      expect(results.some((r) => r.release === 'r1' && r.startedAt < window.deployStart)).toBe(true);
      expect(results.some((r) => r.startedAt < window.deployEnd && r.endedAt > window.deployStart)).toBe(
        true
      );
      expect(results.at(-1)).toMatchObject({ ok: true, release: 'r2' });
      expect(results.filter((r) => r.mode === 'held').map((r) => [r.release, r.ok])).toEqual([
        ['r1', true],
        ['r1', true]
      ]);
      expect(results.filter((r) => r.mode === 'fresh').length).toBeGreaterThanOrEqual(2);
      expect(results.filter((r) => r.mode === 'cached').length).toBeGreaterThanOrEqual(2);
    } finally {
      await cdn.stop();
    }
  }, 120000);

  it('catches the broken tab when the old chunks are deleted at once (delete-grace-hours 0)', async () => {
    const { bucket, cdn } = await siteWithRelease1();
    try {
      const tab = await openTab(await newAppContext(browser), cdn.endpoint, '/', 'held', true);
      const result = await deploy(release2, bucket, 0);
      expect(result.deleted.count).toBe(2);
      const keys =
        (await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents?.map((c) => c.Key) ?? [];
      expect(keys.filter((k) => k?.startsWith('assets/AboutView-'))).toHaveLength(1);
      const broken = await tab.finish();
      expect(broken.ok).toBe(false);
      expect(broken.release).toBe('r1');
      expect(broken.problems.join('\n')).toMatch(/HTTP 404: \/assets\/AboutView-[\w-]+\.js/);
      // A visitor arriving after the edge's 1 s gets release 2, whole.
      await pause(1100);
      const fresh = await openTab(await newAppContext(browser), cdn.endpoint, '/about', 'fresh', true);
      expect(await fresh.finish()).toMatchObject({ ok: true, release: 'r2' });
    } finally {
      await cdn.stop();
    }
  }, 120000);
});

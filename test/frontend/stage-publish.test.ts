/**
 * upload-frontend's stage / publish split and the frontend rollback, against moto S3 over HTTP (real SDK
 * clients through the recording fault proxy): stage leaves every served key byte-identical, publish makes
 * them the new release and archives the old one, a failure between stage and publish leaves the old site
 * intact, a failed publish is completed by running it again, rollback takes the site back (and forward);
 * bad phase and release-id inputs fail with no mutating request (the bundle, as the runner runs it).
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { MemoryReporter } from '../../src/lib/reporter.js';
import { ConfigurationError, DeploymentError } from '../../src/lib/errors.js';
import { runUploadFrontend } from '../../src/frontend/upload-phases.js';
import { applyPublish, planRollback } from '../../src/frontend/release.js';
import { expectRefused, type BadInput } from '../helpers/bad-inputs.js';
import { MANIFEST, newBucket, useUploadWorld, viteSite, writeSite, writesIn, type World } from './world.js';

const upload = useUploadWorld();
let world: World;
let viaProxy: S3Client;
beforeAll(() => {
  world = upload.world();
  viaProxy = new S3Client({
    region: 'us-east-1',
    endpoint: world.proxy.endpoint,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });
});

/** Body, Content-Type and Cache-Control of every served key (the reserved folder left out). */
async function served(bucket: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const list = await world.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  for (const { Key } of list.Contents ?? []) {
    if (!Key || Key.startsWith('.twotier/')) continue;
    const o = await world.s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
    out[Key] = `${o.ContentType} | ${o.CacheControl} | ${await o.Body!.transformToString()}`;
  }
  return out;
}

/** Keys under the reserved folder. */
async function reserved(bucket: string): Promise<string[]> {
  const list = await world.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: '.twotier/' }));
  return (list.Contents ?? []).map((c) => c.Key ?? '');
}

async function manifest(bucket: string) {
  const o = await world.s3.send(new GetObjectCommand({ Bucket: bucket, Key: MANIFEST }));
  return JSON.parse(await o.Body!.transformToString()) as {
    staged?: Record<string, { files: string[]; objects: Array<{ path: string }> }>;
    releases?: {
      current?: { id: string };
      previous?: { id: string; archived: Array<{ path: string }>; added: string[] };
    };
  };
}

const body = async (bucket: string, key: string) =>
  (await world.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();

const v2 = () => ({
  ...viteSite('v2'),
  'favicon.ico': 'NEW ICON',
  'new/page.html': '<!doctype html><p>new page</p>'
});

function deploy(dir: string, bucket: string, more: Record<string, unknown> = {}) {
  return runUploadFrontend(
    { sourceDir: dir, bucket, s3: viaProxy, env: {}, ...more } as Parameters<typeof runUploadFrontend>[0],
    new MemoryReporter(),
    (_name, fn) => fn()
  );
}

describe('stage, then publish', () => {
  test('stage changes no served key; publish makes the new release live and archives the old one', async () => {
    const bucket = await newBucket(world, 'stage');
    const dir = writeSite(viteSite('v1'));
    await deploy(dir, bucket, { phase: 'stage', releaseId: 'r1' });
    await deploy(dir, bucket, { phase: 'publish', releaseId: 'r1' });
    const v1 = await served(bucket);
    expect(v1['index.html']).toContain('v1');

    writeSite(v2(), dir);
    world.proxy.clear();
    const staged = await deploy(dir, bucket, { phase: 'stage', releaseId: 'r2' });
    expect(staged.releaseId).toBe('r2');
    // Every key served before is byte-identical (content and headers); only new hashed assets appeared.
    const after = await served(bucket);
    for (const [key, value] of Object.entries(v1)) expect({ key, value: after[key] }).toEqual({ key, value });
    expect(Object.keys(after).filter((k) => !(k in v1))).toEqual(['assets/index-F5g6H7i8.js']);
    // What stage wrote: the new asset in place, the rest under the reserved folder, nothing deleted.
    const writes = writesIn(world);
    expect(writes.filter((w) => !w.includes('.twotier/'))).toEqual(['PutObject assets/index-F5g6H7i8.js']);
    expect(writes.some((w) => w.startsWith('DeleteObject'))).toBe(false);
    expect(writes).toEqual(
      expect.arrayContaining([
        'PutObject .twotier/staged/r2/index.html',
        'PutObject .twotier/staged/r2/favicon.ico',
        'PutObject .twotier/staged/r2/new/page.html',
        `PutObject ${MANIFEST}`
      ])
    );
    expect(Object.keys((await manifest(bucket)).staged ?? {})).toEqual(['r2']);

    world.proxy.clear();
    const published = await deploy(dir, bucket, { phase: 'publish', releaseId: 'r2' });
    expect(published.phase).toBe('publish');
    const live = await served(bucket);
    expect(live['index.html']).toContain('v2');
    expect(live['index.html']).toMatch(/^text\/html.* \| no-cache \| /);
    expect(live['favicon.ico']).toContain('NEW ICON');
    expect(live['new/page.html']).toContain('new page');
    // Entry points went in last; the archive before any of them.
    const copies = writesIn(world).filter((w) => w.startsWith('CopyObject'));
    const firstPut = copies.findIndex((c) => !c.includes('.twotier/'));
    expect(copies.slice(0, firstPut).every((c) => c.includes('.twotier/releases/r1/'))).toBe(true);
    const putInPlace = copies.slice(firstPut).map((c) => c.replace('CopyObject ', ''));
    expect(putInPlace).toEqual(['favicon.ico', 'index.html', 'new/page.html']);
    expect(published.result.changedPaths).toEqual(['/favicon.ico', '/index.html']);
    const m = await manifest(bucket);
    expect(m.releases?.current?.id).toBe('r2');
    expect(m.releases?.previous?.id).toBe('r1');
    expect(m.releases?.previous?.archived.map((a) => a.path).sort()).toEqual(['favicon.ico', 'index.html']);
    expect(m.releases?.previous?.added).toEqual(['new/page.html']);
    expect(m.staged).toEqual({});
    expect(await body(bucket, '.twotier/releases/r1/index.html')).toContain('v1');
    // The staged copies are gone once live (they are never served either way).
    expect((await reserved(bucket)).filter((k) => k.startsWith('.twotier/staged/'))).toEqual([]);
    // The old chunk stays (the previous release's files are never deleted).
    expect(live['assets/index-B1c2D3e4.js']).toBeDefined();
  });

  test('a failure between stage and publish (the backend failed: publish never runs) leaves the old site intact', async () => {
    const bucket = await newBucket(world, 'nopub');
    const dir = writeSite(viteSite('v1'));
    await deploy(dir, bucket);
    const before = await served(bucket);
    writeSite(v2(), dir);
    await deploy(dir, bucket, { phase: 'stage', releaseId: 'sha-0123456789ab' });
    const after = await served(bucket);
    for (const [key, value] of Object.entries(before)) expect(after[key]).toBe(value);
    expect(after['index.html']).toContain('v1');
  });

  test('a publish that fails part-way says what is live; running it again completes it', async () => {
    const bucket = await newBucket(world, 'pubfail');
    const dir = writeSite(viteSite('v1'));
    await deploy(dir, bucket, { phase: 'stage', releaseId: 'a' });
    await deploy(dir, bucket, { phase: 'publish', releaseId: 'a' });
    writeSite(v2(), dir);
    await deploy(dir, bucket, { phase: 'stage', releaseId: 'b' });
    world.proxy.setSchedule((r) =>
      r.operation === 'CopyObject' && r.key === 'index.html' ? '500' : undefined
    );
    const failed = await deploy(dir, bucket, { phase: 'publish', releaseId: 'b' }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(DeploymentError);
    expect((failed as Error).message).toMatch(/putting the HTML entry points in place failed/);
    expect((failed as Error).message).toMatch(/Run the publish again/);
    expect(await body(bucket, 'index.html')).toContain('v1');
    world.proxy.setSchedule(undefined);
    await deploy(dir, bucket, { phase: 'publish', releaseId: 'b' });
    expect(await body(bucket, 'index.html')).toContain('v2');
    // The archive still holds the old release's page, not the half-published one.
    expect(await body(bucket, '.twotier/releases/a/index.html')).toContain('v1');
    expect((await manifest(bucket)).releases?.current?.id).toBe('b');
  });

  test('a publish records what it put in place, so the next stage of the same build reads no headers', async () => {
    const bucket = await newBucket(world, 'recorded');
    const dir = writeSite(v2());
    await deploy(dir, bucket, { phase: 'stage', releaseId: 'r1' });
    await deploy(dir, bucket, { phase: 'publish', releaseId: 'r1' });
    const entries = (await manifest(bucket)) as unknown as {
      objects: Record<string, { etag: string; cacheControl?: string; contentType?: string }>;
    };
    // The HTML entry points came in by CopyObject: their entries hold the copy's ETag and headers.
    expect(entries.objects['index.html']).toMatchObject({
      contentType: expect.stringMatching(/^text\/html/),
      cacheControl: expect.stringMatching(/no-cache/)
    });
    expect(entries.objects['new/page.html']).toBeDefined();
    world.proxy.clear();
    const again = await deploy(dir, bucket, { phase: 'stage', releaseId: 'r2' });
    expect(world.proxy.requests.filter((r) => r.operation === 'HeadObject').map((r) => r.key)).toEqual([]);
    expect(again.result.uploaded.count).toBe(0);
  });

  test('a publish drops the releases staged before it and never published; one staged after it stays', async () => {
    const bucket = await newBucket(world, 'superseded');
    const dir = writeSite(viteSite('v1'));
    await deploy(dir, bucket, { phase: 'stage', releaseId: 'failed-backend' });
    writeSite(v2(), dir);
    await deploy(dir, bucket, { phase: 'stage', releaseId: 'good' });
    writeSite({ ...v2(), 'index.html': '<!doctype html><p>v3</p>' }, dir);
    await deploy(dir, bucket, { phase: 'stage', releaseId: 'newer' });
    expect(Object.keys((await manifest(bucket)).staged ?? {}).sort()).toEqual([
      'failed-backend',
      'good',
      'newer'
    ]);
    await deploy(dir, bucket, { phase: 'publish', releaseId: 'good' });
    expect(Object.keys((await manifest(bucket)).staged ?? {})).toEqual(['newer']);
    const left = await reserved(bucket);
    expect(left.filter((k) => k.startsWith('.twotier/staged/failed-backend/'))).toEqual([]);
    expect(left.filter((k) => k.startsWith('.twotier/staged/good/'))).toEqual([]);
    expect(left).toContain('.twotier/staged/newer/index.html');
    // The newer one can still be published.
    await deploy(dir, bucket, { phase: 'publish', releaseId: 'newer' });
    expect(await body(bucket, 'index.html')).toContain('v3');
  });

  test('publishing a release that is not staged is a configuration error before any write', async () => {
    const bucket = await newBucket(world, 'unstaged');
    const dir = writeSite(viteSite('v1'));
    await deploy(dir, bucket, { phase: 'stage', releaseId: 'one' });
    world.proxy.clear();
    const error = await deploy(dir, bucket, { phase: 'publish', releaseId: 'two' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/"two" is not a staged release.*staged there: one/);
    expect(writesIn(world)).toEqual([]);
  });
});

describe('frontend rollback', () => {
  test('puts the previous release back, swaps current and previous; a second rollback goes forward', async () => {
    const bucket = await newBucket(world, 'rollback');
    const dir = writeSite(viteSite('v1'));
    await deploy(dir, bucket, { phase: 'stage', releaseId: 'r1' });
    await deploy(dir, bucket, { phase: 'publish', releaseId: 'r1' });
    const v1 = await served(bucket);
    writeSite(v2(), dir);
    await deploy(dir, bucket, { phase: 'stage', releaseId: 'r2' });
    await deploy(dir, bucket, { phase: 'publish', releaseId: 'r2' });
    const live2 = await served(bucket);

    const reporter = new MemoryReporter();
    const back = await applyPublish(await planRollback({ bucket, s3: viaProxy }, reporter), reporter);
    expect(back.releaseId).toBe('r1');
    expect(back.changedPaths).toEqual(['/favicon.ico', '/index.html', '/new/page.html']);
    const rolled = await served(bucket);
    for (const key of ['index.html', 'favicon.ico', 'docs/index.html']) expect(rolled[key]).toBe(v1[key]);
    expect(rolled['new/page.html']).toBeUndefined();
    const m = await manifest(bucket);
    expect([m.releases?.current?.id, m.releases?.previous?.id]).toEqual(['r1', 'r2']);
    // What was live is archived as r2 (for the way forward); r1's archive, now live again, is dropped.
    const kept = await reserved(bucket);
    expect(kept.filter((k) => k.startsWith('.twotier/releases/')).sort()).toEqual([
      '.twotier/releases/r2/favicon.ico',
      '.twotier/releases/r2/index.html',
      '.twotier/releases/r2/new/page.html'
    ]);

    await applyPublish(await planRollback({ bucket, s3: viaProxy }, reporter), reporter);
    const forward = await served(bucket);
    for (const key of ['index.html', 'favicon.ico', 'new/page.html']) expect(forward[key]).toBe(live2[key]);
  });

  test('a rollback records the headers of what it put back, so the next stage of that build reads no headers', async () => {
    const bucket = await newBucket(world, 'rollback-headers');
    await deploy(writeSite(viteSite('v1')), bucket, { phase: 'stage', releaseId: 'r1' });
    await deploy(writeSite(viteSite('v1')), bucket, { phase: 'publish', releaseId: 'r1' });
    const dir2 = writeSite(v2());
    await deploy(dir2, bucket, { phase: 'stage', releaseId: 'r2' });
    await deploy(dir2, bucket, { phase: 'publish', releaseId: 'r2' });
    const archived = (await manifest(bucket)).releases?.previous?.archived as Array<{
      path: string;
      headers?: { contentType?: string; cacheControl?: string };
    }>;
    // r2's publish archived r1's live copies together with the headers the manifest had for them.
    expect(archived.find((a) => a.path === 'index.html')?.headers).toMatchObject({
      contentType: expect.stringMatching(/^text\/html/),
      cacheControl: expect.stringMatching(/no-cache/)
    });
    const reporter = new MemoryReporter();
    await applyPublish(await planRollback({ bucket, s3: viaProxy }, reporter), reporter);
    const objects = ((await manifest(bucket)) as unknown as { objects: Record<string, { etag: string }> })
      .objects;
    expect(Object.keys(objects)).toEqual(expect.arrayContaining(['index.html', 'favicon.ico']));
    expect(objects['new/page.html']).toBeUndefined(); // deleted by the rollback: no entry left behind
    world.proxy.clear();
    const again = await deploy(writeSite(viteSite('v1')), bucket, { phase: 'stage', releaseId: 'r3' });
    expect(world.proxy.requests.filter((r) => r.operation === 'HeadObject').map((r) => r.key)).toEqual([]);
    expect(again.result.uploaded.count).toBe(0);
  });

  test('no previous release recorded: a configuration error before any write', async () => {
    const bucket = await newBucket(world, 'norollback');
    const dir = writeSite(viteSite('v1'));
    await deploy(dir, bucket);
    world.proxy.clear();
    const error = await planRollback({ bucket, s3: viaProxy }, new MemoryReporter()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/needs a previous release/);
    expect(writesIn(world)).toEqual([]);
  });
});

describe('bad phase and release-id inputs (the bundle): refused with no mutating request', () => {
  let bucket: string;
  let dir: string;
  beforeAll(async () => {
    bucket = await newBucket(world, 'badin');
    dir = writeSite(viteSite('v1'));
  });
  const cases: BadInput[] = [
    {
      title: 'phase deploy',
      inputs: () => ({ 'source-dir': dir, bucket, phase: 'deploy' }),
      input: 'phase',
      value: 'deploy',
      valid: /one of all, stage, publish/
    },
    {
      title: 'release-id climbing out',
      inputs: () => ({ 'source-dir': dir, bucket, phase: 'stage', 'release-id': '../live' }),
      input: 'release-id',
      value: '../live',
      valid: /one key segment/
    },
    {
      title: 'release-id with a slash',
      inputs: () => ({ bucket, phase: 'publish', 'release-id': 'a/b' }),
      input: 'release-id',
      value: 'a/b',
      valid: /letters, digits/
    }
  ];
  test.each(cases)('$title', async (bad) => {
    world.proxy.clear();
    const run = await upload.run(bad.inputs());
    expectRefused(run, bad, writesIn(world));
  });

  test('stage then publish through the bundle: release-id from GITHUB_SHA, output release-id', async () => {
    const b = await newBucket(world, 'bundle');
    const env = { GITHUB_SHA: 'abcdef0123456789abcdef0123456789abcdef01' };
    const { runActionBundle } = await import('../helpers/action.js');
    const stage = await runActionBundle(
      'upload-frontend',
      { 'source-dir': dir, bucket: b, phase: 'stage' },
      { ...world.env, ...env }
    );
    expect(stage.code).toBe(0);
    expect(stage.outputs['release-id']).toBe('sha-abcdef012345');
    expect(stage.summary).toContain('not published');
    const publish = await runActionBundle(
      'upload-frontend',
      { bucket: b, phase: 'publish' },
      { ...world.env, ...env }
    );
    expect(publish.code).toBe(0);
    expect(publish.outputs['release-id']).toBe('sha-abcdef012345');
    expect(JSON.parse(publish.outputs['changed-paths'] ?? '')).toEqual([]);
    expect(await body(b, 'index.html')).toContain('v1');
  });
});

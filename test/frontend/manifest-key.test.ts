/**
 * Where the header manifest lives and how concurrent deploys are kept from corrupting it: the reserved
 * `<prefix>.twotier/manifest.json` (never planned, never in changed-paths), a `manifest-key` outside the
 * served prefix, the migration from the legacy `<prefix>.twotier-manifest.json`, and conditional writes (a
 * deploy that lost the race fails clearly, leaves the other's manifest whole and deletes nothing). Run as
 * the runner runs the bundle, against moto S3 through the recording proxy.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  keysOf,
  LEGACY_MANIFEST,
  MANIFEST,
  newBucket,
  useUploadWorld,
  viteSite,
  writeSite,
  writesIn,
  type World
} from './world.js';
import { errorText } from '../helpers/action.js';

const upload = useUploadWorld();
const run = upload.run;
let world: World;
beforeAll(() => {
  world = upload.world();
});

const text = async (bucket: string, key: string): Promise<string> =>
  (await world.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
const count = (operation: string): number => world.proxy.counts()[operation] ?? 0;

async function deployed(files = viteSite(), inputs: Record<string, string> = {}) {
  const bucket = await newBucket(world, 'mkey');
  const dir = writeSite(files);
  const first = await run({ 'source-dir': dir, bucket, ...inputs });
  expect(first.code).toBe(0);
  world.proxy.clear();
  return { bucket, dir };
}

describe('where the manifest lives', () => {
  test('under <prefix>.twotier/, version 2; never planned, deleted or listed as changed', async () => {
    const { bucket, dir } = await deployed(viteSite(), { prefix: 'site' });
    expect(await keysOf(world, bucket)).toContain(`site/${MANIFEST}`);
    const doc = JSON.parse(await text(bucket, `site/${MANIFEST}`));
    expect(doc).toMatchObject({ format: 'twotier-upload-manifest', version: 2 });
    writeSite({ 'index.html': '<p>only</p>' }, dir);
    const dry = await run({
      'source-dir': dir,
      bucket,
      prefix: 'site',
      delete: 'true',
      'delete-grace-hours': '0',
      'delete-max-percent': '100',
      'dry-run': 'true'
    });
    expect(dry.code).toBe(0);
    expect(dry.stdout).not.toMatch(/would \S+ \.twotier/);
    expect(dry.summary).not.toContain('`.twotier');
    const result = await run({
      'source-dir': dir,
      bucket,
      prefix: 'site',
      delete: 'true',
      'delete-grace-hours': '0',
      'delete-max-percent': '100'
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.outputs['changed-paths'] ?? '').join(' ')).not.toContain('.twotier');
    expect(await keysOf(world, bucket)).toEqual([`site/${MANIFEST}`, 'site/index.html']);
  });

  test('manifest-key puts it outside the served prefix; the next identical run reads it with one GET', async () => {
    const key = 'twotier-meta/site.json';
    const { bucket, dir } = await deployed(viteSite(), { prefix: 'site', 'manifest-key': key });
    expect(await keysOf(world, bucket)).toContain(key);
    expect((await keysOf(world, bucket)).filter((k) => k.includes('.twotier'))).toEqual([]);
    writeSite(viteSite(), dir);
    const again = await run({ 'source-dir': dir, bucket, prefix: 'site', 'manifest-key': key });
    expect(again.code).toBe(0);
    expect(world.proxy.counts()).toEqual({ ListObjectsV2: 1, GetObject: 1 });
    expect(writesIn(world)).toEqual([]);
    expect(again.summary).toContain(
      `Header manifest \`${key}\`: headers of 6 content-equal objects taken from it`
    );
  });
});

describe('migration from the legacy manifest', () => {
  /** A bucket as an earlier version left it: the legacy manifest (version 1) and no new one. */
  async function legacyBucket() {
    const { bucket, dir } = await deployed();
    const doc = JSON.parse(await text(bucket, MANIFEST));
    await world.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: LEGACY_MANIFEST,
        Body: JSON.stringify({ ...doc, version: 1 }),
        ContentType: 'application/json'
      })
    );
    await world.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: MANIFEST }));
    world.proxy.clear();
    return { bucket, dir };
  }

  test('the legacy manifest is read when the new one is missing, and deleted only after the new one is written', async () => {
    const { bucket, dir } = await legacyBucket();
    writeSite(viteSite(), dir);
    const result = await run({ 'source-dir': dir, bucket });
    expect(result.code).toBe(0);
    expect(count('HeadObject')).toBe(0); // its entries vouched for every object
    expect(writesIn(world)).toEqual([`PutObject ${MANIFEST}`, `DeleteObject ${LEGACY_MANIFEST}`]);
    const keys = await keysOf(world, bucket);
    expect(keys).toContain(MANIFEST);
    expect(keys).not.toContain(LEGACY_MANIFEST);
    expect(Object.keys(JSON.parse(await text(bucket, MANIFEST)).objects)).toHaveLength(6);
    // Never a step of the plan.
    expect(result.summary).not.toContain(LEGACY_MANIFEST);
  });

  test('the legacy manifest is kept when the new one could not be written', async () => {
    const { bucket, dir } = await legacyBucket();
    writeSite(viteSite(), dir);
    world.proxy.setSchedule((r) => (r.operation === 'PutObject' && r.key === MANIFEST ? '500' : undefined));
    const result = await run({ 'source-dir': dir, bucket });
    expect(result.code).toBe(0);
    expect(result.warnings.join('\n')).toContain('could not be written');
    expect(writesIn(world).filter((w) => w.startsWith('DeleteObject'))).toEqual([]);
    expect(await keysOf(world, bucket)).toContain(LEGACY_MANIFEST);
  });
});

describe('concurrent deploys', () => {
  const otherManifest = JSON.stringify({
    format: 'twotier-upload-manifest',
    version: 2,
    objects: {},
    by: 'other'
  });

  test('another deploy writes the manifest between this one reading and writing it: clear failure, its manifest whole', async () => {
    const { bucket, dir } = await deployed(viteSite('v1'));
    writeSite(viteSite('v2'), dir);
    let raced = false;
    world.proxy.setHook(async (r) => {
      if (!raced && r.operation === 'PutObject' && r.key === 'index.html') {
        raced = true;
        await world.s3.send(new PutObjectCommand({ Bucket: bucket, Key: MANIFEST, Body: otherManifest }));
      }
    });
    const failed = await run({ 'source-dir': dir, bucket });
    expect(failed.code).not.toBe(0);
    const message = errorText(failed);
    expect(message).toContain(`Another deploy wrote to s3://${bucket}/${MANIFEST} while this one ran`);
    expect(message).toContain('was rewritten since this run read it');
    expect(message).toContain('This run had uploaded 2 file(s), updated the headers of 0 and deleted 0');
    expect(message).toContain('nothing of it half-written');
    expect(message).toContain('Run the deploy again');
    // The conditional write was sent and refused; the other deploy's manifest is what is there.
    expect(world.proxy.requests.filter((r) => r.key === MANIFEST && r.operation === 'PutObject')).toEqual([
      expect.objectContaining({ status: 412 })
    ]);
    expect(await text(bucket, MANIFEST)).toBe(otherManifest);
    expect(failed.outputs['uploaded-count']).toBe('2');

    world.proxy.setHook(undefined);
    world.proxy.clear();
    const rerun = await run({ 'source-dir': dir, bucket });
    expect(rerun.code).toBe(0);
    expect(JSON.parse(await text(bucket, MANIFEST)).by).toBe('other'); // sections it does not know are kept
    expect(Object.keys(JSON.parse(await text(bucket, MANIFEST)).objects)).toHaveLength(6);
  });

  test('on a first deploy, a manifest created meanwhile by another deploy is not overwritten (If-None-Match)', async () => {
    const bucket = await newBucket(world, 'mkey');
    const dir = writeSite(viteSite());
    world.proxy.setHook(async (r) => {
      if (r.operation === 'PutObject' && r.key === 'index.html')
        await world.s3.send(new PutObjectCommand({ Bucket: bucket, Key: MANIFEST, Body: otherManifest }));
    });
    const failed = await run({ 'source-dir': dir, bucket });
    expect(failed.code).not.toBe(0);
    expect(errorText(failed)).toContain('was created since this run read it');
    expect(await text(bucket, MANIFEST)).toBe(otherManifest);
  });

  test('another deploy finished before the deletes: nothing is deleted', async () => {
    const { bucket, dir } = await deployed(viteSite('v1'));
    writeSite(viteSite('v2'), dir);
    world.proxy.setHook(async (r) => {
      if (r.operation === 'PutObject' && r.key === 'index.html')
        await world.s3.send(new PutObjectCommand({ Bucket: bucket, Key: MANIFEST, Body: otherManifest }));
    });
    const failed = await run({
      'source-dir': dir,
      bucket,
      delete: 'true',
      'delete-grace-hours': '0',
      'delete-max-percent': '100'
    });
    expect(failed.code).not.toBe(0);
    const message = errorText(failed);
    expect(message).toContain('(HeadObject before the deletes)');
    expect(message).toContain('deleted nothing; its manifest was not written');
    expect(writesIn(world).filter((w) => w.startsWith('Delete'))).toEqual([]);
    expect(await keysOf(world, bucket)).toContain('assets/index-B1c2D3e4.js');
    expect(failed.outputs['deleted-count']).toBe('0');
    expect(await text(bucket, MANIFEST)).toBe(otherManifest);
  });
});

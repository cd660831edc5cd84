/**
 * What a failed wave leaves behind, said from what happened (assets replaced in place, which HTML entry
 * points went live and which did not), and a stalled S3: the step fails within the bounded time, naming S3
 * and the operation, and a rerun completes. Run as the runner runs the bundle, against moto S3 through the
 * fault proxy.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { errorText, runActionBundle } from '../helpers/action.js';
import {
  keysOf,
  MANIFEST,
  newBucket,
  useUploadWorld,
  viteSite,
  writeSite,
  writesIn,
  type World
} from './world.js';

const upload = useUploadWorld();
const run = upload.run;
let world: World;
beforeAll(() => {
  world = upload.world();
});

const body = async (bucket: string, key: string): Promise<string> =>
  (await world.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();

describe('wave failures say what was and was not replaced', () => {
  test('an asset fails: the message names the asset replaced in place, no HTML entry point replaced', async () => {
    const bucket = await newBucket(world, 'waves');
    const dir = writeSite(viteSite('v1'));
    expect((await run({ 'source-dir': dir, bucket })).code).toBe(0);
    writeSite({ ...viteSite('v2'), 'favicon.ico': 'NEW ICON' }, dir);
    world.proxy.clear();
    world.proxy.setSchedule((r) =>
      r.operation === 'PutObject' && r.key === 'assets/index-F5g6H7i8.js' ? '500' : undefined
    );
    const failed = await run({ 'source-dir': dir, bucket });
    expect(failed.code).not.toBe(0);
    const message = errorText(failed);
    expect(message).toContain('assets: 1 of 2 write(s) failed after retries');
    expect(message).toContain('S3 PutObject s3://');
    expect(message).toContain('/assets/index-F5g6H7i8.js');
    expect(message).toContain('replaced in place (favicon.ico)');
    expect(message).toContain('No HTML entry points were replaced and nothing was deleted');
    expect(message).toContain('the replaced file(s) above already have their new content');
    // The server agrees: favicon.ico is new, index.html is still v1's.
    expect(await body(bucket, 'favicon.ico')).toBe('NEW ICON');
    expect(await body(bucket, 'index.html')).toContain('v1');
    // The outputs still report what was written.
    expect(failed.outputs['uploaded-count']).toBe('1');
    expect(JSON.parse(failed.outputs['changed-paths'] ?? '')).toEqual(['/favicon.ico']);
  });

  test('an HTML entry point fails after every asset: the message lists which pages went live and which did not', async () => {
    const bucket = await newBucket(world, 'waves');
    const v1 = viteSite('v1');
    const dir = writeSite(v1);
    expect((await run({ 'source-dir': dir, bucket })).code).toBe(0);
    writeSite({ ...viteSite('v2'), 'docs/index.html': '<!doctype html><p>docs v2</p>' }, dir);
    world.proxy.clear();
    world.proxy.setSchedule((r) =>
      r.operation === 'PutObject' && r.key === 'docs/index.html' ? '500' : undefined
    );
    const failed = await run({ 'source-dir': dir, bucket });
    expect(failed.code).not.toBe(0);
    const message = errorText(failed);
    expect(message).toContain('HTML entry points: 1 of 2 write(s) failed after retries');
    expect(message).toContain('Every asset is in place (1 written)');
    expect(message).toContain('HTML entry points live now with the new release: index.html.');
    expect(message).toContain('Not replaced, still the previous version: docs/index.html (failed).');
    expect(message).toContain('Nothing was deleted');
    expect(await body(bucket, 'index.html')).toContain('v2');
    expect(await body(bucket, 'docs/index.html')).toBe(v1['docs/index.html']);
    expect(JSON.parse(failed.outputs['changed-paths'] ?? '')).toEqual(['/index.html']);
  });

  test('with one request at a time, the entry points after the failed one are "not attempted"', async () => {
    const bucket = await newBucket(world, 'waves');
    const dir = writeSite(viteSite('v1'));
    expect((await run({ 'source-dir': dir, bucket })).code).toBe(0);
    writeSite({ ...viteSite('v2'), 'docs/index.html': '<p>docs v2</p>' }, dir);
    world.proxy.setSchedule((r) =>
      r.operation === 'PutObject' && r.key === 'docs/index.html' ? '500' : undefined
    );
    const failed = await run({ 'source-dir': dir, bucket, concurrency: '1' });
    expect(failed.code).not.toBe(0);
    const message = errorText(failed);
    expect(message).toContain('HTML entry points live now with the new release: none.');
    expect(message).toContain(
      'Not replaced, still the previous version: docs/index.html (failed), index.html (not attempted).'
    );
    expect(await body(bucket, 'index.html')).toContain('v1');
  });
});

describe('a stalled S3', () => {
  test('S3 stops answering mid-upload: the step fails by itself within the bound, naming S3 and PutObject; a rerun completes', async () => {
    const bucket = await newBucket(world, 'stall');
    const dir = writeSite(viteSite());
    // After the first site file went through, S3 answers nothing at all (as when the server is paused).
    let forwarded = 0;
    world.proxy.setSchedule((r) => {
      if (forwarded >= 1) return 'stall';
      if (r.operation === 'PutObject') forwarded++;
      return undefined;
    });
    // Attempts time out after 1 s (src/lib/aws.ts); 5 attempts with backoff take a few seconds. The guard
    // that kills the process is 90 s: a step that hangs would be killed (code -1), not fail by itself.
    const failed = await runActionBundle(
      'upload-frontend',
      { 'source-dir': dir, bucket },
      { ...world.env, TWOTIER_REQUEST_TIMEOUT_SECONDS: '1' },
      90_000
    );
    expect(failed.code).toBe(1);
    const message = errorText(failed);
    expect(message).toMatch(
      /S3 PutObject s3:\/\/[^ ]+: .*TimeoutError|S3 PutObject s3:\/\/[^ ]+: .*timed out/
    );
    expect(message).toContain('after 5 attempts');
    expect(message).toContain('No HTML entry points were replaced and nothing was deleted');
    // Each stalled file was tried again and again (the direct request, then the SDK's attempts), each
    // attempt abandoned by its timeout.
    const stalled = world.proxy.requests.filter((r) => r.fault === 'stall' && r.operation === 'PutObject');
    const perKey = new Map<string, number>();
    for (const r of stalled) perKey.set(r.key, (perKey.get(r.key) ?? 0) + 1);
    expect([...perKey.values()].some((n) => n >= 5)).toBe(true);
    expect(writesIn(world).filter((w) => w.endsWith('.html'))).toEqual([]);

    world.proxy.setSchedule(undefined);
    world.proxy.clear();
    const rerun = await run({ 'source-dir': dir, bucket });
    expect(rerun.code).toBe(0);
    expect(await keysOf(world, bucket)).toEqual([MANIFEST, ...Object.keys(viteSite())].sort());
  });

  test('S3 stalls on the listing: the step fails naming S3 and ListObjectsV2, nothing written', async () => {
    const bucket = await newBucket(world, 'stall');
    const dir = writeSite(viteSite());
    world.proxy.setSchedule((r) => (r.operation === 'ListObjectsV2' ? 'stall' : undefined));
    const failed = await runActionBundle(
      'upload-frontend',
      { 'source-dir': dir, bucket },
      { ...world.env, TWOTIER_REQUEST_TIMEOUT_SECONDS: '0.5' },
      90_000
    );
    expect(failed.code).toBe(1);
    const message = errorText(failed);
    expect(message).toContain(`S3 ListObjectsV2 s3://${bucket}/`);
    expect(message).toContain('Nothing was written; run again.');
    expect(world.proxy.requests.filter((r) => r.operation === 'ListObjectsV2').length).toBe(5);
    expect(writesIn(world)).toEqual([]);
  });

  test('a bad TWOTIER_REQUEST_TIMEOUT_SECONDS is a configuration error naming it', async () => {
    const bucket = await newBucket(world, 'stall');
    const dir = writeSite(viteSite());
    const failed = await runActionBundle(
      'upload-frontend',
      { 'source-dir': dir, bucket },
      { ...world.env, TWOTIER_REQUEST_TIMEOUT_SECONDS: '0' }
    );
    expect(failed.code).toBe(1);
    expect(errorText(failed)).toContain(
      'TWOTIER_REQUEST_TIMEOUT_SECONDS is "0"; expected a number of seconds from 0.1 to 600'
    );
    expect(world.proxy.requests).toEqual([]);
  });
});

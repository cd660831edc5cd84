/**
 * The frontend library called directly (not through an action): it has the declaration's defaults and
 * ranges (one default and one range per option, whoever calls), one changed-paths parser for the action and
 * the command, and no group of its own (the faces open them). Against moto S3 for the upload; a mocked
 * CloudFront client that must see no request for the invalidation.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { valuesOf } from '../../src/cli/options.js';
import { invalidateCdn, planInvalidate } from '../../src/frontend/invalidate.js';
import { invalidateOptions, uploadOptions } from '../../src/frontend/options.js';
import { applyUpload, planUpload } from '../../src/frontend/upload.js';
import { Duration } from '../../src/lib/duration.js';
import { ConfigurationError } from '../../src/lib/errors.js';
import { parseOptions, resolveOptions } from '../../src/lib/options.js';
import { MemoryReporter } from '../../src/lib/reporter.js';
import { startMoto, type MotoServer } from '../../src/local/moto.js';
import { writeSite } from './world.js';

let moto: MotoServer;
let s3: S3Client;
beforeAll(async () => {
  moto = await startMoto();
  s3 = new S3Client({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });
});
afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
});

describe('upload-frontend, called as a library', () => {
  test('delete-grace-hours defaults to 24 h as in the action: an object written just now is kept', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'lib-grace' }));
    await s3.send(new PutObjectCommand({ Bucket: 'lib-grace', Key: 'stale.js', Body: 'old' }));
    const dir = writeSite({ 'index.html': '<p>x</p>' });
    const base = {
      sourceDir: dir,
      bucket: 'lib-grace',
      delete: true,
      deleteMaxPercent: 100,
      dryRun: true,
      s3
    };
    const byDefault = await planUpload(base, new MemoryReporter());
    expect(byDefault.steps.kept.map((i) => [i.relativePath, i.why])).toEqual([
      ['stale.js', expect.objectContaining({ code: 'stale-kept', because: 'grace', graceHours: 24 })]
    ]);
    expect(byDefault.steps.deletes).toEqual([]);
    const none = await planUpload({ ...base, deleteGrace: Duration.hours(0) }, new MemoryReporter());
    expect(none.steps.deletes.map((i) => i.relativePath)).toEqual(['stale.js']);
    // The same value an action gets from an empty input.
    const fromAction = parseOptions(uploadOptions, { 'source-dir': dir, bucket: 'lib-grace' });
    const fromLibrary = resolveOptions(uploadOptions, { sourceDir: dir, bucket: 'lib-grace' });
    expect(fromLibrary.deleteGrace.hours).toBe(24);
    expect(fromAction.deleteGrace.hours).toBe(24);
    // A dry-run plan is never applied.
    await expect(applyUpload(byDefault, new MemoryReporter())).rejects.toThrow(ConfigurationError);
  });

  test('the library refuses what the action refuses, with the same range', async () => {
    const dir = writeSite({ 'index.html': '<p>x</p>' });
    const library = planUpload(
      { sourceDir: dir, bucket: 'lib-grace', deleteGrace: Duration.hours(9000), s3 },
      new MemoryReporter()
    );
    await expect(library).rejects.toThrow(
      'Input delete-grace-hours is "9000 hours"; expected a number from 0 to 8760 (hours, fractions allowed).'
    );
    expect(() =>
      parseOptions(uploadOptions, { 'source-dir': dir, bucket: 'b-x1', 'delete-grace-hours': '9000' })
    ).toThrow(
      'Input delete-grace-hours is "9000"; expected a number from 0 to 8760 (hours, fractions allowed).'
    );
  });
});

describe('invalidate-cdn, called as a library', () => {
  const cf = mockClient(CloudFrontClient);
  afterAll(() => cf.restore());

  test('timeout-minutes has the action range and default: out of range is refused before any request', async () => {
    cf.reset();
    const cloudfront = new CloudFrontClient({ region: 'us-east-1' });
    const input = { distributionId: 'E123TEST', changedPaths: ['/index.html'], cloudfront };
    await expect(
      invalidateCdn({ ...input, timeout: Duration.minutes(121) }, new MemoryReporter())
    ).rejects.toThrow('Input timeout-minutes is "121 minutes"; expected a number from 0.1 to 120');
    await expect(
      invalidateCdn({ ...input, timeout: Duration.seconds(1) }, new MemoryReporter())
    ).rejects.toThrow(ConfigurationError);
    expect(cf.calls()).toHaveLength(0);
    expect(planInvalidate(input, new MemoryReporter()).timeout.minutes).toBe(15);
  });

  test('one changed-paths parser: the action input and the command flag give the same values and errors', () => {
    for (const raw of ['["/index.html","/a b.html"]', '/index.html\n/docs/index.html', '/a.txt, /b.txt']) {
      const action = parseOptions(invalidateOptions, { 'distribution-id': 'E1', 'changed-paths': raw });
      const command = valuesOf(invalidateOptions, { distributionId: 'E1', changedPaths: [raw] });
      expect(command.changedPaths).toEqual(action.changedPaths);
    }
    const bad = '["/a"';
    const message = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    const fromAction = message(() =>
      parseOptions(invalidateOptions, { 'distribution-id': 'E1', 'changed-paths': bad })
    );
    expect(fromAction).toBe('changed-paths "[\\"/a\\"" is not a JSON list of paths.');
    expect(message(() => valuesOf(invalidateOptions, { distributionId: 'E1', changedPaths: [bad] }))).toBe(
      fromAction
    );
  });
});

test('the frontend library opens no group: the faces do (action main.ts, CLI command, demo)', () => {
  const dir = path.join(process.cwd(), 'src', 'frontend');
  const offenders = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .filter((f) => /\.group\(/.test(readFileSync(path.join(dir, f), 'utf8')));
  expect(offenders).toEqual([]);
  for (const face of ['src/actions/upload-frontend/main.ts', 'src/actions/invalidate-cdn/main.ts']) {
    expect(readFileSync(path.join(process.cwd(), face), 'utf8')).toMatch(/group\(/);
  }
});

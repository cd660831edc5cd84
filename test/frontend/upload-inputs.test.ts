/**
 * upload-frontend's inputs, run as the runner runs the bundle against moto S3 through the recording proxy:
 * a table of bad inputs (each error names the input, quotes the value and says what is valid, and S3 saw
 * no mutating request), symbolic links in source-dir (never followed out of it), and prefixes (normalised
 * or refused, never written with `.` or `..` segments).
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { GetObjectCommand } from '@aws-sdk/client-s3';
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
import { errorText } from '../helpers/action.js';

const upload = useUploadWorld();
const run = upload.run;
let world: World;
beforeAll(() => {
  world = upload.world();
});

describe('bad inputs: the error names the input, quotes the value and says what is valid; no write', () => {
  let bucket: string;
  let dir: string;
  beforeAll(async () => {
    bucket = await newBucket(world);
    dir = writeSite(viteSite());
  });
  // [case, inputs, input named, value quoted, what is valid]
  const cases: Array<[string, () => Record<string, string>, string, string, string]> = [
    ['prefix climbing out', () => ({ prefix: '../x' }), 'Input prefix', '"../x"', 'no ".."'],
    [
      'prefix inside the reserved folder',
      () => ({ prefix: 'a/.twotier/b' }),
      'Input prefix',
      '"a/.twotier/b"',
      'a key prefix such as site'
    ],
    [
      'entry-points glob that does not parse',
      () => ({ 'entry-points': '[' }),
      'Input entry-points',
      '"["',
      'globs such as **/*.html'
    ],
    [
      'entry-points glob matching no file',
      () => ({ 'entry-points': '*.htm' }),
      'Input entry-points',
      '"*.htm"',
      'such as **/*.html'
    ],
    [
      'entry-points with a leading slash',
      () => ({ 'entry-points': '/index.html' }),
      'Input entry-points',
      '"/index.html"',
      'relative to the site root'
    ],
    ['symlinks policy', () => ({ symlinks: 'follow' }), 'Input symlinks', '"follow"', 'one of error, skip'],
    [
      'manifest-key climbing out',
      () => ({ 'manifest-key': '../m.json' }),
      'Input manifest-key',
      '"../m.json"',
      'an object key such as'
    ],
    [
      'manifest-key absolute',
      () => ({ 'manifest-key': '/m.json' }),
      'Input manifest-key',
      '"/m.json"',
      'no leading "/"'
    ],
    [
      'manifest-key a folder',
      () => ({ 'manifest-key': 'meta/' }),
      'Input manifest-key',
      '"meta/"',
      'an object key such as'
    ],
    [
      'negative grace',
      () => ({ 'delete-grace-hours': '-1' }),
      'Input delete-grace-hours',
      '"-1"',
      'from 0 to 8760'
    ],
    [
      'delete share over 100',
      () => ({ 'delete-max-percent': '101' }),
      'Input delete-max-percent',
      '"101"',
      'from 0 to 100'
    ],
    [
      'concurrency in hex',
      () => ({ concurrency: '0x10' }),
      'Input concurrency',
      '"0x10"',
      'a whole number from 1 to 64'
    ],
    [
      'bucket with capitals',
      () => ({ bucket: 'My_Bucket' }),
      'Input bucket',
      '"My_Bucket"',
      'an S3 bucket name'
    ],
    [
      'source-dir leaving the workspace',
      () => ({ 'source-dir': '../../outside-dist' }),
      'source-dir',
      '"../../outside-dist"',
      'give a path inside it, or an absolute path'
    ]
  ];
  test.each(cases)('%s', async (_case, inputs, named, quoted, valid) => {
    world.proxy.clear();
    const result = await run({ 'source-dir': dir, bucket, ...inputs() });
    expect(result.code).not.toBe(0);
    const message = errorText(result);
    expect(message).toContain('Configuration error');
    expect(message).toContain(named);
    expect(message).toContain(quoted);
    expect(message).toContain(valid);
    expect(writesIn(world)).toEqual([]);
    expect(await keysOf(world, bucket)).toEqual([]);
  });
});

describe('symbolic links in source-dir', () => {
  /** A site with an in-tree link, plus the links `bad` names, pointing outside `outside`. */
  function siteWith(bad: Array<'file-out' | 'dir-out' | 'loop' | 'chain' | 'dangling'>): {
    dir: string;
    secret: string;
  } {
    const outside = mkdtempSync(path.join(tmpdir(), 'outside-'));
    const secret = `AWS_SECRET_ACCESS_KEY=${'s'.repeat(20)}-${process.pid}`;
    writeFileSync(path.join(outside, 'credentials'), secret);
    mkdirSync(path.join(outside, 'dir'));
    writeFileSync(path.join(outside, 'dir', 'private.txt'), secret);
    const dir = writeSite({ 'index.html': '<p>site</p>', 'assets/app-Ab12Cd34.js': 'app()' });
    // In-tree links are followed: a file link and a directory link.
    symlinkSync('assets/app-Ab12Cd34.js', path.join(dir, 'latest.js'));
    symlinkSync('assets', path.join(dir, 'static'));
    if (bad.includes('file-out')) symlinkSync(path.join(outside, 'credentials'), path.join(dir, 'config.js'));
    if (bad.includes('dir-out')) symlinkSync(path.join(outside, 'dir'), path.join(dir, 'vendor'));
    if (bad.includes('loop')) symlinkSync('..', path.join(dir, 'assets', 'up'));
    if (bad.includes('chain')) {
      symlinkSync('b.js', path.join(dir, 'a.js'));
      symlinkSync('a.js', path.join(dir, 'b.js'));
    }
    if (bad.includes('dangling')) symlinkSync('gone.js', path.join(dir, 'missing.js'));
    return { dir, secret };
  }

  test('in-tree links are followed: the target is published under the link path', async () => {
    const bucket = await newBucket(world, 'links');
    const { dir } = siteWith([]);
    const result = await run({ 'source-dir': dir, bucket });
    expect(errorText(result)).toBe('');
    expect(result.code).toBe(0);
    expect(await keysOf(world, bucket)).toEqual([
      MANIFEST,
      'assets/app-Ab12Cd34.js',
      'index.html',
      'latest.js',
      'static/app-Ab12Cd34.js'
    ]);
    const latest = await world.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'latest.js' }));
    expect(await latest.Body!.transformToString()).toBe('app()');
  });

  test.each([
    ['file-out', 'config.js', 'is a symbolic link to', 'outside source-dir'],
    ['dir-out', 'vendor', 'is a symbolic link to', 'outside source-dir'],
    ['loop', 'assets/up', 'is a symbolic link loop', 'own ancestor'],
    ['chain', 'a.js', 'is a symbolic link loop', 'b.js'],
    ['dangling', 'missing.js', 'is a dangling symbolic link', 'gone.js']
  ] as const)(
    'with symlinks: error, a %s link fails the step naming it, before any request writes',
    async (kind, link, problem, detail) => {
      const bucket = await newBucket(world, 'links');
      const { dir, secret } = siteWith([kind]);
      world.proxy.clear();
      const result = await run({ 'source-dir': dir, bucket });
      expect(result.code).not.toBe(0);
      const message = errorText(result);
      expect(message).toContain(`source-dir: "${link}" ${problem}`);
      expect(message).toContain(detail);
      expect(message).toContain('symlinks: skip');
      expect(message).not.toContain(secret);
      expect(writesIn(world)).toEqual([]);
      expect(await keysOf(world, bucket)).toEqual([]);
    }
  );

  test('with symlinks: skip, every bad link is left out with a warning and the rest is published', async () => {
    const bucket = await newBucket(world, 'links');
    const { dir, secret } = siteWith(['file-out', 'dir-out', 'loop', 'chain', 'dangling']);
    const result = await run({ 'source-dir': dir, bucket, symlinks: 'skip' });
    expect(errorText(result)).toBe('');
    expect(result.code).toBe(0);
    const warnings = result.warnings.join('\n');
    for (const link of ['config.js', 'vendor', 'assets/up', 'a.js', 'b.js', 'missing.js'])
      expect(warnings).toContain(`source-dir: ${link} `);
    expect(await keysOf(world, bucket)).toEqual([
      MANIFEST,
      'assets/app-Ab12Cd34.js',
      'index.html',
      'latest.js',
      'static/app-Ab12Cd34.js'
    ]);
    expect(result.summary).toContain('Left out (symlinks: skip)');
    const bodies = await Promise.all(
      (await keysOf(world, bucket)).map(async (key) =>
        (await world.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString()
      )
    );
    expect(bodies.join('\n')).not.toContain(secret);
  });
});

describe('prefix', () => {
  test('./a/./b is written as a/b/, never with . segments', async () => {
    const bucket = await newBucket(world, 'prefix');
    const dir = writeSite({ 'index.html': '<p>x</p>' });
    const result = await run({ 'source-dir': dir, bucket, prefix: './a/./b' });
    expect(result.code).toBe(0);
    expect(await keysOf(world, bucket)).toEqual([`a/b/${MANIFEST}`, 'a/b/index.html']);
  });

  test('a//b and /a/b/ mean a/b/ too', async () => {
    const bucket = await newBucket(world, 'prefix');
    const dir = writeSite({ 'index.html': '<p>x</p>' });
    expect((await run({ 'source-dir': dir, bucket, prefix: 'a//b' })).code).toBe(0);
    world.proxy.clear();
    const again = await run({ 'source-dir': dir, bucket, prefix: '/a/b/' });
    expect(again.code).toBe(0);
    expect(writesIn(world)).toEqual([]);
    expect(await keysOf(world, bucket)).toEqual([`a/b/${MANIFEST}`, 'a/b/index.html']);
  });
});

describe('reserved paths in source-dir', () => {
  test.each([['.twotier/notes.txt'], ['.twotier-manifest.json']])(
    '%s is refused before any write',
    async (name) => {
      const bucket = await newBucket(world, 'reserved');
      const dir = writeSite({ ...viteSite(), [name]: 'x' });
      world.proxy.clear();
      const result = await run({ 'source-dir': dir, bucket });
      expect(result.code).not.toBe(0);
      expect(errorText(result)).toContain(
        `source-dir contains ${name}, a path upload-frontend keeps for itself`
      );
      expect(writesIn(world)).toEqual([]);
    }
  );
});

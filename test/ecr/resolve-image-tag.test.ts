/**
 * The resolve-image-tag bundle (the skip-if-exists step of actions/build-push) run as the runner runs it,
 * against moto's ECR over HTTP.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import { startMoto, type MotoServer } from '../../src/local/moto.js';
import { runActionBundle } from '../helpers/action.js';
import { chooseTag, parseRepository } from '../../src/ecr/index.js';
import { ConfigurationError } from '../../src/lib/errors.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
let moto: MotoServer;
let ecr: ECRClient;
let env: Record<string, string>;

beforeAll(async () => {
  moto = await startMoto();
  env = { AWS_ENDPOINT_URL: moto.endpoint, GITHUB_SHA: SHA };
  ecr = new ECRClient({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });
});
afterAll(async () => {
  ecr?.destroy();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
});

/** Creates the repository and puts one image manifest under `tag`; returns the manifest's sha256 digest. */
async function seed(repositoryName: string, tag?: string): Promise<string | undefined> {
  const created = await ecr.send(
    new CreateRepositoryCommand({ repositoryName, imageTagMutability: 'IMMUTABLE' })
  );
  expect(created.repository?.repositoryUri).toContain(repositoryName);
  if (!tag) return undefined;
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 2,
      digest: `sha256:${'a'.repeat(64)}`
    },
    layers: []
  });
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  const put = await ecr.send(
    new PutImageCommand({ repositoryName, imageManifest: manifest, imageTag: tag, imageDigest: digest })
  );
  return put.image?.imageId?.imageDigest ?? digest;
}

describe('resolve-image-tag bundle against moto ECR', () => {
  test('the tag is present: exists true, with the digest and an image URI pinned by digest', async () => {
    const digest = await seed('twotier/api', 'v1.2.3');
    const run = await runActionBundle('resolve-image-tag', { repository: 'twotier/api', tag: 'v1.2.3' }, env);
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.exists).toBe('true');
    expect(run.outputs.tag).toBe('v1.2.3');
    expect(run.outputs.digest).toBe(digest);
    expect(run.outputs.registry).toMatch(/^\d{12}\.dkr\.ecr\.us-east-1\.amazonaws\.com$/);
    expect(run.outputs.image).toBe(`${run.outputs.registry}/twotier/api:v1.2.3`);
    expect(run.outputs['image-with-digest']).toBe(`${run.outputs.registry}/twotier/api@${digest}`);
    expect(run.summary).toContain('build skipped');
  });

  test('the tag is absent: exists false, tag from GITHUB_SHA (short by default), no digest', async () => {
    await seed('twotier/api', 'other');
    const run = await runActionBundle('resolve-image-tag', { repository: 'twotier/api' }, env);
    expect(run.code).toBe(0);
    expect(run.outputs.exists).toBe('false');
    expect(run.outputs.tag).toBe(SHA.slice(0, 12));
    expect(run.outputs.digest).toBe('');
    expect(run.outputs.image).toMatch(new RegExp(`/twotier/api:${SHA.slice(0, 12)}$`));
  });

  test('sha-tag full tags with the whole SHA and finds an image pushed under it', async () => {
    const digest = await seed('web', SHA);
    const run = await runActionBundle('resolve-image-tag', { repository: 'web', 'sha-tag': 'full' }, env);
    expect(run.code).toBe(0);
    expect(run.outputs.tag).toBe(SHA);
    expect(run.outputs.exists).toBe('true');
    expect(run.outputs.digest).toBe(digest);
  });

  test('a full repository URI is accepted and its account is used as the registry id', async () => {
    await seed('twotier/web', 'v1');
    const first = await runActionBundle('resolve-image-tag', { repository: 'twotier/web', tag: 'v1' }, env);
    const uri = `${first.outputs.registry}/twotier/web`;
    const run = await runActionBundle('resolve-image-tag', { repository: uri, tag: 'v1' }, env);
    expect(run.code).toBe(0);
    expect(run.outputs.exists).toBe('true');
    expect(run.outputs.image).toBe(`${uri}:v1`);
  });

  test('a missing repository fails with a clear configuration error', async () => {
    const run = await runActionBundle('resolve-image-tag', { repository: 'twotier/nope', tag: 'v1' }, env);
    expect(run.code).not.toBe(0);
    expect(run.errors.join('\n')).toContain(
      'Configuration error: ECR repository "twotier/nope" does not exist'
    );
    expect(run.errors.join('\n')).toContain('region us-east-1');
    expect(run.outputs.exists).toBeUndefined();
  });

  test.each([
    [{ repository: 'Twotier/API', tag: 'v1' }, 'Input repository is "Twotier/API"'],
    [{ repository: 'twotier//api', tag: 'v1' }, 'Input repository is "twotier//api"'],
    [{ repository: 'twotier/api:v1' }, 'without a tag or digest'],
    [{ repository: 'ghcr.io/org/api', tag: 'v1' }, 'not a private ECR registry host'],
    [{ repository: 'twotier/api', tag: '-bad' }, 'Input tag is "-bad"'],
    [{ repository: 'twotier/api', tag: 'a'.repeat(129) }, 'Input tag is'],
    [{ repository: 'twotier/api', tag: 'v1', 'sha-tag': 'medium' }, 'Input sha-tag is "medium"'],
    [{ repository: 'twotier/api', tag: 'v1', 'registry-id': '12' }, 'Input registry-id is "12"']
  ])('bad input %j is a configuration error before any AWS call', async (inputs, message) => {
    // Point at a port nothing listens on: an AWS call would fail with a connection error instead.
    const run = await runActionBundle('resolve-image-tag', inputs, {
      ...env,
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1'
    });
    expect(run.code).not.toBe(0);
    expect(run.errors.join('\n')).toContain('Configuration error:');
    expect(run.errors.join('\n')).toContain(message);
  });

  test('no tag and no GITHUB_SHA is a configuration error naming the tag input', async () => {
    await seed('twotier/api');
    const run = await runActionBundle(
      'resolve-image-tag',
      { repository: 'twotier/api' },
      { ...env, GITHUB_SHA: '' }
    );
    expect(run.code).not.toBe(0);
    expect(run.errors.join('\n')).toContain('set the `tag` input');
  });
});

describe('name rules (library)', () => {
  test('repository names and URIs', () => {
    expect(parseRepository('a/b-c_d.e')).toEqual({ name: 'a/b-c_d.e' });
    expect(parseRepository('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api')).toEqual({
      registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      registryId: '123456789012',
      name: 'team/api'
    });
    for (const bad of ['', 'a', 'A/b', 'a--b/', '/a', 'a/b/', 'a__b.', '.ab']) {
      expect(() => parseRepository(bad)).toThrow(ConfigurationError);
    }
  });
  test('tags', () => {
    expect(chooseTag('v1.0_rc-1', SHA)).toBe('v1.0_rc-1');
    expect(chooseTag('', SHA.toUpperCase(), 'short')).toBe(SHA.slice(0, 12));
    expect(chooseTag(undefined, SHA, 'full')).toBe(SHA);
    expect(() => chooseTag('.v1', SHA)).toThrow(ConfigurationError);
    expect(() => chooseTag('v 1', SHA)).toThrow(ConfigurationError);
    expect(() => chooseTag('', 'abc')).toThrow(/40 hex digits/);
  });
});

/**
 * resolve-image-tag's bundle (build-push's step) refuses each bad input with a configuration error that names
 * the input, quotes the value and says what is valid. Its ECR requests go through the recording proxy to
 * moto: an input it can check alone makes no request at all, and none of them makes a mutating one.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { startMoto, type MotoServer } from '../../src/local/moto.js';
import { runActionBundle } from '../helpers/action.js';
import { expectRefused, type BadInput } from '../helpers/bad-inputs.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
/** ECR operations that change something (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_Operations.html). */
const ECR_MUTATING =
  /^(Put|Create|Delete|BatchDelete|Set|Start|Tag|Untag|Initiate|Upload|Complete|Replicate|Update)/;

let moto: MotoServer;
let proxy: FaultProxy;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy({ target: moto.endpoint, maxRequests: 2000, lifetimeMs: 300000 });
});
afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  const ecr = new ECRClient({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'twotier/api' }));
  ecr.destroy();
  proxy.clear();
});

type Case = BadInput & { env?: Record<string, string>; requests: 'none' | 'reads' };
const repo = { repository: 'twotier/api' };
const cases: Case[] = [
  {
    title: 'upper case',
    inputs: () => ({ repository: 'Twotier/API', tag: 'v1' }),
    input: 'repository',
    value: 'Twotier/API',
    valid: /2 to 256 characters of lowercase letters and digits/,
    requests: 'none'
  },
  {
    title: 'an empty path part',
    inputs: () => ({ repository: 'twotier//api', tag: 'v1' }),
    input: 'repository',
    value: 'twotier//api',
    valid: /separated by single/,
    requests: 'none'
  },
  {
    title: 'too short',
    inputs: () => ({ repository: 'a', tag: 'v1' }),
    input: 'repository',
    value: 'a',
    valid: /2 to 256 characters/,
    requests: 'none'
  },
  {
    title: 'a tag in the repository',
    inputs: () => ({ repository: 'twotier/api:v1' }),
    input: 'repository',
    value: 'twotier/api:v1',
    valid: /without a tag or digest/,
    requests: 'none'
  },
  {
    title: 'another registry',
    inputs: () => ({ repository: 'ghcr.io/org/api', tag: 'v1' }),
    input: 'repository',
    value: 'ghcr.io/org/api',
    valid: /<account>\.dkr\.ecr\.<region>\.amazonaws\.com\/<name>/,
    requests: 'none'
  },
  {
    title: 'a tag starting with -',
    inputs: () => ({ ...repo, tag: '-bad' }),
    input: 'tag',
    value: '-bad',
    valid: /1 to 128 characters of letters, digits/,
    requests: 'none'
  },
  {
    title: 'a tag of 129 characters',
    inputs: () => ({ ...repo, tag: 'a'.repeat(129) }),
    input: 'tag',
    value: 'a'.repeat(129),
    valid: /1 to 128 characters/,
    requests: 'none'
  },
  {
    title: 'sha-tag medium',
    inputs: () => ({ ...repo, tag: 'v1', 'sha-tag': 'medium' }),
    input: 'sha-tag',
    value: 'medium',
    valid: /one of short, full/,
    requests: 'none'
  },
  {
    title: 'a registry id of 2 digits',
    inputs: () => ({ ...repo, tag: 'v1', 'registry-id': '12' }),
    input: 'registry-id',
    value: '12',
    valid: /a 12-digit AWS account id/,
    requests: 'none'
  },
  {
    title: 'a registry id that disagrees with the URI',
    inputs: () => ({
      repository: '123456789012.dkr.ecr.us-east-1.amazonaws.com/twotier/api',
      tag: 'v1',
      'registry-id': '210987654321'
    }),
    input: 'registry-id',
    value: '210987654321',
    valid: /disagrees with the account in repository/,
    requests: 'none'
  },
  {
    title: 'a region that is not one',
    inputs: () => ({ ...repo, tag: 'v1', 'aws-region': 'mars' }),
    input: 'aws-region',
    value: 'mars',
    valid: /something like us-east-1/,
    requests: 'none'
  },
  {
    title: 'a commit SHA that is not one',
    inputs: () => ({ ...repo }),
    env: { GITHUB_SHA: 'abc' },
    input: 'tag',
    value: 'abc',
    valid: /40 hex digits; set the `tag` input/,
    requests: 'none'
  },
  {
    title: 'a repository that does not exist',
    inputs: () => ({ repository: 'twotier/nope', tag: 'v1' }),
    input: 'repository',
    value: 'twotier/nope',
    valid: /Create it .*or fix the `repository`/,
    requests: 'reads'
  }
];

describe('resolve-image-tag refuses bad inputs, with no ECR write', () => {
  it.each(cases.map((c) => [c.title, c] as const))('%s', async (_title, bad) => {
    const run = await runActionBundle('resolve-image-tag', bad.inputs(), {
      AWS_ENDPOINT_URL: proxy.endpoint,
      GITHUB_SHA: SHA,
      ...bad.env
    });
    const operations = proxy.requests.map((r) => r.operation);
    expectRefused(
      run,
      bad,
      operations.filter((op) => ECR_MUTATING.test(op))
    );
    if (bad.requests === 'none') expect(operations).toEqual([]);
    else expect(operations).toEqual(['DescribeRepositories']);
  });
});

/**
 * The direct PutObject path against the SDK's own PutObjectCommand: for the same client configuration and
 * input, both requests are captured at the client's HTTP handler (nothing is sent) and compared, signature
 * included, at a fixed clock. Covers endpoint overrides (path-style, as the local AWS), real AWS endpoints
 * (virtual-hosted, a dotted bucket's path-style, FIPS, dual-stack, another region), session credentials,
 * awkward keys and user metadata, plus the cases that must stay on PutObjectCommand and the fallback.
 */
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { HttpResponse, type HttpRequest } from '@smithy/core/protocols';
import type { FinalizeRequestMiddleware } from '@smithy/types';
import { MemoryReporter } from '../../src/lib/reporter.js';
import { clientConfig } from '../../src/lib/aws.js';
import { createPutObject, DIRECT_PUT_MAX_BYTES, type PutObjectInput } from '../../src/frontend/put-object.js';

/** Headers the SDK adds for its own telemetry and retry bookkeeping; neither signed nor read by S3. */
const SDK_ONLY = ['user-agent', 'x-amz-user-agent', 'amz-sdk-invocation-id', 'amz-sdk-request'];

interface Recorder {
  requests: HttpRequest[];
  /** Status codes to answer with, in order; 200 once they run out. */
  statuses: number[];
}

/**
 * A client whose HTTP handler records requests and answers `recorder.statuses`. With `withoutTelemetry`
 * the SDK's telemetry headers are removed before signing, so its signature can be compared with ours.
 */
function recordingClient(config: S3ClientConfig, recorder: Recorder, withoutTelemetry = false): S3Client {
  const s3 = new S3Client({
    ...config,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    credentials: config.credentials ?? { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret/EXAMPLE+key' },
    requestHandler: {
      handle: async (request: HttpRequest) => {
        recorder.requests.push(request);
        const statusCode = recorder.statuses.shift() ?? 200;
        return {
          response: new HttpResponse({
            statusCode,
            headers: statusCode === 200 ? { etag: `"etag-${recorder.requests.length}"` } : {},
            body: Readable.from(
              statusCode === 200 ? [] : [Buffer.from('<Error><Code>SlowDown</Code></Error>')]
            )
          })
        };
      }
    }
  });
  if (withoutTelemetry) {
    const dropTelemetry: FinalizeRequestMiddleware<object, object> = (next) => async (args) => {
      const request = args.request as HttpRequest;
      for (const name of SDK_ONLY) delete request.headers[name];
      return next(args);
    };
    s3.middlewareStack.addRelativeTo(
      dropTelemetry as Parameters<typeof s3.middlewareStack.addRelativeTo>[0],
      { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'dropTelemetryHeaders' }
    );
  }
  return s3;
}

function input(overrides: Partial<PutObjectInput> = {}): PutObjectInput {
  const body = overrides.body ?? Buffer.from('console.log("hello")\n');
  return {
    bucket: 'site-bucket',
    key: 'assets/index-Bq3xYz9.js',
    body,
    contentMd5: createHash('md5').update(body).digest('base64'),
    contentType: 'text/javascript; charset=utf-8',
    cacheControl: 'public, max-age=31536000, immutable',
    ...overrides
  };
}

/** What S3 sees of a request (the SDK's telemetry headers are not expected on either). */
function wire(request: HttpRequest): Record<string, unknown> {
  const headers = Object.fromEntries(
    Object.entries(request.headers)
      .map(([name, value]) => [name.toLowerCase(), value] as const)
      .sort(([a], [b]) => a.localeCompare(b))
  );
  return {
    method: request.method,
    protocol: request.protocol,
    hostname: request.hostname,
    port: request.port ?? undefined,
    path: request.path,
    query: request.query,
    headers,
    body: Buffer.from(request.body as Buffer).toString('base64')
  };
}

/** Sends `put` through the SDK path and the direct path of equally configured clients; returns both. */
async function both(config: S3ClientConfig, put: PutObjectInput): Promise<[HttpRequest, HttpRequest]> {
  const viaSdk: Recorder = { requests: [], statuses: [] };
  const direct: Recorder = { requests: [], statuses: [] };
  const reporter = new MemoryReporter();
  const sdkEtag = await createPutObject(
    recordingClient(config, viaSdk, true),
    { direct: false },
    reporter
  )(put);
  const directEtag = await createPutObject(recordingClient(config, direct), { direct: true }, reporter)(put);
  expect(sdkEtag).toBe('"etag-1"');
  expect(directEtag).toBe('"etag-1"');
  expect(viaSdk.requests).toHaveLength(1);
  expect(direct.requests).toHaveLength(1);
  return [viaSdk.requests[0] as HttpRequest, direct.requests[0] as HttpRequest];
}

beforeAll(() => {
  jest.useFakeTimers({
    now: new Date('2026-11-22T03:04:05.678Z'),
    doNotFake: [
      'nextTick',
      'setImmediate',
      'clearImmediate',
      'setTimeout',
      'clearTimeout',
      'setInterval',
      'clearInterval',
      'queueMicrotask',
      'hrtime',
      'performance'
    ]
  });
});
afterAll(() => {
  jest.useRealTimers();
});

describe('the direct request is the one PutObjectCommand signs', () => {
  const configs: Array<[string, S3ClientConfig]> = [
    [
      'an endpoint override (path-style, the local AWS)',
      { ...clientConfig('S3', { region: 'us-east-1', endpoint: 'http://127.0.0.1:4566' }) }
    ],
    ['AWS in eu-west-1 (virtual-hosted, HTTPS)', { region: 'eu-west-1' }],
    ['AWS in us-east-1', { region: 'us-east-1' }],
    ['FIPS endpoints', { region: 'us-gov-west-1', useFipsEndpoint: true }],
    ['dual-stack endpoints', { region: 'ap-southeast-2', useDualstackEndpoint: true }],
    [
      'session credentials (OIDC role)',
      {
        region: 'eu-central-1',
        credentials: {
          accessKeyId: 'ASIAEXAMPLE',
          secretAccessKey: 'secret',
          sessionToken: 'token/with+chars=='
        }
      }
    ],
    [
      'an HTTPS endpoint with a path (a VPC endpoint or proxy)',
      { region: 'eu-west-1', endpoint: 'https://s3.internal.example:8443/storage', forcePathStyle: true }
    ]
  ];
  test.each(configs)('%s', async (_name, config) => {
    const [sdk, direct] = await both(config, input());
    expect(direct.headers.authorization ?? direct.headers.Authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(wire(direct)).toEqual(wire(sdk));
  });

  test('a bucket with dots is addressed path-style over HTTPS, as the SDK does', async () => {
    const [sdk, direct] = await both({ region: 'eu-west-1' }, input({ bucket: 'www.example.com' }));
    expect(sdk.hostname).toBe('s3.eu-west-1.amazonaws.com');
    expect(wire(direct)).toEqual(wire(sdk));
  });

  const keys = [
    'index.html',
    'docs/a b/ünï+cödé (1).html',
    "odd/!'()*~@$&=;:,.txt",
    'percent%20already.txt',
    'deep/er/still/deeper/file.svg',
    'prefix//double-slash.js',
    '日本語/ページ.html'
  ];
  test.each(keys)('key %s', async (key) => {
    const [sdk, direct] = await both({ region: 'eu-west-1' }, input({ key }));
    expect(wire(direct)).toEqual(wire(sdk));
    const [sdkLocal, directLocal] = await both(
      clientConfig('S3', { region: 'us-east-1', endpoint: 'http://127.0.0.1:4566' }),
      input({ key })
    );
    expect(wire(directLocal)).toEqual(wire(sdkLocal));
  });

  test('user metadata, no Content-Type or Cache-Control, an empty body', async () => {
    const put = input({
      body: Buffer.alloc(0),
      contentType: undefined,
      cacheControl: undefined,
      metadata: { 'twotier-md5': 'd41d8cd98f00b204e9800998ecf8427e', owner: 'web team' }
    });
    const [sdk, direct] = await both({ region: 'eu-west-1' }, put);
    expect(direct.headers['x-amz-meta-twotier-md5']).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(wire(direct)).toEqual(wire(sdk));
  });
});

describe('what stays on PutObjectCommand', () => {
  test('an S3 Express directory bucket (session auth) is sent through the SDK', async () => {
    const recorder: Recorder = { requests: [], statuses: [] };
    const s3 = recordingClient({ region: 'us-west-2', disableS3ExpressSessionAuth: true }, recorder);
    await createPutObject(
      s3,
      { direct: true },
      new MemoryReporter()
    )(input({ bucket: 'site--usw2-az1--x-s3' }));
    expect(recorder.requests).toHaveLength(1);
    expect(recorder.requests[0]?.headers['amz-sdk-invocation-id']).toBeDefined();
  });

  test("the SDK's error for such a bucket is thrown as is, after one request", async () => {
    const recorder: Recorder = { requests: [], statuses: [403, 403] };
    const s3 = recordingClient({ region: 'us-west-2', disableS3ExpressSessionAuth: true }, recorder);
    const put = createPutObject(s3, { direct: true }, new MemoryReporter());
    await expect(put(input({ bucket: 'site--usw2-az1--x-s3' }))).rejects.toThrow();
    expect(recorder.requests).toHaveLength(1);
  });

  test('a body of 2 MiB or more is sent through the SDK', async () => {
    const recorder: Recorder = { requests: [], statuses: [] };
    const s3 = recordingClient({ region: 'eu-west-1' }, recorder);
    const put = createPutObject(s3, { direct: true }, new MemoryReporter());
    await put(input({ body: Buffer.alloc(DIRECT_PUT_MAX_BYTES - 1) }));
    await put(input({ body: Buffer.alloc(DIRECT_PUT_MAX_BYTES) }));
    expect(recorder.requests.map((r) => r.headers['amz-sdk-invocation-id'] !== undefined)).toEqual([
      false,
      true
    ]);
  });

  test('direct: false always uses the SDK', async () => {
    const recorder: Recorder = { requests: [], statuses: [] };
    await createPutObject(
      recordingClient({ region: 'eu-west-1' }, recorder),
      { direct: false },
      new MemoryReporter()
    )(input());
    expect(recorder.requests[0]?.headers['amz-sdk-invocation-id']).toBeDefined();
  });
});

describe('fallback', () => {
  test('a failed direct request is sent again through the SDK, and the direct path stays off', async () => {
    const recorder: Recorder = { requests: [], statuses: [503] };
    const reporter = new MemoryReporter();
    const put = createPutObject(
      recordingClient({ region: 'eu-west-1' }, recorder),
      { direct: true },
      reporter
    );
    expect(await put(input({ key: 'a.js' }))).toBe('"etag-2"');
    expect(await put(input({ key: 'b.js' }))).toBe('"etag-3"');
    const viaSdk = recorder.requests.map((r) => r.headers['amz-sdk-invocation-id'] !== undefined);
    expect(viaSdk).toEqual([false, true, true]);
    expect(recorder.requests.map((r) => r.path)).toEqual(['/a.js', '/a.js', '/b.js']);
    expect(reporter.lines).toEqual([expect.stringContaining('direct PutObject of a.js failed (HTTP 503)')]);
  });

  test('a network error on the direct path is retried through the SDK', async () => {
    const requests: HttpRequest[] = [];
    const s3 = new S3Client({
      region: 'eu-west-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      requestHandler: {
        handle: async (request: HttpRequest) => {
          requests.push(request);
          if (requests.length === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
          return {
            response: new HttpResponse({
              statusCode: 200,
              headers: { etag: '"ok"' },
              body: Readable.from([])
            })
          };
        }
      }
    });
    const reporter = new MemoryReporter();
    expect(await createPutObject(s3, { direct: true }, reporter)(input())).toBe('"ok"');
    expect(requests).toHaveLength(2);
    expect(reporter.lines[0]).toContain('socket hang up');
  });
});

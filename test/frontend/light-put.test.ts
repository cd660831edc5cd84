/**
 * The light PutObject path (src/frontend/light-put.ts) against a recording S3 stand-in on 127.0.0.1: it sends
 * the same request as the SDK's PutObjectCommand for the same input (path, headers, body), its SigV4
 * signature verifies with an independent verifier (which also accepts the SDK's), it retries what the SDK
 * retries, and it is only used with an endpoint override and path-style addressing.
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { clientConfig } from '../../src/lib/aws.js';
import { LightPutClient, lightPutFor, s3Error } from '../../src/frontend/light-put.js';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
};
const received: Received[] = [];
/** Responses for the next requests (status, body); empty: 200 with the body's MD5 as ETag. */
let script: Array<{ status: number; body: string } | 'drop'> = [];
let server: http.Server;
let endpoint: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const next = script.shift();
      if (next === 'drop') {
        req.socket.destroy();
        return;
      }
      if (next) {
        res.writeHead(next.status, { 'content-type': 'application/xml' });
        res.end(next.body);
        return;
      }
      res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  received.length = 0;
  script = [];
});

function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

function light(maxAttempts = 5): LightPutClient {
  return new LightPutClient({
    endpoint,
    region: 'eu-west-1',
    bucket: 'site-bucket',
    maxSockets: 4,
    maxAttempts,
    credentials: () => Promise.resolve(CREDENTIALS),
    sleep: () => Promise.resolve()
  });
}

/** Verifies a SigV4 Authorization header from scratch (node:crypto only, nothing shared with the signer). */
function verifySigV4(r: Received, region: string): boolean {
  const auth = String(r.headers.authorization ?? '');
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth
    );
  if (!m) return false;
  const [, , day, scopeRegion, signedHeaders, signature] = m as unknown as string[];
  if (scopeRegion !== region) return false;
  const [path, query = ''] = r.url.split('?');
  const canonicalHeaders = signedHeaders!
    .split(';')
    .map(
      (h) =>
        `${h}:${String(r.headers[h] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`
    )
    .join('');
  const payloadHash = String(r.headers['x-amz-content-sha256']);
  if (payloadHash !== createHash('sha256').update(r.body).digest('hex')) return false;
  const canonical = ['PUT', path, query, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = [
    'AWS4-HMAC-SHA256',
    String(r.headers['x-amz-date']),
    scope,
    createHash('sha256').update(canonical).digest('hex')
  ].join('\n');
  let key: Buffer = createHmac('sha256', `AWS4${CREDENTIALS.secretAccessKey}`).update(day!).digest();
  for (const part of [region, 's3', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(toSign).digest('hex') === signature;
}

const KEYS = ['assets/index-B1c2D3e4.js', "docs/a b/ü (1)!'*.html", 'x+y=z&w.txt'];
const HEADERS = [
  'content-type',
  'cache-control',
  'content-md5',
  'content-length',
  'x-amz-meta-twotier-md5',
  'x-amz-content-sha256'
];

describe('light PutObject', () => {
  test.each(KEYS)('sends what the SDK sends for %s, with a signature that verifies', async (key) => {
    const body = Buffer.from(`body of ${key}`);
    const md5 = createHash('md5').update(body).digest();
    const sdk = new S3Client({
      region: 'eu-west-1',
      endpoint,
      forcePathStyle: true,
      credentials: CREDENTIALS,
      requestChecksumCalculation: 'WHEN_REQUIRED'
    });
    const params = {
      key,
      body,
      contentMd5: md5.toString('base64'),
      contentType: 'text/html; charset=utf-8',
      cacheControl: 'public, max-age=31536000, immutable',
      metadata: { 'twotier-md5': md5.toString('hex') }
    };
    const sdkOut = await sdk.send(
      new PutObjectCommand({
        Bucket: 'site-bucket',
        Key: key,
        Body: body,
        ContentMD5: params.contentMd5,
        ContentType: params.contentType,
        CacheControl: params.cacheControl,
        Metadata: params.metadata
      })
    );
    sdk.destroy();
    const client = light();
    const etag = await client.put(params);
    client.destroy();
    expect(received).toHaveLength(2);
    const [viaSdk, viaLight] = received as [Received, Received];
    expect(viaLight.method).toBe(viaSdk.method);
    expect(viaLight.url).toBe(viaSdk.url);
    expect(viaLight.body.equals(viaSdk.body)).toBe(true);
    for (const name of HEADERS) expect([name, viaLight.headers[name]]).toEqual([name, viaSdk.headers[name]]);
    expect(etag).toBe(sdkOut.ETag!.replace(/"/g, ''));
    expect(verifySigV4(viaSdk, 'eu-west-1')).toBe(true); // the verifier accepts the SDK's signature…
    expect(verifySigV4(viaLight, 'eu-west-1')).toBe(true); // …and the light path's
  });

  test('a tampered body fails the verifier (it checks something)', async () => {
    const client = light();
    await client.put({ key: 'a.txt', body: Buffer.from('abc'), contentMd5: 'kAFQmDzST7DWlj99KOF/cg==' });
    client.destroy();
    const r = received[0]!;
    expect(verifySigV4(r, 'eu-west-1')).toBe(true);
    expect(verifySigV4({ ...r, url: '/site-bucket/b.txt' }, 'eu-west-1')).toBe(false);
    expect(verifySigV4({ ...r, body: Buffer.from('abd') }, 'eu-west-1')).toBe(false);
  });

  test('session credentials: x-amz-security-token is sent and signed', async () => {
    const client = new LightPutClient({
      endpoint,
      region: 'eu-west-1',
      bucket: 'site-bucket',
      maxSockets: 1,
      maxAttempts: 1,
      credentials: () => Promise.resolve({ ...CREDENTIALS, sessionToken: 'session-token-value' })
    });
    await client.put({ key: 'a.txt', body: Buffer.from('abc'), contentMd5: 'kAFQmDzST7DWlj99KOF/cg==' });
    client.destroy();
    const r = received[0]!;
    expect(r.headers['x-amz-security-token']).toBe('session-token-value');
    expect(String(r.headers.authorization)).toMatch(/SignedHeaders=[^,]*x-amz-security-token/);
    expect(verifySigV4(r, 'eu-west-1')).toBe(true);
  });

  test('retries 500, SlowDown, Throttling (400) and a dropped connection, then succeeds', async () => {
    script = [
      { status: 500, body: errorXml('InternalError', 'We encountered an internal error.') },
      { status: 503, body: errorXml('SlowDown', 'Please reduce your request rate.') },
      { status: 400, body: errorXml('Throttling', 'Rate exceeded') },
      'drop'
    ];
    const client = light();
    const etag = await client.put({
      key: 'a.txt',
      body: Buffer.from('abc'),
      contentMd5: 'kAFQmDzST7DWlj99KOF/cg=='
    });
    client.destroy();
    expect(received).toHaveLength(5);
    expect(etag).toBe('900150983cd24fb0d6963f7d28e17f72');
  });

  test('gives up after maxAttempts with S3’s code and message', async () => {
    script = Array.from({ length: 10 }, () => ({
      status: 500,
      body: errorXml('InternalError', 'We encountered an internal error.')
    }));
    const client = light(5);
    await expect(
      client.put({ key: 'a.txt', body: Buffer.from('abc'), contentMd5: 'kAFQmDzST7DWlj99KOF/cg==' })
    ).rejects.toThrow('InternalError: We encountered an internal error.');
    client.destroy();
    expect(received).toHaveLength(5);
  });

  test('does not retry a client error (403 AccessDenied, 400 BadDigest)', async () => {
    script = [
      { status: 403, body: errorXml('AccessDenied', 'Access Denied') },
      { status: 400, body: errorXml('BadDigest', 'The Content-MD5 you specified did not match') }
    ];
    const client = light();
    const put = () =>
      client.put({ key: 'a.txt', body: Buffer.from('abc'), contentMd5: 'kAFQmDzST7DWlj99KOF/cg==' });
    await expect(put()).rejects.toThrow('AccessDenied: Access Denied');
    await expect(put()).rejects.toThrow('BadDigest');
    client.destroy();
    expect(received).toHaveLength(2);
  });

  test('s3Error reads <Code> and <Message>, and falls back to the status', () => {
    expect(s3Error(503, errorXml('SlowDown', 'a &amp; b')).message).toBe('SlowDown: a & b');
    expect(s3Error(502, '<html>bad gateway</html>').message).toBe('HTTP 502');
  });
});

describe('when the light path is used', () => {
  test('with an endpoint override (path-style): yes; real AWS addressing: no', () => {
    const s3 = new S3Client({ region: 'us-east-1', credentials: CREDENTIALS });
    const local = clientConfig('S3', { region: 'us-east-1', endpoint }, {});
    expect(local.forcePathStyle).toBe(true);
    const client = lightPutFor(s3, local, 'site-bucket', 16);
    expect(client).toBeInstanceOf(LightPutClient);
    client?.destroy();
    expect(
      lightPutFor(s3, clientConfig('S3', { region: 'us-east-1' }, {}), 'site-bucket', 16)
    ).toBeUndefined();
    expect(
      lightPutFor(s3, { region: 'us-east-1', endpoint, maxAttempts: 5, forcePathStyle: false }, 'b', 16)
    ).toBeUndefined();
    s3.destroy();
  });
});

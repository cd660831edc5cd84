/**
 * PutObject for the many small files of a frontend deploy, with the AWS SDK's per-request work cut to what a
 * plain PutObject needs. The request is built from the client's own parts: the endpoint from the client's
 * endpoint rules (`getEndpointFromInstructions`, resolved once per bucket, as the SDK's own endpoint cache
 * does), the client's SigV4 signer and credentials (clock-skew offset included), and the client's HTTP
 * handler (its connection pool and timeouts). Anything but a 200 with an ETag, and any error, sends the same
 * PutObject again through `PutObjectCommand`, which brings the SDK's retries, error parsing and clock-skew
 * correction, and switches the direct path off for the rest of the run.
 *
 * Why: each `S3Client.send` spends about 1.1 ms of CPU in the SDK's middleware stack (schema serialisation,
 * endpoint and auth-scheme resolution, logging filters, retry bookkeeping) against 0.4 ms for the same
 * request built here; on a 2,000-file first deploy that CPU kept this action 60 % slower than rclone
 * (bench/frontend/README.md, round 5). The request is the one PutObjectCommand signs, header for header and
 * signature for signature, apart from the SDK's telemetry headers (test/frontend/put-object.test.ts compares
 * the two for path-style and virtual-hosted endpoints, FIPS, dual-stack, session credentials, odd keys and
 * metadata).
 *
 * API: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 */
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { HttpRequest, extendedEncodeURIComponent } from '@smithy/core/protocols';
import type { EndpointV2, HttpResponse, RequestSigner } from '@smithy/types';
import { messageOf } from '../lib/errors.js';
import type { Reporter } from '../lib/reporter.js';

/** One object to write. */
export interface PutObjectInput {
  bucket: string;
  key: string;
  body: Buffer;
  /** Base64 MD5 of `body`: S3 rejects a body that does not match. */
  contentMd5: string;
  contentType?: string;
  cacheControl?: string;
  /** User metadata, sent as `x-amz-meta-<name>` headers. */
  metadata?: Record<string, string>;
}

/** Writes one object and resolves to the ETag S3 returned (as sent, quotes included). */
export type PutObject = (input: PutObjectInput) => Promise<string | undefined>;

/**
 * Bodies below this many bytes take the direct path; larger ones are few, and the SDK sends them with
 * `Expect: 100-continue` (its `expectContinueHeader` default, 2 MiB), so they stay on PutObjectCommand.
 */
export const DIRECT_PUT_MAX_BYTES = 2 * 1024 * 1024;

/**
 * Returns a PutObject function for `s3`. With `direct: false` it is plain `s3.send(new PutObjectCommand)`.
 * With `direct: true` bodies below {@link DIRECT_PUT_MAX_BYTES} are sent as one request built from the
 * client's endpoint rules, signer and HTTP handler (see the module comment); the first failure of that
 * path is retried through PutObjectCommand and turns the direct path off for the rest of the run (one info
 * line says so). Endpoints that need anything but plain SigV4 for the `s3` service (S3 Express directory
 * buckets, multi-region access points, Object Lambda) or extra endpoint headers always go through
 * PutObjectCommand.
 * Only for a client this toolkit built: middleware added to the client (or a mock of `send`) is bypassed.
 * @throws what PutObjectCommand throws (S3ServiceException, network errors) once the SDK's retries are spent.
 */
export function createPutObject(s3: S3Client, options: { direct: boolean }, reporter: Reporter): PutObject {
  const viaSdk: PutObject = async (input) => {
    const response = await s3.send(
      new PutObjectCommand({
        Bucket: input.bucket,
        Key: input.key,
        Body: input.body,
        ContentMD5: input.contentMd5,
        ContentType: input.contentType,
        CacheControl: input.cacheControl,
        Metadata: input.metadata
      })
    );
    return response.ETag;
  };
  if (!options.direct) return viaSdk;
  let enabled = true;
  const targets = new Map<string, Promise<DirectTarget | undefined>>();
  return async (input) => {
    if (!enabled || input.body.length >= DIRECT_PUT_MAX_BYTES) return viaSdk(input);
    let target = targets.get(input.bucket);
    if (!target) {
      target = resolveTarget(s3, input);
      targets.set(input.bucket, target);
    }
    // An endpoint the rules reject is reported by PutObjectCommand, with the SDK's own message.
    const resolved = await target.catch(() => undefined);
    if (!resolved) return viaSdk(input);
    let failure: string;
    try {
      const { statusCode, etag } = await sendDirect(s3, resolved, input);
      if (statusCode === 200 && etag) return etag;
      failure = `HTTP ${statusCode}`;
    } catch (error) {
      failure = messageOf(error);
    }
    if (enabled) {
      enabled = false;
      reporter.info(
        `direct PutObject of ${input.key} failed (${failure}); it and the remaining uploads go through the SDK's PutObjectCommand and its retries`
      );
    }
    return viaSdk(input);
  };
}

/** The resolved endpoint of a bucket and the client's signer for it. */
interface DirectTarget {
  endpoint: EndpointV2;
  signer: RequestSigner;
  signingRegion: string;
}

interface AuthScheme {
  name?: string;
  signingName?: string;
  signingRegion?: string;
}

/** Resolves the bucket's endpoint with the client's rules; undefined when the direct path does not apply. */
async function resolveTarget(s3: S3Client, input: PutObjectInput): Promise<DirectTarget | undefined> {
  const endpoint = await getEndpointFromInstructions(
    { Bucket: input.bucket, Key: input.key },
    PutObjectCommand,
    s3.config
  );
  const scheme = (endpoint.properties?.authSchemes as AuthScheme[] | undefined)?.[0];
  if (scheme?.name !== 'sigv4' || scheme.signingName !== 's3' || !scheme.signingRegion) return undefined;
  if (endpoint.headers && Object.keys(endpoint.headers).length > 0) return undefined;
  const signer = await s3.config.signer(scheme as Parameters<typeof s3.config.signer>[0]);
  return { endpoint, signer, signingRegion: scheme.signingRegion };
}

/**
 * Builds the PutObject request as the SDK's REST-XML serialiser does (path `/{Key+}` under the endpoint's
 * path, each key segment RFC 3986-encoded, `x-id=PutObject`), signs it with the client's signer and sends it
 * with the client's HTTP handler. The response body is drained so the connection is reused.
 */
async function sendDirect(
  s3: S3Client,
  target: DirectTarget,
  input: PutObjectInput
): Promise<{ statusCode: number; etag: string | undefined }> {
  const request = buildPutObjectRequest(target.endpoint, input);
  const signed = await target.signer.sign(request, {
    signingDate: new Date(Date.now() + (s3.config.systemClockOffset ?? 0)),
    signingRegion: target.signingRegion,
    signingService: 's3'
  });
  const { response } = (await s3.config.requestHandler.handle(signed as HttpRequest)) as {
    response: HttpResponse;
  };
  // Drained, not collected: a PutObject answer has no body worth reading (the ETag is a header), and a
  // drained response hands its connection back to the pool. About 0.04 ms less per request than the
  // SDK's streamCollector.
  const body = response.body as Readable;
  body.resume();
  await finished(body);
  return { statusCode: response.statusCode, etag: response.headers.etag ?? response.headers.ETag };
}

/** The unsigned PutObject request for `input` at `endpoint` (exported for the equivalence test). */
export function buildPutObjectRequest(endpoint: EndpointV2, input: PutObjectInput): HttpRequest {
  const url = endpoint.url;
  const headers: Record<string, string> = {
    'content-md5': input.contentMd5,
    'content-length': String(input.body.length),
    // The SDK's default for a blob payload without a Content-Type.
    'content-type': input.contentType ?? 'application/octet-stream',
    host: url.host
  };
  if (input.cacheControl !== undefined) headers['cache-control'] = input.cacheControl;
  for (const [name, value] of Object.entries(input.metadata ?? {})) headers[`x-amz-meta-${name}`] = value;
  const basePath = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
  return new HttpRequest({
    method: 'PUT',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: `${basePath}/${input.key.split('/').map(extendedEncodeURIComponent).join('/')}`,
    query: { 'x-id': 'PutObject' },
    headers,
    body: input.body
  });
}

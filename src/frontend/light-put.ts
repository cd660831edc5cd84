/**
 * A lighter PutObject for small files against an S3 endpoint override (the local S3 servers, a VPC
 * endpoint): one `node:http`/`node:https` request per object, signed with the SDK's own SigV4 signer
 * (`@smithy/signature-v4`, the class S3Client signs with), without the SDK's per-command middleware stack.
 * Used only when the S3 client was built by upload-frontend with an endpoint override and path-style
 * addressing; real AWS (virtual-hosted addressing, regional/FIPS/dual-stack endpoint rules) keeps the SDK.
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import type { S3Client } from '@aws-sdk/client-s3';

/** One small object to write. */
export interface LightPutRequest {
  key: string;
  body: Buffer;
  /** Base64 MD5 of `body` (sent as Content-MD5, so S3 rejects a corrupted body). */
  contentMd5: string;
  contentType?: string;
  cacheControl?: string;
  /** User metadata, sent as `x-amz-meta-<name>` headers. */
  metadata?: Record<string, string>;
}

/** Where and how {@link LightPutClient} sends. */
export interface LightPutOptions {
  /** Endpoint override, `http(s)://host[:port][/base-path]`; objects are addressed path-style under it. */
  endpoint: string;
  region: string;
  bucket: string;
  /** Sockets kept alive at most (= requests in flight). */
  maxSockets: number;
  /** Attempts per request including the first (the SDK's standard retry mode). */
  maxAttempts: number;
  /** Credentials provider, called once per client (and again only when the credentials near expiry). */
  credentials: () => Promise<AwsCredentials>;
  /** Backoff sleep (tests inject a fast one). Default: setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

/** The credential shape S3Client's provider returns. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** An S3 error response (or a network failure) after the last attempt. */
export class S3RequestError extends Error {
  constructor(
    message: string,
    /** S3 error `<Code>` (or the socket error code, e.g. ECONNRESET). */
    readonly code: string,
    /** HTTP status; 0 when no response arrived. */
    readonly status: number
  ) {
    super(message);
    this.name = code || 'S3RequestError';
  }
}

/** SHA-256 / HMAC-SHA-256 in the `Checksum` shape the SigV4 signer takes, on node:crypto. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | Uint8Array | ArrayBuffer | ArrayBufferView) {
    this.hash = secret
      ? createHmac('sha256', typeof secret === 'string' ? secret : toBuffer(secret))
      : createHash('sha256');
  }
  update(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }
}

function toBuffer(data: Uint8Array | ArrayBuffer | ArrayBufferView): Buffer {
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Throttling error codes the SDK's standard retry strategy retries (with the longer throttling backoff). */
const THROTTLING_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException'
]);
/** Transient error codes and socket errors the SDK retries. */
const TRANSIENT_CODES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND'
]);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
/** Retry tokens per client (the SDK's INITIAL_RETRY_TOKENS). */
const RETRY_QUOTA = 500;

/**
 * Sends PutObject requests (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html) with the
 * headers the SDK's PutObjectCommand sends for the same input: Content-Type, Cache-Control, Content-MD5,
 * Content-Length, `x-amz-meta-*`, `x-amz-content-sha256` (SHA-256 of the body, signed), `x-amz-date`,
 * `x-amz-security-token` with session credentials, Authorization (SigV4). Retries like the SDK's standard
 * mode: up to `maxAttempts` attempts on 5xx, throttling codes (SlowDown, Throttling…), request timeouts and
 * dropped connections (ECONNRESET, EPIPE, ETIMEDOUT, socket hang up), full-jitter exponential backoff from
 * 100 ms (500 ms for throttling), capped at 20 s, within a client-wide retry quota (500 tokens, 5 a retry,
 * 10 after a lost connection, refunded on success).
 */
export class LightPutClient {
  private readonly agent: http.Agent;
  private readonly signer: SignatureV4;
  private readonly url: URL;
  private readonly basePath: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private credentials: Promise<AwsCredentials> | undefined;
  private retryQuota = RETRY_QUOTA;

  constructor(private readonly options: LightPutOptions) {
    this.url = new URL(options.endpoint);
    this.basePath = this.url.pathname.replace(/\/+$/, '');
    const Agent = this.url.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets });
    this.signer = new SignatureV4({
      service: 's3',
      region: options.region,
      sha256: NodeSha256,
      credentials: () => this.currentCredentials(),
      // S3 signs the path as sent (no second URI-encoding), as S3Client's signer does.
      uriEscapePath: false,
      applyChecksum: true
    });
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Writes one object.
   * @returns the ETag S3 returned (unquoted, lower-case).
   * @throws S3RequestError when the last attempt failed (S3's `<Code>`/`<Message>`, or the socket error).
   */
  async put(request: LightPutRequest): Promise<string> {
    let lastCost: number | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        const etag = await this.putOnce(request);
        this.retryQuota = Math.min(RETRY_QUOTA, this.retryQuota + (lastCost ?? 1));
        return etag;
      } catch (error) {
        const failure = toRequestError(error);
        if (attempt >= this.options.maxAttempts || !isRetryable(failure)) throw failure;
        // The SDK's client-wide retry quota: 500 tokens, 5 per retry (10 after a timeout or lost connection),
        // refunded on success; when it runs dry, failures are no longer retried.
        const throttled = isThrottling(failure);
        const cost = !throttled && isTransient(failure) ? 10 : 5;
        if (this.retryQuota < cost) throw failure;
        this.retryQuota -= cost;
        lastCost = cost;
        const base = throttled ? 500 : 100;
        await this.sleep(Math.random() * Math.min(20000, base * 2 ** (attempt - 1)));
      }
    }
  }

  /** Closes the kept-alive sockets. */
  destroy(): void {
    this.agent.destroy();
  }

  private currentCredentials(): Promise<AwsCredentials> {
    if (!this.credentials) {
      this.credentials = this.options.credentials();
      this.credentials.catch(() => (this.credentials = undefined));
    }
    return this.credentials.then((c) => {
      if (c.expiration && c.expiration.getTime() - Date.now() < 5 * 60000) {
        this.credentials = undefined;
        return this.options.credentials();
      }
      return c;
    });
  }

  private async putOnce(request: LightPutRequest): Promise<string> {
    const path =
      `${this.basePath}/${this.options.bucket}/` +
      request.key.split('/').map(extendedEncodeURIComponent).join('/');
    const headers: Record<string, string> = {
      host: this.url.host,
      'content-length': String(request.body.length),
      'content-md5': request.contentMd5
    };
    if (request.contentType) headers['content-type'] = request.contentType;
    if (request.cacheControl) headers['cache-control'] = request.cacheControl;
    for (const [name, value] of Object.entries(request.metadata ?? {})) {
      headers[`x-amz-meta-${name.toLowerCase()}`] = value;
    }
    const signed = await this.signer.sign({
      method: 'PUT',
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      port: this.url.port ? Number(this.url.port) : undefined,
      path,
      // The SDK marks the operation in the query string; sent and signed the same way here.
      query: { 'x-id': 'PutObject' },
      headers,
      body: request.body
    });
    const transport = this.url.protocol === 'https:' ? https : http;
    return new Promise<string>((resolve, reject) => {
      const req = transport.request(
        {
          method: 'PUT',
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port || undefined,
          path: `${path}?x-id=PutObject`,
          headers: signed.headers,
          agent: this.agent
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              const etag = res.headers.etag ?? '';
              resolve(etag.replace(/^"|"$/g, '').toLowerCase());
              return;
            }
            reject(s3Error(status, Buffer.concat(chunks).toString('utf8')));
          });
        }
      );
      req.on('error', reject);
      req.end(request.body);
    });
  }
}

/** encodeURIComponent plus `!'()*`, as the SDK encodes a key's path segments. */
function extendedEncodeURIComponent(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
  );
}

/** An S3 XML error body (`<Error><Code>…</Code><Message>…</Message></Error>`) as an S3RequestError. */
export function s3Error(status: number, body: string): S3RequestError {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? '';
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? '';
  const name = code || `HTTP ${status}`;
  return new S3RequestError(message ? `${name}: ${unescapeXml(message)}` : name, name, status);
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function toRequestError(error: unknown): S3RequestError {
  if (error instanceof S3RequestError) return error;
  const e = error as { code?: string; message?: string };
  const code = e.code ?? (e.message === 'socket hang up' ? 'ECONNRESET' : 'NetworkError');
  return new S3RequestError(e.message ?? String(error), code, 0);
}

function isThrottling(error: S3RequestError): boolean {
  return error.status === 429 || THROTTLING_CODES.has(error.code);
}

/** The SDK's "transient" class: timeouts, lost connections, 500/502/503/504 (a retry costs 10 tokens). */
function isTransient(error: S3RequestError): boolean {
  return TRANSIENT_CODES.has(error.code) || TRANSIENT_STATUS.has(error.status);
}

/** What the SDK's standard strategy retries: throttling, transient errors, any other 5xx. */
function isRetryable(error: S3RequestError): boolean {
  return isThrottling(error) || isTransient(error) || error.status >= 500;
}

/**
 * A {@link LightPutClient} for `s3` when it was configured with an endpoint override and path-style
 * addressing (`clientConfig('S3', …)` with an endpoint), else undefined (real AWS stays on the SDK).
 * Credentials come from the client's own provider (`s3.config.credentials`).
 */
export function lightPutFor(
  s3: S3Client,
  config: { endpoint?: string; forcePathStyle?: boolean; region: string; maxAttempts: number },
  bucket: string,
  maxSockets: number
): LightPutClient | undefined {
  if (!config.endpoint || !config.forcePathStyle) return undefined;
  return new LightPutClient({
    endpoint: config.endpoint,
    region: config.region,
    bucket,
    maxSockets,
    maxAttempts: config.maxAttempts,
    credentials: () => s3.config.credentials()
  });
}

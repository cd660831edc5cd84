/**
 * A local stand-in for the CloudFront distribution of templates/frontend.yml, on 127.0.0.1: it serves one
 * bucket of the local S3 (read with the real SDK client) the way that distribution serves the site:
 *   - every viewer request first goes through the template's viewer-request function
 *     (src/local/cloudfront-function.ts), whose generated responses (the 404 for `/.twotier/`) are sent as
 *     they are and never cached;
 *   - `/` is the default root object; the key is the origin path plus the (rewritten) URI;
 *   - the object's Content-Type, Cache-Control, ETag and Last-Modified are passed through, with the
 *     headers of the managed SecurityHeadersPolicy; a missing key is S3's 404 (the template grants
 *     ListBucket, so S3 says 404, not 403);
 *   - an edge cache keyed by the URI alone (the managed CachingOptimized policy: no query string, header or
 *     cookie in the key) that keeps an object for its `s-maxage`/`max-age` clamped to the policy's
 *     minimum and maximum TTL (1 s and one year), for the minimum TTL when it says `no-cache`, `no-store`
 *     or `private`, for the default TTL (one day) without either, and an error for 10 s (CloudFront's
 *     default error caching minimum TTL); simultaneous misses for one key share one origin request;
 *   - `If-None-Match` with the current ETag gets a 304, as CloudFront answers a browser revalidating.
 *
 * Simpler than CloudFront, on purpose: one edge location (no regional edge cache, no eviction before
 * expiry), an expired object is fetched again whole (CloudFront revalidates with a conditional request),
 * no compression, no range requests, no HTTP/2 or TLS, only GET and HEAD (anything else gets 403),
 * `Expires` headers are ignored, and an invalidation takes effect at once. Never bundled into an action.
 *
 * CloudFront's caching rules: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html
 * CachingOptimized: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html
 */
import http from 'node:http';
import { listenOnLoopback } from './loopback-server.js';
import { GetObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import {
  isResponse,
  loadViewerRequestFunction,
  viewerRequestEvent,
  type FunctionResponse,
  type ViewerRequestFunction
} from './cloudfront-function.js';

/** TTLs of a cache policy, in seconds. */
export interface CacheTtls {
  min: number;
  default: number;
  max: number;
}

/** The managed CachingOptimized policy's TTLs (seconds). */
export const CACHING_OPTIMIZED: CacheTtls = { min: 1, default: 86400, max: 31536000 };

/** Options of {@link startLocalCdn}. */
export interface LocalCdnOptions {
  /** An S3 client for the local S3 (moto); the origin reads with GetObject. */
  s3: S3Client;
  bucket: string;
  /** The distribution's origin path (`/site`), or '' for the bucket root. Default ''. */
  originPath?: string;
  /** Object served for `/`. Default `index.html`. */
  defaultRootObject?: string;
  /** The viewer-request function. Default: the one in templates/frontend.yml. */
  viewerRequest?: ViewerRequestFunction;
  /** Cache policy TTLs in seconds. Default {@link CACHING_OPTIMIZED}. */
  ttls?: CacheTtls;
  /** How long an error from the origin is cached, in seconds. Default 10. */
  errorCachingSeconds?: number;
  /** False: every request goes to the origin (an edge location that has nothing cached). Default true. */
  edgeCache?: boolean;
  /** The clock, in milliseconds (tests move it). Default `Date.now`. */
  now?: () => number;
  /** Per origin request, in milliseconds. Default 10000. */
  originTimeoutMs?: number;
  /** The server closes itself after this many milliseconds. Default 10 minutes. */
  lifetimeMs?: number;
}

/** One viewer request as the local CDN handled it. */
export interface CdnLogEntry {
  method: string;
  /** The request target as the viewer sent it. */
  target: string;
  /** The URI after the function and the default root object ('' when the function answered). */
  uri: string;
  status: number;
  /** As in CloudFront's `x-cache` header. */
  cache: 'Hit' | 'Miss' | 'FunctionGeneratedResponse' | 'Error';
}

/** A running local CDN. */
export interface LocalCdn {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  readonly log: CdnLogEntry[];
  /**
   * Drops cached objects, like a CloudFront invalidation: `/path` exactly, `/dir/*` by prefix, `/*` all.
   */
  invalidate(paths: string[]): void;
  stop(): Promise<void>;
}

interface CachedObject {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  etag?: string;
  storedAt: number;
  expiresAt: number;
}

/** The headers the managed SecurityHeadersPolicy adds to every response. */
const SECURITY_HEADERS: Record<string, string> = {
  'strict-transport-security': 'max-age=31536000',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'x-xss-protection': '1; mode=block',
  'referrer-policy': 'strict-origin-when-cross-origin'
};

/**
 * Seconds CloudFront keeps a response with this Cache-Control under `ttls`, for a minimum TTL above 0
 * (the table in "Manage how long content stays in the cache").
 */
export function edgeTtlSeconds(
  cacheControl: string | undefined,
  ttls: CacheTtls = CACHING_OPTIMIZED
): number {
  const directives = new Map<string, string | undefined>();
  for (const part of (cacheControl ?? '').split(',')) {
    const [name, value] = part.trim().split('=', 2);
    if (name) directives.set(name.toLowerCase(), value?.replace(/^"|"$/g, ''));
  }
  const seconds = (name: string): number | undefined => {
    const value = directives.get(name);
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
  };
  const age = seconds('s-maxage') ?? seconds('max-age');
  if (age !== undefined) return Math.min(Math.max(age, ttls.min), ttls.max);
  if (directives.has('no-cache') || directives.has('no-store') || directives.has('private')) return ttls.min;
  return Math.max(ttls.min, ttls.default);
}

/**
 * Starts the local CDN on 127.0.0.1 (a free port).
 * @throws Error when the viewer-request function cannot be loaded or compiled.
 */
export async function startLocalCdn(options: LocalCdnOptions): Promise<LocalCdn> {
  const fn = options.viewerRequest ?? loadViewerRequestFunction();
  const originPath = (options.originPath ?? '').replace(/\/+$/, '');
  const rootObject = options.defaultRootObject ?? 'index.html';
  const ttls = options.ttls ?? CACHING_OPTIMIZED;
  const errorSeconds = options.errorCachingSeconds ?? 10;
  const now = options.now ?? Date.now;
  const useCache = options.edgeCache ?? true;
  const cache = new Map<string, CachedObject>();
  const inflight = new Map<string, Promise<CachedObject>>();
  const log: CdnLogEntry[] = [];

  const fetchOrigin = async (uri: string): Promise<CachedObject> => {
    let key: string;
    try {
      key = decodeURIComponent(`${originPath}${uri}`).replace(/^\//, '');
    } catch {
      return errorObject(400, 'InvalidURI', 'Couldn\u2019t parse the specified URI.', now(), errorSeconds);
    }
    try {
      const out = await options.s3.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }), {
        abortSignal: AbortSignal.timeout(options.originTimeoutMs ?? 10000)
      });
      const body = Buffer.from((await out.Body?.transformToByteArray()) ?? []);
      const headers: Record<string, string> = {
        'content-type': out.ContentType ?? 'application/octet-stream'
      };
      if (out.CacheControl) headers['cache-control'] = out.CacheControl;
      if (out.ETag) headers.etag = out.ETag;
      if (out.LastModified) headers['last-modified'] = out.LastModified.toUTCString();
      const storedAt = now();
      return {
        status: 200,
        headers,
        body,
        etag: out.ETag,
        storedAt,
        expiresAt: storedAt + edgeTtlSeconds(out.CacheControl, ttls) * 1000
      };
    } catch (error) {
      if (error instanceof S3ServiceException) {
        const status = error.$metadata.httpStatusCode ?? 502;
        return errorObject(status, error.name, error.message, now(), errorSeconds);
      }
      return errorObject(502, 'BadGateway', 'The origin could not be reached.', now(), 0);
    }
  };

  const lookup = async (uri: string): Promise<{ object: CachedObject; cache: CdnLogEntry['cache'] }> => {
    const cached = useCache ? cache.get(uri) : undefined;
    if (cached && cached.expiresAt > now())
      return { object: cached, cache: cached.status < 400 ? 'Hit' : 'Error' };
    let pending = inflight.get(uri);
    if (!pending) {
      pending = fetchOrigin(uri).finally(() => inflight.delete(uri));
      inflight.set(uri, pending);
    }
    const object = await pending;
    if (useCache) cache.set(uri, object);
    return { object, cache: object.status < 400 ? 'Miss' : 'Error' };
  };

  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    const entry: CdnLogEntry = { method, target, uri: '', status: 0, cache: 'Miss' };
    log.push(entry);
    const send = (status: number, headers: Record<string, string>, body: Buffer | string): void => {
      entry.status = status;
      res.writeHead(status, { ...headers, ...SECURITY_HEADERS });
      res.end(method === 'HEAD' || status === 304 ? undefined : body);
    };
    if (method !== 'GET' && method !== 'HEAD') {
      entry.cache = 'Error';
      send(
        403,
        { 'content-type': 'text/plain' },
        'This distribution is not configured to allow this HTTP method.'
      );
      return;
    }
    let result;
    try {
      result = fn.run(
        viewerRequestEvent(method, target, req.headers, req.socket.remoteAddress ?? '127.0.0.1')
      );
    } catch {
      entry.cache = 'Error';
      send(503, { 'content-type': 'text/plain' }, 'The CloudFront function failed.');
      return;
    }
    if (isResponse(result)) {
      entry.cache = 'FunctionGeneratedResponse';
      const { headers, body } = functionResponse(result);
      send(result.statusCode, { ...headers, 'x-cache': 'FunctionGeneratedResponse from cloudfront' }, body);
      return;
    }
    // The query string is neither part of the cache key nor forwarded (CachingOptimized).
    const uri = result.uri === '/' && rootObject ? `/${rootObject}` : result.uri;
    entry.uri = uri;
    lookup(uri).then(
      ({ object, cache: kind }) => {
        entry.cache = kind;
        const headers: Record<string, string> = {
          ...object.headers,
          'content-length': String(object.body.length),
          'x-cache': `${kind} from cloudfront`
        };
        if (kind === 'Hit') headers.age = String(Math.floor((now() - object.storedAt) / 1000));
        const conditional = req.headers['if-none-match'];
        if (
          object.status === 200 &&
          object.etag &&
          conditional &&
          conditional.split(/\s*,\s*/).includes(object.etag)
        ) {
          delete headers['content-length'];
          send(304, headers, '');
          return;
        }
        send(object.status, headers, object.body);
      },
      () => {
        entry.cache = 'Error';
        send(502, { 'content-type': 'text/plain' }, 'The origin failed.');
      }
    );
  });
  const { endpoint, stop } = await listenOnLoopback(server, options.lifetimeMs ?? 600000);
  return {
    endpoint,
    log,
    invalidate(paths) {
      for (const p of paths) {
        if (p.endsWith('*')) {
          const prefix = p.slice(0, -1);
          for (const key of [...cache.keys()]) if (key.startsWith(prefix)) cache.delete(key);
        } else {
          cache.delete(p);
          if (p.endsWith('/') && rootObject) cache.delete(`${p}${rootObject}`);
        }
      }
    },
    stop
  };
}

function errorObject(
  status: number,
  code: string,
  message: string,
  at: number,
  seconds: number
): CachedObject {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  return {
    status,
    headers: { 'content-type': 'application/xml' },
    body: Buffer.from(xml),
    storedAt: at,
    expiresAt: at + seconds * 1000
  };
}

/** Headers and body of a response the function generated. */
function functionResponse(response: FunctionResponse): { headers: Record<string, string>; body: Buffer } {
  const headers: Record<string, string> = {};
  for (const [name, entry] of Object.entries(response.headers ?? {})) headers[name] = entry.value;
  const body = response.body;
  const bytes =
    body === undefined
      ? Buffer.alloc(0)
      : typeof body === 'string'
        ? Buffer.from(body)
        : Buffer.from(body.data, body.encoding === 'base64' ? 'base64' : 'utf8');
  return { headers, body: bytes };
}

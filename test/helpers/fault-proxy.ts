/**
 * A recording, fault-injecting HTTP proxy on 127.0.0.1, placed between a client and the local server (moto,
 * gofakes3, the ECS simulator): point the client's endpoint at `proxy.endpoint`. Every request is logged with its
 * S3 operation (PutObject, CopyObject, UploadPart, HeadObject, ListObjectsV2, DeleteObjects...) and body
 * size; a schedule chosen by the test answers chosen requests with a 500, a 503 SlowDown, by dropping
 * the connection, or not at all (`stall`: the request is read and never answered, as from a server that
 * stopped, until the client gives up), instead of forwarding them. A hook may run before a request is
 * forwarded (to make another client's write land at exactly that point). The proxy forwards at most `maxRequests` requests (later ones
 * get a 503 so nothing can loop forever) and closes itself after `lifetimeMs`.
 */
import http from 'node:http';
import { listenOnLoopback } from '../../src/local/loopback-server.js';

/** One request that reached the proxy. */
export interface RecordedRequest {
  /** 0-based arrival order. */
  index: number;
  method: string;
  /** Path and query as sent (path-style: `/bucket/key?query`). */
  url: string;
  /** Decoded object key (path-style URLs), '' for bucket-level requests. */
  key: string;
  /**
   * S3 operation name, or `METHOD` for anything else (CloudFront calls are `CloudFront:<METHOD> <path>`); for a
   * JSON-protocol request (ECS, ECR, Logs…: an `X-Amz-Target` header) the operation after the dot.
   */
  operation: string;
  /**
   * The API action of a query-protocol request (CloudFormation, EC2, IAM, STS: the form body's `Action`,
   * e.g. `CreateChangeSet`) or of a JSON-protocol one (the `X-Amz-Target` header's operation); set once the
   * body has arrived.
   */
  action?: string;
  /** The `X-Amz-Target` header of a JSON-protocol request (`AmazonEC2ContainerServiceV20141113.RunTask`). */
  target?: string;
  /** Sent by an AWS SDK command (it carries `amz-sdk-invocation-id`), not as a direct request. */
  viaSdk: boolean;
  /** Request body bytes received. */
  bytes: number;
  /** The fault injected, if any. */
  fault?: FaultKind;
  /** Status code returned to the client (0 when the connection was dropped). */
  status: number;
}

export type FaultKind = '500' | 'slowdown' | 'throttling' | 'drop' | 'stall';

/** Runs before a request without a fault is forwarded; forwarding waits for it. */
export type ForwardHook = (request: Omit<RecordedRequest, 'status' | 'fault' | 'bytes'>) => Promise<void>;

/** Decides, per request, whether to inject a fault (called before forwarding). */
export type FaultSchedule = (
  request: Omit<RecordedRequest, 'status' | 'fault' | 'bytes'>
) => FaultKind | undefined;

export interface FaultProxyOptions {
  /** The server to forward to, e.g. moto's http://127.0.0.1:PORT. */
  target: string;
  schedule?: FaultSchedule;
  /** Requests forwarded at most; later ones get 503 without forwarding. Default 100000. */
  maxRequests?: number;
  /** The proxy closes itself after this many ms. Default 10 minutes. */
  lifetimeMs?: number;
}

export interface FaultProxy {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  readonly requests: RecordedRequest[];
  /** Replaces the fault schedule (undefined: forward everything). */
  setSchedule(schedule: FaultSchedule | undefined): void;
  /** Replaces the hook run before forwarding (undefined: none). */
  setHook(hook: ForwardHook | undefined): void;
  /** Clears the request log. */
  clear(): void;
  /** Requests per operation. */
  counts(): Record<string, number>;
  stop(): Promise<void>;
}

/** Classifies an S3 request (path-style) by method, query and headers. */
export function s3Operation(method: string, url: URL, headers: http.IncomingHttpHeaders): string {
  const q = url.searchParams;
  const segments = url.pathname.split('/').filter(Boolean);
  const hasKey = segments.length > 1;
  if (url.pathname.startsWith('/2020-05-31/'))
    return `CloudFront:${method} ${url.pathname.replace(/\/[A-Z0-9]{8,}/g, '/{id}')}`;
  switch (method) {
    case 'PUT':
      if (q.has('partNumber')) return headers['x-amz-copy-source'] ? 'UploadPartCopy' : 'UploadPart';
      if (headers['x-amz-copy-source']) return 'CopyObject';
      return hasKey ? 'PutObject' : 'CreateBucket';
    case 'POST':
      if (q.has('uploads')) return 'CreateMultipartUpload';
      if (q.has('uploadId')) return 'CompleteMultipartUpload';
      if (q.has('delete')) return 'DeleteObjects';
      return 'POST';
    case 'GET':
      if (!hasKey)
        return q.get('list-type') === '2'
          ? 'ListObjectsV2'
          : q.has('uploads')
            ? 'ListMultipartUploads'
            : 'ListObjects';
      return q.has('uploadId') ? 'ListParts' : 'GetObject';
    case 'HEAD':
      return hasKey ? 'HeadObject' : 'HeadBucket';
    case 'DELETE':
      if (q.has('uploadId')) return 'AbortMultipartUpload';
      return hasKey ? 'DeleteObject' : 'DeleteBucket';
    default:
      return method;
  }
}

const FAULT_BODIES: Record<
  Exclude<FaultKind, 'drop' | 'stall'>,
  { status: number; code: string; message: string }
> = {
  '500': {
    status: 500,
    code: 'InternalError',
    message: 'We encountered an internal error. Please try again.'
  },
  slowdown: { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
  throttling: { status: 400, code: 'Throttling', message: 'Rate exceeded' }
};

/** The `Action` of a form-encoded (query protocol) body, or the operation of an `X-Amz-Target` header. */
function apiAction(headers: http.IncomingHttpHeaders, chunks: Buffer[]): string | undefined {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1);
  if (!String(headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
    return undefined;
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('Action') ?? undefined;
}

/** Starts the proxy on 127.0.0.1 (free port). */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const requests: RecordedRequest[] = [];
  let schedule = options.schedule;
  let hook: ForwardHook | undefined;
  const maxRequests = options.maxRequests ?? 100000;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  let forwarded = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const segments = url.pathname.split('/').filter(Boolean);
    const amzTarget = req.headers['x-amz-target'];
    const jsonTarget = typeof amzTarget === 'string' ? amzTarget : undefined;
    const base = {
      index: requests.length,
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      key: segments.slice(1).map(decodeURIComponent).join('/'),
      operation: jsonTarget
        ? (jsonTarget.split('.').pop() ?? jsonTarget)
        : s3Operation(req.method ?? 'GET', url, req.headers),
      ...(jsonTarget ? { target: jsonTarget } : {}),
      viaSdk: req.headers['amz-sdk-invocation-id'] !== undefined
    };
    const record: RecordedRequest = { ...base, bytes: 0, status: 0 };
    requests.push(record);
    const fault = schedule?.(base);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      record.bytes += c.length;
      chunks.push(c);
    });
    req.on('end', () => void answer());
    const answer = async (): Promise<void> => {
      record.action = apiAction(req.headers, chunks);
      if (fault) {
        record.fault = fault;
        if (fault === 'drop') {
          req.socket.destroy();
          return;
        }
        if (fault === 'stall') return; // never answered; the client's timeout or stop() ends it
        const f = FAULT_BODIES[fault];
        record.status = f.status;
        if (jsonTarget) {
          // JSON 1.1 services answer errors as {"__type", "message"} with x-amzn-errortype.
          const type = f.status >= 500 ? 'ServerException' : 'ThrottlingException';
          const json = JSON.stringify({ __type: type, message: `injected ${fault}: ${f.message}` });
          res.writeHead(f.status, {
            'content-type': 'application/x-amz-json-1.1',
            'x-amzn-errortype': type,
            'content-length': Buffer.byteLength(json)
          });
          res.end(json);
          return;
        }
        const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${f.code}</Code><Message>${f.message}</Message><RequestId>fault-${record.index}</RequestId></Error>`;
        res.writeHead(f.status, {
          'content-type': 'application/xml',
          'content-length': Buffer.byteLength(xml)
        });
        res.end(xml);
        return;
      }
      if (hook) await hook(base);
      if (++forwarded > maxRequests) {
        record.status = 503;
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('fault proxy: request budget exhausted');
        return;
      }
      const headers = { ...req.headers, host: target.host };
      delete headers.expect;
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers,
          agent
        },
        (up) => {
          record.status = up.statusCode ?? 0;
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        }
      );
      upstream.on('error', (error) => {
        record.status = 502;
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`fault proxy: upstream error ${error.message}`);
      });
      upstream.end(Buffer.concat(chunks));
    };
  });
  const { endpoint, stop } = await listenOnLoopback(server, options.lifetimeMs ?? 600000, agent);
  return {
    endpoint,
    requests,
    setSchedule(next) {
      schedule = next;
    },
    setHook(next) {
      hook = next;
    },
    clear() {
      requests.length = 0;
    },
    counts() {
      const counts: Record<string, number> = {};
      for (const r of requests) counts[r.operation] = (counts[r.operation] ?? 0) + 1;
      return counts;
    },
    stop
  };
}

/**
 * A schedule that injects `fault` into the requests matching `match`, `times` times in all (then forwards
 * everything): a bounded fault burst.
 */
export function faultTimes(
  fault: FaultKind,
  times: number,
  match: (r: Parameters<FaultSchedule>[0]) => boolean = () => true
): FaultSchedule {
  let left = times;
  return (request) => {
    if (left > 0 && match(request)) {
      left--;
      return fault;
    }
    return undefined;
  };
}

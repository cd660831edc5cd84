/**
 * A loopback HTTP proxy that adds a fixed delay to every request before forwarding it: real S3 answers in
 * tens of milliseconds, the local servers in microseconds. The delay starts once the request body has
 * arrived and is the same for every client, so tools that send more requests, or fewer at a time, pay
 * for it as they would against S3. Point a client's endpoint at `proxy.endpoint`; the proxy forwards to
 * `target` (another proxy, moto, gofakes3) over keep-alive connections, closes itself after `lifetimeMs`.
 */
import http from 'node:http';
import { listenOnLoopback } from '../../src/local/loopback-server.js';

export interface LatencyProxyOptions {
  /** Where requests go, e.g. http://127.0.0.1:PORT. */
  target: string;
  /** Milliseconds added to each request (before it is forwarded). */
  delayMs: number;
  /** The proxy closes itself after this many milliseconds. Default 1 hour. */
  lifetimeMs?: number;
}

export interface LatencyProxy {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  /** Requests forwarded so far. */
  readonly forwarded: number;
  /** Changes the delay for requests that arrive from now on. */
  setDelay(ms: number): void;
  stop(): Promise<void>;
}

/** Starts the proxy on 127.0.0.1 (free port). */
export async function startLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  const target = new URL(options.target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let delay = options.delayMs;
  let forwarded = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        forwarded++;
        const headers = { ...req.headers, host: target.host };
        delete headers.expect;
        const upstream = http.request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          }
        );
        upstream.on('error', (error) => {
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`latency proxy: upstream error ${error.message}`);
        });
        upstream.end(Buffer.concat(chunks));
      }, delay);
    });
  });
  const { endpoint, stop } = await listenOnLoopback(server, options.lifetimeMs ?? 3600000, agent);
  return {
    endpoint,
    get forwarded() {
      return forwarded;
    },
    setDelay(ms) {
      delay = ms;
    },
    stop
  };
}

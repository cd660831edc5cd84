/**
 * Starts a local HTTP server on 127.0.0.1 that stops itself: the shared listen-and-stop of the local CDN and
 * the test proxies, so that no server a test or the demo starts outlives its lifetime.
 */
import type { Agent, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listening loopback server: its endpoint (`http://127.0.0.1:<port>`) and an idempotent stop. */
export interface LoopbackServer {
  endpoint: string;
  /** Closes every connection (idle keep-alive ones too) and the server; a second call resolves at once. */
  stop(): Promise<void>;
}

/**
 * Listens on an ephemeral port of 127.0.0.1 with a 5 s keep-alive timeout and stops the server by itself
 * after `lifetimeMs` milliseconds (the timer does not keep the process alive).
 *
 * @param server an `http.Server` with its request handler attached, not yet listening.
 * @param lifetimeMs milliseconds until the server stops by itself.
 * @param agent an upstream agent (a proxy's) destroyed on stop, so no upstream socket lingers.
 * @throws the `listen` error (e.g. EADDRINUSE) as Node raises it.
 */
export async function listenOnLoopback(
  server: Server,
  lifetimeMs: number,
  agent?: Agent
): Promise<LoopbackServer> {
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let stopped = false;
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (stopped) return resolve();
      stopped = true;
      clearTimeout(timer);
      agent?.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  const timer = setTimeout(() => void stop(), lifetimeMs);
  timer.unref();
  return { endpoint: `http://127.0.0.1:${port}`, stop };
}

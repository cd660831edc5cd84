/**
 * The HTTP face of the simulator: the ECS JSON 1.1 protocol. Requests are `POST /` with
 * `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>` and a JSON body; answers are
 * `application/x-amz-json-1.1`; errors are HTTP 400 (500 for ServerException) with
 * `{"__type": TYPE, "message": ...}` and the `x-amzn-errortype: TYPE` header.
 * Protocol: https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { EcsApiError } from './errors.js';
import { validateRequest } from './model.js';
import type { Json } from './state.js';

/** The X-Amz-Target prefix of ECS operations. */
export const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';

/** One operation handler: the parsed body in, the response object out; throws EcsApiError. */
export type Handler = (body: Json) => Json;

/** Hooks the server calls for every request. */
export interface ServerHooks {
  handlers: Record<string, Handler>;
  /** Called for every request with a recognised shape, before it is handled. */
  onRequest(operation: string, body: unknown): void;
  /** Called for every answer: HTTP status and the JSON body sent. */
  onResponse(operation: string, status: number, body: unknown): void;
  /** True when this request must be answered with ThrottlingException. */
  shouldThrottle(): boolean;
}

function send(
  res: ServerResponse,
  status: number,
  payload: unknown,
  extraHeaders: Record<string, string> = {}
): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
    ...extraHeaders
  });
  res.end(body);
}

function sendError(res: ServerResponse, error: EcsApiError): void {
  send(res, error.status, { __type: error.type, message: error.message }, { 'x-amzn-errortype': error.type });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Handles one HTTP request. */
async function handle(req: IncomingMessage, res: ServerResponse, hooks: ServerHooks): Promise<void> {
  const target = String(req.headers['x-amz-target'] ?? '');
  if (req.method !== 'POST' || !target.startsWith(TARGET_PREFIX)) {
    sendError(
      res,
      new EcsApiError(
        'UnknownOperationException',
        `Expected POST / with X-Amz-Target ${TARGET_PREFIX}<Operation>.`
      )
    );
    return;
  }
  const operation = target.slice(TARGET_PREFIX.length);
  const fail = (error: EcsApiError): void => {
    hooks.onResponse(operation, error.status, { __type: error.type, message: error.message });
    sendError(res, error);
  };
  const text = await readBody(req);
  let body: Json;
  try {
    const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    body = parsed as Json;
  } catch {
    hooks.onRequest(operation, text);
    fail(new EcsApiError('SerializationException', 'The request body is not a JSON object.'));
    return;
  }
  hooks.onRequest(operation, body);
  if (hooks.shouldThrottle()) {
    fail(new EcsApiError('ThrottlingException', 'Rate exceeded'));
    return;
  }
  const handler = hooks.handlers[operation];
  if (!handler) {
    fail(new EcsApiError('UnknownOperationException', `The simulator does not implement ${operation}.`));
    return;
  }
  try {
    validateRequest(operation, body);
    const result = handler(body);
    hooks.onResponse(operation, 200, result);
    send(res, 200, result);
  } catch (error) {
    if (error instanceof EcsApiError) fail(error);
    else
      fail(
        new EcsApiError(
          'ServerException',
          `Simulator error: ${(error as Error)?.message ?? String(error)}`,
          500
        )
      );
  }
}

/**
 * Starts the HTTP server on 127.0.0.1 at a free port.
 * @returns the server and its port
 */
export async function listen(hooks: ServerHooks): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    handle(req, res, hooks).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, new EcsApiError('ServerException', String(error), 500));
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('The ECS simulator did not get a TCP port.');
  return { server, port: address.port };
}

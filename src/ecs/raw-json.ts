/**
 * Task definitions must survive fields this toolkit (and the bundled SDK) does not know yet: ECS adds
 * task-definition fields often, and the SDK's schema-based serialiser drops members its model lacks (the
 * reason aws-actions/amazon-ecs-deploy-task-definition breaks on new fields: #430, #701, #810).
 *
 * Two small middlewares fix that for JSON 1.1 calls:
 *  - `sendRawJson` replaces the serialised request body with the caller's own object, verbatim;
 *  - `captureRawJson` keeps the raw response JSON next to the SDK's parsed (and pruned) output.
 * Both operate on the wire format documented in the ECS API reference, so they stay correct for any
 * control plane that follows it.
 */

interface HttpRequestLike {
  body?: unknown;
  headers: Record<string, string>;
}
interface HttpResponseLike {
  statusCode?: number;
  body?: unknown;
}
type Handler = (args: {
  request?: unknown;
  input?: unknown;
}) => Promise<{ response?: unknown; output?: unknown }>;
interface StackLike {
  add(
    middleware: (next: Handler) => Handler,
    options: { step: 'build' | 'deserialize'; name: string; priority?: 'high' | 'low' | 'normal' }
  ): void;
}
/** Any SDK v3 command (they all expose a middleware stack). */
export interface CommandLike {
  middlewareStack: object;
}

/**
 * Makes `command` send `body` as its JSON request body, exactly (unknown fields included).
 * Call before `client.send(command)`. Returns the same command.
 */
export function sendRawJson<C extends CommandLike>(command: C, body: unknown): C {
  (command.middlewareStack as StackLike).add(
    (next) => async (args) => {
      const request = args.request as HttpRequestLike | undefined;
      if (request && typeof request === 'object' && 'headers' in request) {
        const text = JSON.stringify(body);
        request.body = text;
        for (const key of Object.keys(request.headers)) {
          if (key.toLowerCase() === 'content-length') delete request.headers[key];
        }
        request.headers['content-length'] = String(Buffer.byteLength(text));
      }
      return next(args);
    },
    { step: 'build', name: 'twotierSendRawJson', priority: 'high' }
  );
  return command;
}

/** Where `captureRawJson` puts the response document once the call has returned. */
export interface RawCapture {
  json?: Record<string, unknown>;
}

/**
 * Records the raw JSON response of `command` into `capture.json` (the SDK still parses it as usual).
 * Returns the same command.
 */
export function captureRawJson<C extends CommandLike>(command: C, capture: RawCapture): C {
  (command.middlewareStack as StackLike).add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as HttpResponseLike | undefined;
      if (response && response.body !== undefined) {
        const bytes = await readAll(response.body);
        response.body = bytes;
        if ((response.statusCode ?? 200) < 300) {
          try {
            capture.json = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
          } catch {
            capture.json = undefined;
          }
        }
      }
      return result;
    },
    { step: 'deserialize', name: 'twotierCaptureRawJson', priority: 'low' }
  );
  return command;
}

async function readAll(body: unknown): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks);
}

/** How a failed AWS request is named in a message: the service, the operation, what it was for, why. */
import { errorName, messageOf } from '../lib/errors.js';

/**
 * `S3 PutObject s3://site/index.html: TimeoutError: … (after 5 attempts)`: one line that names the service
 * and the operation, so a stalled or failing endpoint is recognisable from the step's error alone.
 * The attempt count is the SDK's (`$metadata.attempts`, set by its retry strategy) when it reports one.
 */
export function requestFailure(service: string, operation: string, target: string, error: unknown): string {
  const name = errorName(error);
  const meta = (error as { $metadata?: { attempts?: number; httpStatusCode?: number } } | undefined)
    ?.$metadata;
  const attempts = meta?.attempts;
  const status = meta?.httpStatusCode;
  const detail = [
    status ? `HTTP ${status}` : undefined,
    attempts ? `after ${attempts} attempt${attempts === 1 ? '' : 's'}` : undefined
  ].filter(Boolean);
  const message = messageOf(error);
  return (
    `${service} ${operation} ${target}: ${name !== 'Error' && !message.startsWith(name) ? `${name}: ` : ''}${message}` +
    (detail.length > 0 ? ` (${detail.join(', ')})` : '')
  );
}

/** Opaque `nextToken` values for the List* operations: an offset into the sorted result list. */
import { invalidParameter } from './errors.js';

/** Encodes a list offset as a nextToken. */
export function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

/**
 * Decodes a nextToken (undefined → 0).
 * @throws InvalidParameterException when the token was not issued by this simulator.
 */
export function decodeToken(token: unknown): number {
  if (token === undefined || token === null || token === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64').toString('utf8')) as { offset?: unknown };
    if (typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0) {
      return parsed.offset;
    }
  } catch {
    // fall through
  }
  throw invalidParameter('Invalid nextToken.');
}

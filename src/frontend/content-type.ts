/**
 * Content-Type of each uploaded file, from the `mime` package's database (the one Express and most Node
 * servers use), with `charset=utf-8` on textual types so browsers never guess the encoding.
 */
import mime from 'mime';

/** Textual types outside `text/*` that get a charset parameter. */
const TEXTUAL = new Set([
  'application/json',
  'application/manifest+json',
  'application/ld+json',
  'application/xml',
  'application/javascript',
  'application/rss+xml',
  'application/atom+xml',
  'image/svg+xml'
]);

/** Type sent for files the database does not know (no extension, unknown extension). */
export const FALLBACK_CONTENT_TYPE = 'application/octet-stream';

/**
 * The Content-Type header for a path (only its extension matters), for example
 * `assets/index-Ab12.js` → `text/javascript; charset=utf-8`, `logo.png` → `image/png`.
 */
export function contentTypeFor(relativePath: string): string {
  const type = mime.getType(relativePath) ?? FALLBACK_CONTENT_TYPE;
  return type.startsWith('text/') || TEXTUAL.has(type) ? `${type}; charset=utf-8` : type;
}

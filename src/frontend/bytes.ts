/** Byte counts for people. */

/** Bytes as `12.3 MiB` (or `512 B` under 1 KiB). */
export function mib(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

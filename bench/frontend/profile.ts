/**
 * Where a first deploy spends its time: runs uploadFrontend in-process against an S3 endpoint and prints the
 * wall time of each phase (hash, compare, upload waves). For profiling only (add --cpu-prof to node).
 *
 *   npx tsx bench/frontend/profile.ts <source-dir> <bucket> <endpoint> [concurrency]
 */
import { uploadFrontend } from '../../src/frontend/upload.js';
import type { Reporter } from '../../src/lib/reporter.js';

const [sourceDir, bucket, endpoint, concurrency] = process.argv.slice(2);
if (!sourceDir || !bucket || !endpoint) {
  console.error('usage: profile.ts <source-dir> <bucket> <endpoint> [concurrency]');
  process.exit(2);
}
const t0 = performance.now();
const at = (): string => `${((performance.now() - t0) / 1000).toFixed(3)} s`;
const reporter: Reporter = {
  info: (m) => console.log(`${at()}  ${m}`),
  warn: (m) => console.log(`${at()}  warning: ${m}`),
  debug: () => undefined,
  async group(name, fn) {
    const start = performance.now();
    console.log(`${at()} ▸ ${name}`);
    try {
      return await fn();
    } finally {
      console.log(`${at()} ◂ ${name}: ${((performance.now() - start) / 1000).toFixed(3)} s`);
    }
  },
  secret: () => undefined
};
process.env.AWS_ACCESS_KEY_ID ??= 'testing';
process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
const result = await uploadFrontend(
  {
    sourceDir,
    bucket,
    endpoint,
    region: 'us-east-1',
    concurrency: concurrency ? Number(concurrency) : 16
  },
  reporter
);
console.log(`${at()} total; uploaded ${result.uploaded.count}, unchanged ${result.unchanged.count}`);

/**
 * What the benchmarks share: the emulators' credentials, a child process runner that keeps the tail of its
 * output, a free loopback port, emptying and deleting a bucket, and the median of the runs.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type S3Client
} from '@aws-sdk/client-s3';

/** The credentials and region every emulator accepts, as environment variables for a peer's CLI. */
export const CREDS = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1'
};

/**
 * Runs `cmd` with only PATH, HOME, CREDS and `env` in its environment; resolves with the exit code (-1 when
 * killed) and the last 4,000 characters of stdout and stderr together. Never rejects.
 */
export function exec(
  cmd: string,
  argv: string[],
  env: Record<string, string>
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...CREDS, ...env }
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-4000)));
    child.stderr.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-4000)));
    child.on('error', (error) => resolve({ code: -1, out: `${out}${error.message}` }));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

/** A TCP port of 127.0.0.1 that was free a moment ago (for a server the benchmark starts next). */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Deletes every object of `bucket` (ListObjectsV2 pages, DeleteObjects) and then the bucket.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
 */
export async function deleteBucket(s3: S3Client, bucket: string): Promise<void> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    const objects = (page.Contents ?? []).map((o) => ({ Key: o.Key as string }));
    if (objects.length > 0)
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
    token = page.NextContinuationToken;
  } while (token);
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/** The median of `values` (the mean of the middle two for an even count); NaN for none. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

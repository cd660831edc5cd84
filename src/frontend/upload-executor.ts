/**
 * Executes a {@link SyncPlan} in three waves: assets (uploads and header updates), then HTML entry points,
 * then deletes, each wave starting only when the previous one fully succeeded. Requests are retried by the
 * SDK's standard retry strategy (see {@link ExecuteOptions.maxAttempts}).
 */
import { readFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { CopyObjectCommand, DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { DeploymentError, messageOf } from '../lib/errors.js';
import type { Reporter } from '../lib/reporter.js';
import { mapLimit } from './pool.js';
import { createPutObject, type PutObject } from './put-object.js';
import type { SyncItem, SyncPlan } from './sync-plan.js';

/** Options of {@link executePlan}. */
export interface ExecuteOptions {
  bucket: string;
  /** Requests in flight at once (per wave). */
  concurrency: number;
  /** Files at or above this many bytes go through lib-storage's multipart Upload. */
  multipartThreshold: number;
  /** Part size in bytes for multipart uploads (at least 5 MiB). */
  partSize: number;
  /**
   * Send small files' PutObject as one request built from the client's endpoint rules, signer and HTTP
   * handler (src/frontend/put-object.ts). Only for a client the toolkit built itself. Default false.
   */
  directPut?: boolean;
}

/** Counts and bytes actually written. */
export interface ExecuteTotals {
  uploaded: number;
  uploadedBytes: number;
  headerUpdated: number;
  headerUpdatedBytes: number;
  deleted: number;
  deletedBytes: number;
  /** Relative path → ETag (unquoted, lower-case) S3 returned for each object written (upload or header update). */
  written: Map<string, string>;
}

/**
 * Runs the plan. PutObject (with Content-MD5, so S3 rejects corrupted bodies; see {@link createPutObject}
 * for the direct path) for small files, lib-storage
 * `Upload` (CreateMultipartUpload / UploadPart / CompleteMultipartUpload, aborted on failure) for large ones,
 * CopyObject onto itself with MetadataDirective REPLACE and CopySourceIfMatch for header-only changes,
 * DeleteObjects in batches of 1,000 for deletes.
 * API: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
 * @throws DeploymentError when a request still fails after the SDK's retries; entry points are then not
 *   replaced (if assets failed) and nothing is deleted. `totals` passed in is updated as work completes.
 */
export async function executePlan(
  s3: S3Client,
  plan: SyncPlan,
  options: ExecuteOptions,
  reporter: Reporter,
  totals: ExecuteTotals
): Promise<void> {
  const put = createPutObject(s3, { direct: options.directPut ?? false }, reporter);
  const runWave = async (name: string, items: SyncItem[]): Promise<void> => {
    if (items.length === 0) return;
    const progress = new Progress(name, items, reporter);
    const failures: string[] = [];
    try {
      await mapLimit(items, options.concurrency, async (item) => {
        try {
          totals.written.set(item.relativePath, await writeItem(s3, put, item, options, reporter));
        } catch (error) {
          failures.push(`${item.relativePath}: ${messageOf(error)}`);
          throw error;
        }
        if (item.kind === 'upload') {
          totals.uploaded++;
          totals.uploadedBytes += item.size;
        } else {
          totals.headerUpdated++;
          totals.headerUpdatedBytes += item.size;
        }
        progress.done(item);
      });
    } catch {
      throw new DeploymentError(
        `${name}: ${failures.length} request(s) failed after retries (${failures.slice(0, 5).join('; ')}). ` +
          `${name === 'HTML entry points' ? 'Some' : 'No'} HTML entry points were replaced and nothing was deleted; the site still serves ` +
          `the previous version${name === 'HTML entry points' ? ' or the new one (all its assets are in place)' : ''}. Run the deploy again to finish it.`,
        { failures }
      );
    }
  };
  await runWave('assets', plan.assets);
  await runWave('HTML entry points', plan.entryPoints);
  for (let i = 0; i < plan.deletes.length; i += 1000) {
    const batch = plan.deletes.slice(i, i + 1000);
    const response = await s3.send(
      new DeleteObjectsCommand({
        Bucket: options.bucket,
        Delete: { Objects: batch.map((item) => ({ Key: item.key })), Quiet: true }
      })
    );
    const errors = response.Errors ?? [];
    const failed = new Set(errors.map((e) => e.Key));
    for (const item of batch) {
      if (failed.has(item.key)) continue;
      totals.deleted++;
      totals.deletedBytes += item.size;
    }
    if (errors.length > 0) {
      throw new DeploymentError(
        `deletes: ${errors.length} object(s) could not be deleted (${errors
          .slice(0, 5)
          .map((e) => `${e.Key}: ${e.Code} ${e.Message}`)
          .join('; ')}). Every upload succeeded; run again to retry the deletes.`
      );
    }
    reporter.info(`deleted ${totals.deleted}/${plan.deletes.length} stale objects`);
  }
}

async function writeItem(
  s3: S3Client,
  put: PutObject,
  item: SyncItem,
  options: ExecuteOptions,
  reporter: Reporter
): Promise<string> {
  const file = item.file;
  if (!file) throw new Error(`internal: no local file for ${item.relativePath}`);
  if (item.kind === 'update-headers') {
    const copied = await s3.send(
      new CopyObjectCommand({
        Bucket: options.bucket,
        Key: item.key,
        CopySource: `${options.bucket}/${item.key.split('/').map(encodeURIComponent).join('/')}`,
        CopySourceIfMatch: item.remoteEtag ? `"${item.remoteEtag}"` : undefined,
        MetadataDirective: 'REPLACE',
        ContentType: item.contentType,
        CacheControl: item.cacheControl,
        Metadata: item.metadata
      })
    );
    return unquote(copied.CopyObjectResult?.ETag);
  }
  if (file.size < options.multipartThreshold) {
    // The bytes hashed by the scan when it kept them; else read again and check they are the hashed ones.
    const body = file.body ?? (await readFile(file.absolutePath));
    const md5 = file.body ? Buffer.from(file.md5, 'hex') : createHash('md5').update(body).digest();
    if (md5.toString('hex') !== file.md5) {
      throw new Error('the file changed on disk after it was hashed; re-run once the build has finished');
    }
    return unquote(
      await put({
        bucket: options.bucket,
        key: item.key,
        body,
        contentMd5: md5.toString('base64'),
        contentType: item.contentType,
        cacheControl: item.cacheControl,
        metadata: item.metadata
      })
    );
  }
  const upload = new Upload({
    client: s3,
    partSize: options.partSize,
    queueSize: 4,
    leavePartsOnError: false,
    params: {
      Bucket: options.bucket,
      Key: item.key,
      Body: createReadStream(file.absolutePath),
      ContentType: item.contentType,
      CacheControl: item.cacheControl,
      Metadata: item.metadata
    }
  });
  let lastReported = 0;
  upload.on('httpUploadProgress', (p) => {
    const loaded = p.loaded ?? 0;
    if (loaded - lastReported >= 4 * options.partSize || loaded === file.size) {
      lastReported = loaded;
      reporter.info(`  ${item.relativePath}: ${mib(loaded)} of ${mib(file.size)} sent`);
    }
  });
  const done = await upload.done();
  return unquote('ETag' in done ? done.ETag : undefined);
}

function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '').toLowerCase();
}

/** Progress lines: one at each tenth of a wave's files (and at its end). */
class Progress {
  private count = 0;
  private bytes = 0;
  private nextTenth = 1;
  private readonly totalBytes: number;
  constructor(
    private readonly name: string,
    private readonly items: SyncItem[],
    private readonly reporter: Reporter
  ) {
    this.totalBytes = items.reduce((sum, i) => sum + (i.kind === 'upload' ? i.size : 0), 0);
    reporter.info(`${name}: ${items.length} to write (${mib(this.totalBytes)} to upload)`);
  }
  done(item: SyncItem): void {
    this.count++;
    if (item.kind === 'upload') this.bytes += item.size;
    if (this.count * 10 >= this.nextTenth * this.items.length) {
      while (this.count * 10 >= this.nextTenth * this.items.length) this.nextTenth++;
      this.reporter.info(
        `${this.name}: ${this.count}/${this.items.length} written, ${mib(this.bytes)} of ${mib(this.totalBytes)} uploaded`
      );
    }
  }
}

/** Bytes as `12.3 MiB` (or `512 B` under 1 KiB). */
export function mib(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Executes a {@link SyncPlan} in three waves: assets (uploads and header updates), then HTML entry points,
 * then deletes, each wave starting only when the previous one fully succeeded. Requests are retried by the
 * SDK's standard retry strategy (src/lib/aws.ts). What a failure leaves behind is said from what happened:
 * which objects were written, replaced, not attempted, and which entry points went live.
 */
import { readFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { CopyObjectCommand, DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { DeploymentError } from '../lib/errors.js';
import type { Reporter } from '../lib/reporter.js';
import { mapLimit } from './pool.js';
import { createPutObject, type PutObject } from './put-object.js';
import { requestFailure } from './request-failure.js';
import { replacesObject, type SyncItem, type SyncPlan } from './sync-plan.js';
import { mib } from './bytes.js';
import { unquote } from './remote-objects.js';

export { mib } from './bytes.js';

/** The three waves of a sync, in the order they run. */
export type Wave = 'assets' | 'entry-points' | 'deletes';
/** Every wave, in order. */
export const WAVES: readonly Wave[] = ['assets', 'entry-points', 'deletes'];

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
  /** The waves to run (in their fixed order); default all three. */
  waves?: readonly Wave[];
  /** Called before the deletes wave starts (a last check that may throw to stop it). */
  beforeDeletes?: () => Promise<void>;
}

/** What {@link executePlan} did: the writes and deletes that succeeded. */
export interface ExecuteOutcome {
  /** Relative path → ETag (unquoted, lower-case) S3 returned, for each object written (upload or header update). */
  written: ReadonlyMap<string, string>;
  /** Relative paths of the objects deleted. */
  deleted: readonly string[];
  /** The waves that ran to their end (a wave with nothing to do counts). */
  completed: readonly Wave[];
}

/**
 * Runs the plan's waves. PutObject (with Content-MD5, so S3 rejects corrupted bodies; see
 * {@link createPutObject} for the direct path) for small files, lib-storage `Upload`
 * (CreateMultipartUpload / UploadPart / CompleteMultipartUpload, aborted on failure) for large ones,
 * CopyObject onto itself with MetadataDirective REPLACE and CopySourceIfMatch for header-only changes,
 * DeleteObjects in batches of 1,000 for deletes.
 * API: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
 * @throws DeploymentError<ExecuteOutcome> when a request still fails after the SDK's retries: `result` is
 *   what had succeeded, `changed` and the message say what was written, replaced and deleted and what was
 *   not, naming S3 and the operation that failed. No later wave starts; requests in flight finish.
 */
export async function executePlan(
  s3: S3Client,
  plan: Pick<SyncPlan, 'assets' | 'entryPoints' | 'deletes'>,
  options: ExecuteOptions,
  reporter: Reporter
): Promise<ExecuteOutcome> {
  const waves = new Set(options.waves ?? WAVES);
  const put = createPutObject(s3, { direct: options.directPut ?? false }, reporter);
  const written = new Map<string, string>();
  const deleted: string[] = [];
  const completed: Wave[] = [];
  const outcome = (): ExecuteOutcome => ({ written, deleted, completed: [...completed] });

  const runWave = async (wave: 'assets' | 'entry-points', items: SyncItem[]): Promise<void> => {
    const progress = new Progress(waveName(wave), items, reporter);
    const failures: Array<{ item: SyncItem; message: string }> = [];
    try {
      await mapLimit(items, options.concurrency, async (item) => {
        try {
          written.set(item.relativePath, await writeItem(s3, put, item, options, reporter));
        } catch (error) {
          failures.push({ item, message: failureOf(item, options, error) });
          throw error;
        }
        progress.done(item);
      });
    } catch (error) {
      const message = waveFailureMessage(wave, plan, written, failures);
      throw new DeploymentError<ExecuteOutcome>(message, {
        result: outcome(),
        changed: changedSentences(plan, written, deleted),
        cause: error,
        details: { failures: failures.map((f) => f.message) }
      });
    }
    completed.push(wave);
  };

  if (waves.has('assets')) await runWave('assets', plan.assets);
  if (waves.has('entry-points')) await runWave('entry-points', plan.entryPoints);
  if (!waves.has('deletes')) return outcome();
  if (plan.deletes.length > 0 && options.beforeDeletes) {
    try {
      await options.beforeDeletes();
    } catch (error) {
      if (!(error instanceof DeploymentError)) throw error;
      throw new DeploymentError<ExecuteOutcome>(error.message, {
        result: outcome(),
        changed: changedSentences(plan, written, deleted),
        cause: error.cause ?? error
      });
    }
  }
  for (let i = 0; i < plan.deletes.length; i += 1000) {
    const batch = plan.deletes.slice(i, i + 1000);
    let errors;
    try {
      const response = await s3.send(
        new DeleteObjectsCommand({
          Bucket: options.bucket,
          Delete: { Objects: batch.map((item) => ({ Key: item.key })), Quiet: true }
        })
      );
      errors = response.Errors ?? [];
    } catch (error) {
      throw new DeploymentError<ExecuteOutcome>(
        `deletes: ${requestFailure('S3', 'DeleteObjects', `s3://${options.bucket} (${batch.length} keys)`, error)}. ` +
          `Every upload succeeded; ${deleted.length} of the ${plan.deletes.length} stale objects were deleted before the failure. Run again to retry the deletes.`,
        { result: outcome(), changed: changedSentences(plan, written, deleted), cause: error }
      );
    }
    const failed = new Set(errors.map((e) => e.Key));
    for (const item of batch) if (!failed.has(item.key)) deleted.push(item.relativePath);
    if (errors.length > 0) {
      throw new DeploymentError<ExecuteOutcome>(
        `deletes: ${errors.length} object(s) could not be deleted (${errors
          .slice(0, 5)
          .map((e) => `${e.Key}: ${e.Code} ${e.Message}`)
          .join(
            '; '
          )}). Every upload succeeded; ${deleted.length} of the ${plan.deletes.length} stale objects were deleted. Run again to retry the deletes.`,
        { result: outcome(), changed: changedSentences(plan, written, deleted) }
      );
    }
    reporter.info(`deleted ${deleted.length}/${plan.deletes.length} stale objects`);
  }
  completed.push('deletes');
  return outcome();
}

function waveName(wave: Wave): string {
  return wave === 'entry-points' ? 'HTML entry points' : wave;
}

/** `S3 PutObject s3://bucket/key: …`, naming the operation the step used. */
function failureOf(item: SyncItem, options: ExecuteOptions, error: unknown): string {
  const operation =
    item.kind === 'update-headers'
      ? 'CopyObject'
      : item.size >= options.multipartThreshold
        ? 'multipart upload (CreateMultipartUpload/UploadPart/CompleteMultipartUpload)'
        : 'PutObject';
  return requestFailure('S3', operation, `s3://${options.bucket}/${item.key}`, error);
}

/** Paths of `items`, at most `max`, `a, b and 3 more`. */
function listPaths(items: readonly SyncItem[], max = 10): string {
  if (items.length === 0) return 'none';
  const shown = items.slice(0, max).map((i) => i.relativePath);
  return items.length > max ? `${shown.join(', ')} and ${items.length - max} more` : shown.join(', ');
}

/**
 * The message of a wave that failed, from what happened: what was written and what was not, and (for the
 * entry points) which pages went live.
 */
export function waveFailureMessage(
  wave: 'assets' | 'entry-points',
  plan: Pick<SyncPlan, 'assets' | 'entryPoints' | 'deletes'>,
  written: ReadonlyMap<string, string>,
  failures: ReadonlyArray<{ item: SyncItem; message: string }>
): string {
  const items = wave === 'assets' ? plan.assets : plan.entryPoints;
  const failed = new Set(failures.map((f) => f.item));
  const done = items.filter((i) => written.has(i.relativePath));
  const notAttempted = items.filter((i) => !written.has(i.relativePath) && !failed.has(i));
  const head =
    `${waveName(wave)}: ${failures.length} of ${items.length} write(s) failed after retries (` +
    failures
      .slice(0, 5)
      .map((f) => f.message)
      .join('; ') +
    (failures.length > 5 ? `; and ${failures.length - 5} more` : '') +
    ').';
  if (wave === 'assets') {
    const replaced = done.filter((i) => replacesObject(i.why));
    const added = done.filter((i) => !replacesObject(i.why));
    const parts = [
      head,
      `Written before the failure: ${added.length} new object(s)` +
        (replaced.length > 0 ? ` and ${replaced.length} replaced in place (${listPaths(replaced)})` : '') +
        `; ${notAttempted.length} not attempted.`,
      `No HTML entry points were replaced and nothing was deleted; the site still serves the previous version` +
        (replaced.length > 0
          ? `, except that the replaced file(s) above already have their new content or headers.`
          : ', whose files are all still in place.'),
      'Run the deploy again to finish it.'
    ];
    return parts.join(' ');
  }
  const notLive = items.filter((i) => !written.has(i.relativePath));
  const describe = (i: SyncItem) => `${i.relativePath} (${failed.has(i) ? 'failed' : 'not attempted'})`;
  return [
    head,
    `Every asset is in place (${plan.assets.length} written).`,
    `HTML entry points live now with the new release: ${listPaths(done)}.`,
    `Not replaced, still the previous version: ${notLive.slice(0, 10).map(describe).join(', ')}${notLive.length > 10 ? ` and ${notLive.length - 10} more` : ''}.`,
    'Nothing was deleted. Run the deploy again to finish it.'
  ].join(' ');
}

/** What had changed in the bucket, one sentence each (DeploymentError.changed). */
function changedSentences(
  plan: Pick<SyncPlan, 'assets' | 'entryPoints' | 'deletes'>,
  written: ReadonlyMap<string, string>,
  deleted: readonly string[]
): string[] {
  const writes = [...plan.assets, ...plan.entryPoints].filter((i) => written.has(i.relativePath));
  const added = writes.filter((i) => !replacesObject(i.why));
  const replaced = writes.filter((i) => replacesObject(i.why));
  const out: string[] = [];
  if (added.length > 0) out.push(`uploaded ${added.length} new object(s): ${listPaths(added)}`);
  if (replaced.length > 0) out.push(`replaced ${replaced.length} object(s): ${listPaths(replaced)}`);
  if (deleted.length > 0) out.push(`deleted ${deleted.length} stale object(s)`);
  return out;
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
    if (items.length > 0)
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

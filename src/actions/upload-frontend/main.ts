/** The upload-frontend action: inputs → uploadFrontend → outputs + job summary. */
import { parseList } from '../../lib/lines.js';
import { uploadFrontend, uploadSummaryMarkdown } from '../../frontend/index.js';
import {
  booleanInput,
  coreReporter,
  numberInput,
  runAction,
  setOutputs,
  stringInput,
  writeSummary
} from '../runtime.js';

/** The inputs of actions/upload-frontend/action.yml. */
export interface Inputs {
  'source-dir': string;
  bucket: string;
  prefix: string;
  delete: boolean;
  'delete-grace-hours': number;
  'delete-max-percent': number;
  'cache-control': string;
  'entry-points': string[];
  concurrency: number;
  'multipart-threshold-mb': number;
  'check-headers': boolean;
  'dry-run': boolean;
  'aws-region': string;
}

/** Reads and checks the inputs (no AWS call). */
export function readInputs(): Inputs {
  return {
    'source-dir': stringInput('source-dir', true),
    bucket: stringInput('bucket', true),
    prefix: stringInput('prefix'),
    delete: booleanInput('delete', false),
    'delete-grace-hours': numberInput('delete-grace-hours', 24, 0, 24 * 365, false),
    'delete-max-percent': numberInput('delete-max-percent', 50, 0, 100, false),
    'cache-control': stringInput('cache-control') || 'spa',
    'entry-points': parseList(stringInput('entry-points') || '**/*.html'),
    concurrency: numberInput('concurrency', 16, 1, 64),
    'multipart-threshold-mb': numberInput('multipart-threshold-mb', 16, 5, 5120),
    'check-headers': booleanInput('check-headers', true),
    'dry-run': booleanInput('dry-run', false),
    'aws-region': stringInput('aws-region')
  };
}

/** Runs the upload-frontend action: reads INPUT_*, syncs the directory to S3, sets the count/bytes outputs and changed-paths, writes the job summary. */
export async function run(): Promise<void> {
  await runAction(async () => {
    const inputs = readInputs();
    const result = await uploadFrontend(
      {
        sourceDir: inputs['source-dir'],
        bucket: inputs.bucket,
        prefix: inputs.prefix,
        delete: inputs.delete,
        deleteGraceHours: inputs['delete-grace-hours'],
        deleteMaxPercent: inputs['delete-max-percent'],
        cacheControl: inputs['cache-control'],
        entryPoints: inputs['entry-points'],
        concurrency: inputs.concurrency,
        multipartThreshold: inputs['multipart-threshold-mb'] * 1024 * 1024,
        checkHeaders: inputs['check-headers'],
        dryRun: inputs['dry-run'],
        region: inputs['aws-region'] || undefined
      },
      coreReporter
    );
    setOutputs({
      'uploaded-count': result.uploaded.count,
      'uploaded-bytes': result.uploaded.bytes,
      'header-updated-count': result.headerUpdated.count,
      'header-updated-bytes': result.headerUpdated.bytes,
      'deleted-count': result.deleted.count,
      'deleted-bytes': result.deleted.bytes,
      'unchanged-count': result.unchanged.count,
      'unchanged-bytes': result.unchanged.bytes,
      'kept-count': result.kept.count,
      'changed-paths': result.changedPaths,
      'dry-run': result.dryRun
    });
    await writeSummary(uploadSummaryMarkdown(result));
  });
}

/**
 * The frontend library: content-addressed S3 sync (upload-frontend) and CloudFront invalidation
 * (invalidate-cdn). Used by the actions, the `twotier` CLI and the demo.
 */
export {
  applyUpload,
  planUpload,
  summaryLine,
  uploadFrontend,
  uploadResult,
  uploadSummaryMarkdown,
  writeUploadManifest
} from './upload.js';
export type {
  CountAndBytes,
  ManifestPlan,
  ManifestReport,
  PlannedStep,
  UploadApplied,
  UploadFrontendOptions,
  UploadPlan,
  UploadResult
} from './upload.js';
export {
  createPlannedInvalidation,
  invalidateCdn,
  invalidationSummaryMarkdown,
  planInvalidate,
  waitForPlannedInvalidation
} from './invalidate.js';
export type {
  CreatedInvalidation,
  InvalidateCdnOptions,
  InvalidationResult,
  PlannedInvalidation
} from './invalidate.js';
export { parseCacheControlRules, cacheControlFor, SPA_PRESET } from './cache-control.js';
export { contentTypeFor } from './content-type.js';
export { planInvalidation } from './invalidation-plan.js';
export { callerReference, isCompleted } from './invalidation-client.js';
export type { SyncReason } from './sync-plan.js';
export type { Wave } from './upload-executor.js';

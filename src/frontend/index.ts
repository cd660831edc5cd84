/**
 * The frontend library: content-addressed S3 sync (upload-frontend) and CloudFront invalidation
 * (invalidate-cdn). Used by the actions, the `twotier` CLI and the demo.
 */
export { uploadFrontend, uploadSummaryMarkdown } from './upload.js';
export type { UploadFrontendOptions, UploadResult, PlannedStep, CountAndBytes } from './upload.js';
export { invalidateCdn, invalidationSummaryMarkdown } from './invalidate.js';
export type { InvalidateCdnOptions, InvalidationResult } from './invalidate.js';
export { parseCacheControlRules, cacheControlFor, SPA_PRESET } from './cache-control.js';
export { contentTypeFor } from './content-type.js';
export { planInvalidation } from './invalidation-plan.js';
export { callerReference, isCompleted } from './invalidation-client.js';

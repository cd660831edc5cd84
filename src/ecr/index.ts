/** The ECR part of the library: image tags and skip-if-exists. */
export * from './image-tag.js';

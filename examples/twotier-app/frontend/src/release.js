/**
 * The release this build belongs to: VITE_APP_RELEASE at build time (for example a commit SHA), else 'dev'.
 * Vite writes the value into every chunk that uses it, so two releases get different chunk names.
 */
export const release = import.meta.env.VITE_APP_RELEASE || 'dev';

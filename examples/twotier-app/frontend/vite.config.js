import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// API_PROXY: where `npm run dev` forwards /api/ (the Flask API or the Nginx web tier running locally).
const apiProxy = process.env.API_PROXY ?? 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [vue()],
  build: {
    // Vite's defaults, spelled out because the frontend deploy relies on them: content-hashed files under
    // assets/ (cached for a year, never invalidated) and index.html plus public/ files at the root (short
    // cache, invalidated on every deploy).
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: false
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': apiProxy }
  },
  preview: { host: '127.0.0.1' },
  test: {
    environment: 'happy-dom',
    include: ['tests/**/*.test.js']
  }
});

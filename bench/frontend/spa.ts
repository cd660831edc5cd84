/**
 * The benchmarks' input: a generated tree shaped like a Vite SPA build (deterministic, so every run and
 * every tool gets the same bytes).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A tree shaped like a Vite SPA build: index.html and a few nested HTML pages, content-hashed JS chunks
 * (most files, small), CSS, images and fonts under assets/ (fewer, larger), and unhashed public files.
 * Sizes are scaled so the total is about `mb` MiB.
 */
export function generateSpa(dir: string, files: number, mb: number): void {
  const rand = rng(42);
  const hash = () =>
    Math.floor(rand() * 2 ** 40)
      .toString(36)
      .padStart(8, '0')
      .slice(0, 8);
  const kinds: Array<{ ext: string; share: number; weight: number }> = [
    { ext: 'js', share: 0.72, weight: 1 },
    { ext: 'css', share: 0.1, weight: 0.6 },
    { ext: 'png', share: 0.1, weight: 6 },
    { ext: 'svg', share: 0.05, weight: 0.4 },
    { ext: 'woff2', share: 0.03, weight: 3 }
  ];
  const plan: Array<{ rel: string; weight: number }> = [];
  const assets = files - 8;
  for (const kind of kinds) {
    const n = Math.round(assets * kind.share);
    for (let i = 0; i < n; i++) {
      plan.push({
        rel: `assets/chunk${plan.length}-${hash()}.${kind.ext}`,
        weight: kind.weight * (0.2 + rand() * rand() * 4)
      });
    }
  }
  const totalWeight = plan.reduce((s, p) => s + p.weight, 0);
  const budget = mb * 1024 * 1024;
  for (const p of plan) {
    const size = Math.max(200, Math.round((p.weight / totalWeight) * budget));
    const body = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4) body.writeUInt32LE((rand() * 2 ** 32) >>> 0, Math.min(i, size - 4));
    write(dir, p.rel, body);
  }
  write(dir, 'index.html', `<!doctype html><script type="module" src="/${plan[0]?.rel}"></script>`);
  for (const page of ['about/index.html', 'docs/index.html', 'docs/api/index.html'])
    write(dir, page, `<!doctype html><p>${page}</p>`);
  write(dir, 'favicon.ico', Buffer.alloc(4286, 1));
  write(dir, 'robots.txt', 'User-agent: *\nAllow: /\n');
  write(dir, 'manifest.webmanifest', '{"name":"bench"}');
  write(dir, 'og-image.png', Buffer.alloc(120000, 3));
}

export function write(dir: string, rel: string, content: string | Buffer): void {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), content);
}

export function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

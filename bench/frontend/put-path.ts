/**
 * Does the hand-built PutObject path (src/frontend/put-object.ts) still pay when requests take as long
 * as they do against S3? The first deploy of the generated 2,000-file tree, through the latency proxy
 * (default 20 ms per request) and the recording proxy, with the library's two ways of sending small files:
 *   - direct: uploadFrontend builds its own S3 client, so small files go through the direct path;
 *   - sdk:    the same client configuration passed in as `s3`, which the library sends through
 *             `PutObjectCommand` only (it never bypasses the middleware of a client it was given).
 * Each deploy runs in a child process of its own (`node --import tsx`), timed around uploadFrontend alone
 * (start-up excluded), on a fresh bucket; variants alternate and the order flips every round.
 *
 *   npx tsx bench/frontend/put-path.ts [--files 2000] [--mb 50] [--concurrency 16] [--repeat 6]
 *                                      [--latency-ms 20] [--server gofakes3|moto]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { uploadFrontend } from '../../src/frontend/index.js';
import { clientConfig } from '../../src/lib/aws.js';
import { MemoryReporter } from '../../src/lib/reporter.js';
import { startMoto } from '../../src/local/moto.js';
import { startFaultProxy } from '../../test/helpers/fault-proxy.js';
import { startLatencyProxy } from '../../test/helpers/latency-proxy.js';
import { generateSpa } from './spa.js';
import { deleteBucket, freePort, median } from '../shared.js';

const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), '..', '..');
const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};

type Variant = 'direct' | 'sdk';

/** The child: one deploy, timed around uploadFrontend; prints one JSON line. */
async function child(variant: Variant, dir: string, bucket: string, endpoint: string, concurrency: number) {
  const s3 =
    variant === 'sdk'
      ? new S3Client({
          ...clientConfig('S3', { region: 'us-east-1', endpoint }),
          // The options uploadFrontend gives the client it builds (src/frontend/upload.ts).
          requestChecksumCalculation: 'WHEN_REQUIRED',
          cacheMiddleware: true
        })
      : undefined;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await uploadFrontend(
    { sourceDir: dir, bucket, region: 'us-east-1', endpoint, concurrency, s3 },
    new MemoryReporter()
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  console.log(
    JSON.stringify({
      variant,
      seconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      uploaded: result.uploaded.count
    })
  );
  s3?.destroy();
}

function runChild(variant: Variant, dir: string, bucket: string, endpoint: string, concurrency: number) {
  return new Promise<{ seconds: number; cpuSeconds: number; uploaded: number }>((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', here, '--child', variant, dir, bucket, endpoint, String(concurrency)],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/tmp',
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
          AWS_REGION: 'us-east-1'
        }
      }
    );
    let out = '';
    let err = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
    proc.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{'))
        return reject(new Error(`child ${variant} exit ${code}: ${err}`));
      resolve(JSON.parse(line));
    });
  });
}

async function main(): Promise<void> {
  const files = arg('files', 2000);
  const mb = arg('mb', 50);
  const concurrency = arg('concurrency', 16);
  const repeat = Math.max(1, arg('repeat', 6));
  const latencyMs = arg('latency-ms', 20);
  const useMoto = args.includes('--server') && args[args.indexOf('--server') + 1] === 'moto';
  const gofakes3 = path.join(root, '.tools', 'bin', 'gofakes3');
  let server: { name: string; endpoint: string; stop(): Promise<void> };
  if (!useMoto && existsSync(gofakes3)) {
    const port = await freePort();
    const proc = spawn(gofakes3, ['-backend', 'memory', '-host', `127.0.0.1:${port}`], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      try {
        await fetch(`http://127.0.0.1:${port}/`);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    server = {
      name: 'gofakes3',
      endpoint: `http://127.0.0.1:${port}`,
      stop: async () => void proc.kill('SIGTERM')
    };
  } else {
    const moto = await startMoto();
    server = { name: 'moto', endpoint: moto.endpoint, stop: () => moto.stop() };
  }
  const recorder = await startFaultProxy({ target: server.endpoint, lifetimeMs: 60 * 60000 });
  const latency = await startLatencyProxy({
    target: recorder.endpoint,
    delayMs: latencyMs,
    lifetimeMs: 60 * 60000
  });
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });
  const work = mkdtempSync(path.join(tmpdir(), 'bench-put-path-'));
  const runs: Record<Variant, Array<{ seconds: number; cpuSeconds: number }>> = { direct: [], sdk: [] };
  const viaSdk: Record<Variant, number> = { direct: 0, sdk: 0 };
  try {
    const dir = path.join(work, 'site');
    generateSpa(dir, files, mb);
    console.log(
      `${server.name}; ${files} files / ${mb} MiB; ${latencyMs} ms added per request; concurrency ${concurrency}; ` +
        `${repeat} rounds, variants alternating, order flipped each round`
    );
    let n = 0;
    for (let round = 0; round < repeat; round++) {
      const order: Variant[] = round % 2 ? ['sdk', 'direct'] : ['direct', 'sdk'];
      for (const variant of order) {
        const bucket = `putpath-${process.pid}-${++n}`;
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
        recorder.clear();
        const r = await runChild(variant, dir, bucket, latency.endpoint, concurrency);
        const puts = recorder.requests.filter((q) => q.operation === 'PutObject');
        if (round === 0) viaSdk[variant] = puts.filter((q) => q.viaSdk).length / Math.max(1, puts.length);
        runs[variant].push(r);
        console.log(
          `round ${round + 1} ${variant}: ${r.seconds.toFixed(2)} s, ${r.cpuSeconds.toFixed(2)} s CPU`
        );
        await deleteBucket(s3, bucket);
      }
    }
    console.log('\n| variant | wall s (median) | min–max | CPU s (median) | PutObject via the SDK |');
    console.log('|---|---|---|---|---|');
    for (const variant of ['direct', 'sdk'] as const) {
      const wall = runs[variant].map((r) => r.seconds);
      const cpu = runs[variant].map((r) => r.cpuSeconds);
      console.log(
        `| ${variant === 'direct' ? 'direct PutObject (put-object.ts)' : 'PutObjectCommand only'} | ${median(wall).toFixed(2)} | ` +
          `${Math.min(...wall).toFixed(2)}–${Math.max(...wall).toFixed(2)} | ${median(cpu).toFixed(2)} | ${(viaSdk[variant] * 100).toFixed(0)} % |`
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    s3.destroy();
    await latency.stop();
    await recorder.stop();
    await server.stop();
  }
}

if (args[0] === '--child') {
  await child(args[1] as Variant, args[2] as string, args[3] as string, args[4] as string, Number(args[5]));
} else {
  await main();
}

/**
 * Frontend sync benchmark: this toolkit's upload-frontend bundle, `aws s3 sync` and `rclone sync --checksum`
 * on the same local S3 server and the same input, each tool's requests counted by the same recording proxy
 * (test/helpers/fault-proxy.ts, no faults). Scenarios: first deploy into an empty bucket, an identical
 * fresh rebuild (same bytes, new mtimes), and a one-file change.
 *
 *   npx tsx bench/frontend/run.ts [--files 2000] [--mb 50] [--concurrency 16] [--repeat 4] [--server gofakes3|moto]
 *                                 [--latency-ms 20] [--first-deploy-only] [--only <tool name part>]
 *
 * `--latency-ms N` puts a latency proxy (test/helpers/latency-proxy.ts) in front of the recording proxy:
 * every request of every tool waits N ms more, as against real S3 (tens of milliseconds) rather than the
 * loopback's microseconds. `--first-deploy-only` runs only the first deploy of each round.
 *
 * Every tool runs the three scenarios `--repeat` times, the order of the tools rotated each round and reversed
 * every other round (wall times here depend on which tool ran just before, by up to 20 %), each tool's bucket
 * deleted after its scenarios (the in-memory server's heap stays flat), and the table shows the median wall
 * time with the range; request counts and bytes are those of the first round (a note says when
 * another round differed).
 *
 * Needs: gofakes3 in .tools/bin (GOBIN=.tools/bin go install github.com/johannesboyne/gofakes3/cmd/gofakes3@latest),
 * else moto from .venv; awscli and rclone (apt-get install -y awscli rclone), else their rows are skipped
 * with a note. Not part of the test suite.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startMoto } from '../../src/local/moto.js';
import { startFaultProxy, type FaultProxy } from '../../test/helpers/fault-proxy.js';
import { startLatencyProxy, type LatencyProxy } from '../../test/helpers/latency-proxy.js';
import { node24Path } from '../../test/helpers/node24.js';
import { generateSpa, walk } from './spa.js';
import { deleteBucket, exec, freePort, median } from '../shared.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const FILES = arg('files', 2000);
const MB = arg('mb', 50);
const CONCURRENCY = arg('concurrency', 16);
const REPEAT = Math.max(1, arg('repeat', 4));
const SERVER = args.includes('--server') ? args[args.indexOf('--server') + 1] : 'gofakes3';
const LATENCY_MS = arg('latency-ms', 0);
const FIRST_ONLY = args.includes('--first-deploy-only');
/** `--only <substring>`: run only the tools whose name contains it (repeatable). */
const ONLY = args.flatMap((a, i) => (a === '--only' && args[i + 1] ? [args[i + 1] as string] : []));

/** Same bytes, new mtimes: what a fresh CI build of unchanged sources looks like to a sync tool. */
function touchAll(dir: string): void {
  const later = new Date(Date.now() + 3600_000);
  for (const file of walk(dir)) utimesSync(file, later, later);
}

interface S3Server {
  name: string;
  endpoint: string;
  stop(): Promise<void>;
}

async function startS3(): Promise<S3Server> {
  const gofakes3 = path.join(root, '.tools', 'bin', 'gofakes3');
  if (SERVER !== 'moto' && existsSync(gofakes3)) {
    const port = await freePort();
    const child = spawn(gofakes3, ['-backend', 'memory', '-host', `127.0.0.1:${port}`], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      try {
        await fetch(`http://127.0.0.1:${port}/`);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return {
      name: 'gofakes3 (Go, in-memory backend)',
      endpoint: `http://127.0.0.1:${port}`,
      stop: async () => {
        child.kill('SIGTERM');
      }
    };
  }
  console.log(
    'note: .tools/bin/gofakes3 not found, using moto (slower; install gofakes3 for figures not bound by the server)'
  );
  const moto = await startMoto();
  return { name: 'moto server', endpoint: moto.endpoint, stop: () => moto.stop() };
}

interface Measure {
  tool: string;
  scenario: string;
  ok: boolean;
  /** Median wall time over the rounds. */
  seconds: number;
  /** Every round's wall time. */
  runs: number[];
  counts: Record<string, number>;
  bytes: number;
  note?: string;
}

type Tool = {
  name: string;
  available: boolean;
  missing?: string;
  run: (dir: string, bucket: string, endpoint: string) => Promise<{ code: number; out: string }>;
};

function tools(): Tool[] {
  const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  const awsBin = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';
  const awsConfig = path.join(mkdtempSync(path.join(tmpdir(), 'bench-aws-')), 'config');
  writeFileSync(
    awsConfig,
    `[default]\nregion = us-east-1\ns3 =\n  max_concurrent_requests = ${CONCURRENCY}\n`
  );
  return [
    {
      name: 'twotier upload-frontend',
      available: existsSync(path.join(root, 'dist', 'upload-frontend', 'index.js')) && existsSync(node24Path),
      missing:
        'dist/upload-frontend/index.js (npm run bundle -- upload-frontend) and Node 24 (bash scripts/setup.sh)',
      run: (dir, bucket, endpoint) =>
        exec(node24Path, [path.join(root, 'dist', 'upload-frontend', 'index.js')], {
          AWS_ENDPOINT_URL: endpoint,
          'INPUT_SOURCE-DIR': dir,
          INPUT_BUCKET: bucket,
          INPUT_CONCURRENCY: String(CONCURRENCY)
        })
    },
    {
      name: 'twotier, check-headers: false',
      available: existsSync(path.join(root, 'dist', 'upload-frontend', 'index.js')) && existsSync(node24Path),
      missing:
        'dist/upload-frontend/index.js (npm run bundle -- upload-frontend) and Node 24 (bash scripts/setup.sh)',
      run: (dir, bucket, endpoint) =>
        exec(node24Path, [path.join(root, 'dist', 'upload-frontend', 'index.js')], {
          AWS_ENDPOINT_URL: endpoint,
          'INPUT_SOURCE-DIR': dir,
          INPUT_BUCKET: bucket,
          INPUT_CONCURRENCY: String(CONCURRENCY),
          'INPUT_CHECK-HEADERS': 'false'
        })
    },
    {
      name: 'aws s3 sync',
      available: has(awsBin),
      missing: 'awscli (apt-get update && apt-get install -y awscli)',
      run: (dir, bucket, endpoint) =>
        exec(
          awsBin,
          [
            's3',
            'sync',
            dir,
            `s3://${bucket}`,
            '--endpoint-url',
            endpoint,
            '--no-progress',
            '--only-show-errors'
          ],
          {
            AWS_CONFIG_FILE: awsConfig
          }
        )
    },
    {
      name: 'rclone sync --checksum',
      available: has('rclone'),
      missing: 'rclone (apt-get update && apt-get install -y rclone)',
      run: (dir, bucket, endpoint) =>
        exec(
          'rclone',
          [
            'sync',
            '--checksum',
            '--transfers',
            String(CONCURRENCY),
            '--checkers',
            String(CONCURRENCY),
            dir,
            `bench:${bucket}`
          ],
          {
            RCLONE_CONFIG_BENCH_TYPE: 's3',
            RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
            RCLONE_CONFIG_BENCH_ENDPOINT: endpoint,
            RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: 'testing',
            RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: 'testing',
            RCLONE_CONFIG_BENCH_REGION: 'us-east-1',
            RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
            RCLONE_CONFIG_BENCH_NO_CHECK_BUCKET: 'true'
          }
        )
    }
  ];
}

async function measure(
  tool: Tool,
  scenario: string,
  dir: string,
  bucket: string,
  proxy: FaultProxy,
  latency: LatencyProxy | undefined
): Promise<Measure> {
  proxy.clear();
  const started = performance.now();
  const result = await tool.run(dir, bucket, latency?.endpoint ?? proxy.endpoint);
  const seconds = (performance.now() - started) / 1000;
  const bytes = proxy.requests.reduce((s, r) => s + r.bytes, 0);
  const failed = proxy.requests.filter((r) => r.status >= 400 && r.operation !== 'HeadObject').length;
  return {
    tool: tool.name,
    scenario,
    ok: result.code === 0,
    seconds,
    runs: [seconds],
    counts: proxy.counts(),
    bytes,
    note:
      result.code === 0
        ? failed
          ? `${failed} error responses`
          : undefined
        : `exit ${result.code}: ${result.out.trim().split('\n').slice(-2).join(' ')}`
  };
}

const KINDS = [
  'PutObject',
  'CopyObject',
  'UploadPart',
  'HeadObject',
  'GetObject',
  'ListObjectsV2',
  'ListObjects',
  'DeleteObjects',
  'DeleteObject'
];

function table(title: string, rows: Measure[]): void {
  console.log(`\n${title}`);
  const header = [
    'scenario',
    'tool',
    'wall s',
    'min–max',
    'requests',
    'PUT',
    'Copy',
    'HEAD',
    'List',
    'other',
    'MiB sent',
    'note'
  ];
  const lines = rows.map((m) => {
    const c = m.counts;
    const total = Object.values(c).reduce((s, n) => s + n, 0);
    const list = (c['ListObjectsV2'] ?? 0) + (c['ListObjects'] ?? 0);
    const known = (c['PutObject'] ?? 0) + (c['CopyObject'] ?? 0) + (c['HeadObject'] ?? 0) + list;
    return [
      m.scenario,
      m.tool,
      m.seconds.toFixed(2),
      `${Math.min(...m.runs).toFixed(2)}–${Math.max(...m.runs).toFixed(2)}`,
      String(total),
      String(c['PutObject'] ?? 0),
      String(c['CopyObject'] ?? 0),
      String(c['HeadObject'] ?? 0),
      String(list),
      String(total - known) +
        (total - known
          ? ` (${Object.entries(c)
              .filter(
                ([k]) =>
                  !['PutObject', 'CopyObject', 'HeadObject', 'ListObjectsV2', 'ListObjects'].includes(k)
              )
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')})`
          : ''),
      (m.bytes / 1024 / 1024).toFixed(2),
      m.ok ? (m.note ?? '') : `FAILED ${m.note ?? ''}`
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(fmt(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(fmt(l));
  void KINDS;
}

async function main(): Promise<void> {
  const server = await startS3();
  const proxy = await startFaultProxy({ target: server.endpoint, lifetimeMs: 60 * 60000 });
  const latency =
    LATENCY_MS > 0
      ? await startLatencyProxy({ target: proxy.endpoint, delayMs: LATENCY_MS, lifetimeMs: 60 * 60000 })
      : undefined;
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });
  const work = mkdtempSync(path.join(tmpdir(), 'bench-frontend-'));
  try {
    const inputs: Array<{ name: string; dir: string; changeFile: string }> = [];
    const generated = path.join(work, 'generated');
    generateSpa(generated, FILES, MB);
    const genFiles = walk(generated);
    const genBytes = genFiles.reduce((s, f) => s + statSync(f).size, 0);
    inputs.push({
      name: `generated SPA (${genFiles.length} files, ${(genBytes / 1024 / 1024).toFixed(1)} MiB)`,
      dir: generated,
      changeFile: 'robots.txt'
    });
    const example = path.join(root, 'examples', 'twotier-app', 'frontend', 'dist');
    if (existsSync(example)) {
      const copy = path.join(work, 'example');
      cpSync(example, copy, { recursive: true });
      const files = walk(copy);
      inputs.push({
        name: `examples/twotier-app/frontend/dist (${files.length} files, ${(files.reduce((s, f) => s + statSync(f).size, 0) / 1024).toFixed(1)} KiB)`,
        dir: copy,
        changeFile: 'robots.txt'
      });
    } else {
      console.log('note: examples/twotier-app/frontend/dist not built; only the generated tree is measured');
    }
    const all = tools().filter((t) => ONLY.length === 0 || ONLY.some((o) => t.name.includes(o)));
    console.log(
      `S3 server: ${server.name}; requests counted by the recording proxy; concurrency ${CONCURRENCY} for every tool; ` +
        `${REPEAT} round(s), tool order rotated each round, median wall time` +
        (LATENCY_MS > 0 ? `; ${LATENCY_MS} ms added to every request by the latency proxy` : '')
    );
    for (const t of all.filter((t) => !t.available))
      console.log(`MISSING: ${t.name}: install ${t.missing}; its rows are skipped`);
    let bucketN = 0;
    const scenarios = ['first deploy', 'identical rebuild', 'one-file change'];
    const available = all.filter((t) => t.available);
    for (const input of inputs) {
      const byKey = new Map<string, Measure>();
      const record = (m: Measure): void => {
        const key = `${m.tool}|${m.scenario}`;
        const first = byKey.get(key);
        if (!first) return void byKey.set(key, m);
        first.runs.push(m.seconds);
        first.ok &&= m.ok;
        if (JSON.stringify(m.counts) !== JSON.stringify(first.counts) || m.bytes !== first.bytes) {
          first.note = `${first.note ?? ''} requests differ in another round`.trim();
        }
        if (!m.ok) first.note = m.note;
      };
      for (let round = 0; round < REPEAT; round++) {
        // Rotated, and reversed every other round, so no tool always runs first or after the same tool.
        const rotated = [
          ...available.slice(round % available.length),
          ...available.slice(0, round % available.length)
        ];
        const order = round % 2 ? rotated.reverse() : rotated;
        for (const tool of order) {
          const dir = path.join(work, `run-${bucketN}`);
          cpSync(input.dir, dir, { recursive: true });
          const bucket = `bench-${process.pid}-${++bucketN}`;
          await s3.send(new CreateBucketCommand({ Bucket: bucket }));
          record(await measure(tool, scenarios[0] as string, dir, bucket, proxy, latency));
          if (!FIRST_ONLY) {
            touchAll(dir);
            record(await measure(tool, scenarios[1] as string, dir, bucket, proxy, latency));
            writeFileSync(path.join(dir, input.changeFile), `changed ${Date.now()}\n`);
            record(await measure(tool, scenarios[2] as string, dir, bucket, proxy, latency));
          }
          rmSync(dir, { recursive: true, force: true });
          // Keep the in-memory server's heap flat: later runs must not pay for earlier tools' objects.
          await deleteBucket(s3, bucket);
        }
      }
      const rows = scenarios.flatMap((scenario) =>
        available.flatMap((tool) => {
          const m = byKey.get(`${tool.name}|${scenario}`);
          return m ? [{ ...m, seconds: median(m.runs) }] : [];
        })
      );
      table(`Input: ${input.name}`, rows);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    s3.destroy();
    await latency?.stop();
    await proxy.stop();
    await server.stop();
  }
}

await main();

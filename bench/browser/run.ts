/**
 * Broken page loads during a deploy: the example app, release 1 in the bucket, loaded in headless Chromium
 * through the local CloudFront-like origin (src/local/cdn.ts) again and again while release 2 is deployed,
 * once by this toolkit's upload-frontend bundle (delete on, the action's defaults) and once by
 * `aws s3 sync --delete`. The loop is the browser test's (test/helpers/page-loads.ts): loads in new browser
 * contexts, loads in one context whose cache holds what it saw, and tabs opened on release 1 before the
 * deploy that follow a link after it.
 *
 * Both tools deploy through the same latency proxy (`--latency-ms` per request, default 150) at the same
 * concurrency (`--concurrency`, default 4; aws via max_concurrent_requests), so a deploy of the app's six
 * files takes long enough for loads to overlap it; the origin reads S3 through `--origin-latency-ms`
 * (default 20). Every round starts from the same state (release 1 deployed by upload-frontend, so its
 * objects carry the same Cache-Control) on a new bucket and a new CDN; tools alternate, order flipped each
 * round. `--edge-cache on|off|both` (default both): one shared edge location, or one that has nothing
 * cached (a visitor routed to a location that never served the old chunks).
 *
 *   npx tsx bench/browser/run.ts [--rounds 3] [--latency-ms 150] [--origin-latency-ms 20] [--concurrency 4]
 *                                [--dwell-ms 300] [--edge-cache both]
 *
 * Needs /usr/bin/chromium (apt-get install chromium), awscli (apt-get install awscli) and a built
 * dist/upload-frontend bundle. Not part of the test suite.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startLocalCdn } from '../../src/local/cdn.js';
import { projectRoot, startMoto } from '../../src/local/moto.js';
import { runActionBundle } from '../../test/helpers/action.js';
import { startLatencyProxy } from '../../test/helpers/latency-proxy.js';
import {
  buildRelease,
  chromiumStatus,
  launchChromium,
  loadLoop,
  newAppContext,
  openTab,
  pause,
  removeBuild,
  type LoadResult,
  type OpenTab
} from '../../test/helpers/page-loads.js';
import { CREDS, deleteBucket, exec } from '../shared.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROUNDS = Math.max(1, arg('rounds', 3));
const LATENCY_MS = arg('latency-ms', 150);
const ORIGIN_LATENCY_MS = arg('origin-latency-ms', 20);
const CONCURRENCY = arg('concurrency', 4);
const DWELL_MS = arg('dwell-ms', 300);
const EDGE = args.includes('--edge-cache') ? args[args.indexOf('--edge-cache') + 1] : 'both';
const AWS = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';

type ToolName = 'twotier upload-frontend' | 'aws s3 sync --delete';

interface Row {
  tool: ToolName;
  edge: 'on' | 'off';
  loads: LoadResult[];
  deploySeconds: number[];
  failures: string[];
}

async function twotier(
  dir: string,
  bucket: string,
  endpoint: string
): Promise<{ code: number; out: string }> {
  const run = await runActionBundle(
    'upload-frontend',
    { 'source-dir': dir, bucket, delete: 'true', concurrency: String(CONCURRENCY) },
    { ...CREDS, AWS_ENDPOINT_URL: endpoint }
  );
  return { code: run.code, out: run.stderr + run.stdout };
}

async function main(): Promise<void> {
  const chromium = chromiumStatus();
  if (!chromium.ok) throw new Error(chromium.reason);
  if (!existsSync(path.join(projectRoot, 'dist', 'upload-frontend', 'index.js')))
    throw new Error('dist/upload-frontend/index.js is missing: npm run build && npm run bundle');
  const awsConfig = path.join(mkdtempSync(path.join(tmpdir(), 'bench-browser-aws-')), 'config');
  writeFileSync(
    awsConfig,
    `[default]\nregion = us-east-1\ns3 =\n  max_concurrent_requests = ${CONCURRENCY}\n`
  );
  const awsSync = (dir: string, bucket: string, endpoint: string) =>
    exec(
      AWS,
      [
        's3',
        'sync',
        dir,
        `s3://${bucket}`,
        '--delete',
        '--endpoint-url',
        endpoint,
        '--no-progress',
        '--only-show-errors'
      ],
      {
        AWS_CONFIG_FILE: awsConfig
      }
    );
  const tools: Array<{ name: ToolName; deploy: typeof awsSync }> = [
    { name: 'twotier upload-frontend', deploy: twotier },
    { name: 'aws s3 sync --delete', deploy: awsSync }
  ];
  const edges: Array<'on' | 'off'> = EDGE === 'both' ? ['on', 'off'] : [EDGE === 'off' ? 'off' : 'on'];

  const release1 = buildRelease('r1');
  const release2 = buildRelease('r2');
  const moto = await startMoto();
  const deployProxy = await startLatencyProxy({ target: moto.endpoint, delayMs: LATENCY_MS });
  const originProxy = await startLatencyProxy({ target: moto.endpoint, delayMs: ORIGIN_LATENCY_MS });
  const admin = new S3Client({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });
  const origin = new S3Client({
    region: 'us-east-1',
    endpoint: originProxy.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });
  const browser = await launchChromium();
  const rows = new Map<string, Row>();
  console.log(
    `moto; deploys through ${LATENCY_MS} ms per request at concurrency ${CONCURRENCY}; origin reads ${ORIGIN_LATENCY_MS} ms; ` +
      `${ROUNDS} round(s) per tool and edge setting; dwell ${DWELL_MS} ms`
  );
  let n = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? [...tools].reverse() : tools;
      for (const edge of edges) {
        for (const tool of order) {
          const key = `${tool.name}|${edge}`;
          const row = rows.get(key) ?? { tool: tool.name, edge, loads: [], deploySeconds: [], failures: [] };
          rows.set(key, row);
          const bucket = `bench-browser-${process.pid}-${++n}`;
          await admin.send(new CreateBucketCommand({ Bucket: bucket }));
          const setup = await twotier(release1, bucket, moto.endpoint);
          if (setup.code !== 0) throw new Error(`release 1 did not deploy: ${setup.out}`);
          const cdn = await startLocalCdn({
            s3: origin,
            bucket,
            edgeCache: edge === 'on',
            lifetimeMs: 10 * 60000
          });
          try {
            const held: OpenTab[] = [];
            for (let i = 0; i < 2; i++)
              held.push(await openTab(await newAppContext(browser), cdn.endpoint, '/', 'held', true));
            let stopAt = Number.POSITIVE_INFINITY;
            const loads = loadLoop(browser, cdn.endpoint, () => performance.now() >= stopAt, DWELL_MS);
            await pause(1500);
            const started = performance.now();
            const result = await tool.deploy(release2, bucket, deployProxy.endpoint);
            const ended = performance.now();
            if (result.code !== 0)
              row.failures.push(
                `deploy exit ${result.code}: ${result.out.trim().split('\n').slice(-2).join(' ')}`
              );
            row.deploySeconds.push((ended - started) / 1000);
            stopAt = ended + 2500;
            const results = await loads;
            for (const tab of held) results.push(await tab.finish());
            row.loads.push(...results);
            const broken = results.filter((r) => !r.ok).length;
            console.log(
              `round ${round + 1} ${tool.name}, edge cache ${edge}: deploy ${((ended - started) / 1000).toFixed(2)} s, ` +
                `${results.length} loads, ${broken} broken`
            );
          } finally {
            await cdn.stop();
            await deleteBucket(admin, bucket);
          }
        }
      }
    }
  } finally {
    await browser.close();
    admin.destroy();
    origin.destroy();
    await deployProxy.stop();
    await originProxy.stop();
    await moto.stop();
    removeBuild(release1);
    removeBuild(release2);
  }

  console.log(
    '\n| tool | edge cache | loads | broken | new context | shared cache | held tab | deploy s (median) |'
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows.values()) {
    const count = (mode?: LoadResult['mode']) => {
      const of = row.loads.filter((l) => !mode || l.mode === mode);
      return `${of.filter((l) => !l.ok).length}/${of.length}`;
    };
    const sorted = [...row.deploySeconds].sort((a, b) => a - b);
    console.log(
      `| ${row.tool} | ${row.edge} | ${row.loads.length} | ${row.loads.filter((l) => !l.ok).length} | ${count('fresh')} | ` +
        `${count('cached')} | ${count('held')} | ${(sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(2)} |`
    );
  }
  for (const edge of edges) {
    const broken = (tool: ToolName) => rows.get(`${tool}|${edge}`)?.loads.filter((l) => !l.ok).length ?? 0;
    console.log(
      `\nbroken page loads during a deploy (edge cache ${edge}): twotier ${broken('twotier upload-frontend')}, ` +
        `aws s3 sync ${broken('aws s3 sync --delete')}`
    );
  }
  for (const row of rows.values()) {
    for (const f of row.failures) console.log(`note: ${row.tool}: ${f}`);
    const problems = new Map<string, number>();
    for (const l of row.loads.filter((x) => !x.ok)) {
      const first = (l.problems[0] ?? '').replace(/-[\w-]{8}\.(js|css)/g, '-<hash>.$1');
      problems.set(`${l.mode}: ${first}`, (problems.get(`${l.mode}: ${first}`) ?? 0) + 1);
    }
    for (const [p, c] of problems) console.log(`  ${row.tool}, edge ${row.edge}: ${c} × ${p}`);
  }
}

await main();

/**
 * Deploy time of one release of both tiers, in the two orders:
 *
 *   sequential  backend rollout (deploy-service, waited to COMPLETED), then the whole frontend upload
 *               (upload-frontend `phase: all`, delete on)
 *   overlapped  the frontend's stage (upload-frontend `phase: stage`) while the backend rolls out, then
 *               publish (`phase: publish`, delete on) once the rollout COMPLETED
 *
 * on the demo's app against the local AWS: the sidecar service of the demo (desiredCount 2) in the ECS
 * rollout simulator (`--task-phase-ms` per simulated task start phase, default 400: the demo's), and the
 * example app's built frontend (examples/twotier-app/frontend, built with vite) into moto S3 through a
 * latency proxy (`--latency-ms` per request, default 20). The bucket starts each round holding the previous
 * release, as in the demo. `--files N --mb M` adds a generated N-file SPA (bench/frontend/spa.ts) as a
 * second frontend. Rounds alternate the order; medians are printed.
 *
 *   npx tsx bench/release/run.ts [--rounds 3] [--task-phase-ms 400] [--latency-ms 20] [--files 2000 --mb 50]
 *
 * Not part of the test suite (it measures wall time).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { registerNextRevision, seedBackend } from '../../src/demo/backend-fixture.js';
import { buildFrontend, seedFrontend } from '../../src/demo/frontend.js';
import { deployService } from '../../src/ecs/deploy.js';
import { planUpload, uploadFrontend } from '../../src/frontend/index.js';
import { applyPublish, planPublish } from '../../src/frontend/release.js';
import { stageRelease } from '../../src/frontend/stage.js';
import { Duration } from '../../src/lib/duration.js';
import { MemoryReporter } from '../../src/lib/reporter.js';
import { startLocalAws, type LocalAws } from '../../src/local/local-aws.js';
import { startLatencyProxy } from '../../test/helpers/latency-proxy.js';
import { generateSpa } from '../frontend/spa.js';
import { median } from '../shared.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROUNDS = Math.max(1, arg('rounds', 3));
const TASK_PHASE_MS = arg('task-phase-ms', 400);
const LATENCY_MS = arg('latency-ms', 20);
const FILES = arg('files', 0);
const MB = arg('mb', 50);

interface Times {
  backend: number;
  frontend: number;
  publish: number;
  total: number;
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);

async function main(): Promise<void> {
  const local = await startLocalAws({ taskPhaseMs: TASK_PHASE_MS });
  const proxy = await startLatencyProxy({ target: local.moto.endpoint, delayMs: LATENCY_MS });
  const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
  const ecs = new ECSClient({ endpoint: local.ecs.endpoint, region: local.region, credentials });
  const s3 = new S3Client({
    endpoint: proxy.endpoint,
    region: local.region,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED'
  });
  const saved = { ...process.env };
  Object.assign(process.env, local.env);
  const frontends: Array<{ name: string; dir: string }> = [
    { name: 'demo app (examples/twotier-app/frontend)', dir: buildFrontend(new MemoryReporter()) }
  ];
  let generated: string | undefined;
  if (FILES > 0) {
    generated = mkdtempSync(path.join(tmpdir(), 'release-spa-'));
    generateSpa(generated, FILES, MB);
    frontends.push({ name: `generated SPA (${FILES} files, ${MB} MiB)`, dir: generated });
  }
  try {
    console.log(
      `release bench: ECS simulator task phase ${TASK_PHASE_MS} ms (sidecar, desiredCount 2), S3 moto + ${LATENCY_MS} ms per request, ${ROUNDS} round(s) per order\n`
    );
    const rows: string[] = [];
    for (const frontend of frontends) {
      const runs: Record<'sequential' | 'overlapped', Times[]> = { sequential: [], overlapped: [] };
      for (let round = 0; round < ROUNDS; round++) {
        const orders =
          round % 2 === 0 ? (['sequential', 'overlapped'] as const) : (['overlapped', 'sequential'] as const);
        for (const order of orders) {
          const t = await once(local, ecs, s3, frontend.dir, order);
          runs[order].push(t);
          console.log(
            `${frontend.name} round ${round + 1} ${order}: total ${seconds(t.total)} s (backend ${seconds(t.backend)} s, frontend ${seconds(t.frontend)} s${order === 'overlapped' ? `, publish ${seconds(t.publish)} s` : ''})`
          );
        }
      }
      for (const order of ['sequential', 'overlapped'] as const) {
        const m = (k: keyof Times) => seconds(median(runs[order].map((r) => r[k])));
        rows.push(
          `| ${frontend.name} | ${order === 'sequential' ? 'sequential: backend, then upload-frontend (all)' : 'overlapped: stage ∥ backend, then publish'} | ${m('backend')} | ${order === 'sequential' ? m('frontend') : `${m('frontend')} (stage, in parallel)`} | ${order === 'overlapped' ? m('publish') : '–'} | **${m('total')}** |`
        );
      }
    }
    console.log(
      '\n| frontend | order | backend rollout s | frontend upload s | publish s | total s (median) |'
    );
    console.log('|---|---|---:|---:|---:|---:|');
    for (const row of rows) console.log(row);
  } finally {
    process.env = saved;
    s3.destroy();
    ecs.destroy();
    await proxy.stop();
    await local.stop();
    if (generated) rmSync(generated, { recursive: true, force: true });
  }
}

/** One deploy of both tiers from the same starting state; wall times in ms. */
async function once(
  local: LocalAws,
  ecs: ECSClient,
  s3: S3Client,
  dir: string,
  order: 'sequential' | 'overlapped'
): Promise<Times> {
  local.ecs.reset();
  await local.moto.reset();
  const fixture = await seedBackend(local, { topology: 'sidecar', desiredCount: 2, cluster: 'twotier' });
  const { bucket } = await seedFrontend(local);
  const service = fixture.services[0]!;
  const next = await registerNextRevision(ecs, fixture.cluster, service.name);
  const reporter = new MemoryReporter();
  const backend = async () => {
    const t0 = Date.now();
    const result = await deployService(
      {
        cluster: fixture.cluster,
        service: service.name,
        taskDefinitionArn: next,
        pollInterval: Duration.seconds(1),
        timeout: Duration.minutes(5),
        client: ecs
      },
      reporter
    );
    if (!result.ok) throw new Error(`backend: ${result.message}`);
    return Date.now() - t0;
  };
  const start = Date.now();
  if (order === 'sequential') {
    const b = await backend();
    const t1 = Date.now();
    await uploadFrontend({ sourceDir: dir, bucket, delete: true, s3 }, reporter);
    return { backend: b, frontend: Date.now() - t1, publish: 0, total: Date.now() - start };
  }
  const stage = async () => {
    const t0 = Date.now();
    const plan = await planUpload({ sourceDir: dir, bucket, delete: true, s3, phase: 'stage' }, reporter);
    await stageRelease(plan, 'bench', reporter);
    return Date.now() - t0;
  };
  const [b, f] = await Promise.all([backend(), stage()]);
  const t1 = Date.now();
  await applyPublish(await planPublish({ bucket, releaseId: 'bench', delete: true, s3 }, reporter), reporter);
  return { backend: b, frontend: f, publish: Date.now() - t1, total: Date.now() - start };
}

await main();

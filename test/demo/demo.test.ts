/**
 * The demo end to end, in process (the same runDemo that `npm run demo` calls): stacks, images, migrations,
 * rollouts, frontend upload and invalidation, against the local AWS.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { demoOptions } from '../../src/demo/options.js';
import { runDemo, type DemoOptions } from '../../src/demo/run-demo.js';
import { resolveOptions } from '../../src/lib/options.js';
import { MemoryReporter } from '../../src/lib/reporter.js';

const summaryFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'demo-')), 'summary.md');

describe('npm run demo', () => {
  it('deploys the sidecar topology end to end and re-deploys an identical frontend with zero uploads', async () => {
    const file = summaryFile();
    const result = await runDemo({
      topology: 'sidecar',
      summaryFile: file,
      taskPhaseMs: 50,
      reporter: new MemoryReporter()
    });
    expect(result.ok).toBe(true);
    const lines = result.lines.join('\n');
    expect(lines).toMatch(/stack twotier-service: CREATE_COMPLETE/);
    expect(lines).toMatch(/twotier-sidecar: Deployment ecs-svc\/\d+ completed/);
    // Staged while the backend rolled out, published after it completed (HTML entry points last).
    expect(lines).toMatch(
      /frontend release content-[0-9a-f]{12}: staged during the backend rollout \([1-9]\d* new assets uploaded, [1-9]\d* HTML entry points and replaced files staged\), published after it completed \([1-9]\d* put in place/
    );
    expect(lines.indexOf('twotier-sidecar: Deployment')).toBeLessThan(lines.indexOf('frontend release'));
    expect(lines).toMatch(/frontend \(second deploy of a fresh rebuild\): 0 uploaded .* 0 header-updated/);
    const summary = readFileSync(file, 'utf8');
    expect(summary).toContain('✅ ECS deploy: twotier-sidecar');
    expect(summary).toContain('twotier-sidecar:1 → **twotier-sidecar:2**');
    expect(summary).toMatch(/staged release `content-[0-9a-f]{12}` \(not published/);
    expect(summary).toMatch(/published release `content-[0-9a-f]{12}`/);
  });

  it('shows the breaker caught, with its hint, for the split topology and a failing image', async () => {
    const result = await runDemo({
      topology: 'split',
      scenario: 'missing-secret',
      summaryFile: summaryFile(),
      taskPhaseMs: 50,
      reporter: new MemoryReporter()
    });
    expect(result.ok).toBe(false);
    const lines = result.lines.join('\n');
    expect(lines).toMatch(/twotier-api: Deployment .* failed: ECS deployment circuit breaker/);
    expect(lines).toMatch(/hint: A secret could not be read/);
    expect(lines).not.toMatch(/twotier-web: Deployment/);
    // The frontend was staged during the rollout, never published: the previous release is still live.
    expect(lines).toMatch(
      /frontend release content-[0-9a-f]{12}: staged, not published .*the backend deployment failed, so publish did not run and the old frontend stays live \(index.html unchanged\)/
    );
    expect(lines).not.toMatch(/second deploy/);
  });
});

/** One demo of the sidecar topology with `strategy` (and `scenario`), backend only, on a fast simulator. */
const demo = (options: Pick<DemoOptions, 'strategy' | 'scenario' | 'minuteMs'>) => {
  const reporter = new MemoryReporter();
  return runDemo({
    topology: 'sidecar',
    ...options,
    frontend: false,
    summaryFile: summaryFile(),
    // A simulated minute of 400 ms: bake times of 1.2 s, time enough for the alarm to fire in it.
    taskPhaseMs: 100,
    reporter
  }).then((result) => ({ result, printed: reporter.lines.join('\n') }));
};

describe('npm run demo -- --strategy', () => {
  it('rolling (the default): replaces the tasks, shifts no traffic, exits 0', async () => {
    const { result, printed } = await demo({});
    expect(result.ok).toBe(true);
    expect(result.rollouts[0]).toMatchObject({
      strategy: 'ROLLING',
      stages: ['SCALE_UP', 'CLEAN_UP'],
      finalStatus: 'SUCCESSFUL',
      taskDefinition: 'twotier-sidecar:2'
    });
    expect(printed).toMatch(/deployment strategy ROLLING/);
    expect(result.lines.join('\n')).toMatch(/twotier-sidecar: Deployment ecs-svc\/\d+ completed/);
  });

  it('blue-green: every lifecycle stage in order, traffic moved at once, bake time, then blue scaled in', async () => {
    const { result, printed } = await demo({ strategy: 'blue-green' });
    expect(result.ok).toBe(true);
    const [rollout] = result.rollouts;
    expect(rollout).toMatchObject({
      strategy: 'BLUE_GREEN',
      stages: [
        'PRE_SCALE_UP',
        'SCALE_UP',
        'POST_SCALE_UP',
        'TEST_TRAFFIC_SHIFT (production 0 %, test 100 %)',
        'POST_TEST_TRAFFIC_SHIFT',
        'PRODUCTION_TRAFFIC_SHIFT (production 100 %, test 100 %)',
        'POST_PRODUCTION_TRAFFIC_SHIFT',
        'BAKE_TIME',
        'CLEAN_UP'
      ],
      statuses: ['PENDING', 'IN_PROGRESS', 'SUCCESSFUL'],
      finalStatus: 'SUCCESSFUL',
      productionWeight: 100,
      taskDefinition: 'twotier-sidecar:2'
    });
    // 3 simulated minutes of 400 ms: at least 1.2 s of bake (the tick may add a little).
    expect(rollout!.bakeMs).toBeGreaterThanOrEqual(1200);
    // deploy-service's own progress lines, as they stream.
    expect(printed).toMatch(/service deployment \S+: IN_PROGRESS, stage \w+/);
    expect(printed).toMatch(/traffic production 100% test 100%/);
    expect(result.lines.join('\n')).toMatch(/twotier-sidecar: BLUE_GREEN stages: PRE_SCALE_UP → SCALE_UP/);
  });

  it('linear: production traffic in steps of 50 %', async () => {
    const { result } = await demo({ strategy: 'linear' });
    expect(result.ok).toBe(true);
    const stages = result.rollouts[0]!.stages;
    expect(stages.filter((s) => s.startsWith('PRODUCTION_TRAFFIC_SHIFT'))).toEqual([
      'PRODUCTION_TRAFFIC_SHIFT (production 50 %, test 100 %)',
      'PRODUCTION_TRAFFIC_SHIFT (production 100 %, test 100 %)'
    ]);
    expect(stages.slice(-2)).toEqual(['BAKE_TIME', 'CLEAN_UP']);
    expect(result.rollouts[0]).toMatchObject({ strategy: 'LINEAR', finalStatus: 'SUCCESSFUL' });
  });

  it('canary: 10 % of production traffic first, then the rest', async () => {
    const { result } = await demo({ strategy: 'canary' });
    expect(result.ok).toBe(true);
    const stages = result.rollouts[0]!.stages;
    expect(stages.filter((s) => s.startsWith('PRODUCTION_TRAFFIC_SHIFT'))).toEqual([
      'PRODUCTION_TRAFFIC_SHIFT (production 10 %, test 100 %)',
      'PRODUCTION_TRAFFIC_SHIFT (production 100 %, test 100 %)'
    ]);
    expect(result.rollouts[0]).toMatchObject({ strategy: 'CANARY', finalStatus: 'SUCCESSFUL' });
  });
});

describe('npm run demo -- --scenario', () => {
  it('alarm-rollback: the alarm fires in the bake time; the deploy fails naming it and ECS rolls back', async () => {
    // A simulated minute of 1.5 s: a 4.5 s bake time, so the alarm lands in it on a loaded host too; the
    // rollback ends the bake time as soon as the simulator reads the alarm, so the test does not wait it out.
    const { result, printed } = await demo({
      strategy: 'canary',
      scenario: 'alarm-rollback',
      minuteMs: 1500
    });
    expect(result.ok).toBe(false);
    const lines = result.lines.join('\n');
    expect(lines).toMatch(
      /twotier-sidecar: Deployment ecs-svc\/\d+ failed: alarm rollback: deployment alarm twotier-target-5xx in ALARM/
    );
    expect(lines).toMatch(
      /twotier-sidecar: ROLLED BACK \(ROLLBACK_SUCCESSFUL\): the service runs twotier-sidecar:1 again, production traffic 100 % on it/
    );
    const [rollout] = result.rollouts;
    expect(rollout!.stages.at(-1)).toBe('BAKE_TIME');
    expect(rollout!.statuses).toEqual(
      expect.arrayContaining(['IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_SUCCESSFUL'])
    );
    expect(rollout).toMatchObject({
      finalStatus: 'ROLLBACK_SUCCESSFUL',
      taskDefinition: 'twotier-sidecar:1',
      productionWeight: 0
    });
    expect(printed).toMatch(/scenario alarm-rollback/);
  });

  it('hook-rollback: the smoke-test hook answers FAILED after the test traffic shift; production never moves', async () => {
    const { result } = await demo({ strategy: 'blue-green', scenario: 'hook-rollback' });
    expect(result.ok).toBe(false);
    const lines = result.lines.join('\n');
    expect(lines).toMatch(
      /twotier-sidecar: Deployment ecs-svc\/\d+ failed: lifecycle hook rollback: lifecycle hook ecs-lambda-\S+ \S*twotier-smoke-test \(AWS_LAMBDA\) answered FAILED/
    );
    expect(lines).toMatch(/ROLLED BACK \(ROLLBACK_SUCCESSFUL\): the service runs twotier-sidecar:1 again/);
    const [rollout] = result.rollouts;
    expect(rollout!.stages.at(-1)).toBe('POST_TEST_TRAFFIC_SHIFT');
    expect(rollout!.stages.some((s) => s.startsWith('PRODUCTION_TRAFFIC_SHIFT'))).toBe(false);
    expect(rollout).toMatchObject({
      finalStatus: 'ROLLBACK_SUCCESSFUL',
      taskDefinition: 'twotier-sidecar:1'
    });
  });

  it('hook-rollback with rolling is a configuration error before anything starts', () => {
    expect(() =>
      resolveOptions(demoOptions, { topology: 'sidecar', strategy: 'rolling', scenario: 'hook-rollback' })
    ).toThrow(/hook-rollback needs lifecycle hooks.*blue-green, linear and canary/);
  });
});

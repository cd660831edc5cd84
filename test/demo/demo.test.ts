/**
 * The demo end to end, in process (the same runDemo that `npm run demo` calls): stacks, images, migrations,
 * rollouts, frontend upload and invalidation, against the local AWS.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDemo } from '../../src/demo/run-demo.js';
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
    expect(lines).toMatch(/frontend \(first deploy\): [1-9]\d* uploaded/);
    expect(lines).toMatch(/frontend \(second deploy of a fresh rebuild\): 0 uploaded .* 0 header-updated/);
    const summary = readFileSync(file, 'utf8');
    expect(summary).toContain('✅ ECS deploy: twotier-sidecar');
    expect(summary).toContain('twotier-sidecar:1 → **twotier-sidecar:2**');
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
  });
});

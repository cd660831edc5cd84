/**
 * The local AWS an ECS bundle test file runs against: moto and the ECS rollout simulator, reset before each
 * test with the sidecar service seeded (and, when asked, test images pushed to the local ECR); an ECS client
 * of the simulator; and, for the bad-input tables, the mutating ECS requests the simulator saw during a run.
 */
import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { ECSClient } from '@aws-sdk/client-ecs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seedBackend, type BackendFixture } from '../../src/demo/backend-fixture.js';
import { startLocalAws, type LocalAws } from '../../src/local/local-aws.js';
import { runActionBundle, type ActionRun } from '../helpers/action.js';
import { expectRefused, type BadInput } from '../helpers/bad-inputs.js';
import { pushTestImages } from './ecr-images.js';

/** ECS operations that change something (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Operations.html). */
export const ECS_MUTATING = [
  'RegisterTaskDefinition',
  'DeregisterTaskDefinition',
  'DeleteTaskDefinitions',
  'CreateService',
  'UpdateService',
  'DeleteService',
  'RunTask',
  'StartTask',
  'StopTask',
  'CreateCluster',
  'DeleteCluster',
  'TagResource',
  'UntagResource',
  'StopServiceDeployment',
  'ContinueServiceDeployment'
];

/** The world of one test file: start it with `useEcsWorld()` at the top level. */
export interface EcsWorld {
  local: LocalAws;
  fixture: BackendFixture;
  /** A client of the ECS simulator (not through any proxy). */
  ecs: ECSClient;
  /** The sidecar task definition file (absolute). */
  file(): string;
  /** A copy of the sidecar task definition with `edit` applied, in a temporary file (absolute path). */
  edited(
    edit: (doc: Record<string, unknown> & { containerDefinitions: Record<string, unknown>[] }) => void
  ): string;
  run(action: string, inputs: Record<string, string>): Promise<ActionRun>;
  /** Runs `bad` and asserts the failure contract, with the mutating ECS requests of the run. */
  refuses(action: string, bad: BadInput): Promise<void>;
}

/**
 * Declares the world's hooks (call at the top level of a test file).
 * @param images repository → tags to push to the local ECR before each test (for the preflight).
 */
export function useEcsWorld(images: Record<string, string[]> = {}): EcsWorld {
  const world = {} as EcsWorld;
  beforeAll(async () => {
    world.local = await startLocalAws({ taskPhaseMs: 60 });
    world.ecs = new ECSClient({
      endpoint: world.local.ecs.endpoint,
      region: world.local.region,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' }
    });
  });
  afterAll(async () => {
    world.ecs?.destroy();
    await world.local?.stop();
  });
  beforeEach(async () => {
    world.local.ecs.reset();
    await world.local.moto.reset();
    world.fixture = await seedBackend(world.local, { topology: 'sidecar', desiredCount: 1 });
    await pushTestImages(world.local, images);
  });
  world.file = () => world.fixture.services[0]!.taskDefinitionFile;
  world.edited = (edit) => {
    const doc = JSON.parse(readFileSync(world.file(), 'utf8'));
    edit(doc);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'td-bad-')), 'td.json');
    writeFileSync(file, JSON.stringify(doc));
    return file;
  };
  world.run = (action, inputs) =>
    runActionBundle(
      action,
      { 'poll-interval-seconds': '1', 'timeout-minutes': '0.1', ...inputs },
      world.local.env
    );
  world.refuses = async (action, bad) => {
    const mark = world.local.ecs.requests.length;
    const run = await runActionBundle(action, bad.inputs(), world.local.env);
    const mutating = world.local.ecs.requests
      .slice(mark)
      .map((r) => r.operation)
      .filter((op) => ECS_MUTATING.includes(op));
    expectRefused(run, bad, mutating);
  };
  return world;
}

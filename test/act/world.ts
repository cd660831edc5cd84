/**
 * The world the act tests share: the local AWS (moto + the ECS simulator), the OIDC stand-in, a snapshot of
 * the toolkit's working tree, and helpers that write a workflow a user would write around one action.
 */
import { rmSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { startLocalAws, type LocalAws } from '../../src/local/local-aws.js';
import {
  TOOLKIT_REPOSITORY,
  TOOLKIT_SHA,
  collectStepsStep,
  withNeedsCollector,
  localAwsRunnerEnv,
  projectActionFiles,
  projectRoot,
  remoteUses,
  requireAct,
  runAct,
  startOidcStandIn,
  toolkitSnapshot,
  type ActOptions,
  type ActResult,
  type OidcStandIn
} from './harness.js';

/** The role the test workflows assume (moto's default account). */
export const DEPLOY_ROLE = 'arn:aws:iam::123456789012:role/twotier-deploy';
export const BUILD_ROLE = 'arn:aws:iam::123456789012:role/twotier-build';
export const REGION = 'us-east-1';
export const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

/** The pinned `owner/name@sha` the project's files use for `repository` (e.g. actions/checkout). */
export function pinned(repository: string): string {
  const text = projectActionFiles()
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const found = remoteUses(text).find((u) => u.startsWith(`${repository}@`));
  if (!found) throw new Error(`no pinned ${repository} in the project's action and workflow files`);
  return found;
}

/** A running act world. */
export interface ActWorld {
  local: LocalAws;
  oidc: OidcStandIn;
  toolkit: string;
  /** The runner environment: local AWS endpoints and the OIDC stand-in. */
  env: Record<string, string>;
  /** The --local-repository entries for the toolkit (v1 and TOOLKIT_SHA). */
  toolkitRepositories: Record<string, string>;
  run(options: Omit<ActOptions, 'env' | 'localRepositories' | 'checkoutRepositories'>): Promise<ActResult>;
  stop(): Promise<void>;
}

/**
 * Starts the world. Checks act first, so a missing act fails the test with the setup message.
 * @param taskPhaseMs the ECS simulator's task phase duration (milliseconds).
 */
export async function startActWorld(taskPhaseMs = 60): Promise<ActWorld> {
  requireAct();
  const local = await startLocalAws({ taskPhaseMs, minuteMs: 50 });
  const oidc = await startOidcStandIn();
  const toolkit = toolkitSnapshot();
  const toolkitRepositories = {
    [`${TOOLKIT_REPOSITORY}@v1`]: toolkit,
    [`${TOOLKIT_REPOSITORY}@${TOOLKIT_SHA}`]: toolkit
  };
  const env = { ...localAwsRunnerEnv(local.env), ...oidc.env };
  return {
    local,
    oidc,
    toolkit,
    env,
    toolkitRepositories,
    run: (options) =>
      runAct({
        ...options,
        env,
        localRepositories: toolkitRepositories,
        checkoutRepositories: { [`${TOOLKIT_REPOSITORY}@${TOOLKIT_SHA}`]: toolkit }
      }),
    async stop() {
      await oidc.stop();
      await local.stop();
      rmSync(toolkit, { recursive: true, force: true });
    }
  };
}

/**
 * A workflow as a user writes it around one toolkit action: checkout (act's local copy), the
 * configure-aws-credentials stand-in with DEPLOY_ROLE, then `uses: your-org/twotier-actions/<path>@v1` with
 * `inputs` as step `action`, then a collectStepsStep.
 */
export function oneActionWorkflow(actionPath: string, inputs: Record<string, string>): string {
  const uses = actionPath ? `${TOOLKIT_REPOSITORY}/${actionPath}@v1` : `${TOOLKIT_REPOSITORY}@v1`;
  return YAML.stringify(
    {
      name: `act test of ${actionPath || 'the root action'}`,
      on: 'push',
      permissions: { contents: 'read', 'id-token': 'write' },
      jobs: {
        run: {
          'runs-on': 'ubuntu-latest',
          steps: [
            { uses: pinned('actions/checkout'), with: { 'persist-credentials': false } },
            {
              uses: pinned('aws-actions/configure-aws-credentials'),
              with: { 'role-to-assume': DEPLOY_ROLE, 'aws-region': REGION }
            },
            { id: 'action', uses, with: inputs },
            collectStepsStep()
          ]
        }
      }
    },
    { lineWidth: 0 }
  );
}

/**
 * The YAML of a caller of the reusable workflow, as an application repository writes one: one job `deploy`
 * with `uses: your-org/twotier-actions/.github/workflows/deploy.yml@v1` and `contents: read` +
 * `id-token: write`, given the staging environment, REGION, DEPLOY_ROLE, BUILD_ROLE, the twotier/api and
 * twotier/web repositories, then `inputs` (which win), with a needs collector (withNeedsCollector).
 */
export function deployWorkflowCaller(inputs: Record<string, unknown>): string {
  const caller = {
    name: 'deploy',
    on: 'push',
    permissions: {},
    jobs: {
      deploy: {
        permissions: { contents: 'read', 'id-token': 'write' },
        uses: `${TOOLKIT_REPOSITORY}/.github/workflows/deploy.yml@v1`,
        with: {
          environment: 'staging',
          'aws-region': REGION,
          'role-to-assume': DEPLOY_ROLE,
          'build-role-to-assume': BUILD_ROLE,
          'api-repository': 'twotier/api',
          'web-repository': 'twotier/web',
          ...inputs
        }
      }
    }
  };
  return withNeedsCollector(YAML.stringify(caller, { lineWidth: 0 }));
}

/** The example app's directory. */
export const EXAMPLE_APP = path.join(projectRoot, 'examples', 'twotier-app');

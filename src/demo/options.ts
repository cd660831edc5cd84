/**
 * The options of `twotier demo` (`npm run demo -- …`), declared once: the command's flags (commander, through
 * src/cli/options.ts) and `runDemo`'s checks come from here. Command line only (no action runs the demo).
 */
import { ConfigurationError } from '../lib/errors.js';
import { defineOptions, oneOf, text } from '../lib/options.js';
import { DEMO_STRATEGIES, ROLLOUT_SCENARIOS, type RolloutScenario } from './rollouts.js';

/** The simulator's image failures the demo offers (the example task definitions have no container healthCheck). */
export const IMAGE_SCENARIOS = [
  'image-pull-failure',
  'missing-secret',
  'essential-container-exit',
  'health-check-failure',
  'never-healthy'
] as const;

/** Every `--scenario`: an image failure (circuit breaker) or a rollout failure (alarm, lifecycle hook). */
export const DEMO_SCENARIOS = [...IMAGE_SCENARIOS, ...ROLLOUT_SCENARIOS] as const;
export type DemoScenario = (typeof DEMO_SCENARIOS)[number];

/** True for the scenarios rolled back by an alarm or a hook rather than by the circuit breaker. */
export const isRolloutScenario = (scenario: DemoScenario | undefined): scenario is RolloutScenario =>
  (ROLLOUT_SCENARIOS as readonly string[]).includes(scenario ?? '');

export const demoOptions = defineOptions(
  'demo',
  {
    topology: {
      name: 'topology',
      type: oneOf(['sidecar', 'split'] as const),
      default: 'sidecar',
      doc: 'sidecar (nginx + flask in one task) or split (web and app services).',
      action: false
    },
    strategy: {
      name: 'strategy',
      type: oneOf(DEMO_STRATEGIES),
      default: 'rolling',
      doc: 'The ECS deployment strategy of the services: rolling, blue-green (bake 3 minutes), linear (50 % steps) or canary (10 %, then the rest).',
      action: false
    },
    scenario: {
      name: 'scenario',
      type: oneOf(DEMO_SCENARIOS),
      doc: 'Make the deploy fail: an image failure the circuit breaker catches, alarm-rollback (a deployment alarm goes to ALARM during the bake time) or hook-rollback (the smoke-test Lambda hook answers FAILED after the test traffic shift; not with rolling). The demo then exits 1.',
      action: false
    },
    summaryFile: {
      name: 'summary-file',
      type: text({ patternDoc: 'a file path', placeholder: 'file' }),
      doc: 'Where to write the job summary (default .twotier-demo/summary.md).',
      action: false
    }
  },
  [
    (values, names) => {
      if (values.scenario === 'hook-rollback' && values.strategy === 'rolling') {
        throw new ConfigurationError(
          `Input ${names.scenario} hook-rollback needs lifecycle hooks, which ECS runs for blue-green, linear and canary deployments only; add \`${names.strategy}\` blue-green, linear or canary.`,
          names.scenario
        );
      }
    }
  ]
);

/**
 * Conformance to botocore's ECS model: every request a simulator received (from the SDK, the action bundles,
 * raw calls) and every response it sent is checked against `botocore/data/ecs/2014-11-13/service-2.json` in
 * the project venv: unknown members, wrong types (timestamps are epoch seconds in JSON 1.1), enum values,
 * required members, min/max. Error responses must carry `__type` and `message`, and `__type` must be one of
 * the operation's modelled errors or a common one.
 *
 * ```ts
 * afterAll(() => expectConformance(sim)); // sim: an EcsSimulator (or anything with requests/responses)
 * ```
 */
import { expect } from '@jest/globals';
import { loadBotocoreModel, operationProblems, type ServiceModel } from '../../src/local/botocore-model.js';

/** What conformance reads from a simulator: responses[i] answers requests[i]. */
export interface RecordedExchanges {
  requests: readonly { operation: string; body: unknown }[];
  responses: readonly { operation: string; status: number; body: unknown }[];
}

/**
 * Request members the toolkit sends on purpose although the model does not know them: task-definition fields
 * passed through verbatim (src/ecs/raw-json.ts) so that fields newer than the bundled SDK survive. Paths use
 * `[]` for any list index. Only the fields the tests send are listed.
 */
export const PASSED_THROUGH_ON_PURPOSE: readonly string[] = [
  'RegisterTaskDefinition.futureTopLevelField',
  'RegisterTaskDefinition.containerDefinitions[].futureContainerField'
];

/** Errors any operation may return (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html). */
const COMMON_ERRORS = [
  'ThrottlingException',
  'SerializationException',
  'UnknownOperationException',
  'ValidationException'
];

/** botocore's ECS model from the venv. */
export const ecsModel = (): ServiceModel => loadBotocoreModel('ecs', '2014-11-13');

/** Options of {@link conformanceProblems}. */
export interface ConformanceOptions {
  /** Extra `Operation.path` request members allowed although unknown (added to PASSED_THROUGH_ON_PURPOSE). */
  allowUnknownRequestMembers?: readonly string[];
  /** Also check requests the simulator refused (default: only requests answered 2xx, so that tests of refusals
   * may send bad requests on purpose). */
  includeRefusedRequests?: boolean;
}

const normalise = (path: string): string => path.replace(/\[\d+\]/g, '[]');

/** Every conformance problem of the recorded exchanges, one line each ("REQUEST Op path: kind: detail"). */
export function conformanceProblems(recorded: RecordedExchanges, options: ConformanceOptions = {}): string[] {
  const model = ecsModel();
  const allowed = new Set([...PASSED_THROUGH_ON_PURPOSE, ...(options.allowUnknownRequestMembers ?? [])]);
  const out: string[] = [];
  recorded.requests.forEach((request, i) => {
    const response = recorded.responses[i];
    if (!options.includeRefusedRequests && response && response.status >= 300) return;
    const allow = (path: string) => {
      const p = normalise(path);
      return [...allowed].some(
        (a) => a === `${request.operation}.${p}` || `${request.operation}.${p}`.startsWith(`${a}.`)
      );
    };
    for (const p of operationProblems(model, request.operation, 'input', request.body, allow)) {
      out.push(`REQUEST ${request.operation} ${p.path || '(body)'}: ${p.kind}: ${p.detail}`);
    }
  });
  const errorsOf = (operation: string): string[] =>
    ((model.operations[operation] as { errors?: { shape: string }[] } | undefined)?.errors ?? []).map(
      (e) => e.shape
    );
  for (const response of recorded.responses) {
    if (response.status < 300) {
      for (const p of operationProblems(model, response.operation, 'output', response.body)) {
        out.push(`RESPONSE ${response.operation} ${p.path || '(body)'}: ${p.kind}: ${p.detail}`);
      }
      continue;
    }
    const body = response.body as { __type?: unknown; message?: unknown } | undefined;
    if (typeof body?.__type !== 'string' || typeof body.message !== 'string') {
      out.push(`RESPONSE ${response.operation} error: no __type and message`);
    } else if (!errorsOf(response.operation).includes(body.__type) && !COMMON_ERRORS.includes(body.__type)) {
      out.push(
        `RESPONSE ${response.operation} error: ${body.__type} is not a modelled error of the operation`
      );
    }
  }
  return out;
}

/** Fails the test with every problem listed when the recorded exchanges do not conform to the model. */
export function expectConformance(recorded: RecordedExchanges, options?: ConformanceOptions): void {
  expect(conformanceProblems(recorded, options)).toEqual([]);
}

/**
 * Keeps a simulator's exchanges across `reset()` calls (which empty its logs): call `save()` before each
 * reset, and check `all()` at the end.
 *
 * ```ts
 * const kept = keepExchanges(() => sim);
 * beforeEach(() => { kept.save(); sim.reset(); });
 * afterAll(() => expectConformance(kept.all()));
 * ```
 */
export function keepExchanges(source: () => RecordedExchanges): { save(): void; all(): RecordedExchanges } {
  const requests: RecordedExchanges['requests'][number][] = [];
  const responses: RecordedExchanges['responses'][number][] = [];
  return {
    save() {
      const { requests: rq, responses: rs } = source();
      // Keep the pairing: only complete pairs (a request still in flight has no response yet).
      const n = Math.min(rq.length, rs.length);
      requests.push(...rq.slice(0, n));
      responses.push(...rs.slice(0, n));
    },
    all() {
      this.save();
      return { requests: [...requests], responses: [...responses] };
    }
  };
}

/**
 * Request validation against botocore's ECS model (`botocore/data/ecs/2014-11-13/service-2.json`), the way an
 * AWS JSON service validates input before an operation runs: a member of the wrong JSON type is a
 * `SerializationException`; a value outside its enum, a missing required member or a number outside its
 * documented range is an `InvalidParameterException` (`ClientException` for the task definition operations,
 * as ECS reports those); members the model does not know are ignored (and not stored).
 * Enum wording follows ECS's own ("include should be one of [ATTACHMENTS,SETTINGS,STATISTICS,TAGS]").
 */
import {
  loadBotocoreModel,
  operationProblems,
  pruneUnknown,
  type ModelProblem,
  type ServiceModel
} from '../botocore-model.js';
import { EcsApiError } from './errors.js';

/** botocore's ECS model (loaded once). */
export const ecsModel = (): ServiceModel => loadBotocoreModel('ecs', '2014-11-13');

/** Operations whose validation errors ECS reports as ClientException. */
const CLIENT_EXCEPTION_OPS = new Set([
  'RegisterTaskDefinition',
  'DescribeTaskDefinition',
  'DeregisterTaskDefinition',
  'ListTaskDefinitions'
]);

/** Messages ECS sends for some required members (the others read "NAME must be specified."). */
const REQUIRED_MESSAGES: Record<string, string> = {
  'RegisterTaskDefinition.family': 'Family must be specified.',
  'RegisterTaskDefinition.containerDefinitions': 'Container list cannot be empty.'
};

function toError(operation: string, problem: ModelProblem, model: ServiceModel): EcsApiError {
  const make = (message: string) =>
    new EcsApiError(
      CLIENT_EXCEPTION_OPS.has(operation) ? 'ClientException' : 'InvalidParameterException',
      message
    );
  switch (problem.kind) {
    case 'wrong type':
      return new EcsApiError('SerializationException', `${problem.path || 'The request'}: ${problem.detail}`);
    case 'enum': {
      const values = enumAt(model, operation, problem.path);
      return make(`${problem.path} should be one of [${values.join(',')}]`);
    }
    case 'required':
      return make(REQUIRED_MESSAGES[`${operation}.${problem.path}`] ?? `${problem.path} must be specified.`);
    case 'range':
      return make(`${problem.path}: ${problem.detail}.`);
    default:
      return make(problem.detail);
  }
}

/** The enum values of the member at `path` of an operation's input (for the error message). */
function enumAt(model: ServiceModel, operation: string, path: string): readonly string[] {
  let shape = model.shapes[model.operations[operation]?.input?.shape ?? ''];
  for (const part of path.split('.')) {
    const name = part.replace(/\[\d+\]/g, '');
    let next = shape?.members?.[name] ? model.shapes[shape.members[name].shape] : undefined;
    for (let i = 0; i < (part.match(/\[\d+\]/g) ?? []).length; i++) {
      next = next?.member ? model.shapes[next.member.shape] : next;
    }
    shape = next;
  }
  return shape?.enum ?? [];
}

/**
 * Validates an operation's request body against the model; unknown members are allowed (ECS ignores them).
 * @throws EcsApiError for the first problem found (wrong type first, then enum, required, range).
 */
export function validateRequest(operation: string, body: unknown): void {
  const model = ecsModel();
  if (!model.operations[operation]) return;
  const problems = operationProblems(model, operation, 'input', body, () => true);
  const order: ModelProblem['kind'][] = ['wrong type', 'enum', 'required', 'range'];
  for (const kind of order) {
    const problem = problems.find((p) => p.kind === kind);
    if (problem) throw toError(operation, problem, model);
  }
}

/** A copy of `value` with the members shape `shapeName` does not model removed. */
export function pruneToShape<T>(shapeName: string, value: T): T {
  return pruneUnknown(ecsModel(), shapeName, value) as T;
}

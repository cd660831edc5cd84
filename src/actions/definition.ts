/**
 * What an action is, beyond its inputs: its declared options (from the library's declaration of the
 * operation) and its outputs with their docs. scripts/gen-actions.ts writes the `inputs` and `outputs` of
 * actions/<name>/action.yml from this; the action's main.ts reads and sets exactly these.
 */
import type { Decls, OptionSpec } from '../lib/options.js';

/** An action's declaration. */
export interface ActionDefinition<D extends Decls, O extends string> {
  /** The folder under actions/ (and src/actions/, dist/). */
  readonly name: string;
  /** The options, declared once in the library (src/<domain>/). */
  readonly options: OptionSpec<D>;
  /** Output name → one-line doc. */
  readonly outputs: Readonly<Record<O, string>>;
}

/** Output values by declared name (strings, numbers, booleans; objects are written as JSON). */
export type OutputValues<O extends string> = Partial<
  Record<O, string | number | boolean | object | undefined>
>;

/** Declares an action (see ActionDefinition). */
export function defineAction<D extends Decls, const O extends string>(
  definition: ActionDefinition<D, O>
): ActionDefinition<D, O> {
  return definition;
}

/** Any action's declaration (lists of every action: the generator, the contract tests). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyActionDefinition = ActionDefinition<any, string>;

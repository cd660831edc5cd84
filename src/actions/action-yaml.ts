/**
 * The `inputs` and `outputs` of an action.yml as the declarations say they are (scripts/gen-actions.ts
 * writes them; test/contract/options.test.ts fails on any difference).
 */
import type { Decls, OptionDecl, OptionSpec } from '../lib/options.js';
import type { ActionDefinition } from './definition.js';

/** One action.yml input. */
export interface YamlInput {
  description: string;
  required: boolean;
  default?: string;
}

/** The action.yml description of a declared option: its doc, then what is valid unless plain text or true/false. */
export function inputDescription(decl: OptionDecl<unknown>): string {
  const described =
    decl.type.flag || decl.type.text || decl.type.multiline ? '' : ` Valid: ${decl.type.describe()}.`;
  return `${decl.doc}${described}`;
}

/** The action.yml inputs of a declared option set (action-only options; CLI-only ones are left out). */
export function yamlInputs<D extends Decls>(spec: OptionSpec<D>): Record<string, YamlInput> {
  const inputs: Record<string, YamlInput> = {};
  for (const decl of Object.values(spec.options)) {
    if (decl.action === false) continue;
    const input: YamlInput = { description: inputDescription(decl), required: decl.required === true };
    if (decl.default !== undefined) input.default = decl.type.format(decl.default);
    inputs[decl.name] = input;
  }
  return inputs;
}

/** The action.yml outputs of a definition (JavaScript actions: descriptions only). */
export function yamlOutputs<D extends Decls, O extends string>(
  definition: ActionDefinition<D, O>
): Record<string, { description: string }> {
  return Object.fromEntries(
    Object.entries<string>(definition.outputs).map(([name, description]) => [name, { description }])
  );
}

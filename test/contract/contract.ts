/**
 * What the contract test compares: the inputs and outputs an action declares (action.yml) against the ones its
 * code reads and sets (src/actions/<name>/, parsed with the TypeScript compiler, no execution), and the
 * composite steps that run bundles directly (`node .../dist/<name>/index.js` with INPUT_* env).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { parse } from 'yaml';

export const root = path.resolve(process.cwd());

/** An action.yml as far as the contract cares. */
export interface ActionSpec {
  /** Directory relative to the root ('' for the root action). */
  dir: string;
  file: string;
  text: string;
  name?: string;
  description?: string;
  branding?: unknown;
  inputs: Record<string, { description?: string; required?: boolean; default?: unknown } | null>;
  outputs: Record<string, { description?: string; value?: string } | null>;
  runs: { using?: string; main?: string; steps?: Step[] };
}

/** A step of a composite action or a workflow job. */
export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}

/** Every action file: the root action.yml, then actions/<name>/action.yml. */
export function actionSpecs(): ActionSpec[] {
  const dirs = [''];
  const actionsDir = path.join(root, 'actions');
  if (existsSync(actionsDir)) {
    for (const name of readdirSync(actionsDir).sort()) {
      if (statSync(path.join(actionsDir, name)).isDirectory()) dirs.push(`actions/${name}`);
    }
  }
  const specs: ActionSpec[] = [];
  for (const dir of dirs) {
    const file = path.join(root, dir, 'action.yml');
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const doc = (parse(text) ?? {}) as Partial<ActionSpec>;
    specs.push({
      ...doc,
      dir,
      file,
      text,
      inputs: doc.inputs ?? {},
      outputs: doc.outputs ?? {},
      runs: doc.runs ?? {}
    });
  }
  return specs;
}

/** Names of the JavaScript actions with code: src/actions/<name>/index.ts. */
export function codeActions(): string[] {
  const dir = path.join(root, 'src', 'actions');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => existsSync(path.join(dir, n, 'index.ts')))
    .sort();
}

/** What an action's code reads and sets. */
export interface CodeContract {
  /** Input names read with a string literal (stringInput, booleanInput, numberInput, core.getInput...). */
  inputs: Set<string>;
  /** Inputs read as required: stringInput(name, true) or getInput(name, { required: true }). */
  required: Set<string>;
  /** Keys of the `Inputs` interface/type, when there is one. */
  inputsType: Set<string>;
  /** Output names set: setOutputs({...}) keys, core.setOutput('name'). */
  outputs: Set<string>;
  /** Places where a name could not be read statically (file:line and the call). */
  dynamic: string[];
  /** Spreads of non-literal objects into the outputs (names decided at run time, for example stack outputs). */
  passthrough: string[];
}

const INPUT_FUNCTIONS = new Set([
  'stringInput',
  'booleanInput',
  'numberInput',
  'getInput',
  'getBooleanInput',
  'getMultilineInput'
]);

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(full));
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

function calleeName(expr: ts.Expression): string | undefined {
  if (ts.isIdentifier(expr)) return expr.text;
  if (ts.isPropertyAccessExpression(expr)) return expr.name.text;
  return undefined;
}

function literal(node: ts.Node | undefined): string | undefined {
  if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) return node.text;
  return undefined;
}

function propertyName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

/**
 * Keys of an object literal (property assignments, shorthands, spreads of object literals). A spread of
 * anything else (`...result.outputs`: a CloudFormation stack's own outputs) is a pass-through of names no
 * action.yml can list: reported through `passthrough`, not as a failure.
 */
function objectKeys(
  node: ts.ObjectLiteralExpression,
  dynamic: () => void,
  passthrough: (n: ts.Node) => void
): string[] {
  const keys: string[] = [];
  for (const prop of node.properties) {
    if (
      ts.isPropertyAssignment(prop) ||
      ts.isShorthandPropertyAssignment(prop) ||
      ts.isMethodDeclaration(prop)
    ) {
      const key = propertyName(prop.name);
      if (key === undefined) dynamic();
      else keys.push(key);
    } else if (ts.isSpreadAssignment(prop) && ts.isObjectLiteralExpression(prop.expression)) {
      keys.push(...objectKeys(prop.expression, dynamic, passthrough));
    } else if (ts.isSpreadAssignment(prop)) {
      passthrough(prop);
    } else {
      dynamic();
    }
  }
  return keys;
}

/** The object literals a function returns (return statements, or an arrow's concise body). */
function returnedObjects(fn: ts.FunctionLikeDeclaration): ts.ObjectLiteralExpression[] {
  const out: ts.ObjectLiteralExpression[] = [];
  const unwrap = (e: ts.Expression): ts.Expression =>
    ts.isParenthesizedExpression(e) ? unwrap(e.expression) : e;
  const body = fn.body;
  if (!body) return out;
  if (!ts.isBlock(body)) {
    const e = unwrap(body as ts.Expression);
    if (ts.isObjectLiteralExpression(e)) out.push(e);
    return out;
  }
  const scan = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    if (ts.isReturnStatement(node) && node.expression) {
      const e = unwrap(node.expression);
      if (ts.isObjectLiteralExpression(e)) out.push(e);
    }
    ts.forEachChild(node, scan);
  };
  ts.forEachChild(body, scan);
  return out;
}

/**
 * Reads the contract of src/actions/<name>/ from its source.
 * Unresolvable names (a non-literal argument, an object built elsewhere) are listed in `dynamic`.
 */
export function codeContract(name: string): CodeContract {
  const contract: CodeContract = {
    inputs: new Set(),
    required: new Set(),
    inputsType: new Set(),
    outputs: new Set(),
    dynamic: [],
    passthrough: []
  };
  for (const file of tsFiles(path.join(root, 'src', 'actions', name))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const where = (node: ts.Node) =>
      `${path.relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} ${node
        .getText()
        .slice(0, 80)}`;
    /** Object literals assigned to local variables, for setOutputs(outputs). */
    const objects = new Map<string, ts.ObjectLiteralExpression>();
    /** Local functions returning object literals, for setOutputs(outputsOf(result)). */
    const builders = new Map<string, ts.ObjectLiteralExpression[]>();
    const visitDecls = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
        if (ts.isObjectLiteralExpression(node.initializer)) objects.set(node.name.text, node.initializer);
        if (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))
          builders.set(node.name.text, returnedObjects(node.initializer));
      }
      if (ts.isFunctionDeclaration(node) && node.name) builders.set(node.name.text, returnedObjects(node));
      ts.forEachChild(node, visitDecls);
    };
    visitDecls(source);
    const visit = (node: ts.Node): void => {
      if (
        (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) &&
        node.name.text === 'Inputs'
      ) {
        const members = ts.isInterfaceDeclaration(node)
          ? node.members
          : ts.isTypeLiteralNode(node.type)
            ? node.type.members
            : undefined;
        for (const member of members ?? []) {
          const key = member.name ? propertyName(member.name) : undefined;
          if (key) contract.inputsType.add(key);
        }
      }
      if (ts.isCallExpression(node)) {
        const callee = calleeName(node.expression);
        if (callee && INPUT_FUNCTIONS.has(callee)) {
          const arg = literal(node.arguments[0]);
          if (arg === undefined) {
            // A helper forwarding its parameter (function list(name) { return stringInput(name) }) is resolved
            // through its callers below; anything else is reported.
            if (!(node.arguments[0] && ts.isIdentifier(node.arguments[0])))
              contract.dynamic.push(where(node));
          } else {
            contract.inputs.add(arg);
            const second = node.arguments[1];
            // stringInput(name, true) is required; booleanInput/numberInput take a fallback there instead.
            if (callee === 'stringInput' && second?.kind === ts.SyntaxKind.TrueKeyword)
              contract.required.add(arg);
            if (second && ts.isObjectLiteralExpression(second)) {
              for (const p of second.properties) {
                if (
                  ts.isPropertyAssignment(p) &&
                  propertyName(p.name) === 'required' &&
                  p.initializer.kind === ts.SyntaxKind.TrueKeyword
                )
                  contract.required.add(arg);
              }
            }
          }
        } else if (callee === 'setOutput') {
          const arg = literal(node.arguments[0]);
          if (arg === undefined) contract.dynamic.push(where(node));
          else contract.outputs.add(arg);
        } else if (callee === 'setOutputs') {
          const arg = node.arguments[0];
          const built =
            arg && ts.isCallExpression(arg) ? builders.get(calleeName(arg.expression) ?? '') : undefined;
          const literals =
            arg && ts.isObjectLiteralExpression(arg)
              ? [arg]
              : arg && ts.isIdentifier(arg) && objects.has(arg.text)
                ? [objects.get(arg.text)!]
                : (built ?? []);
          if (literals.length === 0) contract.dynamic.push(where(node));
          for (const object of literals) {
            const keys = objectKeys(
              object,
              () => contract.dynamic.push(where(node)),
              (spread) => contract.passthrough.push(where(spread))
            );
            for (const key of keys) contract.outputs.add(key);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  // Helpers that take the input name as a parameter: count the string literals passed to them.
  for (const file of tsFiles(path.join(root, 'src', 'actions', name))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const forwarding = new Set<string>();
    const findHelpers = (node: ts.Node): void => {
      if ((ts.isFunctionDeclaration(node) || ts.isArrowFunction(node)) && node.parameters.length > 0) {
        const first = node.parameters[0]!.name;
        const paramName = ts.isIdentifier(first) ? first.text : undefined;
        let forwards = false;
        const scan = (inner: ts.Node): void => {
          if (
            ts.isCallExpression(inner) &&
            INPUT_FUNCTIONS.has(calleeName(inner.expression) ?? '') &&
            inner.arguments[0] &&
            ts.isIdentifier(inner.arguments[0]) &&
            inner.arguments[0].text === paramName
          )
            forwards = true;
          ts.forEachChild(inner, scan);
        };
        if (node.body) scan(node.body);
        const helperName = ts.isFunctionDeclaration(node)
          ? node.name?.text
          : ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name)
            ? node.parent.name.text
            : undefined;
        if (forwards && helperName) forwarding.add(helperName);
      }
      ts.forEachChild(node, findHelpers);
    };
    findHelpers(source);
    const useHelpers = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && forwarding.has(calleeName(node.expression) ?? '')) {
        const arg = literal(node.arguments[0]);
        if (arg !== undefined) contract.inputs.add(arg);
      }
      ts.forEachChild(node, useHelpers);
    };
    useHelpers(source);
  }
  return contract;
}

/** A composite step that runs one of our bundles: `node ".../dist/<name>/index.js"`. */
export interface BundleStep {
  step: Step;
  bundle: string;
  /** Input names passed as INPUT_<NAME> env (lower-cased back to the action.yml spelling). */
  inputs: string[];
}

/** The bundle-running steps of a composite action. */
export function bundleSteps(spec: ActionSpec): BundleStep[] {
  const out: BundleStep[] = [];
  for (const step of spec.runs.steps ?? []) {
    const match =
      /node\s+"?\$(?:GITHUB_ACTION_PATH|\{GITHUB_ACTION_PATH\})\/(?:\.\.\/)*dist\/([\w-]+)\/index\.js/.exec(
        step.run ?? ''
      );
    if (!match) continue;
    const inputs = Object.keys(step.env ?? {})
      .filter((k) => k.startsWith('INPUT_'))
      .map((k) => k.slice('INPUT_'.length).toLowerCase());
    out.push({ step, bundle: match[1]!, inputs });
  }
  return out;
}

/** The `uses:` lines of a YAML file with their line numbers. */
export function usesLines(text: string): { line: number; ref: string; comment: string }[] {
  const out: { line: number; ref: string; comment: string }[] = [];
  text.split('\n').forEach((l, i) => {
    const m = /^\s*(?:-\s+)?uses:\s*['"]?([^\s'"#]+)['"]?\s*(#.*)?$/.exec(l);
    if (m) out.push({ line: i + 1, ref: m[1]!, comment: m[2] ?? '' });
  });
  return out;
}

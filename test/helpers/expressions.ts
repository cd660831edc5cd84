/**
 * A GitHub Actions expression evaluator for the tests, following the documented semantics
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/expressions): literals, context paths
 * (`steps.plan.outputs.register-secrets`, `inputs['api-image']`), `!`, comparisons (strings case-insensitive,
 * other mixed types compared as numbers), `&&` / `||` returning one of their operands (so `c && a || b` is `b`
 * when `a` is empty), the status functions and format/contains/startsWith/endsWith/join/toJSON/fromJSON.
 * Enough to evaluate the root action's and the reusable workflow's own expressions; not a full implementation
 * (no object filters `.*`, no hashFiles).
 */

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/** The contexts and the job status an expression is evaluated in. */
export interface Scope {
  contexts: Record<string, Value>;
  /** The job status so far: a previous step failed (failure()), or not (success()). */
  failed?: boolean;
}

type Token =
  | { kind: 'str'; value: string }
  | { kind: 'num'; value: number }
  | { kind: 'id'; value: string }
  | { kind: 'op'; value: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new Error(`unterminated string in ${text}`);
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      tokens.push({ kind: 'str', value });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^-?(0x[0-9a-fA-F]+|\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(i))!;
      tokens.push({ kind: 'num', value: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'id', value: m[0] });
      i += m[0].length;
    } else {
      const two = text.slice(i, i + 2);
      if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
        tokens.push({ kind: 'op', value: two });
        i += 2;
      } else if ('!<>()[].,'.includes(c)) {
        tokens.push({ kind: 'op', value: c });
        i++;
      } else throw new Error(`unexpected ${JSON.stringify(c)} in ${text}`);
    }
  }
  return tokens;
}

/** Truthiness as GitHub defines it: false, 0, -0, '', null and NaN are falsy. */
export function truthy(value: Value): boolean {
  return !(value === false || value === 0 || value === '' || value === null || Number.isNaN(value));
}

function toNumber(value: Value): number {
  if (value === null) return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return value.trim() === '' ? 0 : Number(value);
  return NaN;
}

/** The string form GitHub substitutes into a `${{ }}` (null is '', objects are JSON). */
export function asString(value: Value): string {
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value, null, 2);
  return String(value);
}

function equal(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b && typeof a !== 'object') return a === b;
  if (a === null && b === null) return true;
  if (typeof a === 'object' || typeof b === 'object') return a === b;
  return toNumber(a) === toNumber(b);
}

function compare(a: Value, b: Value): number {
  if (typeof a === 'string' && typeof b === 'string') {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = toNumber(a);
  const y = toNumber(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  return x - y;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly scope: Scope,
    private readonly source: string
  ) {}

  parse(): Value {
    const value = this.or();
    if (this.i < this.tokens.length) throw new Error(`unexpected token at ${this.i} in ${this.source}`);
    return value;
  }
  private peek(value?: string): boolean {
    const t = this.tokens[this.i];
    return t !== undefined && t.kind === 'op' && (value === undefined || t.value === value);
  }
  private expect(value: string): void {
    if (!this.peek(value)) throw new Error(`expected ${value} in ${this.source}`);
    this.i++;
  }
  private or(): Value {
    let left = this.and();
    while (this.peek('||')) {
      this.i++;
      const right = this.and();
      left = truthy(left) ? left : right;
    }
    return left;
  }
  private and(): Value {
    let left = this.comparison();
    while (this.peek('&&')) {
      this.i++;
      const right = this.comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  }
  private comparison(): Value {
    let left = this.unary();
    for (;;) {
      const t = this.tokens[this.i];
      if (!t || t.kind !== 'op' || !['==', '!=', '<', '>', '<=', '>='].includes(t.value)) return left;
      this.i++;
      const right = this.unary();
      const c = compare(left, right);
      left =
        t.value === '=='
          ? equal(left, right)
          : t.value === '!='
            ? !equal(left, right)
            : t.value === '<'
              ? c < 0
              : t.value === '>'
                ? c > 0
                : t.value === '<='
                  ? c <= 0
                  : c >= 0;
    }
  }
  private unary(): Value {
    if (this.peek('!')) {
      this.i++;
      return !truthy(this.unary());
    }
    return this.primary();
  }
  private primary(): Value {
    const t = this.tokens[this.i++];
    if (!t) throw new Error(`unexpected end of ${this.source}`);
    if (t.kind === 'op' && t.value === '(') {
      const value = this.or();
      this.expect(')');
      return value;
    }
    if (t.kind === 'str' || t.kind === 'num') return t.value;
    if (t.kind !== 'id') throw new Error(`unexpected ${t.value} in ${this.source}`);
    if (t.value === 'true' || t.value === 'false') return t.value === 'true';
    if (t.value === 'null') return null;
    if (this.peek('(')) return this.call(t.value);
    let value: Value = this.scope.contexts[t.value] ?? null;
    for (;;) {
      if (this.peek('.')) {
        this.i++;
        const name = this.tokens[this.i++];
        if (!name || name.kind !== 'id') throw new Error(`expected a property in ${this.source}`);
        value = property(value, name.value);
      } else if (this.peek('[')) {
        this.i++;
        const key = this.or();
        this.expect(']');
        value = property(value, asString(key));
      } else return value;
    }
  }
  private call(name: string): Value {
    this.expect('(');
    const args: Value[] = [];
    while (!this.peek(')')) {
      args.push(this.or());
      if (this.peek(',')) this.i++;
    }
    this.expect(')');
    const s = (v: Value | undefined) => asString(v ?? null);
    switch (name.toLowerCase()) {
      case 'success':
        return !this.scope.failed;
      case 'failure':
        return Boolean(this.scope.failed);
      case 'always':
        return true;
      case 'cancelled':
        return false;
      case 'format':
        return s(args[0]).replace(/\{(\d+)\}/g, (_m, n: string) => s(args[Number(n) + 1]));
      case 'contains':
        return Array.isArray(args[0])
          ? args[0].some((item) => equal(item, args[1] ?? null))
          : s(args[0]).toLowerCase().includes(s(args[1]).toLowerCase());
      case 'startswith':
        return s(args[0]).toLowerCase().startsWith(s(args[1]).toLowerCase());
      case 'endswith':
        return s(args[0]).toLowerCase().endsWith(s(args[1]).toLowerCase());
      case 'join':
        return Array.isArray(args[0])
          ? args[0].map(s).join(args[1] === undefined ? ',' : s(args[1]))
          : s(args[0]);
      case 'tojson':
        return JSON.stringify(args[0] ?? null, null, 2);
      case 'fromjson':
        return JSON.parse(s(args[0])) as Value;
      default:
        throw new Error(`unknown function ${name} in ${this.source}`);
    }
  }
}

function property(value: Value, name: string): Value {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const key = Object.keys(value).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? null : (value[key] ?? null);
}

/** Evaluates one expression (the text inside `${{ }}`, or an `if:` without it). */
export function evaluate(expression: string, scope: Scope): Value {
  return new Parser(tokenize(expression), scope, expression).parse();
}

/** The `${{ … }}` expressions of a value, as written. */
export function expressionsIn(text: string): string[] {
  return [...text.matchAll(/\$\{\{(.*?)\}\}/gs)].map((m) => m[1]!.trim());
}

/** A value with its `${{ }}` substituted (a value that is one whole expression keeps its type as a string). */
export function interpolate(text: string, scope: Scope): string {
  return text.replace(/\$\{\{(.*?)\}\}/gs, (_m, expression: string) => asString(evaluate(expression, scope)));
}

/**
 * Whether a step runs: its `if:` (with or without `${{ }}`), with `success() &&` in front when it calls no
 * status function, as the runner does.
 */
export function stepRuns(condition: string | boolean | undefined, scope: Scope): boolean {
  if (condition === undefined) return !scope.failed;
  let text = String(condition).trim();
  const whole = /^\$\{\{(.*)\}\}$/s.exec(text);
  if (whole) text = whole[1]!.trim();
  if (!/\b(success|failure|always|cancelled)\s*\(/.test(text)) text = `success() && (${text})`;
  return truthy(evaluate(text, scope));
}

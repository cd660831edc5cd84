/**
 * CloudFormation's AllowedPattern is a Java regular expression (java.util.regex.Pattern) that must match the
 * whole value (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-regexes.html). JavaScript's
 * RegExp reads most patterns the same way but not all, so a pattern is translated, construct by construct,
 * into a RegExp with Java's meaning, and a construct without a faithful translation makes the pattern
 * "unsupported": deploy-stack then leaves the check to CloudFormation (with a warning) instead of guessing.
 *
 * Where the two differ and how the translation follows Java:
 * - `.` excludes Java's line terminators (\n, \r, U+0085, U+2028, U+2029); `(?s)` makes it match anything.
 * - `\s` is ASCII whitespace only ([ \t\n\x0B\f\r]); JavaScript's also matches U+00A0, U+FEFF and the Unicode
 *   spaces. `\w` and `\d` are ASCII, as in JavaScript without flags.
 * - `$` (no MULTILINE) matches at the end or before a final line terminator; `\A`, `\z`, `\Z` exist.
 * - `\h`, `\v` (vertical whitespace, not JavaScript's vertical tab), `\R`, `\e`, `\a`, octal `\0nn`,
 *   `\x{h…}`, `\Q…\E` quoting, POSIX classes (`\p{Alpha}`, `\p{Punct}`, … US-ASCII only), Unicode
 *   categories and scripts (`\p{Lu}`, `\p{IsLatin}`), and escaped punctuation (`\-`, `\@` are literals in
 *   Java, syntax errors in JavaScript's Unicode mode).
 * - Java works on code points: the RegExp uses the `u` flag, so `.` and classes take a whole emoji.
 * - Not translated (unsupported): possessive quantifiers (`a++`), atomic groups (`(?>…)`), inline flags other
 *   than a leading `(?i)` / `(?s)`, class unions and intersections (`[a-z&&[^x]]`), `\G`, comments mode, and
 *   any escape Java itself rejects.
 * - `(?i)` is ASCII-only case-insensitivity in Java, and `\b` read non-ASCII letters as word characters before
 *   Java 19: for patterns with either, `asciiOnly` tells the caller not to trust a mismatch on non-ASCII text.
 * - `\uD83D\uDE00` (a surrogate pair written as two escapes) is one code point, as in Java.
 */

/** A translated pattern, or the reason it could not be translated. */
export type JavaPattern =
  | {
      ok: true;
      /** Matches exactly the values Java's `Pattern.matches(pattern, value)` matches. */
      regexp: RegExp;
      /**
       * The translation is exact for ASCII text only (the pattern has `(?i)`, which Java applies to ASCII
       * letters only, or `\b`/`\B`, whose word characters depend on the Java version): a mismatch on
       * non-ASCII text is unsure.
       */
      asciiOnly: boolean;
    }
  | { ok: false; reason: string };

const LINE_TERMINATORS = '\\n\\r\\u0085\\u2028\\u2029';
const SPACE = ' \\t\\n\\x0B\\f\\r';
const HORIZONTAL = ' \\t\\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000';
const VERTICAL = '\\n\\x0B\\f\\r\\x85\\u2028\\u2029';
const WORD = 'a-zA-Z_0-9';
const DIGIT = '0-9';

/** Java's POSIX character classes (US-ASCII), as class contents. */
const POSIX: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: SPACE
};

const CATEGORIES = new Set(
  'L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Co Cs Cn'.split(
    ' '
  )
);
/** Java binary properties (`\p{IsAlphabetic}`) and their JavaScript names. */
const BINARY: Record<string, string> = {
  Alphabetic: 'Alphabetic',
  Ideographic: 'Ideographic',
  Letter: 'L',
  Lowercase: 'Lowercase',
  Uppercase: 'Uppercase',
  Titlecase: 'Lt',
  Punctuation: 'P',
  Control: 'Cc',
  White_Space: 'White_Space',
  WhiteSpace: 'White_Space',
  Digit: 'Nd',
  Hex_Digit: 'Hex_Digit',
  HexDigit: 'Hex_Digit',
  Join_Control: 'Join_Control',
  JoinControl: 'Join_Control',
  Noncharacter_Code_Point: 'Noncharacter_Code_Point',
  NoncharacterCodePoint: 'Noncharacter_Code_Point',
  Assigned: 'Assigned',
  Emoji: 'Emoji'
};

class Unsupported extends Error {}

/** JavaScript's syntax characters and `/`: the identity escapes Unicode mode allows (and `-` in a class). */
const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));

/** A code point as a RegExp literal (Unicode mode), outside a class or, with `inClass`, inside one. */
function literal(codePoint: number, inClass = false): string {
  const ch = String.fromCodePoint(codePoint);
  if (SYNTAX.has(ch) || (inClass && ch === '-')) return `\\${ch}`;
  if (/^[a-zA-Z0-9 _,:;'"!@#%&=<>~`-]$/.test(ch)) return ch;
  return `\\u{${codePoint.toString(16)}}`;
}

/** What an escape inside or outside a class stands for. */
type Piece = { kind: 'char'; codePoint: number } | { kind: 'set'; inClass: string; outside: string };

/**
 * Translates a Java regular expression (CloudFormation's AllowedPattern) into a RegExp that matches the
 * values Java's `Pattern.matches` (a match of the whole value) accepts.
 * @returns `{ ok: false, reason }` naming the construct when the pattern cannot be translated faithfully
 *   (or is not a valid Java pattern).
 */
export function javaPattern(pattern: string): JavaPattern {
  try {
    const translator = new Translator(pattern);
    const source = translator.translate();
    const regexp = new RegExp(`^(?:${source})$`, translator.caseInsensitive ? 'iu' : 'u');
    return { ok: true, regexp, asciiOnly: translator.caseInsensitive || translator.wordBoundary };
  } catch (error) {
    if (error instanceof Unsupported) return { ok: false, reason: error.message };
    return { ok: false, reason: `it does not compile (${(error as Error).message})` };
  }
}

class Translator {
  private readonly chars: number[];
  private i = 0;
  private groups = 0;
  private dotAll = false;
  caseInsensitive = false;
  /** The pattern uses \b or \B. */
  wordBoundary = false;

  constructor(pattern: string) {
    this.chars = [...pattern].map((c) => c.codePointAt(0)!);
  }

  /** The RegExp source (Unicode mode); `caseInsensitive` and `wordBoundary` are set on the way. */
  translate(): string {
    this.leadingFlags();
    let out = '';
    while (this.i < this.chars.length) out += this.atom();
    return out;
  }

  private peek(offset = 0): string | undefined {
    const cp = this.chars[this.i + offset];
    return cp === undefined ? undefined : String.fromCodePoint(cp);
  }

  private leadingFlags(): void {
    const m = /^\(\?([a-zA-Z]+)\)/.exec(this.rest());
    if (!m) return;
    for (const flag of m[1]!) {
      if (flag === 'i') this.caseInsensitive = true;
      else if (flag === 's') this.dotAll = true;
      else throw new Unsupported(`the inline flag (?${flag}) has no JavaScript translation here`);
    }
    this.i += m[0].length;
  }

  private rest(): string {
    return String.fromCodePoint(...this.chars.slice(this.i));
  }

  private atom(): string {
    const ch = this.peek()!;
    this.i++;
    switch (ch) {
      case '\\':
        return this.escapeOutside();
      case '[':
        return this.characterClass();
      case '(':
        return this.group();
      case ')':
      case '|':
        return ch;
      case '.':
        return this.dotAll ? '[\\s\\S]' : `[^${LINE_TERMINATORS}]`;
      case '^':
        return '^';
      case '$':
        return `(?=(?:\\r\\n|[${LINE_TERMINATORS}])?$)`;
      case '*':
      case '+':
      case '?':
        return ch + this.quantifierSuffix();
      case '{':
        return this.braces();
      default:
        return literal(this.chars[this.i - 1]!);
    }
  }

  private quantifierSuffix(): string {
    if (this.peek() === '?') {
      this.i++;
      return '?';
    }
    if (this.peek() === '+') throw new Unsupported('possessive quantifiers (such as a++) are not translated');
    return '';
  }

  private braces(): string {
    const m = /^(\d+)(,(\d*))?\}/.exec(this.rest());
    if (!m) throw new Unsupported('a "{" that does not start a {n}, {n,} or {n,m} quantifier');
    this.i += m[0].length;
    return `{${m[1]}${m[2] ?? ''}}${this.quantifierSuffix()}`;
  }

  private group(): string {
    if (this.peek() !== '?') {
      this.groups++;
      return '(';
    }
    const rest = this.rest();
    for (const opener of ['?:', '?=', '?!', '?<=', '?<!']) {
      if (rest.startsWith(opener)) {
        this.i += opener.length;
        return `(${opener}`;
      }
    }
    const named = /^\?<([a-zA-Z][a-zA-Z0-9]*)>/.exec(rest);
    if (named) {
      this.i += named[0].length;
      this.groups++;
      return `(?<${named[1]}>`;
    }
    if (rest.startsWith('?>')) throw new Unsupported('atomic groups (?>…) are not translated');
    throw new Unsupported('inline flags inside the pattern are not translated (only a leading (?i) or (?s))');
  }

  /** `\…` outside a class. */
  private escapeOutside(): string {
    const ch = this.peek();
    if (ch === undefined) throw new Unsupported('the pattern ends with a lone backslash');
    if (/[1-9]/.test(ch)) return this.backReference();
    switch (ch) {
      case 'b':
      case 'B':
        this.i++;
        this.wordBoundary = true;
        return `\\${ch}`;
      case 'A':
        this.i++;
        return '(?<![\\s\\S])';
      case 'z':
        this.i++;
        return '(?![\\s\\S])';
      case 'Z':
        this.i++;
        return `(?=(?:\\r\\n|[${LINE_TERMINATORS}])?(?![\\s\\S]))`;
      case 'R':
        this.i++;
        return `(?:\\r\\n|[${VERTICAL}])`;
      case 'Q':
        return this.quoted()
          .map((cp) => literal(cp))
          .join('');
      case 'k': {
        const m = /^k<([a-zA-Z][a-zA-Z0-9]*)>/.exec(this.rest());
        if (!m) throw new Unsupported('\\k must name a group: \\k<name>');
        this.i += m[0].length;
        return `\\k<${m[1]}>`;
      }
    }
    const piece = this.escape(false);
    return piece.kind === 'char' ? literal(piece.codePoint) : piece.outside;
  }

  private backReference(): string {
    let digits = this.peek()!;
    this.i++;
    // Java: more digits belong to the number while it stays a group that exists.
    while (/[0-9]/.test(this.peek() ?? '') && Number(digits + this.peek()) <= this.groups) {
      digits += this.peek();
      this.i++;
    }
    if (Number(digits) > this.groups) {
      throw new Unsupported(`\\${digits} refers to a group that does not exist at that point`);
    }
    // A digit right after a back reference is a literal digit in Java.
    return `\\${digits}(?:)`;
  }

  /** `\Q…\E`: the code points in between, taken literally (the `\` of `\Q` already consumed). */
  private quoted(): number[] {
    this.i++; // Q
    const out: number[] = [];
    while (this.i < this.chars.length) {
      if (this.peek() === '\\' && this.peek(1) === 'E') {
        this.i += 2;
        return out;
      }
      out.push(this.chars[this.i++]!);
    }
    return out;
  }

  /** An escape that means a character or a set, in or out of a class (after the backslash). */
  private escape(inClass: boolean): Piece {
    const ch = this.peek()!;
    this.i++;
    const set = (inside: string, negated = false): Piece => ({
      kind: 'set',
      inClass: negated ? '' : inside,
      outside: `[${negated ? '^' : ''}${inside}]`
    });
    const negatedInClass = (what: string): never => {
      throw new Unsupported(`${what} inside a character class is not translated`);
    };
    switch (ch) {
      case 'd':
        return set(DIGIT);
      case 'D':
        return inClass ? { kind: 'set', inClass: '\\D', outside: '' } : set(DIGIT, true);
      case 'w':
        return set(WORD);
      case 'W':
        if (inClass && this.caseInsensitive) negatedInClass('\\W with (?i)');
        return inClass ? { kind: 'set', inClass: '\\W', outside: '' } : set(WORD, true);
      case 's':
        return set(SPACE);
      case 'S':
        if (inClass) negatedInClass('\\S');
        return set(SPACE, true);
      case 'h':
        return set(HORIZONTAL);
      case 'H':
        if (inClass) negatedInClass('\\H');
        return set(HORIZONTAL, true);
      case 'v':
        return set(VERTICAL);
      case 'V':
        if (inClass) negatedInClass('\\V');
        return set(VERTICAL, true);
      case 'p':
      case 'P':
        return this.property(ch === 'P', inClass);
      case 't':
        return { kind: 'char', codePoint: 9 };
      case 'n':
        return { kind: 'char', codePoint: 10 };
      case 'r':
        return { kind: 'char', codePoint: 13 };
      case 'f':
        return { kind: 'char', codePoint: 12 };
      case 'a':
        return { kind: 'char', codePoint: 7 };
      case 'e':
        return { kind: 'char', codePoint: 27 };
      case '0':
        return { kind: 'char', codePoint: this.octal() };
      case 'x':
        return { kind: 'char', codePoint: this.hex() };
      case 'u': {
        const m = /^([0-9a-fA-F]{4})(?:\\u([0-9a-fA-F]{4}))?/.exec(this.rest());
        if (!m) throw new Unsupported('\\u needs four hex digits');
        const high = parseInt(m[1]!, 16);
        const low = m[2] === undefined ? NaN : parseInt(m[2], 16);
        // A surrogate pair written as two escapes is one code point, as Java reads it.
        if (high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
          this.i += 10;
          return { kind: 'char', codePoint: 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00) };
        }
        this.i += 4;
        return { kind: 'char', codePoint: high };
      }
      case 'c': {
        const next = this.chars[this.i];
        if (next === undefined) throw new Unsupported('\\c needs a character');
        this.i++;
        return { kind: 'char', codePoint: next ^ 64 };
      }
    }
    if (/[a-zA-Z0-9]/.test(ch)) throw new Unsupported(`\\${ch} is not an escape this check translates`);
    return { kind: 'char', codePoint: this.chars[this.i - 1]! };
  }

  private octal(): number {
    const m = /^[0-7]{1,3}/.exec(this.rest());
    if (!m) throw new Unsupported('\\0 needs octal digits');
    // Java: \0mnn only when m <= 3, else \0nn.
    const digits = m[0].length === 3 && Number(m[0][0]) > 3 ? m[0].slice(0, 2) : m[0];
    this.i += digits.length;
    return parseInt(digits, 8);
  }

  private hex(): number {
    const braced = /^\{([0-9a-fA-F]{1,6})\}/.exec(this.rest());
    if (braced) {
      this.i += braced[0].length;
      const cp = parseInt(braced[1]!, 16);
      if (cp > 0x10ffff) throw new Unsupported('\\x{…} beyond U+10FFFF');
      return cp;
    }
    const m = /^[0-9a-fA-F]{2}/.exec(this.rest());
    if (!m) throw new Unsupported('\\x needs two hex digits or \\x{…}');
    this.i += 2;
    return parseInt(m[0], 16);
  }

  private property(negated: boolean, inClass: boolean): Piece {
    let name: string;
    const braced = /^\{([^}]*)\}/.exec(this.rest());
    if (braced) {
      name = braced[1]!;
      this.i += braced[0].length;
    } else if (/[A-Z]/.test(this.peek() ?? '')) {
      name = this.peek()!;
      this.i++;
    } else throw new Unsupported('\\p needs a property name: \\p{Name}');

    const posix = POSIX[name];
    if (posix !== undefined) {
      if (this.caseInsensitive && (name === 'Lower' || name === 'Upper'))
        throw new Unsupported(`\\p{${name}} with (?i) is not translated`);
      if (negated && inClass)
        throw new Unsupported(`\\P{${name}} inside a character class is not translated`);
      return { kind: 'set', inClass: negated ? '' : posix, outside: `[${negated ? '^' : ''}${posix}]` };
    }
    let js: string | undefined;
    const bare = name.replace(/^(Is|gc=|general_category=)/, '');
    if (CATEGORIES.has(bare)) js = bare;
    else if (name.startsWith('Is') && BINARY[bare]) js = BINARY[bare];
    else {
      const script = /^(?:Is|sc=|script=)([A-Za-z_]+)$/.exec(name);
      if (script) js = `Script=${script[1]}`;
    }
    if (!js) throw new Unsupported(`the property \\p{${name}} is not translated`);
    const escape = `\\${negated ? 'P' : 'p'}{${js}}`;
    // Fails (caught as "does not compile") when JavaScript does not know the script name.
    new RegExp(escape, 'u');
    return { kind: 'set', inClass: escape, outside: escape };
  }

  /** `[…]` (the `[` consumed): a class with Java's meaning of its escapes. */
  private characterClass(): string {
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.i++;
    }
    if (this.peek() === ']') throw new Unsupported('a class starting with "]" is read differently by Java');
    let body = '';
    let first = true;
    while (true) {
      const ch = this.peek();
      if (ch === undefined) throw new Unsupported('an unclosed character class');
      if (ch === ']') {
        this.i++;
        break;
      }
      if (ch === '[') throw new Unsupported('nested classes (unions such as [a-c[x-z]]) are not translated');
      if (ch === '&' && this.peek(1) === '&')
        throw new Unsupported('class intersections ([a-z&&[^x]]) are not translated');
      const start = this.classPiece();
      if (
        start.kind === 'char' &&
        this.peek() === '-' &&
        this.peek(1) !== undefined &&
        this.peek(1) !== ']'
      ) {
        this.i++;
        if (this.peek() === '[') throw new Unsupported('nested classes are not translated');
        const end = this.classPiece();
        if (end.kind !== 'char') throw new Unsupported('a range ending in a class escape');
        if (end.codePoint < start.codePoint) throw new Unsupported('a range out of order (Java rejects it)');
        body += `${literal(start.codePoint, true)}-${literal(end.codePoint, true)}`;
      } else if (start.kind === 'char') {
        body += literal(start.codePoint, true);
      } else {
        if (this.peek() === '-' && this.peek(1) !== ']')
          throw new Unsupported('a range starting with a class escape');
        if (!start.inClass) throw new Unsupported('a negated class escape inside a class');
        body += start.inClass;
      }
      first = false;
    }
    if (first) throw new Unsupported('an empty character class');
    return `[${negated ? '^' : ''}${body}]`;
  }

  private classPiece(): Piece {
    const ch = this.peek()!;
    if (ch === '\\') {
      this.i++;
      if (/[QEbBAzZGRk1-9]/.test(this.peek() ?? ''))
        throw new Unsupported(`\\${this.peek()} inside a character class is not translated`);
      return this.escape(true);
    }
    this.i++;
    return { kind: 'char', codePoint: this.chars[this.i - 1]! };
  }
}

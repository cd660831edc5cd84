/**
 * AllowedPattern is a Java regex matched against the whole value: javaPattern's RegExp must accept exactly
 * what java.util.regex's Pattern.matches accepts, or say it cannot translate the pattern. The table's
 * expectations are Java's answers; when a JDK is on PATH, the test also asks Java itself (the table, and
 * every pattern against a set of probe values where JavaScript's reading differs from Java's).
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { javaPattern } from '../../src/stacks/java-regex.js';
import { parseTemplate } from '../../src/stacks/template.js';

/** [pattern, value, Pattern.matches(pattern, value)] */
const TABLE: Array<[string, string, boolean]> = [
  ['^[a-zA-Z][a-zA-Z0-9-]{0,30}$', 'twotier', true],
  ['^[a-zA-Z][a-zA-Z0-9-]{0,30}$', '9bad', false],
  ['[a-z]+', 'abc', true],
  ['[a-z]+', 'abc1', false], // the whole value must match, not a part of it
  ['a|ab', 'ab', true],
  ['\\S+', 'a\u00a0b', true], // Java's \s is ASCII: NBSP is not whitespace
  ['\\s', '\u00a0', false],
  ['\\s', '\ufeff', false],
  ['.', '\u0085', false], // NEL is a line terminator for Java's dot
  ['.', '\u2028', false],
  ['.', '😀', true], // one code point
  ['.{2}', '😀', false],
  ['(?s).', '\n', true],
  ['abc$\\n?', 'abc\n', true], // $ also matches before a final line terminator
  ['abc$', 'abc\n', false],
  ['\\-\\@x', '-@x', true], // escaped punctuation is a literal
  ['[\\w-]+', 'a-b_c', true],
  ['[\\w\\-.]+', 'a-b.c', true],
  ['\\p{Alpha}+', 'abc', true],
  ['\\p{Alpha}+', 'ébc', false], // POSIX classes are US-ASCII
  ['\\p{Punct}+', '!/:@[`{~', true],
  ['\\p{L}+', 'ébc', true],
  ['\\p{IsLatin}+', 'ébc', true],
  ['\\p{Lu}\\P{Lu}', 'Ab', true],
  ['\\QA.B\\E', 'A.B', true],
  ['\\QA.B\\E', 'AxB', false],
  ['(?i)abc', 'ABC', true],
  ['(a)\\1', 'aa', true],
  ['(a)\\10', 'aa0', true], // \10 with one group: \1 then the digit 0
  ['(?<x>a)\\k<x>', 'aa', true],
  ['\\x41\\x{1F600}\\u0042', 'A😀B', true],
  ['\\uD83D\\uDE00', '😀', true], // a surrogate pair written as two escapes is one code point
  ['[\\uD83D\\uDE00-\\uD83D\\uDE4F]', '😃', true],
  ['ab\\b', 'ab', true],
  ['\\0101', 'A', true],
  ['\\t\\e\\a\\cA', '\t\u001b\u0007\u0001', true],
  ['\\h', '\u3000', true],
  ['\\v', '\u000b', true],
  ['\\v', '\u0085', true], // \v is vertical whitespace in Java, not only the vertical tab
  ['\\R', '\r\n', true],
  ['\\d', '٣', false],
  ['\\w', 'é', false],
  ['a{2,}', 'aaa', true],
  ['x]}', 'x]}', true],
  ['[a-]', '-', true],
  ['[-a]', '-', true],
  ['[\\[\\]]', ']', true],
  ['[^*?:]{1,255}', 'production', true],
  ['\\Aa\\z', 'a', true],
  ['a\\Z', 'a\n', false], // \Z may stop before the terminator, but the whole value must be matched
  ['a\\Z\\n', 'a\n', true],
  ['(?=a)a', 'a', true],
  ['(?<!b)a', 'a', true],
  ['^(\\d{1,3}\\.){3}\\d{1,3}/(1[6-9]|2[0-4])$', '10.0.0.0/16', true],
  ['^(\\d{1,3}\\.){3}\\d{1,3}/(1[6-9]|2[0-4])$', '10.0.0.0/8', false]
];

/** Java constructs without a faithful RegExp translation: refused as unsupported, never guessed. */
const UNSUPPORTED: Array<[string, RegExp]> = [
  ['a++', /possessive/],
  ['a*+b', /possessive/],
  ['(?>a)', /atomic/],
  ['a(?i)b', /inline flags/],
  ['(?x)a b', /inline flag \(\?x\)/],
  ['[a-z&&[^x]]', /intersections/],
  ['[a-c[x-z]]', /nested classes/],
  ['[\\S]', /\\S inside a character class/],
  ['\\Ga', /\\G/],
  ['a{', /quantifier/],
  ['(a)\\2', /group that does not exist/],
  ['\\y', /not an escape/],
  ['[^]a]', /"]"/]
];

const javaAvailable = spawnSync('java', ['-version'], { encoding: 'utf8' }).status === 0;

/** Pattern.matches for each pair, from a real JVM (test/stacks/java/PatternMatches.java). */
function javaMatches(pairs: Array<[string, string]>): Array<boolean | 'error'> {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  const input = pairs.map(([p, v]) => `${b64(p)}\t${b64(v)}`).join('\n') + '\n';
  const run = spawnSync('java', [path.join('test', 'stacks', 'java', 'PatternMatches.java')], {
    input,
    encoding: 'utf8',
    timeout: 60000
  });
  if (run.status !== 0) throw new Error(`java failed: ${run.stderr}`);
  return run.stdout
    .trim()
    .split('\n')
    .map((l) => (l === 'error' ? 'error' : l === 'true'));
}

describe('javaPattern', () => {
  test.each(TABLE)('%j against %j is %s, as in Java', (pattern, value, expected) => {
    const translated = javaPattern(pattern);
    expect(translated.ok).toBe(true);
    if (translated.ok) expect(translated.regexp.test(value)).toBe(expected);
  });

  test.each(UNSUPPORTED)('%j is not translated', (pattern, reason) => {
    const translated = javaPattern(pattern);
    expect(translated.ok).toBe(false);
    if (!translated.ok) expect(translated.reason).toMatch(reason);
  });

  test('(?i) and \\b say they are exact for ASCII only, so a caller can distrust non-ASCII mismatches', () => {
    expect(javaPattern('(?i)straße')).toMatchObject({ ok: true, asciiOnly: true });
    expect(javaPattern('a\\bb?')).toMatchObject({ ok: true, asciiOnly: true });
    expect(javaPattern('[a-z]+')).toMatchObject({ ok: true, asciiOnly: false });
  });

  (javaAvailable ? test : test.skip)('the table is what Java answers', () => {
    const answers = javaMatches(TABLE.map(([p, v]) => [p, v]));
    expect(answers).toEqual(TABLE.map(([, , expected]) => expected));
  });

  (javaAvailable ? test : test.skip)(
    'every translated pattern agrees with Java on values where the two engines differ',
    () => {
      const templates = readdirSync('templates')
        .filter((f) => f.endsWith('.yml'))
        .flatMap((f) => {
          const { parameters } = parseTemplate(readFileSync(path.join('templates', f), 'utf8'), f);
          return Object.values(parameters)
            .map((p) => p.AllowedPattern)
            .filter((p): p is string => typeof p === 'string');
        });
      const patterns = [...new Set([...TABLE.map(([p]) => p), ...templates])];
      const probes = [
        '',
        'a',
        'abc',
        'ABC',
        'a-b',
        'a b',
        'a\u00a0b',
        'a\u0085',
        'a\n',
        'a\r\n',
        '😀',
        'é',
        '10.0.0.0/16',
        'twotier',
        'twotier/api',
        'x]}',
        '-',
        '٣'
      ];
      const pairs = patterns
        .filter((p) => javaPattern(p).ok)
        .flatMap((p) => probes.map((v) => [p, v] as [string, string]));
      const java = javaMatches(pairs);
      const differences = pairs
        .map(([p, v], i) => ({
          p,
          v,
          java: java[i],
          js: (javaPattern(p) as { regexp: RegExp }).regexp.test(v)
        }))
        .filter((r) => r.java !== r.js);
      expect(differences).toEqual([]);
      expect(pairs.length).toBeGreaterThan(500);
    }
  );

  (javaAvailable ? test : test.skip)(
    'what is not translated, Java either rejects or reads its own way',
    () => {
      // The unsupported constructs are real Java syntax (or Java errors), not typos of the table.
      const answers = javaMatches(UNSUPPORTED.map(([p]) => [p, 'a']));
      expect(answers.every((a) => a === true || a === false || a === 'error')).toBe(true);
      expect(answers[0]).toBe(true); // a++ matches "a" in Java
    }
  );
});

/**
 * Credential-shaped values: finding the parts of a plain string that are credentials, whatever the name of
 * the variable or field holding it, so they can be masked before anything is printed. Used by
 * register-task-definition for task definition `environment` values and every other string it may print
 * (the diff, the job summary); usable by any domain.
 *
 * What is recognised, and what is masked (the credential part only, so that a URL stays readable):
 * - a URL with a password in its user info (`postgres://app:PASSWORD@db:5432/app`, `redis://:PASSWORD@…`):
 *   the password;
 * - a password in a key/value connection string (`Server=db;User Id=app;Password=PASSWORD;`,
 *   `host=db user=app password=PASSWORD`): the value;
 * - a credential in a URL query (`?token=…`, `access_token`, `api_key`, `apikey`, `password`, `secret`,
 *   `signature`, `sig`, `X-Amz-Signature`, `X-Amz-Credential`): the value;
 * - well-known formats: JSON Web Tokens (`eyJ….eyJ….…`), AWS access key ids (`AKIA`, `ASIA`, `ABIA`,
 *   `ACCA` + 16), Stripe keys (`sk_live_`, `sk_test_`, `rk_live_`, `rk_test_`, `whsec_`), GitHub tokens
 *   (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`), Slack tokens (`xoxa-`, `xoxb-`, `xoxp-`,
 *   `xoxr-`, `xoxs-`) and webhooks (`hooks.slack.com/services/…`), Google API keys (`AIza` + 35), npm tokens
 *   (`npm_` + 36), SendGrid keys (`SG.….…`), and PEM private keys (the whole value);
 * - with `entropy` (for values a person sets, such as environment variables): any token of at least
 *   {@link MIN_TOKEN_LENGTH} characters of `[A-Za-z0-9+/=_-]` that looks random: it mixes upper case, lower
 *   case and digits and its Shannon entropy is at least {@link ENTROPY_RATIO} × log2(its length) bits a
 *   character (the most a string of that length can have) and less than half of it is words and numbers
 *   ({@link wordCoverage}), or it is hexadecimal of at least 32 digits with at least 3 bits a character.
 *
 * Not treated as credentials, on purpose (identifiers that are printed for good reason): UUIDs, 40-digit
 * hexadecimal strings (git commit SHAs) and any hexadecimal digest written with its algorithm
 * (`sha256:…`, `sha512:…`, as in image references), tokens without upper case, lower case and digits
 * all three (`ecs-svc/1234567890123456789`), and names made mostly of words and numbers
 * (`twotier-dev-TaskExecutionRole-1A2B3C4D5E6F7`, `MyApplicationName2024Production`).
 * A random secret that happens to be one of these is still masked by the name rule of its caller
 * (register-task-definition masks every value of a variable named like PASSWORD, SECRET, TOKEN, KEY…).
 */

/** The shortest token the entropy rule considers (characters). */
export const MIN_TOKEN_LENGTH = 20;
/** A random token's entropy is at least this fraction of the most its length allows (log2 of the length). */
export const ENTROPY_RATIO = 0.8;
/** A token at least this much made of words and numbers ({@link wordCoverage}) is a name, not a secret. */
export const MAX_WORD_COVERAGE = 0.5;

/** One credential found in a string. */
export interface CredentialMatch {
  /** What it looks like, for a person: `a URL with a password`, `a JSON Web Token`, … */
  kind: string;
  /** The exact substring to mask. */
  value: string;
}

interface Rule {
  kind: string;
  pattern: RegExp;
  /** The capture group holding the credential (0: the whole match). */
  group?: number;
}

const RULES: readonly Rule[] = [
  {
    kind: 'a PEM private key',
    pattern:
      /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)/g
  },
  { kind: 'a URL with a password', pattern: /[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:([^\s/?#@]+)@/gi, group: 1 },
  {
    kind: 'a connection string with a password',
    pattern: /(?:^|[;\s])(?:password|passwd|pwd)\s*=\s*('[^']*'|"[^"]*"|[^;\s]+)/gi,
    group: 1
  },
  {
    kind: 'a URL with a credential in its query',
    pattern:
      /[?&](?:token|access_token|refresh_token|id_token|api_key|apikey|key|password|secret|client_secret|signature|sig|x-amz-signature|x-amz-credential|x-amz-security-token)=([^&#\s]+)/gi,
    group: 1
  },
  { kind: 'a JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}/g },
  { kind: 'an AWS access key id', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  {
    kind: 'a Stripe key',
    pattern: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}\b|\bwhsec_[A-Za-z0-9]{16,}\b/g
  },
  { kind: 'a GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b|\bgithub_pat_[A-Za-z0-9_]{22,}\b/g },
  { kind: 'a Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g },
  {
    kind: 'a Slack webhook URL',
    pattern: /hooks\.slack\.com\/services\/(T[A-Za-z0-9]+\/B[A-Za-z0-9]+\/[A-Za-z0-9]+)/g,
    group: 1
  },
  { kind: 'a Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { kind: 'an npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { kind: 'a SendGrid key', pattern: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g }
];

/** Shannon entropy of `text`, in bits a character. */
export function shannonEntropy(text: string): number {
  if (!text) return 0;
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

const TOKEN = /[A-Za-z0-9+/=_-]+/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^[0-9a-f]+$/i;

/**
 * The fraction of `token` made of lower-case runs of 3 or more letters (words, the tails of CamelCase
 * words), runs of 4 or more digits (years, account ids) and separators: high for names people write
 * (`twotier-dev-TaskExecutionRole-1A2B3C`, `AWSLogs/123456789012/us-east-1`), low for random tokens.
 */
export function wordCoverage(token: string): number {
  let covered = 0;
  for (const match of token.matchAll(/[a-z]{3,}|\d{4,}|[-_/+=.]/g)) covered += match[0].length;
  return token.length ? covered / token.length : 0;
}

/** True when `token` (a run of `[A-Za-z0-9+/=_-]`) looks like a random secret (see the module doc). */
export function looksRandom(token: string): boolean {
  if (token.length < MIN_TOKEN_LENGTH || UUID.test(token)) return false;
  const entropy = shannonEntropy(token);
  if (HEX.test(token)) return token.length >= 32 && token.length !== 40 && entropy >= 3;
  if (!/[a-z]/.test(token) || !/[A-Z]/.test(token) || !/\d/.test(token)) return false;
  if (wordCoverage(token) >= MAX_WORD_COVERAGE) return false;
  return entropy >= ENTROPY_RATIO * Math.log2(token.length);
}

/**
 * The credentials in `text`, each once, longest first (so masking a longer one first never leaves a part).
 * @param options.entropy also report random-looking tokens (see the module doc); default false.
 */
export function findCredentials(text: string, options: { entropy?: boolean } = {}): CredentialMatch[] {
  const found = new Map<string, CredentialMatch>();
  const add = (kind: string, value: string | undefined) => {
    const clean = value?.replace(/^['"]|['"]$/g, '');
    if (clean && !found.has(clean)) found.set(clean, { kind, value: clean });
  };
  for (const rule of RULES) {
    for (const match of text.matchAll(rule.pattern)) add(rule.kind, match[rule.group ?? 0]);
  }
  if (options.entropy) {
    for (const match of text.matchAll(TOKEN)) {
      const token = match[0];
      const before = text.slice(Math.max(0, match.index - 8), match.index);
      if (/(?:sha\d+|md5):$/i.test(before)) continue; // a digest written with its algorithm
      if ([...found.keys()].some((v) => v.includes(token))) continue;
      if (looksRandom(token)) add('a random-looking token', token);
    }
  }
  return [...found.values()].sort((a, b) => b.value.length - a.value.length);
}

/** `text` with every credential in `matches` replaced by `***`. */
export function maskCredentials(text: string, matches: readonly CredentialMatch[]): string {
  return matches.reduce((acc, m) => acc.split(m.value).join('***'), text);
}

/** `text` with every credential it contains (entropy rule included) replaced by `***`: for error messages. */
export function redactCredentials(text: string): string {
  return maskCredentials(text, findCredentials(text, { entropy: true }));
}

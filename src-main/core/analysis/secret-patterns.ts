// Well-known secret formats, found in file contents and masked before they reach any output.
import type { FindingKind } from '../../api/findings';

interface Pattern {
  kind: FindingKind;
  name: string;
  regex: RegExp;
}

export const SECRET_PATTERNS: Pattern[] = [
  {
    kind: 'private-key',
    name: 'private key',
    regex: /-----BEGIN ((?:RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----/,
  },
  { kind: 'token', name: 'AWS access key ID', regex: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  {
    kind: 'token',
    name: 'AWS secret access key',
    regex: /aws_secret_access_key\s*[=:]\s*["']?([A-Za-z0-9/+=]{40})/i,
  },
  {
    kind: 'token',
    name: 'GitHub token',
    regex: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b/,
  },
  { kind: 'token', name: 'GitLab token', regex: /\bglpat-[A-Za-z0-9_-]{20,}\b/ },
  { kind: 'token', name: 'Slack token', regex: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/ },
  { kind: 'token', name: 'Google API key', regex: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { kind: 'token', name: 'Stripe secret key', regex: /\b[sr]k_live_[0-9a-zA-Z]{24,}\b/ },
  { kind: 'token', name: 'npm token', regex: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { kind: 'token', name: 'npm auth in .npmrc', regex: /_(?:authToken|auth|password)\s*=\s*\S{8,}/ },
  {
    kind: 'token',
    name: 'registry auth in a Docker config',
    regex: /"auth"\s*:\s*"[A-Za-z0-9+/=]{8,}"/,
  },
];

/** `AKIAIOSFODNN7EXAMPLE` -> `AKIA************MPLE`; short values are masked whole. */
export function mask(secret: string): string {
  if (secret.length <= 12) return '*'.repeat(secret.length);
  return `${secret.slice(0, 4)}${'*'.repeat(Math.min(secret.length - 8, 24))}${secret.slice(-4)}`;
}

export interface SecretMatch {
  kind: FindingKind;
  detail: string;
}

/**
 * A text holds none of SECRET_PATTERNS unless this matches: the literal each pattern needs, in
 * one pass (case-insensitive, so a superset). Most files are skipped after it.
 */
const MAY_HOLD_SECRET =
  /-----BEGIN |AKIA|ASIA|aws_secret_access_key|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|AIza|k_live_|npm_|_auth|_password|"auth"/i;

export function findSecrets(text: string): SecretMatch[] {
  if (!MAY_HOLD_SECRET.test(text)) return [];
  const out: SecretMatch[] = [];
  for (const { kind, name, regex } of SECRET_PATTERNS) {
    const match = regex.exec(text);
    if (!match) continue;
    const shown = kind === 'private-key' ? match[0] : mask(match[1] ?? match[0]);
    out.push({ kind, detail: `${name}: ${shown}` });
  }
  return out;
}

/** KEY=VALUE lines of an env file whose key names a secret. */
export function envSecrets(text: string): string[] {
  const keys: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$/.exec(line);
    if (
      m &&
      /secret|token|passw|api_?key|private|credential/i.test(m[1]!) &&
      m[2]!.trim().length > 0
    ) {
      keys.push(`${m[1]}=${mask(m[2]!.trim().replace(/^["']|["']$/g, ''))}`);
    }
  }
  return keys;
}

//! The emulator's tool registration form (an LMS's "developer key"): URLs, the tool's key (a
//! JWKS URL or a pasted JWK / JWKS / PEM), custom parameters, granted scopes, deployments. Maps
//! to `ToolInput`. Pure, so the mapping is tested.

import type { EmulatorTool, ToolInput } from '../bindings';

/** The service scopes a tool may be granted (AGS 2.0, NRPS 2.0), with short labels. */
export const SCOPES = [
  { uri: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem', label: 'AGS line items (read/write)' },
  { uri: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly', label: 'AGS line items (read only)' },
  { uri: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly', label: 'AGS results (read)' },
  { uri: 'https://purl.imsglobal.org/spec/lti-ags/scope/score', label: 'AGS scores (post)' },
  { uri: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly', label: 'NRPS roster (read)' },
] as const;

/** A scope URI's last part (`score`, `lineitem.readonly`, `contextmembership.readonly`). */
export function scopeName(uri: string): string {
  return uri.slice(uri.lastIndexOf('/') + 1) || uri;
}

export type KeySource = 'url' | 'paste';

export interface ToolForm {
  id: string | null;
  name: string;
  clientId: string;
  loginUrl: string;
  /** One per line. */
  redirectUris: string;
  targetLinkUri: string;
  deepLinkUrl: string;
  keySource: KeySource;
  jwksUrl: string;
  publicKey: string;
  /** `name=value`, one per line; values may use substitution variables ($User.id…). */
  custom: string;
  scopes: string[];
  /** A deployment id to add ("" = generated for a new tool, none added when editing). */
  deploymentId: string;
  /** Deploy only in this course ("" = platform-wide). */
  courseId: string;
}

export function newToolForm(): ToolForm {
  return {
    id: null,
    name: '',
    clientId: '',
    loginUrl: '',
    redirectUris: '',
    targetLinkUri: '',
    deepLinkUrl: '',
    keySource: 'url',
    jwksUrl: '',
    publicKey: '',
    custom: '',
    scopes: SCOPES.map((s) => s.uri),
    deploymentId: '',
    courseId: '',
  };
}

export function customToText(custom: Record<string, string>): string {
  return Object.entries(custom)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

export function formFromTool(t: EmulatorTool): ToolForm {
  return {
    id: t.id,
    name: t.name,
    clientId: t.client_id,
    loginUrl: t.login_url,
    redirectUris: t.redirect_uris.join('\n'),
    targetLinkUri: t.target_link_uri,
    deepLinkUrl: t.deep_link_url ?? '',
    keySource: t.public_jwks && t.public_jwks.keys.length > 0 ? 'paste' : 'url',
    jwksUrl: t.jwks_url ?? '',
    publicKey: '',
    custom: customToText(t.custom),
    scopes: [...t.scopes],
    deploymentId: '',
    courseId: '',
  };
}

/** `name=value` lines to a map; a line without `=` or with an empty name is a problem (1-based line). */
export function parseCustom(text: string): { custom: Record<string, string>; bad: number[] } {
  const custom: Record<string, string> = {};
  const bad: number[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const eq = line.indexOf('=');
    const name = eq > 0 ? line.slice(0, eq).trim() : '';
    if (!name) {
      bad.push(i + 1);
      return;
    }
    custom[name] = line.slice(eq + 1).trim();
  });
  return { custom, bad };
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export type ToolField = 'login_url' | 'redirect_uris' | 'target_link_uri' | 'deep_link_url' | 'jwks_url' | 'public_key' | 'custom';

/** What to fix before sending (the engine checks the rest and says what). */
export function toolProblems(f: ToolForm): Partial<Record<ToolField, string>> {
  const out: Partial<Record<ToolField, string>> = {};
  if (!f.loginUrl.trim()) out.login_url = 'The tool’s OIDC login initiation URL is required.';
  else if (!isHttpUrl(f.loginUrl.trim())) out.login_url = 'Must be an http(s) URL.';
  const redirects = parseLines(f.redirectUris);
  if (redirects.length === 0) out.redirect_uris = 'At least one redirect URI (matched exactly against the authentication request).';
  else if (redirects.some((u) => !isHttpUrl(u))) out.redirect_uris = 'Every redirect URI must be an http(s) URL.';
  if (f.targetLinkUri.trim() && !isHttpUrl(f.targetLinkUri.trim())) out.target_link_uri = 'Must be an http(s) URL.';
  if (f.deepLinkUrl.trim() && !isHttpUrl(f.deepLinkUrl.trim())) out.deep_link_url = 'Must be an http(s) URL.';
  if (f.keySource === 'url' && f.jwksUrl.trim() && !isHttpUrl(f.jwksUrl.trim())) out.jwks_url = 'Must be an http(s) URL.';
  if (f.keySource === 'paste' && !f.publicKey.trim() && !f.id) out.public_key = 'Paste the tool’s public key (JWK, JWKS or PEM), or give its JWKS URL.';
  const { bad } = parseCustom(f.custom);
  if (bad.length > 0) out.custom = `Line${bad.length > 1 ? 's' : ''} ${bad.join(', ')}: write name=value.`;
  return out;
}

/** Lines (URLs never contain commas that matter here, but keep them: split on newlines only). */
export function parseLines(text: string): string[] {
  const out: string[] = [];
  for (const l of text.split('\n')) {
    const v = l.trim();
    if (v && !out.includes(v)) out.push(v);
  }
  return out;
}

function opt(s: string): string | null {
  const t = s.trim();
  return t === '' ? null : t;
}

export function toToolInput(f: ToolForm): ToolInput {
  return {
    id: f.id,
    name: f.name.trim(),
    client_id: opt(f.clientId),
    login_url: f.loginUrl.trim(),
    redirect_uris: parseLines(f.redirectUris),
    target_link_uri: opt(f.targetLinkUri),
    deep_link_url: opt(f.deepLinkUrl),
    // The JWKS URL is kept in both modes (a pasted key takes precedence over it); a pasted key
    // is sent only in paste mode, and absent keeps the stored one.
    jwks_url: opt(f.jwksUrl),
    // Choosing the JWKS URL removes a stored pasted key (the engine treats '' as remove).
    public_key: f.keySource === 'paste' ? opt(f.publicKey) : '',
    custom: parseCustom(f.custom).custom,
    scopes: [...f.scopes],
    deployment_id: opt(f.deploymentId),
    course_id: opt(f.courseId),
  };
}

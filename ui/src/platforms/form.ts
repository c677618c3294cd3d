//! The platform registration form's state and its mapping to `PlatformInput`. With a preset the
//! form asks only for the site-specific parts: endpoints the user did not touch are sent empty
//! and the engine fills them from the preset and the site (it also says what is missing).
//! Pure, so the mapping is tested.

import type { LmsProfile, Platform, PlatformInput } from '../bindings';

export const ENDPOINT_FIELDS = ['issuer', 'auth_endpoint', 'token_endpoint', 'token_audience', 'jwks_url'] as const;
export type EndpointField = (typeof ENDPOINT_FIELDS)[number];

export const ENDPOINT_LABELS: Record<EndpointField, string> = {
  issuer: 'Issuer (iss)',
  auth_endpoint: 'OIDC authentication endpoint',
  token_endpoint: 'Access token endpoint',
  token_audience: 'Token assertion audience',
  jwks_url: 'Platform JWKS URL',
};

export type KeySource = 'url' | 'paste';

export interface PlatformForm {
  /** Set when editing a stored registration. */
  id: string | null;
  /** Preset id, or null for a custom platform. */
  preset: string | null;
  name: string;
  site: string;
  clientId: string;
  /** Comma or line separated. */
  deployments: string;
  keySource: KeySource;
  publicKey: string;
  endpoints: Record<EndpointField, string>;
  /** Endpoints the user typed (or that came from a stored registration): sent as they are. */
  touched: Record<EndpointField, boolean>;
}

const none = (): Record<EndpointField, boolean> => ({ issuer: false, auth_endpoint: false, token_endpoint: false, token_audience: false, jwks_url: false });
const blank = (): Record<EndpointField, string> => ({ issuer: '', auth_endpoint: '', token_endpoint: '', token_audience: '', jwks_url: '' });

export function newForm(preset: LmsProfile | null): PlatformForm {
  return {
    id: null,
    preset: preset?.id ?? null,
    name: '',
    site: '',
    clientId: '',
    deployments: '',
    keySource: 'url',
    publicKey: '',
    endpoints: blank(),
    touched: none(),
  };
}

/** A stored registration, for editing: every endpoint is explicit. */
export function formFromPlatform(p: Platform): PlatformForm {
  return {
    id: p.id,
    preset: p.preset ?? null,
    name: p.name,
    site: '',
    clientId: p.client_id,
    deployments: (p.deployment_ids ?? []).join('\n'),
    keySource: p.public_jwks && p.public_jwks.keys.length > 0 ? 'paste' : 'url',
    publicKey: '',
    endpoints: {
      issuer: p.issuer,
      auth_endpoint: p.auth_endpoint,
      token_endpoint: p.token_endpoint,
      token_audience: p.token_audience ?? '',
      jwks_url: p.jwks_url ?? '',
    },
    touched: { issuer: true, auth_endpoint: true, token_endpoint: true, token_audience: true, jwks_url: true },
  };
}

/** As the engine does: `https://school.edu/` and `school.edu` are the same site. */
export function normalizeSite(site: string): string {
  return site.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '');
}

/** A preset template with `{site}` filled; null when it needs a site that is not given. */
export function fillTemplate(template: string, site: string): string | null {
  if (!template.includes('{')) return template;
  const s = normalizeSite(site);
  if (!s) return null;
  const filled = template.split('{site}').join(s);
  return filled.includes('{') ? null : filled;
}

export function presetNeedsSite(p: LmsProfile): boolean {
  return [p.issuer, p.auth_endpoint, p.jwks_url, p.token_endpoint, p.token_audience ?? ''].some((t) => t.includes('{site}'));
}

function presetTemplate(p: LmsProfile, f: EndpointField): string {
  switch (f) {
    case 'issuer':
      return p.issuer;
    case 'auth_endpoint':
      return p.auth_endpoint;
    case 'token_endpoint':
      return p.token_endpoint;
    case 'token_audience':
      return p.token_audience ?? '';
    case 'jwks_url':
      return p.jwks_url;
  }
}

/**
 * What the preset fills for a field with the current site: the URL, or the template itself
 * (with `{site}` in it) while the site is still empty.
 */
export function presetValue(p: LmsProfile | null, f: EndpointField, site: string): { value: string; complete: boolean } {
  if (!p) return { value: '', complete: false };
  const t = presetTemplate(p, f);
  if (!t) return { value: '', complete: true };
  const filled = fillTemplate(t, site);
  return filled === null ? { value: t, complete: false } : { value: filled, complete: true };
}

/** The value the form shows for an endpoint: what the user typed, else what the preset fills. */
export function shownEndpoint(form: PlatformForm, p: LmsProfile | null, f: EndpointField): string {
  if (form.touched[f] || !p) return form.endpoints[f];
  return presetValue(p, f, form.site).value;
}

/** Deployment ids from a comma- or line-separated list; blanks dropped, order and duplicates kept once. */
export function parseDeploymentIds(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of text.split(/[\n,]+/)) {
    const id = part.trim();
    if (id && !seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
  }
  return out;
}

export type ProblemField = 'site' | 'client_id' | 'deployments' | 'public_key' | EndpointField;
export type FormProblems = Partial<Record<ProblemField, string>>;

/** LTI Core caps deployment_id (and client ids in practice) at 255 characters. */
export const MAX_ID = 255;

export function urlProblem(value: string, what: string): string | null {
  try {
    const u = new URL(value);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return `${what} must be an https URL, not ${u.protocol}`;
    return null;
  } catch {
    return `${what} must be a URL, like https://lms.example.edu`;
  }
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];
export const PRIVATE_KEY_WARNING =
  'This is a PRIVATE key: never paste one here. Give the platform’s public key, or better its JWKS URL. Nothing was stored — if this is a real platform key, treat it as exposed and have it rotated.';

/** What is wrong with a pasted public key, in plain words (the engine parses it for real). */
export function keyProblem(text: string): string | null {
  const t = text.trim();
  if (!t) return null;
  if (/PRIVATE KEY/.test(t)) return PRIVATE_KEY_WARNING;
  if (t.startsWith('-----BEGIN')) return /-----BEGIN (RSA )?PUBLIC KEY-----/.test(t) ? null : 'A PEM block, but not a public key: paste the block that starts with -----BEGIN PUBLIC KEY-----.';
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return 'Neither a PEM public key (-----BEGIN PUBLIC KEY-----) nor a JWK or JWKS in JSON: check it was copied whole.';
  }
  const keys = v && typeof v === 'object' && Array.isArray((v as { keys?: unknown }).keys) ? ((v as { keys: unknown[] }).keys as unknown[]) : [v];
  for (const k of keys) {
    if (k && typeof k === 'object' && PRIVATE_MEMBERS.some((m) => m in (k as object))) return PRIVATE_KEY_WARNING;
  }
  return null;
}

/** Problems shown as soon as a value is typed: formats and limits (required fields wait for Save). */
export function typedProblems(form: PlatformForm, p: LmsProfile | null): FormProblems {
  const out: FormProblems = {};
  for (const [f, what] of [
    ['issuer', 'The issuer'],
    ['auth_endpoint', 'The authentication endpoint'],
    ['token_endpoint', 'The token endpoint'],
    ['jwks_url', 'The JWKS URL'],
  ] as const) {
    const v = form.endpoints[f].trim();
    if ((form.touched[f] || !p) && v) {
      const why = urlProblem(v, what);
      if (why) out[f] = why;
    }
  }
  if (form.clientId.trim().length > MAX_ID) out.client_id = `The client ID is ${form.clientId.trim().length} characters; at most ${MAX_ID}.`;
  const long = parseDeploymentIds(form.deployments).find((d) => d.length > MAX_ID);
  if (long) out.deployments = `A deployment ID is at most ${MAX_ID} characters (LTI Core §5.3.3); one here has ${long.length.toLocaleString('en')}.`;
  if (form.keySource === 'paste') {
    const why = keyProblem(form.publicKey);
    if (why) out.public_key = why;
  }
  return out;
}

/** Problems to fix before the form can be sent (the engine checks the rest and says what). */
export function formProblems(form: PlatformForm, p: LmsProfile | null): FormProblems {
  const out: FormProblems = typedProblems(form, p);
  if (!form.clientId.trim()) out.client_id ??= 'The client ID the platform gave this tool is required.';
  const value = (f: EndpointField) => (form.touched[f] || !p ? form.endpoints[f].trim() : presetValue(p, f, form.site).complete ? 'x' : '');
  if (p && !form.id && presetNeedsSite(p) && !normalizeSite(form.site)) {
    // Only when something still depends on the site.
    const dependent = ENDPOINT_FIELDS.some((f) => !form.touched[f] && presetTemplate(p, f).includes('{site}'));
    if (dependent) out.site = p.site_parameter ? `Required: ${p.site_parameter}` : 'This preset needs the site.';
  }
  if (!p) {
    if (!value('issuer')) out.issuer ??= 'The issuer is required (the `iss` of the platform’s id_tokens).';
    if (!value('auth_endpoint')) out.auth_endpoint ??= 'The authentication endpoint is required to answer login initiations.';
  }
  if (form.keySource === 'paste' && !form.publicKey.trim() && !form.id) out.public_key ??= 'Paste the platform’s public key (JWK, JWKS or PEM), or use its JWKS URL.';
  if (form.keySource === 'url' && !p && !value('jwks_url')) out.jwks_url ??= 'Give the platform’s JWKS URL, or paste its public key.';
  return out;
}

function opt(s: string): string | null {
  const t = s.trim();
  return t === '' ? null : t;
}

/** The command argument: untouched preset endpoints are sent empty for the engine to fill. */
export function toPlatformInput(form: PlatformForm, p: LmsProfile | null): PlatformInput {
  const explicit = (f: EndpointField): string => (form.touched[f] || !p ? form.endpoints[f].trim() : '');
  const deployments = parseDeploymentIds(form.deployments);
  return {
    id: form.id,
    name: form.name.trim(),
    preset: form.preset,
    site: p ? opt(form.site) : null,
    issuer: explicit('issuer'),
    client_id: form.clientId.trim(),
    deployment_ids: deployments.length > 0 ? deployments : null,
    auth_endpoint: explicit('auth_endpoint'),
    token_endpoint: explicit('token_endpoint'),
    token_audience: opt(explicit('token_audience')),
    jwks_url: opt(explicit('jwks_url')),
    // Choosing the JWKS URL removes a stored pasted key (the engine treats '' as remove).
    public_key: form.keySource === 'paste' ? opt(form.publicKey) : '',
  };
}

/** A new custom registration filled from a launch that failed for want of one. */
export function prefilledForm(p: { issuer: string; clientId: string; deploymentId: string }): PlatformForm {
  const f = newForm(null);
  let name = p.issuer;
  try {
    name = new URL(p.issuer).host || p.issuer;
  } catch {
    /* not a URL: the issuer itself */
  }
  return {
    ...f,
    name,
    clientId: p.clientId,
    deployments: p.deploymentId,
    endpoints: { ...f.endpoints, issuer: p.issuer },
    touched: { ...f.touched, issuer: true },
  };
}

/** An LTI 1.1 consumer key's problem, checked as the engine does (required, ≤ 255, no control characters). */
export function consumerKeyProblem(key: string): string | undefined {
  const k = key.trim();
  if (k === '') return 'Required.';
  if (k.length > 255) return `${k.length} characters: at most 255.`;
  if (/[\u0000-\u001f\u007f]/.test(k)) return 'Contains control characters.';
  return undefined;
}

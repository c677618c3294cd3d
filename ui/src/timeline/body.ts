//! Making sense of a recorded body: its content type, JSON pretty-printing, and
//! application/x-www-form-urlencoded parsing (LTI launches are form posts: id_token, state, JWT).

import type { Header } from '../bindings';

export interface FormField {
  name: string;
  value: string;
}

/** Decodes one form component: `+` is a space, `%XX` are UTF-8 bytes; malformed escapes stay as written. */
export function decodeFormComponent(s: string): string {
  const spaced = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    // Decode the valid escape runs one by one, leave the rest.
    return spaced.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/** Parses `a=1&b=two+words&c`, keeping order and repeated names. An empty body gives []. */
export function parseForm(body: string): FormField[] {
  const fields: FormField[] = [];
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? '' : pair.slice(eq + 1);
    fields.push({ name: decodeFormComponent(name), value: decodeFormComponent(value) });
  }
  return fields;
}

/** The query string of a URL as fields (`?a=1&b=2`), or [] without one. */
export function queryFields(url: string): FormField[] {
  const q = url.indexOf('?');
  if (q === -1) return [];
  const hash = url.indexOf('#', q);
  return parseForm(url.slice(q + 1, hash === -1 ? undefined : hash));
}

export function headerValue(headers: readonly Header[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower)?.value;
}

/** The media type without parameters, lower-case: `application/json`. */
export function mediaType(headers: readonly Header[]): string {
  return (headerValue(headers, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export type BodyKind = 'empty' | 'json' | 'form' | 'text' | 'binary';

export function bodyKind(headers: readonly Header[], body: string, base64?: string | null): BodyKind {
  if (body === '' && !base64) return 'empty';
  if (base64) return 'binary';
  const type = mediaType(headers);
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === 'application/json' || type.endsWith('+json')) return prettyJson(body) === null ? 'text' : 'json';
  // Untyped or mistyped bodies that are JSON anyway (common with service calls).
  const t = body.trimStart();
  if ((t.startsWith('{') || t.startsWith('[')) && prettyJson(body) !== null) return 'json';
  return 'text';
}

/** Pretty JSON (2 spaces), or null when the text is not JSON. */
export function prettyJson(text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}

/** Looks like a compact JWS (header.payload.signature, base64url): worth a "JWT" badge. */
export function looksLikeJwt(s: string): boolean {
  return /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(s);
}

//! Showing attacker-supplied URLs safely and readably: split into origin / path / query,
//! percent-decoded for reading, with control and bidi-override characters made visible so a
//! crafted URL cannot disguise itself. The result is plain text, rendered by React as text.

/** Replaces invisible or direction-changing characters with a visible `\u{…}` escape. */
export function visible(s: string): string {
  // C0/C1 controls, bidi embeddings/overrides/isolates, zero-width characters, BOM.
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, (c) => {
    const cp = c.codePointAt(0) ?? 0;
    return `\\u{${cp.toString(16)}}`;
  });
}

/** Percent-decodes when the result is valid UTF-8; otherwise leaves the text as it is. */
export function decodeForDisplay(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export interface UrlParts {
  /** `http://localhost:4471` (empty when the URL does not parse). */
  origin: string;
  /** Decoded, made visible. */
  path: string;
  /** Decoded, made visible, with the leading `?` (or empty). */
  query: string;
}

export function splitUrl(url: string): UrlParts {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*)?([^?#]*)(\?[^#]*)?/.exec(url);
  if (!m) return { origin: '', path: visible(url), query: '' };
  return {
    origin: m[1] ?? '',
    path: visible(decodeForDisplay(m[2] ?? '')),
    query: m[3] ? visible(decodeQuery(m[3])) : '',
  };
}

/** Decodes a query string part by part, so one malformed escape leaves the other parts readable. */
function decodeQuery(q: string): string {
  return q.replace(/[^?&=]+/g, (part) => decodeForDisplay(part.replace(/\+/g, ' ')));
}

/** The whole URL decoded for reading (used by the filter). */
export function readableUrl(url: string): string {
  const p = splitUrl(url);
  return p.origin + p.path + p.query;
}

//! Claim values for reading: strings as they are, other values as JSON (objects and arrays
//! pretty-printed), and long values folded to a few lines with a count of what is hidden.
//! The result is plain text; React renders it as text.

import type { JsonValue } from '../bindings';

export interface ClaimText {
  text: string;
  /** The value was a string (shown without JSON quotes). */
  isString: boolean;
  /** An empty string, shown as `""` so it is visible. */
  isEmptyString: boolean;
}

export function claimText(value: JsonValue | undefined): ClaimText {
  if (typeof value === 'string') {
    return value === '' ? { text: '""', isString: true, isEmptyString: true } : { text: value, isString: true, isEmptyString: false };
  }
  if (value === undefined) return { text: '', isString: false, isEmptyString: false };
  const compact = JSON.stringify(value);
  // Short arrays of scalars read best on one line; anything bigger is pretty-printed.
  if (compact.length <= 72 && !(typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 2)) {
    return { text: compact, isString: false, isEmptyString: false };
  }
  return { text: JSON.stringify(value, null, 2), isString: false, isEmptyString: false };
}

export interface Folded {
  shown: string;
  folded: boolean;
  hiddenLines: number;
  hiddenChars: number;
}

export const FOLD_LINES = 8;
export const FOLD_CHARS = 280;

/** Cuts `text` to `maxLines` lines and `maxChars` characters (whichever is shorter). */
export function fold(text: string, maxLines = FOLD_LINES, maxChars = FOLD_CHARS): Folded {
  const lines = text.split('\n');
  let shown = lines.length > maxLines ? lines.slice(0, maxLines).join('\n') : text;
  if (shown.length > maxChars) {
    // Do not cut a surrogate pair in half.
    let cut = maxChars;
    const code = shown.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    shown = shown.slice(0, cut);
  }
  if (shown === text) return { shown, folded: false, hiddenLines: 0, hiddenChars: 0 };
  const shownLines = shown.split('\n').length;
  return { shown, folded: true, hiddenLines: Math.max(0, lines.length - shownLines), hiddenChars: text.length - shown.length };
}

/**
 * True when the JSON type sent is none of the shapes the dictionary expects. The expected shape
 * is words: "string", "array of strings", "string or array", "string (URL)"… — the first word of
 * each alternative is the JSON type.
 */
export function typeMismatch(jsonType: string, expected: string | null | undefined): boolean {
  if (!expected) return false;
  const heads = expected
    .toLowerCase()
    .split(/\s+or\s+|\s*[,|/]\s*/)
    .map((alt) => alt.trim().split(/[\s(]/)[0] ?? '')
    .filter(Boolean);
  if (heads.length === 0 || heads.includes('any')) return false;
  const t = jsonType.toLowerCase();
  if (t === 'number' && heads.some((h) => h === 'integer' || h === 'numericdate')) return false;
  return !heads.includes(t);
}

/** The last readable part of a claim URI, for unknown claims without a dictionary name. */
export function shortClaimName(uri: string): string {
  const m = /[/#]([^/#]+)\/?$/.exec(uri);
  return m?.[1] ?? uri;
}

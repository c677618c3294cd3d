//! The Re-send dialog's pure parts: headers as editable text ("Name: value" per line) and back,
//! and what the dialog sends as edits.

import type { Header } from '../bindings';

export function headersToText(headers: readonly Header[]): string {
  return headers.map((h) => `${h.name}: ${h.value}`).join('\n');
}

/** Headers from the editor's text; an error names the first line that is not `Name: value`. */
export function textToHeaders(text: string): { headers: Header[]; error: string | null } {
  const headers: Header[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/\r$/, '');
    if (!line.trim()) continue;
    const at = line.indexOf(':');
    if (at <= 0) return { headers, error: `line ${i + 1} is not "Name: value": ${line.slice(0, 60)}` };
    headers.push({ name: line.slice(0, at).trim(), value: line.slice(at + 1).trim() });
  }
  return { headers, error: null };
}

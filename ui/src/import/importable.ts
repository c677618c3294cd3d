//! What the Import dialog accepts from a paste or a drop, decided before anything is sent: a HAR
//! file, a compact JWT, a form body carrying an LTI step, or a JSON claims object. Pure, so a
//! stray Ctrl+V of ordinary text never starts an import.

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;
const FORM_KEYS = ['id_token=', 'JWT=', 'login_hint=', 'response_type='];

export type ImportableKind = 'har' | 'jwt' | 'form' | 'json';

export function importableKind(text: string): ImportableKind | null {
  const t = text.trim();
  if (!t) return null;
  if (t.startsWith('{')) {
    // Only the head: a HAR can be hundreds of megabytes.
    const head = t.slice(0, 4096);
    return /"log"\s*:/.test(head) ? 'har' : 'json';
  }
  if (JWT.test(t) && t.startsWith('eyJ')) return 'jwt';
  if (FORM_KEYS.some((k) => t.includes(k)) && !/\s/.test(t.replace(/\n$/, ''))) return 'form';
  return null;
}

/** A file's size for the results list (1.2 MB, 640 KB). */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

/** What a large import is doing: sending pieces, then the engine reading the file. */
export function progressText(item: { status: string; bytes: number; sent?: number; read?: number; entries?: number }): string {
  const pct = (n: number) => `${Math.min(100, Math.floor((n * 100) / Math.max(1, item.bytes)))}%`;
  if (item.status === 'sending') return `sending ${pct(item.sent ?? 0)}…`;
  if (item.read === undefined) return 'importing…';
  const entries = item.entries ? `, ${item.entries.toLocaleString('en-US')} entries` : '';
  return `reading ${pct(item.read)}${entries}…`;
}

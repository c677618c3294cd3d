//! Number, size, duration and time formatting shared by every page.

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Local wall-clock time with milliseconds: `14:03:07.412`. */
export function formatTime(unixMs: number): string {
  const d = new Date(unixMs);
  if (Number.isNaN(d.getTime())) return '—';
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Local date and time: `2026-11-27 14:03:07`. */
export function formatDateTime(unixMs: number): string {
  const d = new Date(unixMs);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export type StatusClass = 'ok' | 'redirect' | 'client' | 'server' | 'info' | 'none';

export function statusClass(status: number | null | undefined): StatusClass {
  if (status === null || status === undefined) return 'none';
  if (status >= 500) return 'server';
  if (status >= 400) return 'client';
  if (status >= 300) return 'redirect';
  if (status >= 200) return 'ok';
  return 'info';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Compact local time for lists: `14:03:07` today, `Nov 26 14:03` otherwise. */
export function formatWhen(unixMs: number, nowMs: number = Date.now()): string {
  const d = new Date(unixMs);
  if (Number.isNaN(d.getTime())) return '—';
  const n = new Date(nowMs);
  const sameDay = d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate();
  if (sameDay) return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const year = d.getFullYear() === n.getFullYear() ? '' : ` ${d.getFullYear()}`;
  return `${MONTHS[d.getMonth()]} ${d.getDate()}${year} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Whether `unixMs` falls on today's date (local time): older rows show their date too. */
export function isToday(unixMs: number, nowMs: number = Date.now()): boolean {
  const d = new Date(unixMs);
  const n = new Date(nowMs);
  return d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate();
}

/** A time offset from a start: `+0 ms`, `+4.5 ms`, `+125 ms`, `+1.25 s`. */
export function formatOffset(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const v = Math.max(0, ms);
  if (v === 0) return '+0 ms';
  if (v < 10) return `+${v.toFixed(1)} ms`;
  return `+${formatDuration(v)}`;
}

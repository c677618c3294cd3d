//! The emulator's LTI 1.1 tool form: fields, per-field problems (as the engine checks them) and
//! custom parameters written one `name=value` per line.

export const LMS_PROFILES = ['generic', 'canvas', 'moodle', 'blackboard', 'brightspace', 'sakai'] as const;

export interface Lti11ToolForm {
  name: string;
  launchUrl: string;
  consumerKey: string;
  secret: string;
  lms: string;
  custom: string;
}

export function lti11Problems(f: Lti11ToolForm, hasSecret: boolean): Partial<Record<keyof Lti11ToolForm, string>> {
  const out: Partial<Record<keyof Lti11ToolForm, string>> = {};
  try {
    const u = new URL(f.launchUrl.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') out.launchUrl = 'An http(s) URL.';
  } catch {
    out.launchUrl = f.launchUrl.trim() === '' ? 'Required.' : 'An absolute URL (https://tool.example/launch).';
  }
  const key = f.consumerKey.trim();
  if (key === '') out.consumerKey = 'Required.';
  else if (key.length > 255) out.consumerKey = `${key.length} characters: at most 255.`;
  if (!hasSecret && f.secret === '') out.secret = 'Required: the tool verifies every launch with it.';
  if (parseCustom(f.custom) === null) out.custom = 'One name=value per line.';
  return out;
}

/** `name=value` lines as an object; null when a non-empty line has no `=` or no name. */
export function parseCustom(text: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const i = line.indexOf('=');
    if (i <= 0) return null;
    out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

export function customText(custom: Record<string, string>): string {
  return Object.entries(custom)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

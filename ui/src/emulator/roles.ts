//! Context roles as the emulator's roster shows and edits them: the short names an LMS admin
//! picks (the engine expands them to the LTI vocabulary URIs), a readable name and tone for each
//! URI, and the mapping between stored URIs and the form's checkboxes. Pure, so it is tested.

import type { Tone } from '../shared/Badge';

const MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership';

/** The roles the roster form offers, with the URI the engine stores for each (LTI Core A.2). */
export const CONTEXT_ROLES = [
  { short: 'Learner', uri: `${MEMBERSHIP}#Learner`, tone: 'blue', hint: 'a student' },
  { short: 'Instructor', uri: `${MEMBERSHIP}#Instructor`, tone: 'violet', hint: 'teaches the course' },
  { short: 'TeachingAssistant', uri: `${MEMBERSHIP}/Instructor#TeachingAssistant`, tone: 'teal', hint: 'sub-role of Instructor' },
  { short: 'ContentDeveloper', uri: `${MEMBERSHIP}#ContentDeveloper`, tone: 'accent', hint: 'builds course content' },
  { short: 'Mentor', uri: `${MEMBERSHIP}#Mentor`, tone: 'amber', hint: 'parent or advisor of some members' },
  { short: 'Administrator', uri: `${MEMBERSHIP}#Administrator`, tone: 'red', hint: 'administers the course' },
  { short: 'TestUser', uri: 'http://purl.imsglobal.org/vocab/lti/system/person#TestUser', tone: 'neutral', hint: 'LTI system role: a test account' },
] as const satisfies ReadonlyArray<{ short: string; uri: string; tone: Tone; hint: string }>;

export type ContextRoleShort = (typeof CONTEXT_ROLES)[number]['short'];

export interface RoleView {
  /** What the badge says: `Learner`, `TeachingAssistant`, or the URI's last part. */
  label: string;
  tone: Tone;
  /** The full URI (tooltip). */
  uri: string;
  /** Not one of the roles the form offers (a custom or other vocabulary role). */
  other: boolean;
}

/** The readable form of a stored role URI (or short name). */
export function roleView(uri: string): RoleView {
  const known = CONTEXT_ROLES.find((r) => r.uri === uri || r.short === uri);
  if (known) return { label: known.short, tone: known.tone, uri, other: false };
  // Another membership sub-role (`membership/Learner#NonCreditLearner`) or vocabulary: its fragment.
  const isUri = /^[a-z][a-z0-9+.-]*:/i.test(uri);
  const tail = !isUri ? uri : uri.includes('#') ? uri.slice(uri.lastIndexOf('#') + 1) : uri.slice(uri.lastIndexOf('/') + 1);
  return { label: tail || uri, tone: 'amber', uri, other: true };
}

/** Whether a role URI is Learner or one of its sub-roles (the gradebook's rows). */
export function isLearnerRole(uri: string): boolean {
  return uri === `${MEMBERSHIP}#Learner` || uri === 'Learner' || uri.startsWith(`${MEMBERSHIP}/Learner#`);
}

/** Whether a role URI is Instructor or one of its sub-roles (TeachingAssistant…). */
export function isInstructorRole(uri: string): boolean {
  return uri === `${MEMBERSHIP}#Instructor` || uri === 'Instructor' || uri.startsWith(`${MEMBERSHIP}/Instructor#`);
}

/** Stored roles split into the form's checkboxes and the rest (kept as typed, one per line). */
export function splitRoles(roles: readonly string[]): { checked: ContextRoleShort[]; other: string[] } {
  const checked: ContextRoleShort[] = [];
  const other: string[] = [];
  for (const r of roles) {
    const known = CONTEXT_ROLES.find((k) => k.uri === r || k.short === r);
    if (known) {
      if (!checked.includes(known.short)) checked.push(known.short);
    } else if (r.trim() && !other.includes(r.trim())) {
      other.push(r.trim());
    }
  }
  return { checked, other };
}

/** One role or URI per line (or comma separated); blanks dropped, each once, order kept. */
export function parseList(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/[\n,]+/)) {
    const v = part.trim();
    if (v && !out.includes(v)) out.push(v);
  }
  return out;
}

/** The roles to send: the checked short names in the form's order, then the other roles. */
export function joinRoles(checked: readonly string[], otherText: string): string[] {
  const ordered = CONTEXT_ROLES.map((r) => r.short).filter((s) => checked.includes(s));
  const out: string[] = [...ordered];
  for (const r of parseList(otherText)) if (!out.includes(r)) out.push(r);
  return out;
}

/** Readable labels for the common system and institution role URIs. */
export function personRoleLabel(uri: string): string {
  const tail = uri.includes('#') ? uri.slice(uri.lastIndexOf('#') + 1) : uri;
  if (uri.includes('/system/person#')) return `${tail} (system)`;
  if (uri.includes('/institution/person#')) return `${tail} (institution)`;
  return tail;
}

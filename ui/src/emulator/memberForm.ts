//! The roster form: a user (names, email, sub, system and institution roles) and their place in
//! one course (context roles, status, mentees). Adding enrolls an existing user or creates one
//! first; editing changes both. Maps to `UserInput` and `EnrollmentInput`. Pure, so it is tested.

import type { CourseMember, EnrollmentInput, UserInput } from '../bindings';
import { joinRoles, parseList, splitRoles, type ContextRoleShort } from './roles';

export const STATUSES = ['Active', 'Inactive', 'Deleted'] as const;
export type MemberStatus = (typeof STATUSES)[number];

export interface MemberForm {
  /**
   * `new`: create a user and enroll them; `existing`: enroll a user the emulator has;
   * `edit`: change an enrolled member (user and enrollment).
   */
  mode: 'new' | 'existing' | 'edit';
  /** The user being edited or enrolled; for `new`, an optional chosen sub (else generated). */
  userId: string;
  givenName: string;
  familyName: string;
  email: string;
  picture: string;
  /** One URI per line; empty for a new user means the engine's default (system User). */
  systemRoles: string;
  institutionRoles: string;
  roles: ContextRoleShort[];
  /** Roles not offered as checkboxes (URIs or other short names), one per line. */
  otherRoles: string;
  status: MemberStatus;
  /** Users this member mentors (with the Mentor role). */
  mentees: string[];
}

export function newMemberForm(mode: 'new' | 'existing' = 'new'): MemberForm {
  return {
    mode,
    userId: '',
    givenName: '',
    familyName: '',
    email: '',
    picture: '',
    systemRoles: '',
    institutionRoles: '',
    roles: ['Learner'],
    otherRoles: '',
    status: 'Active',
    mentees: [],
  };
}

function asStatus(s: string): MemberStatus {
  return (STATUSES as readonly string[]).includes(s) ? (s as MemberStatus) : 'Active';
}

/** A roster row, for editing. */
export function formFromMember(m: CourseMember, mentees: readonly string[] = []): MemberForm {
  const { checked, other } = splitRoles(m.roles);
  return {
    mode: 'edit',
    userId: m.user.id,
    givenName: m.user.given_name,
    familyName: m.user.family_name,
    email: m.user.email ?? '',
    picture: m.user.picture ?? '',
    systemRoles: m.user.system_roles.join('\n'),
    institutionRoles: m.user.institution_roles.join('\n'),
    roles: checked,
    otherRoles: other.join('\n'),
    status: asStatus(m.status),
    mentees: [...mentees],
  };
}

export type MemberProblems = Partial<Record<'user' | 'name' | 'roles' | 'email', string>>;

export function memberProblems(f: MemberForm): MemberProblems {
  const out: MemberProblems = {};
  if (f.mode === 'existing' && !f.userId) out.user = 'Choose the user to enroll.';
  if (f.mode !== 'existing' && !f.givenName.trim() && !f.familyName.trim()) out.name = 'A given or family name is required.';
  if (f.mode !== 'existing' && f.email.trim() && !/^[^\s@]+@[^\s@]+$/.test(f.email.trim())) out.email = 'Not an email address.';
  if (joinRoles(f.roles, f.otherRoles).length === 0 && f.status !== 'Deleted') {
    out.roles = 'Give at least one role (an empty roles claim is legal, but rarely what you want to test).';
  }
  return out;
}

function opt(s: string): string | null {
  const t = s.trim();
  return t === '' ? null : t;
}

/** The user to save; null when the form enrolls an existing user as they are. */
export function toUserInput(f: MemberForm): UserInput | null {
  if (f.mode === 'existing') return null;
  const system = parseList(f.systemRoles);
  const institution = parseList(f.institutionRoles);
  return {
    id: opt(f.userId),
    given_name: f.givenName.trim(),
    family_name: f.familyName.trim(),
    email: opt(f.email),
    picture: opt(f.picture),
    // A new user with none typed gets the engine's default; an edited user keeps what is shown.
    system_roles: f.mode === 'edit' || system.length > 0 ? system : null,
    institution_roles: institution,
  };
}

export function toEnrollmentInput(f: MemberForm, courseId: string, userId: string): EnrollmentInput {
  const roles = joinRoles(f.roles, f.otherRoles);
  const mentor = roles.some((r) => r === 'Mentor' || r.endsWith('#Mentor'));
  return {
    course_id: courseId,
    user_id: userId,
    roles,
    status: f.status,
    mentees: mentor && f.mentees.length > 0 ? [...f.mentees] : null,
  };
}

import { describe, expect, it } from 'vitest';
import type { CourseMember } from '../bindings';
import { formFromMember, memberProblems, newMemberForm, toEnrollmentInput, toUserInput } from './memberForm';
import { isInstructorRole, isLearnerRole, joinRoles, roleView, splitRoles } from './roles';

const M = 'http://purl.imsglobal.org/vocab/lis/v2/membership';
const TA = `${M}/Instructor#TeachingAssistant`;
const TEST_USER = 'http://purl.imsglobal.org/vocab/lti/system/person#TestUser';

const member: CourseMember = {
  user: {
    id: 'u1',
    given_name: 'Alan',
    family_name: 'Turing',
    name: 'Alan Turing',
    email: 'alan@example.edu',
    system_roles: ['http://purl.imsglobal.org/vocab/lis/v2/system/person#User'],
    institution_roles: [],
    demo: true,
  },
  roles: [TA, `${M}#Mentor`, TEST_USER, 'urn:lti:role:custom#Auditor'],
  status: 'Inactive',
};

describe('roles', () => {
  it('names stored URIs (TeachingAssistant, Mentor, TestUser) and marks others', () => {
    expect(roleView(TA)).toMatchObject({ label: 'TeachingAssistant', tone: 'teal', other: false });
    expect(roleView(TEST_USER)).toMatchObject({ label: 'TestUser', other: false });
    expect(roleView(`${M}/Learner#NonCreditLearner`)).toMatchObject({ label: 'NonCreditLearner', other: true });
    expect(roleView('<b>x</b>')).toMatchObject({ label: '<b>x</b>', other: true });
    expect(isLearnerRole(`${M}/Learner#GuestLearner`)).toBe(true);
    expect(isLearnerRole(`${M}#Mentor`)).toBe(false);
    expect(isInstructorRole(TA)).toBe(true);
  });

  it('splits stored roles into checkboxes and the rest, and joins them back in form order', () => {
    expect(splitRoles(member.roles)).toEqual({ checked: ['TeachingAssistant', 'Mentor', 'TestUser'], other: ['urn:lti:role:custom#Auditor'] });
    expect(joinRoles(['TestUser', 'Learner'], 'urn:x#A\n, urn:x#A\nLearner')).toEqual(['Learner', 'TestUser', 'urn:x#A']);
  });
});

describe('member form', () => {
  it('creates a user and enrolls them with short role names', () => {
    const f = { ...newMemberForm('new'), givenName: ' Ada ', familyName: 'Lovelace', email: 'ada@example.edu', roles: ['TeachingAssistant' as const, 'TestUser' as const] };
    expect(memberProblems(f)).toEqual({});
    expect(toUserInput(f)).toEqual({ id: null, given_name: 'Ada', family_name: 'Lovelace', email: 'ada@example.edu', picture: null, system_roles: null, institution_roles: [] });
    expect(toEnrollmentInput(f, 'c1', 'user-9')).toEqual({ course_id: 'c1', user_id: 'user-9', roles: ['TeachingAssistant', 'TestUser'], status: 'Active', mentees: null });
  });

  it('enrolls an existing user without saving them', () => {
    const f = { ...newMemberForm('existing'), userId: 'u7', roles: ['Mentor' as const], mentees: ['u1'] };
    expect(toUserInput(f)).toBeNull();
    expect(toEnrollmentInput(f, 'c1', 'u7')).toMatchObject({ roles: ['Mentor'], mentees: ['u1'] });
    expect(memberProblems({ ...f, userId: '' }).user).toBeTruthy();
  });

  it('edits a member: keeps the sub and the user’s system roles, round-trips other roles and status', () => {
    const f = formFromMember(member);
    expect(f).toMatchObject({ mode: 'edit', userId: 'u1', roles: ['TeachingAssistant', 'Mentor', 'TestUser'], otherRoles: 'urn:lti:role:custom#Auditor', status: 'Inactive' });
    expect(toUserInput(f)).toMatchObject({ id: 'u1', system_roles: member.user.system_roles, institution_roles: [] });
    const e = toEnrollmentInput(f, 'c1', 'u1');
    expect(e.roles).toEqual(['TeachingAssistant', 'Mentor', 'TestUser', 'urn:lti:role:custom#Auditor']);
    expect(e.status).toBe('Inactive');
    expect(e.mentees).toBeNull();
  });

  it('says what is missing', () => {
    expect(memberProblems({ ...newMemberForm('new'), roles: [] })).toMatchObject({ name: expect.any(String), roles: expect.any(String) });
    expect(memberProblems({ ...newMemberForm('new'), givenName: 'A', email: 'nope' }).email).toBeTruthy();
    expect(memberProblems({ ...newMemberForm('new'), givenName: 'A', roles: [], status: 'Deleted' })).toEqual({});
  });
});

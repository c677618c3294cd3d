//! Adding a member to a course (a new user, or one the emulator already has) or editing one:
//! the user's names, email and sub; the context roles (Learner, Instructor, TeachingAssistant,
//! ContentDeveloper, Mentor, Administrator, TestUser, or any role URI); status; mentees.
//! Saves the user (`save_emulator_user`) then the enrollment (`save_enrollment`).

import { useState } from 'react';
import type { ApiError, CourseView, EmulatorUser, Enrollment } from '../bindings';
import { ErrorBanner } from '../shared/ErrorBanner';
import { Field } from '../shared/Field';
import { CloseIcon } from '../shared/icons';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';
import { memberProblems, STATUSES, toEnrollmentInput, toUserInput, type MemberForm, type MemberStatus } from './memberForm';
import { CONTEXT_ROLES, joinRoles } from './roles';

interface Props {
  course: CourseView;
  users: readonly EmulatorUser[];
  initial: MemberForm;
  onSaved: (e: Enrollment) => void;
  onCancel: () => void;
}

export function MemberEditor({ course, users, initial, onSaved, onCancel }: Props) {
  const [form, setForm] = useState<MemberForm>(initial);
  const [tried, setTried] = useState(false);
  const [saving, setSaving] = useState(false);
  const [apiError, setApiError] = useState<ApiError | null>(null);
  const problems = tried ? memberProblems(form) : {};
  const set = (patch: Partial<MemberForm>) => setForm((f) => ({ ...f, ...patch }));
  const enrolled = new Set(course.members.map((m) => m.user.id));
  const candidates = users.filter((u) => !enrolled.has(u.id));
  const roles = joinRoles(form.roles, form.otherRoles);
  const mentor = roles.some((r) => r === 'Mentor' || r.endsWith('#Mentor'));
  const editing = form.mode === 'edit';

  const toggleRole = (short: (typeof CONTEXT_ROLES)[number]['short']) =>
    setForm((f) => ({ ...f, roles: f.roles.includes(short) ? f.roles.filter((r) => r !== short) : [...f.roles, short] }));
  const toggleMentee = (id: string) => setForm((f) => ({ ...f, mentees: f.mentees.includes(id) ? f.mentees.filter((m) => m !== id) : [...f.mentees, id] }));

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(memberProblems(form)).length > 0) return;
    setSaving(true);
    setApiError(null);
    try {
      const userInput = toUserInput(form);
      const userId = userInput ? (await rpc('save_emulator_user', userInput)).id : form.userId;
      onSaved(await rpc('save_enrollment', toEnrollmentInput(form, course.course.id, userId)));
    } catch (err) {
      setApiError(toApiError(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="editor" onSubmit={submit} noValidate data-testid="member-form">
      <div className="editor-head">
        <div>
          <h2 className="card-title">{editing ? `Edit ${initial.givenName || initial.familyName || initial.userId}` : `Add a member to ${course.course.label || course.course.title}`}</h2>
          <p className="card-desc">
            {editing
              ? 'Changes apply to the next launch and to the roster (NRPS) at once.'
              : 'Create a user and enroll them, or enroll a user the emulator already has (they may be in another course).'}
          </p>
        </div>
        <button type="button" className="btn btn-icon btn-ghost" onClick={onCancel} aria-label="Cancel">
          <CloseIcon size={15} />
        </button>
      </div>

      {!editing && (
        <div className="segmented" role="radiogroup" aria-label="Who">
          <button type="button" role="radio" aria-checked={form.mode === 'new'} className={form.mode === 'new' ? 'active' : ''} onClick={() => set({ mode: 'new', userId: '' })} data-testid="member-mode-new">
            New user
          </button>
          <button
            type="button"
            role="radio"
            aria-checked={form.mode === 'existing'}
            className={form.mode === 'existing' ? 'active' : ''}
            onClick={() => set({ mode: 'existing', userId: '' })}
            disabled={candidates.length === 0}
            data-testid="member-mode-existing"
          >
            Existing user
          </button>
        </div>
      )}

      <div className="form-grid">
        {form.mode === 'existing' ? (
          <Field label="User" error={problems.user} required wide>
            <select className="input" value={form.userId} onChange={(e) => set({ userId: e.target.value })} data-testid="member-user">
              <option value="">Choose a user…</option>
              {candidates.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name || u.id} — {u.id}
                </option>
              ))}
            </select>
          </Field>
        ) : (
          <>
            <Field label="Given name" error={problems.name}>
              <input className="input" value={form.givenName} onChange={(e) => set({ givenName: e.target.value })} autoFocus data-testid="member-given" />
            </Field>
            <Field label="Family name">
              <input className="input" value={form.familyName} onChange={(e) => set({ familyName: e.target.value })} data-testid="member-family" />
            </Field>
            <Field label="Email" error={problems.email} help="Sent as the email claim (and in NRPS).">
              <input className="input" type="email" value={form.email} onChange={(e) => set({ email: e.target.value })} spellCheck={false} data-testid="member-email" />
            </Field>
            <Field label="User ID (sub)" help={editing ? 'The sub cannot change: it identifies the user.' : 'Empty: generated. The tool sees it as sub and in NRPS user_id.'}>
              <input className="input mono" value={form.userId} onChange={(e) => set({ userId: e.target.value })} readOnly={editing} spellCheck={false} data-testid="member-sub" />
            </Field>
          </>
        )}

        <Field as="div" label="Context roles" error={problems.roles} wide help="Sent in the roles claim. TestUser is an LTI system role an LMS adds for a test account (student view).">
          <div className="check-grid" role="group" aria-label="Context roles">
            {CONTEXT_ROLES.map((r) => (
              <label key={r.short} className="check" title={r.uri}>
                <input type="checkbox" checked={form.roles.includes(r.short)} onChange={() => toggleRole(r.short)} data-testid={`role-${r.short}`} />
                <span>{r.short}</span>
                <span className="muted small">{r.hint}</span>
              </label>
            ))}
          </div>
        </Field>
        <Field label="Other roles" help="Any other role URI (or a vocabulary short name), one per line: sent as written.">
          <textarea className="input mono" rows={2} value={form.otherRoles} onChange={(e) => set({ otherRoles: e.target.value })} spellCheck={false} data-testid="member-other-roles" />
        </Field>
        <Field label="Status" help="Inactive members stay in the roster (NRPS status); Deleted removes them (NRPS differences report it).">
          <select className="input" value={form.status} onChange={(e) => set({ status: e.target.value as MemberStatus })} data-testid="member-status">
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        {mentor && (
          <Field as="div" label="Mentees" wide help={editing ? 'Sent as role_scope_mentor. The roster does not list current mentees: choose them again to keep them.' : 'Sent as role_scope_mentor with the Mentor role.'}>
            <div className="check-grid" role="group" aria-label="Mentees">
              {course.members
                .filter((m) => m.user.id !== form.userId)
                .map((m) => (
                  <label key={m.user.id} className="check">
                    <input type="checkbox" checked={form.mentees.includes(m.user.id)} onChange={() => toggleMentee(m.user.id)} />
                    <span>{m.user.name || m.user.id}</span>
                  </label>
                ))}
            </div>
          </Field>
        )}
      </div>

      {form.mode !== 'existing' && (
        <details className="advanced" open={editing && (form.systemRoles !== '' || form.institutionRoles !== '')}>
          <summary>System and institution roles</summary>
          <div className="form-grid">
            <Field label="System roles" help="One URI per line. Empty for a new user: system/person#User.">
              <textarea className="input mono" rows={2} value={form.systemRoles} onChange={(e) => set({ systemRoles: e.target.value })} spellCheck={false} />
            </Field>
            <Field label="Institution roles" help="One URI per line, e.g. http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student.">
              <textarea className="input mono" rows={2} value={form.institutionRoles} onChange={(e) => set({ institutionRoles: e.target.value })} spellCheck={false} />
            </Field>
          </div>
        </details>
      )}

      {apiError && <ErrorBanner error={apiError} title={apiError.code === 'bad_request' ? 'Not saved' : undefined} testId="member-save-error" />}
      {tried && Object.keys(problems).length > 0 && <div className="note warn">Fix the highlighted fields to save.</div>}

      <div className="editor-actions">
        <button type="submit" className="btn btn-primary" disabled={saving} data-testid="member-save">
          {saving ? 'Saving…' : editing ? 'Save changes' : form.mode === 'existing' ? 'Enroll' : 'Add member'}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

//! LTI 1.1 tools in the emulator: register one (launch URL, consumer key, secret to the
//! keychain, the LMS to imitate, custom parameters) and launch it as any user in any course —
//! or broken on purpose, one rule at a time.

import { useState, type FormEvent, type ReactNode } from 'react';
import { hrefFor } from '../app/router';
import type { ApiError, CourseView, EmulatorUser, LaunchUrl, Lti11Negative, Lti11Tool } from '../bindings';
import { Badge } from '../shared/Badge';
import { ConfirmButton } from '../shared/ConfirmButton';
import { ErrorBanner } from '../shared/ErrorBanner';
import { Card } from '../shared/Page';
import { useReloadOnModel, useRpc } from '../shared/useRpc';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';
import { openLaunch } from '../transport/openLaunch';
import { customText, LMS_PROFILES, lti11Problems, parseCustom, type Lti11ToolForm } from './lti11Form';

const KINDS = ['emulator_tool'] as const;
const EMPTY: Lti11ToolForm = { name: '', launchUrl: '', consumerKey: '', secret: '', lms: 'generic', custom: '' };

export function Lti11Tools({ courses, users }: { courses: CourseView[]; users: EmulatorUser[] }) {
  const { data: tools, error, reload } = useRpc('list_emulator_lti11_tools', {});
  useReloadOnModel(KINDS, reload);
  const [editing, setEditing] = useState<Lti11Tool | 'new' | null>(null);
  return (
    <Card
      testId="lti11-tools"
      title="LTI 1.1 tools"
      description="Tools the emulator launches as an LTI 1.1 consumer: signed form posts (OAuth 1.0a, HMAC-SHA1) with the roles, names, outcome service and extension parameters of the LMS it imitates."
      actions={
        editing === null && (
          <button type="button" className="btn btn-sm" onClick={() => setEditing('new')} data-testid="lti11-tool-add">
            Register a 1.1 tool
          </button>
        )
      }
    >
      {error && <ErrorBanner error={error} title="Could not list the LTI 1.1 tools" />}
      {editing !== null && (
        <Lti11ToolEditor
          editing={editing === 'new' ? null : editing}
          onDone={() => {
            setEditing(null);
            reload();
          }}
        />
      )}
      {tools?.length === 0 && editing === null && <p className="muted">None yet.</p>}
      {tools?.map((t) => (
        <Lti11ToolRow key={t.id} t={t} courses={courses} users={users} onEdit={() => setEditing(t)} onDeleted={reload} />
      ))}
    </Card>
  );
}

function Lti11ToolEditor({ editing, onDone }: { editing: Lti11Tool | null; onDone: () => void }) {
  const [form, setForm] = useState<Lti11ToolForm>(
    editing ? { name: editing.name, launchUrl: editing.launch_url, consumerKey: editing.consumer_key, secret: '', lms: editing.lms, custom: customText(editing.custom) } : EMPTY,
  );
  const [touched, setTouched] = useState(false);
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const problems = lti11Problems(form, editing?.has_secret ?? false);
  const set = (p: Partial<Lti11ToolForm>) => setForm((f) => ({ ...f, ...p }));
  const show = (k: keyof Lti11ToolForm) => (touched || form[k] !== EMPTY[k] ? problems[k] : undefined);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(problems).length > 0) return;
    try {
      await rpc('save_emulator_lti11_tool', {
        id: editing?.id ?? null,
        name: form.name,
        launch_url: form.launchUrl.trim(),
        consumer_key: form.consumerKey.trim(),
        secret: form.secret || null,
        lms: form.lms,
        custom: parseCustom(form.custom) ?? {},
      });
      onDone();
    } catch (err) {
      setSaveError(toApiError(err));
    }
  };

  const field = (k: keyof Lti11ToolForm, label: string, input: ReactNode, help?: string) => (
    <label className={`field ${show(k) ? 'has-error' : ''}`}>
      <span className="field-label">{label}</span>
      {input}
      {show(k) ? <span className="field-error">{show(k)}</span> : help ? <span className="field-help">{help}</span> : null}
    </label>
  );

  return (
    <form className="form-grid" onSubmit={submit} noValidate data-testid="lti11-tool-form">
      {field('name', 'Name', <input className="input" value={form.name} onChange={(e) => set({ name: e.target.value })} data-testid="lti11-tool-name" />)}
      {field('launchUrl', 'Launch URL', <input className="input mono" value={form.launchUrl} onChange={(e) => set({ launchUrl: e.target.value })} placeholder="https://tool.example/lti/launch" data-testid="lti11-tool-url" />)}
      {field('consumerKey', 'Consumer key', <input className="input mono" value={form.consumerKey} onChange={(e) => set({ consumerKey: e.target.value })} data-testid="lti11-tool-key" />, 'oauthlib-based tools accept 20–30 letters and digits by default.')}
      {field(
        'secret',
        'Shared secret',
        <input className="input mono" type="password" autoComplete="off" value={form.secret} onChange={(e) => set({ secret: e.target.value })} data-testid="lti11-tool-secret" />,
        editing?.has_secret ? 'Leave empty to keep the stored secret (in the keychain).' : 'Kept in the OS keychain.',
      )}
      {field(
        'lms',
        'Imitate',
        <select className="input" value={form.lms} onChange={(e) => set({ lms: e.target.value })} data-testid="lti11-tool-lms">
          {LMS_PROFILES.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>,
        'The LMS whose product family code and extension parameters the launches carry.',
      )}
      {field('custom', 'Custom parameters', <textarea className="input mono" rows={3} value={form.custom} onChange={(e) => set({ custom: e.target.value })} placeholder="Chapter Name=Week 1" data-testid="lti11-tool-custom" />, 'Sent as custom_chapter_name (LTI 1.1 names).')}
      <div className="editor-actions">
        <button type="submit" className="btn btn-primary" data-testid="lti11-tool-save">
          {editing ? 'Save changes' : 'Register'}
        </button>
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
      </div>
      {saveError && <ErrorBanner error={saveError} title="Could not save the tool" />}
    </form>
  );
}

function Lti11ToolRow({ t, courses, users, onEdit, onDeleted }: { t: Lti11Tool; courses: CourseView[]; users: EmulatorUser[]; onEdit: () => void; onDeleted: () => void }) {
  const { data: negatives } = useRpc('list_lti11_negative_tests', {});
  const [userId, setUserId] = useState(users.find((u) => u.id === 'demo-learner-1')?.id ?? users[0]?.id ?? '');
  const [courseId, setCourseId] = useState(courses[0]?.course.id ?? '');
  const [negative, setNegative] = useState<Lti11Negative | ''>('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [last, setLast] = useState<LaunchUrl | null>(null);

  const launch = async () => {
    setBusy(true);
    setError(null);
    try {
      const made = await rpc('lti11_launch_url', { tool_id: t.id, user_id: userId, course_id: courseId || null, negative: negative || null });
      setLast(made);
      await openLaunch(made.url, `${t.name} (LTI 1.1)`);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    try {
      await rpc('delete_emulator_lti11_tool', { id: t.id });
      onDeleted();
    } catch (e) {
      setError(toApiError(e));
    }
  };

  return (
    <div className="lti11-tool" data-testid="lti11-tool" data-id={t.id}>
      <div className="key-title">
        <strong>{t.name}</strong> <Badge tone="accent">{t.lms}</Badge>{' '}
        {t.has_secret ? <Badge tone="green">secret in keychain</Badge> : <Badge tone="red">no secret</Badge>}
        <span className="mono small muted"> {t.launch_url}</span>
      </div>
      <div className="emu-toolbar">
        <select className="input" value={userId} onChange={(e) => setUserId(e.target.value)} aria-label="User" data-testid="lti11-launch-user">
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name || u.id}
            </option>
          ))}
        </select>
        <select className="input" value={courseId} onChange={(e) => setCourseId(e.target.value)} aria-label="Course" data-testid="lti11-launch-course">
          {courses.map((c) => (
            <option key={c.course.id} value={c.course.id}>
              {c.course.title}
            </option>
          ))}
        </select>
        <select className="input" value={negative} onChange={(e) => setNegative(e.target.value as Lti11Negative | '')} aria-label="Break on purpose" data-testid="lti11-launch-negative">
          <option value="">A valid launch</option>
          {negatives?.map((n) => (
            <option key={n.id} value={n.id}>
              {n.label} ({n.rule_id})
            </option>
          ))}
        </select>
        <button type="button" className="btn btn-primary btn-sm" onClick={launch} disabled={busy || !userId} data-testid="lti11-launch">
          {busy ? 'Launching…' : 'Launch'}
        </button>
        <button type="button" className="btn btn-sm" onClick={onEdit}>
          Edit
        </button>
        <ConfirmButton label="Delete" question="Delete this 1.1 tool and its secret?" onConfirm={remove} testId="lti11-tool-delete" />
      </div>
      {last && (
        <p className="small">
          Launched: <a href={hrefFor('flows', last.flow_id)} data-testid="lti11-launch-flow">the emulator’s flow of this launch</a> ·{' '}
          <a href={last.url} target="_blank" rel="noopener">
            open the launch page again
          </a>{' '}
          <span className="muted">(it posts once)</span>
        </p>
      )}
      {error && <ErrorBanner error={error} title="Could not launch" />}
    </div>
  );
}

//! Courses: the list on the left; for the chosen course its facts, roster (user, names, email,
//! context roles as badges, status) with add and edit, and its resource links (placed by hand,
//! by deep linking, or the demo's) with add. Everything shown comes from the store as text.

import { useState } from 'react';
import { navigate } from '../app/router';
import type { ApiError, CourseView, EmulatorTool, EmulatorUser } from '../bindings';
import { Badge } from '../shared/Badge';
import { CopyButton } from '../shared/CopyButton';
import { EmptyState } from '../shared/EmptyState';
import { ErrorBanner } from '../shared/ErrorBanner';
import { Field } from '../shared/Field';
import { CloseIcon, PlusIcon } from '../shared/icons';
import { Card, Spinner } from '../shared/Page';
import { visible } from '../shared/url';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';
import { pickCourse, useEmulatorData } from './data';
import { emulatorHref } from './routes';
import { formatScore } from './gradebook';
import { toolName } from './launch';
import { MemberEditor } from './MemberEditor';
import { formFromMember, newMemberForm } from './memberForm';
import { RoleBadgeList, StatusBadge } from './RoleBadgeList';

export function CoursesView({ courseId }: { courseId?: string }) {
  const data = useEmulatorData();
  const [adding, setAdding] = useState(false);
  const course = pickCourse(data.courses, courseId);

  if (data.error && !data.courses) return <ErrorBanner error={data.error} title="Could not load the emulator’s courses" />;
  if (data.loading || !data.courses) return <Spinner />;

  return (
    <div className="emu-split">
      <aside className="emu-side" aria-label="Courses">
        <ul className="emu-side-list" data-testid="course-list">
          {data.courses.map((c) => (
            <li key={c.course.id}>
              <a
                href={emulatorHref('courses', c.course.id)}
                className={`emu-side-item ${c.course.id === course?.course.id ? 'active' : ''}`}
                aria-current={c.course.id === course?.course.id ? 'page' : undefined}
                data-testid="course-item"
                data-id={c.course.id}
              >
                <span className="emu-side-title">{c.course.title}</span>
                <span className="emu-side-sub">
                  {c.course.label} · {c.members.length} {c.members.length === 1 ? 'member' : 'members'}
                  {c.course.demo ? ' · demo' : ''}
                </span>
              </a>
            </li>
          ))}
        </ul>
        {adding ? (
          <CourseForm
            onSaved={(id) => {
              setAdding(false);
              data.reload();
              navigate('emulator', 'courses', id);
            }}
            onCancel={() => setAdding(false)}
          />
        ) : (
          <button type="button" className="btn btn-sm" onClick={() => setAdding(true)} data-testid="add-course">
            <PlusIcon size={13} /> Add course
          </button>
        )}
      </aside>
      <div className="emu-main">
        {course ? (
          <CourseDetail key={course.course.id} course={course} users={data.users ?? []} tools={data.tools ?? []} reload={data.reload} />
        ) : (
          <EmptyState title="No courses">The emulator has no course yet: add one.</EmptyState>
        )}
      </div>
    </div>
  );
}

function CourseForm({ onSaved, onCancel }: { onSaved: (id: string) => void; onCancel: () => void }) {
  const [title, setTitle] = useState('');
  const [label, setLabel] = useState('');
  const [contextId, setContextId] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const c = await rpc('save_emulator_course', { title: title.trim(), label: label.trim(), context_id: contextId.trim() || null });
      onSaved(c.id);
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <form className="editor course-form" onSubmit={submit} data-testid="course-form" noValidate>
      <Field label="Title" required>
        <input className="input" value={title} onChange={(e) => setTitle(e.target.value)} autoFocus data-testid="course-title" />
      </Field>
      <Field label="Label" help="Short code (context.label), e.g. BIO 101.">
        <input className="input" value={label} onChange={(e) => setLabel(e.target.value)} data-testid="course-label" />
      </Field>
      <Field label="Context ID" help="Empty: generated.">
        <input className="input mono" value={contextId} onChange={(e) => setContextId(e.target.value)} spellCheck={false} />
      </Field>
      {error && <ErrorBanner error={error} title="Course not saved" />}
      <div className="editor-actions">
        <button type="submit" className="btn btn-primary btn-sm" disabled={saving || !title.trim()} data-testid="course-save">
          {saving ? 'Saving…' : 'Add course'}
        </button>
        <button type="button" className="btn btn-sm" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

type Editing = { kind: 'add' } | { kind: 'edit'; userId: string } | null;

function CourseDetail({ course, users, tools, reload }: { course: CourseView; users: EmulatorUser[]; tools: EmulatorTool[]; reload: () => void }) {
  const [editing, setEditing] = useState<Editing>(null);
  const [savedUser, setSavedUser] = useState<string | null>(null);
  const c = course.course;
  const editingMember = editing?.kind === 'edit' ? course.members.find((m) => m.user.id === editing.userId) : undefined;

  return (
    <div className="stack" data-testid="course-detail" data-id={c.id}>
      <Card
        title={
          <span className="key-title">
            {c.title}
            {c.demo && <Badge tone="accent">demo</Badge>}
          </span>
        }
        description={c.label}
        actions={
          <span className="card-actions-row">
            <a className="btn btn-sm" href={emulatorHref('launch', c.id)}>
              Launch…
            </a>
            <a className="btn btn-sm" href={emulatorHref('gradebook', c.id)}>
              Gradebook
            </a>
          </span>
        }
      >
        <dl className="meta-grid">
          <dt>Context ID</dt>
          <dd className="with-copy">
            <span className="mono">{c.context_id}</span>
            <CopyButton value={c.context_id} variant="ghost" title="Copy the context ID" />
          </dd>
          <dt>Internal ID</dt>
          <dd className="mono">{c.id}</dd>
          <dt>Type</dt>
          <dd className="mono small">{c.types.join(', ') || '—'}</dd>
          {c.sourcedid && (
            <>
              <dt>SIS ID</dt>
              <dd className="mono">{c.sourcedid}</dd>
            </>
          )}
        </dl>
      </Card>

      <Card
        title={`Roster · ${course.members.length}`}
        description="Who the course sends in launches (roles claim) and in the roster service (NRPS)."
        actions={
          editing?.kind !== 'add' && (
            <button type="button" className="btn btn-sm btn-primary" onClick={() => setEditing({ kind: 'add' })} data-testid="add-member">
              <PlusIcon size={13} /> Add member
            </button>
          )
        }
        testId="roster-card"
      >
        {editing?.kind === 'add' && (
          <div className="inline-editor">
            <MemberEditor
              course={course}
              users={users}
              initial={newMemberForm('new')}
              onSaved={(e) => {
                setEditing(null);
                setSavedUser(e.user_id);
                reload();
              }}
              onCancel={() => setEditing(null)}
            />
          </div>
        )}
        {course.members.length === 0 ? (
          <p className="muted">Nobody is enrolled yet.</p>
        ) : (
          <table className="table roster" data-testid="roster">
            <thead>
              <tr>
                <th>User</th>
                <th>Given name</th>
                <th>Family name</th>
                <th>Email</th>
                <th>Context roles</th>
                <th>Status</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {course.members.map((m) => (
                <tr key={m.user.id} data-testid="member-row" data-user={m.user.id} className={m.user.id === savedUser ? 'row-saved' : ''}>
                  <td>
                    <div className="strong">{m.user.name || '(no name)'}</div>
                    <div className="mono small muted">{m.user.id}</div>
                  </td>
                  <td>{m.user.given_name}</td>
                  <td>{m.user.family_name}</td>
                  <td className="small">{m.user.email ?? <span className="muted">—</span>}</td>
                  <td>
                    <RoleBadgeList roles={m.roles} />
                  </td>
                  <td>
                    <StatusBadge status={m.status} />
                  </td>
                  <td className="nowrap">
                    <button type="button" className="btn btn-sm" onClick={() => setEditing({ kind: 'edit', userId: m.user.id })} data-testid="member-edit">
                      Edit
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {editingMember && (
          <div className="inline-editor" data-testid="member-edit-panel">
            <MemberEditor
              key={editingMember.user.id}
              course={course}
              users={users}
              initial={formFromMember(editingMember)}
              onSaved={(e) => {
                setEditing(null);
                setSavedUser(e.user_id);
                reload();
              }}
              onCancel={() => setEditing(null)}
            />
          </div>
        )}
      </Card>

      <LinksCard course={course} tools={tools} reload={reload} />
    </div>
  );
}

function LinksCard({ course, tools, reload }: { course: CourseView; tools: EmulatorTool[]; reload: () => void }) {
  const [adding, setAdding] = useState(false);
  const itemsByLink = new Map(course.line_items.filter((li) => li.resource_link_id).map((li) => [li.resource_link_id as string, li] as const));
  return (
    <Card
      title={`Resource links · ${course.resource_links.length}`}
      description="Placements of tools in the course. Links returned by deep linking are added here too."
      actions={
        !adding && (
          <button type="button" className="btn btn-sm" onClick={() => setAdding(true)} disabled={tools.length === 0} data-testid="add-link">
            <PlusIcon size={13} /> Add resource link
          </button>
        )
      }
      testId="links-card"
    >
      {adding && (
        <div className="inline-editor">
          <LinkForm
            course={course}
            tools={tools}
            onSaved={() => {
              setAdding(false);
              reload();
            }}
            onCancel={() => setAdding(false)}
          />
        </div>
      )}
      {course.resource_links.length === 0 ? (
        <p className="muted">No links yet. Add one, or launch a tool with a deep linking request to let it place content.</p>
      ) : (
        <table className="table" data-testid="links">
          <thead>
            <tr>
              <th>Title</th>
              <th>Tool</th>
              <th>Target link URI</th>
              <th>Line item</th>
              <th>Source</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {course.resource_links.map((l) => {
              const li = itemsByLink.get(l.id);
              return (
                <tr key={l.id} data-testid="link-row" data-id={l.id}>
                  <td>
                    <div>{l.title || <span className="muted">(untitled)</span>}</div>
                    <div className="mono small muted">{l.id}</div>
                  </td>
                  <td>{toolName(tools, l.tool_id)}</td>
                  <td className="small wrap-any">{l.url ? <span className="mono">{visible(l.url)}</span> : <span className="muted">the tool’s default</span>}</td>
                  <td className="small">{li ? `${li.label} (max ${formatScore(li.score_maximum)})` : <span className="muted">—</span>}</td>
                  <td>
                    <Badge tone={l.source === 'deep_linking' ? 'violet' : l.source === 'demo' ? 'accent' : 'neutral'}>{l.source}</Badge>
                  </td>
                  <td className="nowrap">
                    <a className="btn btn-sm" href={emulatorHref('launch', course.course.id, l.tool_id)}>
                      Launch…
                    </a>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Card>
  );
}

function LinkForm({ course, tools, onSaved, onCancel }: { course: CourseView; tools: EmulatorTool[]; onSaved: () => void; onCancel: () => void }) {
  const [toolId, setToolId] = useState(tools[0]?.id ?? '');
  const [title, setTitle] = useState('');
  const [url, setUrl] = useState('');
  const [max, setMax] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const maxNumber = max.trim() === '' ? null : Number(max);
  const maxBad = maxNumber !== null && !(Number.isFinite(maxNumber) && maxNumber > 0);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (maxBad || !title.trim() || !toolId) return;
    setSaving(true);
    setError(null);
    try {
      await rpc('save_resource_link', { course_id: course.course.id, tool_id: toolId, title: title.trim(), url: url.trim() || null, score_maximum: maxNumber });
      onSaved();
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <form className="editor" onSubmit={submit} noValidate data-testid="link-form">
      <div className="editor-head">
        <h2 className="card-title">Place a tool in {course.course.label || course.course.title}</h2>
        <button type="button" className="btn btn-icon btn-ghost" onClick={onCancel} aria-label="Cancel">
          <CloseIcon size={15} />
        </button>
      </div>
      <div className="form-grid">
        <Field label="Tool" required>
          <select className="input" value={toolId} onChange={(e) => setToolId(e.target.value)} data-testid="link-tool">
            {tools.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Title" required>
          <input className="input" value={title} onChange={(e) => setTitle(e.target.value)} data-testid="link-title" />
        </Field>
        <Field label="Target link URI" help="Empty: the tool’s default target link URI.">
          <input className="input mono" value={url} onChange={(e) => setUrl(e.target.value)} spellCheck={false} placeholder="https://…" />
        </Field>
        <Field label="Graded: score maximum" error={maxBad ? 'A number greater than 0.' : undefined} help="Creates a line item bound to the link (AGS lineitem claim in its launches).">
          <input className="input" inputMode="decimal" value={max} onChange={(e) => setMax(e.target.value)} placeholder="not graded" data-testid="link-max" />
        </Field>
      </div>
      {error && <ErrorBanner error={error} title="Link not saved" />}
      <div className="editor-actions">
        <button type="submit" className="btn btn-primary" disabled={saving || !title.trim() || maxBad} data-testid="link-save">
          {saving ? 'Saving…' : 'Add link'}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

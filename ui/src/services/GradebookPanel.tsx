//! Gradebook (AGS) of a captured launch: list line items (resource_link_id / resource_id / tag
//! filters), create, edit and delete one, post a score with every field (the user picked from the
//! fetched roster), read results per line item, and the line items × members grid built from the
//! roster and the results read. Each operation's exchanges and findings are shown below it.

import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import type { AgsLineItem, ApiError, CallLog, FlowDetail, Member, ResultItem, Roster } from '../bindings';
import { formatScore, scoreText } from '../emulator/gradebook';
import { Badge } from '../shared/Badge';
import { EmptyState } from '../shared/EmptyState';
import { Field } from '../shared/Field';
import { visible } from '../shared/url';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';
import { CallLogView, FailedCall } from './CallLogView';
import {
  ACTIVITY_PROGRESS,
  buildServiceGrid,
  emptyScoreForm,
  GRADING_PROGRESS,
  lineItemForm,
  lineItemFromForm,
  memberName,
  nowTimestamp,
  scoreArgs,
  shortScope,
  type FlowMark,
  type LineItemForm,
  type ScoreForm,
  type ServiceClaims,
} from './model';

interface LastCall {
  title: string;
  log: CallLog;
}

type Ags = NonNullable<ServiceClaims['ags']>;

export function GradebookPanel({ flowId, ags, roster, defaultRlid, detail, mark }: { flowId: string; ags: Ags; roster: Roster | null; defaultRlid: string | null; detail: FlowDetail; mark: () => FlowMark }) {
  const [filters, setFilters] = useState({ resourceLinkId: '', resourceId: '', tag: '' });
  const [items, setItems] = useState<AgsLineItem[] | null>(null);
  const [results, setResults] = useState<Map<string, ResultItem[]>>(new Map());
  const [resultsFor, setResultsFor] = useState<string | null>(null);
  const [editing, setEditing] = useState<AgsLineItem | 'new' | null>(null);
  const [scoring, setScoring] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ title: string; error: ApiError; since: FlowMark } | null>(null);
  const [last, setLast] = useState<LastCall[]>([]);

  const canWrite = ags.scopes.some((s) => s.endsWith('/scope/lineitem'));
  const canScore = ags.scopes.some((s) => s.endsWith('/scope/score'));
  const canRead = ags.scopes.some((s) => s.endsWith('/scope/result.readonly'));

  /** Runs one call: busy, error banner, and its log shown as the last operation. */
  const run = async <T extends { log: CallLog }>(title: string, call: () => Promise<T>, keep = false): Promise<T | null> => {
    setBusy(true);
    setError(null);
    if (!keep) setLast([]);
    const since = mark();
    try {
      const r = await call();
      setLast((l) => [...l, { title, log: r.log }]);
      return r;
    } catch (e) {
      setError({ title: `${title} failed`, error: toApiError(e), since });
      return null;
    } finally {
      setBusy(false);
    }
  };

  const list = async () => {
    const r = await run('List line items', () =>
      rpc('list_line_items', { flow_id: flowId, resource_link_id: filters.resourceLinkId.trim() || null, resource_id: filters.resourceId.trim() || null, tag: filters.tag.trim() || null }),
    );
    if (r) setItems(r.items);
    return r;
  };
  const readResults = async (url: string, keep = false) => {
    const r = await run('Results', () => rpc('get_results', { flow_id: flowId, line_item_url: url }), keep);
    if (r) {
      setResults((m) => new Map(m).set(url, r.results));
      setResultsFor(url);
    }
  };
  const readAllResults = async () => {
    let first = true;
    for (const it of items ?? []) {
      if (!it.id) continue;
      await readResults(it.id, !first);
      first = false;
    }
    setResultsFor(null);
  };
  const save = async (item: AgsLineItem) => {
    const r = await run(item.id ? 'Update line item' : 'Create line item', () => rpc('save_line_item', { flow_id: flowId, line_item: item }));
    if (r) {
      setEditing(null);
      setItems((list) => {
        const rest = (list ?? []).filter((i) => i.id !== r.item.id);
        const at = (list ?? []).findIndex((i) => i.id === r.item.id);
        if (at < 0) return [...rest, r.item];
        rest.splice(at, 0, r.item);
        return rest;
      });
    }
  };
  const remove = async (url: string) => {
    const r = await run('Delete line item', () => rpc('delete_line_item', { flow_id: flowId, line_item_url: url }));
    setConfirmDelete(null);
    if (r?.deleted) {
      setItems((list) => (list ?? []).filter((i) => i.id !== url));
      setResults((m) => {
        const next = new Map(m);
        next.delete(url);
        return next;
      });
    }
  };
  const postScore = async (f: ScoreForm, url: string) => {
    const parsed = scoreArgs(flowId, url, f);
    if (!parsed.value) return parsed.problems;
    const args = parsed.value;
    const r = await run('Post score', () => rpc('post_score', args));
    if (r) {
      setScoring(null);
      if (canRead) await readResults(url, true);
    }
    return {};
  };

  const members = roster?.members ?? [];
  const grid = useMemo(() => buildServiceGrid(items ?? [], members, results), [items, members, results]);
  const shownResults = resultsFor ? results.get(resultsFor) : undefined;
  const shownItem = resultsFor ? items?.find((i) => i.id === resultsFor) : undefined;

  return (
    <div className="svc-panel" data-testid="gradebook-panel">
      <div className="svc-claims muted">
        <span>
          line items <span className="mono">{ags.lineitems ? visible(ags.lineitems) : '— (no lineitems URL)'}</span>
        </span>
        {ags.lineitem && (
          <span>
            this link’s <span className="mono">{visible(ags.lineitem)}</span>
          </span>
        )}
        <span className="badge-list" data-testid="ags-scopes">
          {ags.scopes.map((s) => (
            <Badge key={s} tone="blue" title={s}>
              {shortScope(s)}
            </Badge>
          ))}
        </span>
      </div>

      <form
        className="svc-filters"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void list();
        }}
      >
        <Field label="resource_link_id">
          <input className="input mono" value={filters.resourceLinkId} placeholder={defaultRlid ? `this launch: ${defaultRlid}` : ''} onChange={(e) => setFilters({ ...filters, resourceLinkId: e.target.value })} spellCheck={false} data-testid="li-filter-rlid" />
        </Field>
        <Field label="resource_id">
          <input className="input mono" value={filters.resourceId} onChange={(e) => setFilters({ ...filters, resourceId: e.target.value })} spellCheck={false} data-testid="li-filter-resource" />
        </Field>
        <Field label="tag">
          <input className="input mono" value={filters.tag} onChange={(e) => setFilters({ ...filters, tag: e.target.value })} spellCheck={false} data-testid="li-filter-tag" />
        </Field>
        <button type="submit" className="btn btn-primary" disabled={busy || !ags.lineitems} data-testid="li-list">
          {busy ? 'Working…' : 'List line items'}
        </button>
        <button type="button" className="btn" disabled={busy || !ags.lineitems} onClick={() => setEditing('new')} title={canWrite ? undefined : 'The launch did not grant the lineitem scope: the platform should refuse (403)'} data-testid="li-new">
          New line item
        </button>
      </form>

      {editing && (
        <LineItemEditor
          key={editing === 'new' ? 'new' : (editing.id ?? '')}
          original={editing === 'new' ? null : editing}
          defaultRlid={defaultRlid}
          busy={busy}
          onSave={save}
          onCancel={() => setEditing(null)}
        />
      )}

      {items && (
        <LineItemsTable
          items={items}
          results={results}
          selected={resultsFor}
          confirmDelete={confirmDelete}
          busy={busy}
          canRead={canRead}
          canScore={canScore}
          onResults={(u) => void readResults(u)}
          onEdit={(i) => setEditing(i)}
          onScore={(u) => setScoring(u)}
          onDelete={(u) => setConfirmDelete(u)}
          onDeleteConfirm={(u) => void remove(u)}
          onDeleteCancel={() => setConfirmDelete(null)}
        />
      )}

      {scoring && (
        <ScoreEditor
          key={scoring}
          item={items?.find((i) => i.id === scoring) ?? null}
          url={scoring}
          members={members}
          busy={busy}
          onPost={(f) => postScore(f, scoring)}
          onCancel={() => setScoring(null)}
        />
      )}

      {error && <FailedCall error={error.error} since={error.since} detail={detail} title={error.title} testId="gradebook-error" />}
      {shownResults && shownItem && <ResultsTable item={shownItem} results={shownResults} members={members} />}

      {last.map((l, i) => (
        <CallLogView key={`${i}-${l.title}-${l.log.calls.map((c) => c.exchange_id).join(',')}`} log={l.log} title={l.title} testId="gradebook-log" />
      ))}

      {items && items.length > 0 && (
        <section className="stack" data-testid="service-grid-section">
          <div className="svc-summary">
            <h3 className="svc-section-title">Line items × members</h3>
            <span className="muted small">
              {roster ? `${members.length} members from the roster` : 'Fetch the roster for the member rows'} · cells are the results read
            </span>
            <button type="button" className="btn btn-sm" disabled={busy || !canRead} onClick={() => void readAllResults()} data-testid="grid-read-results">
              Read every result
            </button>
          </div>
          <ServiceGridView items={items} grid={grid} />
        </section>
      )}
      {!items && <p className="muted">List the line items to edit them, post scores and read results.</p>}
    </div>
  );
}

function LineItemsTable(p: {
  items: AgsLineItem[];
  results: Map<string, ResultItem[]>;
  selected: string | null;
  confirmDelete: string | null;
  busy: boolean;
  canRead: boolean;
  canScore: boolean;
  onResults: (url: string) => void;
  onEdit: (item: AgsLineItem) => void;
  onScore: (url: string) => void;
  onDelete: (url: string) => void;
  onDeleteConfirm: (url: string) => void;
  onDeleteCancel: () => void;
}) {
  if (p.items.length === 0) return <EmptyState title="No line items">None matched: create one, or clear the filters.</EmptyState>;
  return (
    <table className="table" data-testid="line-items-table">
      <thead>
        <tr>
          <th>Label</th>
          <th>Max</th>
          <th>resourceId · tag</th>
          <th>resourceLinkId</th>
          <th>Start · end</th>
          <th>Results</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {p.items.map((it, i) => {
          const url = it.id ?? '';
          const read = p.results.get(url);
          return (
            <tr key={url || i} className={p.selected === url ? 'svc-selected' : ''} data-testid="line-item-row" data-id={url} data-label={it.label}>
              <td>
                <div className="strong">{it.label || <span className="muted">(no label)</span>}</div>
                <div className="mono small muted wrap-any" title={url}>
                  {url ? visible(url) : '(no id)'}
                </div>
              </td>
              <td className="mono">{it.scoreMaximum === null || it.scoreMaximum === undefined ? <Badge tone="amber">missing</Badge> : formatScore(it.scoreMaximum)}</td>
              <td className="small">
                <span className="mono">{it.resourceId ?? '—'}</span> · <span className="mono">{it.tag ?? '—'}</span>
              </td>
              <td className="mono small">{it.resourceLinkId ?? '—'}</td>
              <td className="small mono">
                {it.startDateTime ?? '—'}
                <br />
                {it.endDateTime ?? '—'}
              </td>
              <td className="small">{read ? `${read.length} read` : <span className="muted">—</span>}</td>
              <td className="nowrap">
                {p.confirmDelete === url ? (
                  <span className="confirm" data-testid="li-delete-confirm">
                    <span>Delete on the platform?</span>
                    <button type="button" className="btn btn-sm btn-danger" disabled={p.busy} onClick={() => p.onDeleteConfirm(url)} data-testid="li-delete-yes">
                      Delete
                    </button>
                    <button type="button" className="btn btn-sm" onClick={p.onDeleteCancel}>
                      Cancel
                    </button>
                  </span>
                ) : (
                  <span className="svc-actions">
                    <button type="button" className="btn btn-sm" disabled={p.busy || !url} onClick={() => p.onScore(url)} data-testid="li-score">
                      Score…
                    </button>
                    <button type="button" className="btn btn-sm" disabled={p.busy || !url} onClick={() => p.onResults(url)} data-testid="li-results" title={p.canRead ? undefined : 'No result.readonly scope was granted'}>
                      Results
                    </button>
                    <button type="button" className="btn btn-sm" disabled={p.busy || !url} onClick={() => p.onEdit(it)} data-testid="li-edit">
                      Edit
                    </button>
                    <button type="button" className="btn btn-sm btn-ghost-danger" disabled={p.busy || !url} onClick={() => p.onDelete(url)} data-testid="li-delete">
                      Delete
                    </button>
                  </span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function LineItemEditor({ original, defaultRlid, busy, onSave, onCancel }: { original: AgsLineItem | null; defaultRlid: string | null; busy: boolean; onSave: (i: AgsLineItem) => void; onCancel: () => void }) {
  const [form, setForm] = useState<LineItemForm>(() => lineItemForm(original, { resourceLinkId: defaultRlid ?? '' }));
  const [problems, setProblems] = useState<Partial<Record<string, string>>>({});
  const set = (patch: Partial<LineItemForm>) => setForm((f) => ({ ...f, ...patch }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = lineItemFromForm(form, original);
    setProblems(parsed.problems);
    if (parsed.value) onSave(parsed.value);
  };
  const input = (name: keyof LineItemForm, label: ReactNode, opts: { mono?: boolean; placeholder?: string; required?: boolean; help?: ReactNode } = {}) => (
    <Field label={label} error={problems[name]} required={opts.required} help={opts.help}>
      <input className={`input ${opts.mono ? 'mono' : ''}`} value={form[name]} onChange={(e) => set({ [name]: e.target.value })} placeholder={opts.placeholder} spellCheck={false} data-testid={`li-${name}`} />
    </Field>
  );
  return (
    <form className="editor inline-editor" onSubmit={submit} noValidate data-testid="line-item-form">
      <h3 className="svc-section-title">{original ? `Edit ${original.label}` : 'New line item'}</h3>
      {original?.id && <div className="mono small muted wrap-any">PUT {visible(original.id)}</div>}
      <div className="form-grid">
        {input('label', 'label', { required: true })}
        {input('scoreMaximum', 'scoreMaximum', { mono: true, required: true })}
        {input('resourceId', 'resourceId', { mono: true })}
        {input('tag', 'tag', { mono: true })}
        {input('resourceLinkId', 'resourceLinkId', { mono: true, help: 'Binds the item to a resource link (empty: not bound)' })}
        <span />
        {input('startDateTime', 'startDateTime', { mono: true, placeholder: '2026-12-01T00:00:00Z' })}
        {input('endDateTime', 'endDateTime', { mono: true, placeholder: '2026-12-31T23:59:59Z' })}
      </div>
      <div className="editor-actions">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="li-save">
          {original ? 'Save (PUT)' : 'Create (POST)'}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The score form's user picker entry for a user id typed by hand (not in the roster read). */
const OTHER = '__other__';

function ScoreEditor({ item, url, members, busy, onPost, onCancel }: {
  item: AgsLineItem | null;
  url: string;
  members: readonly Member[];
  busy: boolean;
  onPost: (f: ScoreForm) => Promise<Partial<Record<string, string>>>;
  onCancel: () => void;
}) {
  const [form, setForm] = useState<ScoreForm>(() => emptyScoreForm(members.find((m) => m.roles.some((r) => /Learner/.test(r)))?.user_id ?? '', item?.scoreMaximum ? String(item.scoreMaximum) : ''));
  const [problems, setProblems] = useState<Partial<Record<string, string>>>({});
  const [other, setOther] = useState(members.length === 0);
  const set = (patch: Partial<ScoreForm>) => setForm((f) => ({ ...f, ...patch }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblems(await onPost(form));
  };
  const input = (name: keyof ScoreForm, label: ReactNode, opts: { placeholder?: string; help?: ReactNode; type?: string } = {}) => (
    <Field label={label} error={problems[name]} help={opts.help}>
      <input className="input mono" type={opts.type ?? 'text'} value={form[name]} onChange={(e) => set({ [name]: e.target.value })} placeholder={opts.placeholder} spellCheck={false} data-testid={`score-${name}`} />
    </Field>
  );
  return (
    <form className="editor inline-editor" onSubmit={(e) => void submit(e)} noValidate data-testid="score-form">
      <h3 className="svc-section-title">Post a score to {item?.label ?? 'the line item'}</h3>
      <div className="mono small muted wrap-any">POST {visible(url)}/scores</div>
      <div className="form-grid">
        <Field label="userId" error={problems.userId} help={members.length === 0 ? 'Fetch the roster to pick a member' : undefined}>
          {members.length > 0 && (
            <select
              className="input"
              value={other ? OTHER : form.userId}
              onChange={(e) => {
                const v = e.target.value;
                setOther(v === OTHER);
                set({ userId: v === OTHER ? '' : v });
              }}
              data-testid="score-userId"
            >
              <option value="">—</option>
              {members.map((m) => (
                <option key={m.user_id} value={m.user_id}>
                  {memberName(m)} · {m.user_id} · {m.role_badges.map((b) => b.name).join(', ') || 'no roles'}
                </option>
              ))}
              <option value={OTHER}>Another user id…</option>
            </select>
          )}
          {other && <input className="input mono" value={form.userId} onChange={(e) => set({ userId: e.target.value })} placeholder="the LTI user id (sub)" spellCheck={false} data-testid="score-userId-other" />}
        </Field>
        <Field label="comment" error={problems.comment}>
          <input className="input" value={form.comment} onChange={(e) => set({ comment: e.target.value })} data-testid="score-comment" />
        </Field>
        {input('scoreGiven', 'scoreGiven', { help: 'Empty: no score (e.g. a progress update)' })}
        {input('scoreMaximum', 'scoreMaximum', { help: 'Required with scoreGiven' })}
        <Field label="activityProgress">
          <select className="input" value={form.activityProgress} onChange={(e) => set({ activityProgress: e.target.value })} data-testid="score-activityProgress">
            {ACTIVITY_PROGRESS.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </Field>
        <Field label="gradingProgress">
          <select className="input" value={form.gradingProgress} onChange={(e) => set({ gradingProgress: e.target.value })} data-testid="score-gradingProgress">
            {GRADING_PROGRESS.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </Field>
        <Field label="timestamp" error={problems.timestamp} help="Empty: now, with microseconds, when posted">
          <span className="with-copy">
            <input className="input mono" value={form.timestamp} onChange={(e) => set({ timestamp: e.target.value })} placeholder="now" spellCheck={false} data-testid="score-timestamp" />
            <button type="button" className="btn btn-sm" onClick={() => set({ timestamp: nowTimestamp() })} data-testid="score-timestamp-now">
              Now
            </button>
          </span>
        </Field>
        <span />
        {input('startedAt', 'submission.startedAt', { placeholder: '2026-11-27T10:00:00Z' })}
        {input('submittedAt', 'submission.submittedAt', { placeholder: '2026-11-27T10:30:00Z' })}
      </div>
      <div className="editor-actions">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="score-post">
          Post score
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ResultsTable({ item, results, members }: { item: AgsLineItem; results: readonly ResultItem[]; members: readonly Member[] }) {
  const names = new Map(members.map((m) => [m.user_id, memberName(m)] as const));
  return (
    <section className="stack" data-testid="results">
      <h3 className="svc-section-title">
        Results · {item.label} <span className="tab-count">{results.length}</span>
      </h3>
      {results.length === 0 ? (
        <p className="muted">No result yet.</p>
      ) : (
        <table className="table table-compact" data-testid="results-table">
          <thead>
            <tr>
              <th>User</th>
              <th>Result</th>
              <th>Comment</th>
              <th>Result id</th>
            </tr>
          </thead>
          <tbody>
            {results.map((r, i) => (
              <tr key={`${r.userId}-${i}`} data-testid="result-row" data-user={r.userId}>
                <td>
                  <div>{names.get(r.userId) ?? <span className="muted">not in the roster read</span>}</div>
                  <div className="mono small muted">{r.userId}</div>
                </td>
                <td className="mono" data-testid="result-score">
                  {scoreText(r.resultScore, r.resultMaximum) ?? <span className="muted">no score</span>}
                </td>
                <td className="small">{r.comment ?? <span className="muted">—</span>}</td>
                <td className="mono small muted wrap-any">{r.id ? visible(r.id) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ServiceGridView({ items, grid }: { items: readonly AgsLineItem[]; grid: ReturnType<typeof buildServiceGrid> }) {
  if (grid.rows.length === 0) return <p className="muted">No rows: fetch the roster (learners) or read results.</p>;
  return (
    <div className="grade-scroll">
      <table className="table grade-grid" data-testid="service-grid">
        <thead>
          <tr>
            <th className="grade-who">Member</th>
            {grid.columns.map((c) => (
              <th key={c.id} className="grade-col" data-testid="service-grid-column" data-id={c.id ?? ''}>
                <div className="grade-col-label">{c.label || <span className="muted">(no label)</span>}</div>
                <div className="grade-col-sub">
                  max {formatScore(c.scoreMaximum)}
                  {c.tag ? ` · ${c.tag}` : ''}
                </div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.rows.map((r) => (
            <tr key={r.userId} data-testid="service-grid-row" data-user={r.userId}>
              <th className="grade-who" scope="row">
                <div className="strong">{r.member ? memberName(r.member) : r.userId}</div>
                <div className="grade-who-sub">
                  <span className="mono">{r.userId}</span>
                  {!r.member && <Badge tone="amber">not in the roster</Badge>}
                  {r.member && !r.learner && <Badge>not a learner</Badge>}
                </div>
              </th>
              {r.cells.map((c, i) => (
                <td key={grid.columns[i]?.id ?? i} className="grade-td">
                  {c ? (
                    <div className="grade-cell" data-testid="service-grid-cell" data-id={grid.columns[i]?.id ?? ''} data-user={r.userId}>
                      <div className="grade-score">{scoreText(c.resultScore, c.resultMaximum) ?? <span className="muted">no score</span>}</div>
                      {c.comment && (
                        <div className="grade-comment" title={c.comment}>
                          {c.comment}
                        </div>
                      )}
                    </div>
                  ) : (
                    <span className="grade-empty">—</span>
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small grade-note">{items.length} line items; a cell shows a result only once it has been read (Results, or Read every result).</p>
    </div>
  );
}

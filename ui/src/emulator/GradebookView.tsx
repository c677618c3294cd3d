//! Gradebook: a course's line items × learners as tools posted to them (score given / maximum,
//! the result on the line item's scale, activity and grading progress, comment, timestamp as
//! sent), re-read live as scores arrive; and the course's deep-linked items. Every value a tool
//! sent (labels, comments, titles, URLs) is shown as text.

import { useState } from 'react';
import { hrefFor, navigate } from '../app/router';
import type { CourseView, EmulatorTool, GradeCell, Gradebook } from '../bindings';
import { Badge } from '../shared/Badge';
import { CopyButton } from '../shared/CopyButton';
import { EmptyState } from '../shared/EmptyState';
import { ErrorBanner } from '../shared/ErrorBanner';
import { isWebUrl } from '../shared/ExternalLink';
import { formatDateTime, formatWhen } from '../shared/format';
import { Card, Spinner } from '../shared/Page';
import { useRpc } from '../shared/useRpc';
import { visible } from '../shared/url';
import { pickCourse, useEmulatorData } from './data';
import { emulatorHref } from './routes';
import { activityTone, buildGrid, contentItemRows, formatScore, gradingTone, resultText, scoreText, type Grid } from './gradebook';
import { toolName } from './launch';
import { useEmulatorLive } from './live';
import { StatusBadge } from './RoleBadgeList';
import { openLaunch } from '../transport/openLaunch';

export function GradebookView({ courseId }: { courseId?: string }) {
  const data = useEmulatorData();
  const course = pickCourse(data.courses, courseId);
  if (data.error && !data.courses) return <ErrorBanner error={data.error} title="Could not load the emulator’s courses" />;
  if (data.loading || !data.courses) return <Spinner />;
  if (!course) return <EmptyState title="No courses">Add a course on the Courses view first.</EmptyState>;
  return (
    <div className="stack">
      <div className="emu-toolbar">
        <label className="inline-field">
          <span className="muted">Course</span>
          <select className="input input-inline" value={course.course.id} onChange={(e) => navigate('emulator', 'gradebook', e.target.value)} data-testid="gradebook-course">
            {data.courses.map((c) => (
              <option key={c.course.id} value={c.course.id}>
                {c.course.title}
              </option>
            ))}
          </select>
        </label>
        <span className="live" title="Scores appear as tools post them">
          <span className="dot good pulse" /> Live
        </span>
      </div>
      <GradebookCard key={course.course.id} courseId={course.course.id} />
      <DeepLinkedItems course={course} tools={data.tools ?? []} />
    </div>
  );
}

function GradebookCard({ courseId }: { courseId: string }) {
  const { data, error, loading, reload } = useRpc('get_gradebook', { course_id: courseId });
  useEmulatorLive(reload);
  const [allMembers, setAllMembers] = useState(false);
  if (error && !data) return <ErrorBanner error={error} title="Could not load the gradebook" />;
  if (loading && !data) return <Spinner />;
  if (!data) return null;
  const grid = buildGrid(data, { allMembers });
  return (
    <Card
      title={`Gradebook · ${data.course.title}`}
      description={`${grid.columns.length} ${grid.columns.length === 1 ? 'line item' : 'line items'} · ${grid.learnerCount} ${grid.learnerCount === 1 ? 'learner' : 'learners'} · tools post scores through AGS; each cell is the latest score.`}
      actions={
        <label className="check small">
          <input type="checkbox" checked={allMembers} onChange={(e) => setAllMembers(e.target.checked)} data-testid="gradebook-all-members" />
          <span>Every member</span>
        </label>
      }
      testId="gradebook"
    >
      {error && <ErrorBanner error={error} title="Could not refresh the gradebook" />}
      {grid.columns.length === 0 ? (
        <p className="muted">
          No line items yet. A graded resource link has one; tools create more through AGS (POST to the line items URL on the Overview).
        </p>
      ) : grid.rows.length === 0 ? (
        <p className="muted">Nobody to grade: the course has no learners.</p>
      ) : (
        <GradeGrid gb={data} grid={grid} />
      )}
      {data.lti11.length > 0 && (
        <>
          <h3 className="section-title">LTI 1.1 grades (Basic Outcomes)</h3>
          <table className="table compact" data-testid="lti11-grades">
            <thead>
              <tr>
                <th>Learner</th>
                <th>Tool</th>
                <th>Score (0–1)</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {data.lti11.map((g) => (
                <tr key={`${g.tool_id}-${g.user_id}`}>
                  <td>{data.members.find((m) => m.user.id === g.user_id)?.user.name || g.user_id}</td>
                  <td>{g.tool_name}</td>
                  <td className="mono">{g.score ?? '—'}</td>
                  <td className="small muted">{formatDateTime(g.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Card>
  );
}

function GradeGrid({ gb, grid }: { gb: Gradebook; grid: Grid }) {
  const now = Date.now();
  return (
    <div className="grade-scroll">
      <table className="table grade-grid" data-testid="grade-grid">
        <thead>
          <tr>
            <th className="grade-who">Learner</th>
            {grid.columns.map((col) => (
              <th key={col.line_item.id} className="grade-col" data-testid="grade-column" data-line-item={col.line_item.id}>
                <div className="grade-col-label">{col.line_item.label || <span className="muted">(no label)</span>}</div>
                <div className="grade-col-sub">
                  {col.tool_name} · max {formatScore(col.line_item.score_maximum)}
                  {col.line_item.tag ? ` · ${col.line_item.tag}` : ''}
                </div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.rows.map((r) => (
            <tr key={r.userId} data-testid="grade-row" data-user={r.userId}>
              <th className="grade-who" scope="row">
                <div className="strong">{r.user ? r.user.name || r.userId : r.userId}</div>
                <div className="grade-who-sub">
                  <span className="mono">{r.userId}</span>
                  {!r.user && <Badge tone="amber">not in the course</Badge>}
                  {r.user && !r.learner && <Badge>not a learner</Badge>}
                  {r.status && r.status !== 'Active' && <StatusBadge status={r.status} />}
                </div>
              </th>
              {r.cells.map((c, i) => (
                <td key={grid.columns[i]?.line_item.id ?? i} className="grade-td">
                  {c ? <GradeCellView c={c} fresh={now - c.updated_at < 4000} /> : <span className="grade-empty">—</span>}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th className="grade-who muted small">Scored</th>
            {grid.stats.map((s, i) => (
              <td key={grid.columns[i]?.line_item.id ?? i} className="muted small">
                {s.scored} of {grid.rows.length}
                {s.meanFraction !== null ? ` · mean ${Math.round(s.meanFraction * 100)}%` : ''}
              </td>
            ))}
          </tr>
        </tfoot>
      </table>
      <p className="muted small grade-note">
        {gb.cells.length} {gb.cells.length === 1 ? 'result' : 'results'} in {gb.course.label || gb.course.title}. The timestamp is the one the tool sent; results
        are scaled to each line item’s maximum.
      </p>
    </div>
  );
}

function GradeCellView({ c, fresh }: { c: GradeCell; fresh: boolean }) {
  const score = scoreText(c.score_given, c.score_maximum);
  const result = resultText(c);
  return (
    <div className={`grade-cell ${fresh ? 'fresh' : ''}`} data-testid="grade-cell" data-line-item={c.line_item_id} data-user={c.user_id}>
      <div className="grade-score" data-testid="grade-score">
        {score ?? <span className="muted">no score</span>}
      </div>
      {result && (
        <div className="grade-result small" title="The result on the line item’s scale">
          → {result}
        </div>
      )}
      <div className="grade-progress">
        <Badge tone={activityTone(c.activity_progress)} title="activityProgress">
          {c.activity_progress}
        </Badge>
        <Badge tone={gradingTone(c.grading_progress)} title="gradingProgress">
          {c.grading_progress}
        </Badge>
      </div>
      {c.comment && (
        <div className="grade-comment" title={c.comment} data-testid="grade-comment">
          {c.comment}
        </div>
      )}
      <div className="grade-time mono" title={`Received ${formatWhen(c.updated_at)}`}>
        {c.timestamp}
      </div>
    </div>
  );
}

function DeepLinkedItems({ course, tools }: { course: CourseView; tools: EmulatorTool[] }) {
  const rows = contentItemRows(course.content_items);
  const links = new Map(course.resource_links.map((l) => [l.id, l] as const));
  const setup = useRpc('get_emulator_setup', {});
  // The emulator serves the preview (the course as a member sees it), under its issuer.
  const previewUrl = setup.data ? `${setup.data.issuer.replace(/\/$/, '')}/courses/${encodeURIComponent(course.course.id)}/content` : null;
  return (
    <Card
      title={`Deep-linked items · ${rows.length}`}
      description="What tools returned through deep linking, newest first, as sent. Resource link items became links of the course."
      actions={
        <>
          {previewUrl && rows.length > 0 && (
            <button type="button" className="btn btn-sm" onClick={() => void openLaunch(previewUrl, 'Course content')} data-testid="content-preview-open">
              Preview as the course shows it
            </button>
          )}{' '}
          <a className="btn btn-sm" href={emulatorHref('launch', course.course.id)}>
            Deep linking launch…
          </a>
        </>
      }
      testId="content-items"
    >
      {rows.length === 0 ? (
        <p className="muted">None yet. Launch a tool with a deep linking request (Launch view) and pick content in it.</p>
      ) : (
        <table className="table" data-testid="content-items-table">
          <thead>
            <tr>
              <th>Title</th>
              <th>Type</th>
              <th>URL</th>
              <th>Tool</th>
              <th>Added as</th>
              <th>When</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-testid="content-item" data-type={r.type}>
                <td>
                  <div data-testid="content-item-title">{r.title || <span className="muted">(no title)</span>}</div>
                  {r.text && <div className="muted small content-text">{r.text}</div>}
                </td>
                <td>
                  <Badge tone={r.type === 'ltiResourceLink' ? 'violet' : 'neutral'}>{r.type}</Badge>
                </td>
                <td className="content-url">
                  {r.url ? (
                    <span className="with-copy">
                      <span className="mono small wrap-any" data-testid="content-item-url">
                        {visible(r.url)}
                      </span>
                      {!isWebUrl(r.url) && (
                        <Badge tone="red" title="Not an http(s) URL">
                          not http(s)
                        </Badge>
                      )}
                      <CopyButton value={r.url} variant="ghost" title="Copy the URL" />
                    </span>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>{toolName(tools, r.toolId)}</td>
                <td className="small">
                  {r.resourceLinkId ? (
                    <span>
                      link <span className="mono">{links.get(r.resourceLinkId)?.id ?? r.resourceLinkId}</span>
                      {r.lineItemId && <span className="muted"> · graded</span>}
                    </span>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td className="nowrap small">
                  {formatWhen(r.createdAt)}
                  {r.flowId && (
                    <>
                      {' · '}
                      <a href={hrefFor('flows', r.flowId)}>flow</a>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

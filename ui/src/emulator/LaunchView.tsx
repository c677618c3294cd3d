//! Launch: "Launch as <user>" for each resource link of a course (resource link and submission
//! review) or each tool (deep linking), with the message type, a negative test — each named by
//! the rule it breaks, e.g. "Expired token → idtoken.exp" — and where the tool opens (its own
//! window, or an iframe in the emulator's frame page that answers platform-storage messages).

import { useMemo, useState } from 'react';
import { navigate } from '../app/router';
import type { CourseView, EmulatorTool, NegativeTest } from '../bindings';
import { Badge } from '../shared/Badge';
import { EmptyState } from '../shared/EmptyState';
import { ErrorBanner } from '../shared/ErrorBanner';
import { Field } from '../shared/Field';
import { Card, Spinner } from '../shared/Page';
import { useRpc } from '../shared/useRpc';
import { rpc } from '../transport';
import { pickCourse, useEmulatorData } from './data';
import { emulatorHref } from './routes';
import { formatScore } from './gradebook';
import { defaultLauncher, defaultLaunchOptions, DL_TARGETS, DL_TYPES, launchableLinks, launchesLinks, MESSAGE_TYPES, toggle, toLaunchArgs, toolName, type DlChoice, type LaunchOptions } from './launch';
import { LaunchLog, LaunchOutcome } from './LaunchResult';
import { RoleBadgeList } from './RoleBadgeList';
import { isLearnerRole } from './roles';
import { useLauncher } from './useLauncher';

export function LaunchView({ courseId, toolId }: { courseId?: string; toolId?: string }) {
  const data = useEmulatorData();
  const course = pickCourse(data.courses, courseId);
  if (data.error && !data.courses) return <ErrorBanner error={data.error} title="Could not load the emulator" />;
  if (data.loading || !data.courses || !data.tools) return <Spinner />;
  if (!course) return <EmptyState title="No courses">Add a course on the Courses view first.</EmptyState>;
  return <LaunchPanel key={course.course.id} course={course} courses={data.courses} tools={data.tools} toolId={toolId} />;
}

function LaunchPanel({ course, courses, tools, toolId }: { course: CourseView; courses: CourseView[]; tools: EmulatorTool[]; toolId?: string }) {
  const negatives = useRpc('list_negative_tests', {});
  const lti11Tools = useRpc('list_emulator_lti11_tools', {});
  const [opts, setOpts] = useState<LaunchOptions>(defaultLaunchOptions);
  const [userId, setUserId] = useState(() => defaultLauncher(course, 'LtiResourceLinkRequest'));
  const [userTouched, setUserTouched] = useState(false);
  const launcher = useLauncher();
  const user = course.members.find((m) => m.user.id === userId);
  const userName = user?.user.name || userId;
  const learners = course.members.filter((m) => m.roles.some(isLearnerRole));
  const toolFilter = toolId && tools.some((t) => t.id === toolId) ? toolId : null;
  const links = useMemo(() => launchableLinks(course, opts.messageType).filter((l) => !toolFilter || l.tool_id === toolFilter), [course, opts.messageType, toolFilter]);
  const lineItems = new Map(course.line_items.filter((li) => li.resource_link_id).map((li) => [li.resource_link_id as string, li] as const));
  const dlTools = tools.filter((t) => !toolFilter || t.id === toolFilter);
  const negative = negatives.data?.find((n) => n.id === opts.negative);

  const setType = (t: LaunchOptions['messageType']) => {
    setOpts((o) => ({ ...o, messageType: t }));
    if (!userTouched) setUserId(defaultLauncher(course, t));
  };

  const launch = (key: string, target: { toolId: string; resourceLinkId?: string }, what: string) => {
    const label = `${what} as ${userName}${negative ? ` — ${negative.label}` : ''}`;
    void launcher.run(key, { label, messageType: opts.messageType, negative: opts.negative }, () =>
      rpc('launch_url', toLaunchArgs(opts, { toolId: target.toolId, userId, courseId: course.course.id, resourceLinkId: target.resourceLinkId ?? null })),
    );
  };

  const launchButton = (key: string, target: { toolId: string; resourceLinkId?: string }, what: string) => (
    <button
      type="button"
      className={`btn btn-sm ${opts.negative ? 'btn-danger-soft' : 'btn-primary'}`}
      onClick={() => launch(key, target, what)}
      disabled={launcher.busy !== null || !userId}
      data-testid="launch-as"
      data-link={target.resourceLinkId ?? ''}
      data-tool={target.toolId}
    >
      {launcher.busy === key ? 'Launching…' : `Launch as ${userName}`}
    </button>
  );

  return (
    <div className="stack">
      <Card title="Launch options" testId="launch-options">
        <div className="form-grid">
          <Field label="Course">
            <select className="input" value={course.course.id} onChange={(e) => navigate('emulator', 'launch', e.target.value)} data-testid="launch-course">
              {courses.map((c) => (
                <option key={c.course.id} value={c.course.id}>
                  {c.course.title}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Launch as" help={user ? <RoleBadgeList roles={user.roles} /> : 'Nobody is enrolled: add members on the Courses view.'}>
            <select
              className="input"
              value={userId}
              onChange={(e) => {
                setUserId(e.target.value);
                setUserTouched(true);
              }}
              data-testid="launch-user"
            >
              {course.members.map((m) => (
                <option key={m.user.id} value={m.user.id}>
                  {m.user.name || m.user.id} — {m.roles.map((r) => r.slice(r.lastIndexOf('#') + 1)).join(', ') || 'no roles'}
                  {m.status !== 'Active' ? ` (${m.status})` : ''}
                </option>
              ))}
            </select>
          </Field>
          <Field as="div" label="Message type">
            <div className="segmented" role="radiogroup" aria-label="Message type">
              {MESSAGE_TYPES.map((m) => (
                <button
                  key={m.id}
                  type="button"
                  role="radio"
                  aria-checked={opts.messageType === m.id}
                  className={opts.messageType === m.id ? 'active' : ''}
                  onClick={() => setType(m.id)}
                  title={`${m.id}: ${m.hint}`}
                  data-testid={`msg-${m.id}`}
                >
                  {m.label}
                </button>
              ))}
            </div>
            <span className="field-help mono">{opts.messageType}</span>
          </Field>
          {opts.messageType === 'LtiSubmissionReviewRequest' && (
            <Field label="Submission of" help="The learner whose submission is reviewed (for_user claim).">
              <select className="input" value={opts.forUserId} onChange={(e) => setOpts((o) => ({ ...o, forUserId: e.target.value }))} data-testid="launch-for-user">
                <option value="">The first learner</option>
                {learners.map((m) => (
                  <option key={m.user.id} value={m.user.id}>
                    {m.user.name || m.user.id}
                  </option>
                ))}
              </select>
            </Field>
          )}
          {opts.messageType === 'LtiDeepLinkingRequest' && <DlSettingsFields value={opts.dl} onChange={(dl) => setOpts((o) => ({ ...o, dl }))} />}
          {(lti11Tools.data?.length ?? 0) > 0 && (
            <Field label="LTI 1.1 migration claim" help="Send the lti1p1 claim of a 1.1 tool (its consumer key, the user and link ids its 1.1 launches use, oauth_consumer_key_sign with its secret), as a platform moving the tool from 1.1 to 1.3 does.">
              <select className="input" value={opts.lti11ToolId} onChange={(e) => setOpts((o) => ({ ...o, lti11ToolId: e.target.value }))} data-testid="launch-lti11-claim">
                <option value="">None</option>
                {lti11Tools.data?.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name} ({t.consumer_key})
                  </option>
                ))}
              </select>
            </Field>
          )}
          <Field label="Open the tool in" help="An iframe launch runs inside the emulator’s frame page, which answers the platform-storage postMessages (lti_storage_target).">
            <div className="segmented" role="radiogroup" aria-label="Document target">
              {(['window', 'iframe'] as const).map((t) => (
                <button key={t} type="button" role="radio" aria-checked={opts.documentTarget === t} className={opts.documentTarget === t ? 'active' : ''} onClick={() => setOpts((o) => ({ ...o, documentTarget: t }))} data-testid={`target-${t}`}>
                  {t === 'window' ? 'Window' : 'Iframe'}
                </button>
              ))}
            </div>
          </Field>
        </div>

        <div className="negatives" data-testid="negative-tests">
          <div className="field-label">Negative test</div>
          <p className="field-help">Send a deliberately broken launch. Each breaks one validation rule; the tool should refuse it — the tool side’s flow shows that rule failed.</p>
          {negatives.error && <ErrorBanner error={negatives.error} title="Could not list the negative tests" />}
          <div className="negative-grid" role="radiogroup" aria-label="Negative test">
            <label className={`negative ${opts.negative === null ? 'active' : ''}`}>
              <input type="radio" name="negative" checked={opts.negative === null} onChange={() => setOpts((o) => ({ ...o, negative: null }))} data-testid="negative-none" />
              <span className="negative-label">None</span>
              <span className="muted small">a valid launch</span>
            </label>
            {negatives.data?.map((n) => (
              <label key={n.id} className={`negative ${opts.negative === n.id ? 'active' : ''}`} data-testid="negative-option">
                <input
                  type="radio"
                  name="negative"
                  checked={opts.negative === n.id}
                  onChange={() => setOpts((o) => ({ ...o, negative: n.id as NegativeTest }))}
                  data-testid={`negative-${n.id}`}
                />
                <span className="negative-label">{n.label}</span>
                <span className="negative-rule">
                  <span aria-hidden="true">→</span> <code className="rule-id">{n.rule_id}</code>
                </span>
                {(n.refused_by.length > 0 || n.accepted_by.length > 0) && (
                  <span
                    className="negative-libs muted small"
                    data-testid="negative-libraries"
                    title={`Measured (make compat): refused by ${n.refused_by.join(', ') || 'none'}; accepted by ${n.accepted_by.join(', ') || 'none'}`}
                  >
                    {n.accepted_by.length === 0 ? `every measured library refuses it` : `accepted by ${n.accepted_by.join(', ')}`}
                  </span>
                )}
              </label>
            ))}
          </div>
        </div>
      </Card>

      <LaunchOutcome last={launcher.last} error={launcher.error} />

      {launchesLinks(opts.messageType) ? (
        <Card
          title={opts.messageType === 'LtiSubmissionReviewRequest' ? 'Graded links' : 'Resource links'}
          description={
            toolFilter ? (
              <>
                Links of {toolName(tools, toolFilter)} only · <a href={emulatorHref('launch', course.course.id)}>show every tool</a>
              </>
            ) : opts.messageType === 'LtiSubmissionReviewRequest' ? (
              'Submission review needs a link with a line item.'
            ) : (
              'Each placement of a tool in the course.'
            )
          }
          testId="launch-links"
        >
          {links.length === 0 ? (
            <p className="muted">No link to launch. Place a tool on the Courses view, or let a tool add links by deep linking.</p>
          ) : (
            <table className="table" data-testid="launch-table">
              <thead>
                <tr>
                  <th>Resource link</th>
                  <th>Tool</th>
                  <th>Line item</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {links.map((l) => {
                  const li = lineItems.get(l.id);
                  return (
                    <tr key={l.id} data-testid="launch-row" data-link={l.id}>
                      <td>
                        <div>{l.title || <span className="muted">(untitled)</span>}</div>
                        <div className="mono small muted">{l.id}</div>
                      </td>
                      <td>{toolName(tools, l.tool_id)}</td>
                      <td className="small">{li ? `${li.label} · max ${formatScore(li.score_maximum)}` : <span className="muted">—</span>}</td>
                      <td className="nowrap launch-cell">
                        {opts.negative && <Badge tone="red">{opts.negative}</Badge>}
                        {launchButton(`link:${l.id}`, { toolId: l.tool_id, resourceLinkId: l.id }, l.title || l.id)}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </Card>
      ) : (
        <Card title="Tools" description="A deep linking request asks the tool for content; the items it returns become links of the course (see the Gradebook view’s deep-linked items)." testId="launch-tools">
          <table className="table" data-testid="launch-table">
            <tbody>
              {dlTools.map((t) => (
                <tr key={t.id} data-testid="launch-row" data-tool={t.id}>
                  <td>
                    <div>{t.name}</div>
                    <div className="mono small muted">{t.deep_link_url ?? t.target_link_uri}</div>
                  </td>
                  <td className="nowrap launch-cell">
                    {opts.negative && <Badge tone="red">{opts.negative}</Badge>}
                    {launchButton(`tool:${t.id}`, { toolId: t.id }, `Deep linking into ${t.name}`)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}

      <Card title="Recent launches" description="The emulator’s launches, newest first, each with the tool side’s flow of the same launch.">
        <LaunchLog />
      </Card>
    </div>
  );
}

/** The deep_linking_settings the request offers: narrow them to see how a tool copes. */
function DlSettingsFields({ value, onChange }: { value: DlChoice; onChange: (v: DlChoice) => void }) {
  const check = (label: string, on: boolean, set: (on: boolean) => void, testId: string) => (
    <label key={testId} className="check-inline">
      <input type="checkbox" checked={on} onChange={(e) => set(e.target.checked)} data-testid={testId} /> {label}
    </label>
  );
  return (
    <Field as="div" label="Deep linking settings" help="What the request offers the tool (deep_linking_settings). The response’s items are checked against these; at least one type and one target.">
      <div className="dl-settings-fields" data-testid="dl-launch-settings">
        <div>
          <span className="muted small">accept_types </span>
          {DL_TYPES.map((t) => check(t, value.types.includes(t), () => onChange({ ...value, types: toggle(value.types, t, DL_TYPES) }), `dl-type-${t}`))}
        </div>
        <div>
          <span className="muted small">accept_presentation_document_targets </span>
          {DL_TARGETS.map((t) => check(t, value.targets.includes(t), () => onChange({ ...value, targets: toggle(value.targets, t, DL_TARGETS) }), `dl-target-${t}`))}
        </div>
        <div>
          {check('accept_multiple', value.multiple, (on) => onChange({ ...value, multiple: on }), 'dl-multiple')}
          {check('accept_lineitem', value.lineitem, (on) => onChange({ ...value, lineitem: on }), 'dl-lineitem')}
          {check('no data (nothing to echo)', value.noData, (on) => onChange({ ...value, noData: on }), 'dl-no-data')}
        </div>
        <label>
          <span className="muted small">accept_media_types </span>
          <input className="input" placeholder="e.g. image/*,application/pdf (empty: not sent)" value={value.mediaTypes} onChange={(e) => onChange({ ...value, mediaTypes: e.target.value })} data-testid="dl-media-types" />
        </label>
      </div>
    </Field>
  );
}

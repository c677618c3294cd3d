import { describe, expect, it } from 'vitest';
import type { CourseView, ExchangeSummary, FlowSummary } from '../bindings';
import type { EventBatch } from '../transport';
import { emptyBatch } from '../transport/events';
import { defaultLauncher, defaultLaunchOptions, DL_TYPES, launchableLinks, toggle, toLaunchArgs } from './launch';
import { batchChangesEmulator, Throttle } from './live';
import { serviceUrls } from './services';

const M = 'http://purl.imsglobal.org/vocab/lis/v2/membership';
const u = (id: string) => ({ id, given_name: id, family_name: '', name: id, system_roles: [], institution_roles: [], demo: false });
const course: CourseView = {
  course: { id: 'c1', context_id: 'ctx', label: 'C', title: 'C', types: [], demo: false, created_at: 0 },
  members: [
    { user: u('gone'), roles: [`${M}#Learner`], status: 'Deleted' },
    { user: u('ta'), roles: [`${M}/Instructor#TeachingAssistant`], status: 'Active' },
    { user: u('lea'), roles: [`${M}#Learner`], status: 'Active' },
  ],
  resource_links: [
    { id: 'rl1', course_id: 'c1', tool_id: 't', title: 'Graded', custom: {}, source: 'demo', created_at: 0 },
    { id: 'rl2', course_id: 'c1', tool_id: 't', title: 'Reading', custom: {}, source: 'manual', created_at: 0 },
  ],
  line_items: [{ id: 'li', course_id: 'c1', tool_id: 't', resource_link_id: 'rl1', label: 'G', score_maximum: 10, created_at: 0, updated_at: 0 }],
  content_items: [],
};

describe('launch args', () => {
  it('maps options and target; deep linking sends no link, submission review its for_user', () => {
    const opts = { ...defaultLaunchOptions(), negative: 'idtoken.exp' as const };
    expect(toLaunchArgs(opts, { toolId: 't', userId: 'lea', courseId: 'c1', resourceLinkId: 'rl1' })).toEqual({
      tool_id: 't',
      user_id: 'lea',
      message_type: 'LtiResourceLinkRequest',
      course_id: 'c1',
      resource_link_id: 'rl1',
      for_user_id: null,
      negative: 'idtoken.exp',
      document_target: 'window',
      dl_options: null,
      lti11_tool_id: null,
    });
    expect(toLaunchArgs({ ...opts, lti11ToolId: 'lti11-a' }, { toolId: 't', userId: 'lea', courseId: 'c1' }).lti11_tool_id).toBe('lti11-a');
    expect(toLaunchArgs({ ...opts, messageType: 'LtiDeepLinkingRequest', forUserId: 'lea' }, { toolId: 't', userId: 'ta', courseId: 'c1', resourceLinkId: 'rl1' })).toMatchObject({ resource_link_id: null, for_user_id: null });
    expect(toLaunchArgs({ ...opts, messageType: 'LtiSubmissionReviewRequest', forUserId: 'lea', negative: null, documentTarget: 'iframe' }, { toolId: 't', userId: 'ta', courseId: 'c1', resourceLinkId: 'rl1' })).toMatchObject({
      for_user_id: 'lea',
      negative: null,
      document_target: 'iframe',
    });
  });

  it('sends the chosen deep linking settings with a deep linking launch only', () => {
    const opts = defaultLaunchOptions();
    const dl = { ...opts.dl, types: ['html'], targets: ['iframe'], multiple: false, noData: true, mediaTypes: ' image/* ' };
    expect(toLaunchArgs({ ...opts, messageType: 'LtiDeepLinkingRequest', dl }, { toolId: 't', userId: 'ta', courseId: 'c1' }).dl_options).toEqual({
      accept_types: ['html'],
      accept_presentation_document_targets: ['iframe'],
      accept_media_types: 'image/*',
      accept_multiple: false,
      accept_lineitem: true,
      no_data: true,
    });
    expect(toLaunchArgs({ ...opts, messageType: 'LtiDeepLinkingRequest' }, { toolId: 't', userId: 'ta', courseId: 'c1' }).dl_options?.accept_types).toEqual([...DL_TYPES]);
    expect(toggle(['html', 'link'], 'image', DL_TYPES)).toEqual(['link', 'html', 'image']);
    expect(toggle(['html', 'link'], 'html', DL_TYPES)).toEqual(['link']);
  });

  it('offers graded links for submission review and picks a sensible default launcher', () => {
    expect(launchableLinks(course, 'LtiResourceLinkRequest').map((l) => l.id)).toEqual(['rl1', 'rl2']);
    expect(launchableLinks(course, 'LtiSubmissionReviewRequest').map((l) => l.id)).toEqual(['rl1']);
    expect(defaultLauncher(course, 'LtiResourceLinkRequest')).toBe('lea');
    expect(defaultLauncher(course, 'LtiDeepLinkingRequest')).toBe('ta');
    expect(defaultLauncher({ ...course, members: [] }, 'LtiDeepLinkingRequest')).toBe('');
  });

  it('derives a course’s service URLs from the issuer', () => {
    expect(serviceUrls('http://localhost:4472/', 'c 1')).toEqual({ memberships: 'http://localhost:4472/courses/c%201/memberships', lineitems: 'http://localhost:4472/courses/c%201/lineitems' });
  });
});

const ex = (over: Partial<ExchangeSummary>): ExchangeSummary => ({ id: 1, side: 'emulator', direction: 'inbound', method: 'POST', url: 'http://localhost:4472/token', started_at: 0, duration_ms: 0, request_bytes: 0, response_bytes: 0, request_truncated: false, ...over });
const batch = (over: Partial<EventBatch>): EventBatch => emptyBatch(over);

describe('live refresh', () => {
  it('re-reads when the engine says an emulator object changed, not on other events', () => {
    const flow = { id: 'f', side: 'emulator', kind: 'service', started_at: 0, updated_at: 0, verdict: 'valid', title: '', summary: {}, exchange_count: 1, pinned: false } satisfies FlowSummary;
    expect(batchChangesEmulator(batch({ models: ['grade'] }))).toBe(true);
    expect(batchChangesEmulator(batch({ models: ['content_item'] }))).toBe(true);
    expect(batchChangesEmulator(batch({ models: ['external'] }))).toBe(true);
    expect(batchChangesEmulator(batch({ models: ['platform'] }))).toBe(false);
    expect(batchChangesEmulator(batch({ lagged: true }))).toBe(true);
    expect(batchChangesEmulator(batch({ flows: [flow], exchanges: [ex({ step: 'ags.score', url: 'http://h/courses/c/lineitems/1/scores' })] }))).toBe(false);
  });

  it('throttles: runs at once, then one trailing run per interval', () => {
    let now = 0;
    const timers: Array<{ at: number; cb: () => void }> = [];
    let runs = 0;
    const t = new Throttle(
      () => runs++,
      400,
      () => now,
      (cb, ms) => {
        timers.push({ at: now + ms, cb });
        return timers.length as unknown as ReturnType<typeof setTimeout>;
      },
      () => timers.splice(0),
    );
    t.call();
    expect(runs).toBe(1);
    now = 100;
    t.call();
    t.call();
    t.call();
    expect(runs).toBe(1);
    expect(timers).toHaveLength(1);
    expect(timers[0]?.at).toBe(400);
    now = 400;
    timers.shift()?.cb();
    expect(runs).toBe(2);
    now = 1000;
    t.call();
    expect(runs).toBe(3);
    now = 1100;
    t.call();
    t.cancel();
    expect(timers).toHaveLength(0);
    expect(runs).toBe(3);
  });
});

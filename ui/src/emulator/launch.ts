//! Launch options → `LaunchArgs`, and the record of a launch made from this window (its URL,
//! where it opened). The recent launches come from the store (LaunchResult). Pure parts are tested.

import type { CourseView, DlOptions, EmulatorTool, LaunchArgs, LaunchUrl, NegativeTest, ResourceLink } from '../bindings';
import { isInstructorRole, isLearnerRole } from './roles';

export const MESSAGE_TYPES = [
  { id: 'LtiResourceLinkRequest', label: 'Resource link', hint: 'open a placed link, as a member would' },
  { id: 'LtiDeepLinkingRequest', label: 'Deep linking', hint: 'ask the tool for content to place in the course' },
  { id: 'LtiSubmissionReviewRequest', label: 'Submission review', hint: 'review a learner’s submission for a graded link' },
] as const;

export type MessageType = (typeof MESSAGE_TYPES)[number]['id'];

export type DocumentTarget = 'window' | 'iframe';

export interface LaunchOptions {
  messageType: MessageType;
  negative: NegativeTest | null;
  documentTarget: DocumentTarget;
  /** Submission review: whose submission ('' = the engine's default, the first learner). */
  forUserId: string;
  /** Deep linking: the settings the request offers the tool. */
  dl: DlChoice;
  /** Migration: the emulator LTI 1.1 tool whose lti1p1 claim the launch carries ('' = none). */
  lti11ToolId: string;
}

export const DL_TYPES = ['ltiResourceLink', 'link', 'html', 'image', 'file'] as const;
export const DL_TARGETS = ['iframe', 'window', 'embed'] as const;

/** What a deep linking request offers; the defaults offer everything, as a generous LMS does. */
export interface DlChoice {
  types: string[];
  targets: string[];
  mediaTypes: string;
  multiple: boolean;
  lineitem: boolean;
  noData: boolean;
}

export function defaultDlChoice(): DlChoice {
  return { types: [...DL_TYPES], targets: [...DL_TARGETS], mediaTypes: '', multiple: true, lineitem: true, noData: false };
}

export function toDlOptions(c: DlChoice): DlOptions {
  return {
    accept_types: c.types,
    accept_presentation_document_targets: c.targets,
    accept_media_types: c.mediaTypes.trim() || null,
    accept_multiple: c.multiple,
    accept_lineitem: c.lineitem,
    no_data: c.noData,
  };
}

/** Adds or removes `v` from a list, keeping the canonical order of `all`. */
export function toggle(list: string[], v: string, all: readonly string[]): string[] {
  const has = list.includes(v);
  return all.filter((x) => (x === v ? !has : list.includes(x)));
}

export function defaultLaunchOptions(): LaunchOptions {
  return { messageType: 'LtiResourceLinkRequest', negative: null, documentTarget: 'window', forUserId: '', dl: defaultDlChoice(), lti11ToolId: '' };
}

/** Deep linking launches a tool; the other message types launch a resource link. */
export function launchesLinks(t: MessageType): boolean {
  return t !== 'LtiDeepLinkingRequest';
}

export function toLaunchArgs(opts: LaunchOptions, target: { toolId: string; userId: string; courseId: string; resourceLinkId?: string | null }): LaunchArgs {
  const linked = launchesLinks(opts.messageType);
  return {
    tool_id: target.toolId,
    user_id: target.userId,
    message_type: opts.messageType,
    course_id: target.courseId,
    resource_link_id: linked ? (target.resourceLinkId ?? null) : null,
    for_user_id: opts.messageType === 'LtiSubmissionReviewRequest' && opts.forUserId ? opts.forUserId : null,
    negative: opts.negative,
    document_target: opts.documentTarget,
    dl_options: linked ? null : toDlOptions(opts.dl),
    lti11_tool_id: opts.lti11ToolId || null,
  };
}

/** The links of a course a message type can launch (submission review needs a graded link). */
export function launchableLinks(course: CourseView, t: MessageType): ResourceLink[] {
  if (t === 'LtiSubmissionReviewRequest') {
    const graded = new Set(course.line_items.map((li) => li.resource_link_id).filter((x): x is string => !!x));
    return course.resource_links.filter((l) => graded.has(l.id));
  }
  return course.resource_links;
}

/** Who launches by default: an instructor for deep linking and submission review, else a learner. */
export function defaultLauncher(course: CourseView, t: MessageType): string {
  const active = course.members.filter((m) => m.status === 'Active');
  const pick = t === 'LtiResourceLinkRequest' ? active.find((m) => m.roles.some(isLearnerRole)) : active.find((m) => m.roles.some(isInstructorRole));
  return (pick ?? active[0] ?? course.members[0])?.user.id ?? '';
}

export function toolName(tools: readonly EmulatorTool[], id: string): string {
  return tools.find((t) => t.id === id)?.name ?? id;
}

// ── a launch made from this window ──────────────────────────────────────────────────────────

export interface LaunchRecord extends LaunchUrl {
  at: number;
  label: string;
  messageType: string;
  negative: NegativeTest | null;
  openedIn: 'window' | 'tab' | null;
}


//! Launch options → `LaunchArgs`, and the launches made from this window (kept for the session
//! so each can be reopened or followed to its flow). Pure parts are tested.

import { useSyncExternalStore } from 'react';
import type { CourseView, EmulatorTool, LaunchArgs, LaunchUrl, NegativeTest, ResourceLink } from '../bindings';
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
}

export function defaultLaunchOptions(): LaunchOptions {
  return { messageType: 'LtiResourceLinkRequest', negative: null, documentTarget: 'window', forUserId: '' };
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

// ── the session's launches ──────────────────────────────────────────────────────────────────

export interface LaunchRecord extends LaunchUrl {
  at: number;
  label: string;
  messageType: string;
  negative: NegativeTest | null;
  openedIn: 'window' | 'tab' | null;
}

const LOG_LIMIT = 20;
let log: readonly LaunchRecord[] = [];
const listeners = new Set<() => void>();

export function recordLaunch(r: LaunchRecord): void {
  log = [r, ...log.filter((x) => x.launch_id !== r.launch_id)].slice(0, LOG_LIMIT);
  listeners.forEach((l) => l());
}

export function useLaunchLog(): readonly LaunchRecord[] {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => log,
  );
}

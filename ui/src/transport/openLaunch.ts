//! Opening an LTI launch URL the way an LMS opens a tool: in the desktop app, its own webview
//! window (the `open_launch_window` Tauri command, desktop only, not in the engine table); in a
//! browser on `serve`, a new tab with no opener. The app window itself never navigates to a
//! launch. Dependencies are injected so the branching is tested.

import { invoke } from '@tauri-apps/api/core';
import { DESKTOP_COMMANDS, type ApiError, type OpenLaunchWindowArgs } from '../bindings';
import { apiError, toApiError } from './errors';
import { isTauri } from './tauri';

export interface OpenLaunchDeps {
  isTauri: () => boolean;
  invoke: (cmd: string, args: Record<string, unknown>) => Promise<unknown>;
  open: (url: string, target: string, features: string) => unknown;
}

/** Where the launch went: a desktop webview window or a browser tab. */
export type OpenedIn = 'window' | 'tab';

function defaultDeps(): OpenLaunchDeps {
  return {
    isTauri,
    invoke: (cmd, args) => invoke(cmd, args),
    open: (url, target, features) => window.open(url, target, features),
  };
}

/** Only http(s) URLs are opened (the engine builds them, but a launch URL is never a script). */
export function launchUrlProblem(url: string): ApiError | null {
  try {
    const u = new URL(url);
    if (u.protocol === 'http:' || u.protocol === 'https:') return null;
    return apiError('bad_request', `not an http(s) launch URL: ${u.protocol}`);
  } catch {
    return apiError('bad_request', 'not a launch URL');
  }
}

/**
 * Opens `url` as a launch; `title` names the desktop window. Rejects with an `ApiError` (the
 * desktop command refuses non-loopback URLs). In a browser the tab is opened with `noopener`, so
 * whether a popup blocker stopped it cannot be known: callers also show the URL as a link.
 */
export async function openLaunch(url: string, title: string, deps: OpenLaunchDeps = defaultDeps()): Promise<OpenedIn> {
  const problem = launchUrlProblem(url);
  if (problem) throw problem;
  if (deps.isTauri()) {
    try {
      const args: OpenLaunchWindowArgs = { url, title };
      await deps.invoke(DESKTOP_COMMANDS.openLaunchWindow, { ...args });
    } catch (e) {
      throw toApiError(e);
    }
    return 'window';
  }
  deps.open(url, '_blank', 'noopener');
  return 'tab';
}

//! A link that leaves the app (spec sections, vendor docs): always a new window or tab, never
//! the app's own window, with no opener or referrer handed to the target. Only http(s) URLs
//! become links; anything else (a recorded `javascript:` value, say) is shown as text.

import type { MouseEvent, ReactNode } from 'react';
import { DESKTOP_COMMANDS, type OpenExternalArgs } from '../bindings';
import { ExternalIcon } from './icons';

/** In the desktop app a target=_blank link would go nowhere: hand it to the system browser. */
function openInDesktop(e: MouseEvent<HTMLAnchorElement>, href: string) {
  const w = window as unknown as { __TAURI_INTERNALS__?: { invoke: (cmd: string, args: unknown) => Promise<unknown> } };
  if (!w.__TAURI_INTERNALS__) return;
  e.preventDefault();
  const args: OpenExternalArgs = { url: href };
  void w.__TAURI_INTERNALS__.invoke(DESKTOP_COMMANDS.openExternal, args).catch(() => undefined);
}

export function isWebUrl(url: string | null | undefined): url is string {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

export function ExternalLink({ href, children, className, testId, title }: { href: string | null | undefined; children: ReactNode; className?: string; testId?: string; title?: string }) {
  if (!isWebUrl(href)) return <span className={className}>{children}</span>;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer" onClick={(e) => openInDesktop(e, href)} className={`ext-link ${className ?? ''}`} data-testid={testId} title={title ?? href}>
      {children}
      <ExternalIcon size={11} className="ext-icon" />
    </a>
  );
}

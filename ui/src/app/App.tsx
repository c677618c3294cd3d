//! The shell: left nav, global status banner, the current page; global keyboard shortcuts.

import { useEffect, useMemo, useState } from 'react';
import { ImportDialog } from '../import/ImportDialog';
import { importableKind } from '../import/importable';
import { importStore } from '../import/importStore';
import { hasTransport, rpc, subscribe, transportKind } from '../transport';
import { reportFirstPaint } from '../transport/tauri';
import { NAV, sectionOf } from './nav';
import { NoTokenPage } from './NoTokenPage';
import { PAGE_VIEWS } from './pages';
import { hrefFor, navigate, useRoute } from './router';
import { IS_MAC, isTypingTarget, NavShortcuts } from './shortcuts';
import { StatusBanner } from './StatusBanner';
import { StatusProvider, useEngineStatus } from './status';

export function App() {
  useEffect(() => reportFirstPaint(), []);
  if (!hasTransport()) return <NoTokenPage />;
  return (
    <StatusProvider>
      <TokenGate />
    </StatusProvider>
  );
}

/** A browser tab whose token the engine refuses (it was restarted) gets the how-to page. */
function TokenGate() {
  const { error } = useEngineStatus();
  if (error?.code === 'unauthorized' && transportKind() === 'http') return <NoTokenPage stale />;
  return <Shell />;
}

function Shell() {
  const route = useRoute();
  const shortcuts = useMemo(() => new NavShortcuts(), []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || isTypingTarget(e.target)) return;
      const page = shortcuts.handle(e, performance.now());
      if (page) {
        e.preventDefault();
        navigate(page);
      }
    };
    // Capture phase: section shortcuts win over page keys (`g k` must not also mean "previous row").
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [shortcuts]);

  useEffect(() => {
    // A bare start (no page in the address) opens where the work is: the Timeline once flows
    // exist; Setup only while there is nothing yet.
    const bare = () => window.location.hash.replace(/^#\/?/, '') === '';
    if (!bare()) return;
    let live = true;
    rpc('list_flows', { limit: 1 }).then(
      (flows) => {
        if (live && flows.length > 0 && bare()) navigate('timeline');
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    // "Open in LTI Inspector" from a landing or emulator page reaches the desktop window as an
    // event (the shell brings the window forward). Browser tabs of `serve` get a link to their
    // own address instead, so several tabs never jump at once.
    if (transportKind() !== 'tauri') return;
    return subscribe((b) => {
      if (b.openRoute) window.location.hash = `#/${b.openRoute}`;
    });
  }, []);

  const dragging = useImportByDropAndPaste();
  // Going elsewhere closes the Import dialog (its results stay for the next time it opens).
  const where = `${route.page}/${route.rest.join('/')}`;
  useEffect(() => importStore.close(), [where]);
  const Page = PAGE_VIEWS[route.page].component;
  const section = sectionOf(route.page);
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Sections">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            LTI
          </span>
          <span>LTI Inspector</span>
        </div>
        <ul className="nav-list">
          {NAV.map((n, i) => {
            const Icon = PAGE_VIEWS[n.id].icon;
            const active = section === n.id;
            return (
              <li key={n.id}>
                <a
                  href={hrefFor(n.id)}
                  className={`nav-item ${active ? 'active' : ''}`}
                  aria-current={active ? 'page' : undefined}
                  data-testid={`nav-${n.id}`}
                  title={`${n.label} — g ${n.chord} · ${IS_MAC ? '⌘' : 'Ctrl+'}${i + 1}`}
                >
                  <Icon size={16} />
                  <span className="nav-label">{n.label}</span>
                  <span className="nav-hint">g {n.chord}</span>
                </a>
              </li>
            );
          })}
        </ul>
        <EngineFooter />
      </nav>
      <main className="main">
        <StatusBanner errorsShownByPage={route.page === 'setup'} />
        <div className="page" key={route.page}>
          <Page route={route} />
        </div>
      </main>
      <ImportDialog />
      {dragging && (
        <div className="drop-hint" data-testid="drop-hint">
          Drop to import into the Timeline
        </div>
      )}
    </div>
  );
}

/**
 * Files dropped anywhere on the window are imported; so is a Ctrl+V of a token, form body or
 * HAR outside a text field (ordinary text is left alone). Returns whether files are being
 * dragged over the window, for the drop hint.
 */
function useImportByDropAndPaste(): boolean {
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      setDragging(true);
    };
    const leave = (e: DragEvent) => {
      // Leaving the window (not moving between children): relatedTarget is null.
      if (e.relatedTarget === null) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      setDragging(false);
      if (!hasFiles(e)) return;
      e.preventDefault();
      void importStore.importFiles(Array.from(e.dataTransfer?.files ?? []));
    };
    const paste = (e: ClipboardEvent) => {
      if (isTypingTarget(e.target)) return;
      const text = e.clipboardData?.getData('text/plain') ?? '';
      if (!importableKind(text)) return;
      e.preventDefault();
      void importStore.importText('paste', text);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    window.addEventListener('paste', paste);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
      window.removeEventListener('paste', paste);
    };
  }, []);
  return dragging;
}

function EngineFooter() {
  const { data, error } = useEngineStatus();
  const toolOk = data?.tool.running && !data.tool.error;
  const keysOk = data?.keystore.ok;
  return (
    <div className="sidebar-footer">
      <div className="health">
        <span className={`dot ${error ? 'bad' : toolOk ? 'good' : data ? 'bad' : ''}`} />
        <span>Tool {data?.tool.port ? `:${data.tool.port}` : ''}</span>
      </div>
      {data?.emulator && (
        <div className="health">
          <span className={`dot ${data.emulator.error ? 'bad' : data.emulator.running ? 'good' : ''}`} />
          <span>Emulator {data.emulator.port ? `:${data.emulator.port}` : ''}</span>
        </div>
      )}
      <div className="health">
        <span className={`dot ${error ? 'bad' : keysOk ? (data?.keystore.warning ? 'warn' : 'good') : data ? 'bad' : ''}`} />
        <span>Keys</span>
      </div>
      <div className="version">{data ? `v${data.version}` : error ? 'engine unreachable' : '…'}</div>
    </div>
  );
}

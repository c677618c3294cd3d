//! Shown in a browser opened without the API token: how to open the UI properly.

export function NoTokenPage({ stale = false }: { stale?: boolean }) {
  // A deep link (the landing page links to `#/flows/<id>`) opened in a tab without the token.
  const wanted = /^#\/flows\/[^/]+/.exec(window.location.hash)?.[0] ?? null;
  return (
    <div className="notoken" data-testid="no-token">
      <div className="notoken-card">
        <div className="brand brand-lg">
          <span className="brand-mark" aria-hidden="true">
            LTI
          </span>
          <span>LTI Inspector</span>
        </div>
        <h1>Open the ui: URL printed by `lti-inspector serve` (it carries the token)</h1>
        {stale && (
          <p className="banner banner-warning" data-testid="stale-token">
            The engine refused this tab's token: it was probably restarted and printed a new one.
          </p>
        )}
        <p>
          This page talks to a running engine, which only answers requests that carry the random token it printed when
          it started. In the terminal where you ran <code>lti-inspector serve</code>, find the line
        </p>
        <pre className="codeblock-pre">{`ui: http://127.0.0.1:${window.location.port || '4470'}/?token=…`}</pre>
        <p>
          and open that address. The token is kept for this tab only and removed from the address bar. If the engine was
          restarted, it printed a new token.
        </p>
        {wanted && (
          <p data-testid="no-token-deep-link">
            This link points at a flow: open the <code>ui:</code> address with <code>{wanted}</code> added at its end, or
            find the flow in that tab&apos;s Timeline.
          </p>
        )}
      </div>
    </div>
  );
}

//! Overview: "Launch demo" (a real OIDC launch from the emulator into the inspector's own tool
//! side, over loopback), the emulator server's state, and what a tool needs to register the
//! emulator as its platform (issuer, endpoints, key id), each with a copy button.

import { useEngineStatus } from '../app/status';
import { hrefFor } from '../app/router';
import type { CourseView, EmulatorSetup, ServerStatus } from '../bindings';
import { Badge } from '../shared/Badge';
import { CopyButton } from '../shared/CopyButton';
import { ErrorBanner } from '../shared/ErrorBanner';
import { EmulatorIcon } from '../shared/icons';
import { Card, Spinner } from '../shared/Page';
import { useReloadOnStatusChange, useRpc } from '../shared/useRpc';
import { rpc, transportKind } from '../transport';
import { useEmulatorData } from './data';
import { emulatorHref } from './routes';
import { LaunchLog, LaunchOutcome } from './LaunchResult';
import { serviceUrls } from './services';
import { useLauncher } from './useLauncher';

export function OverviewView() {
  const launcher = useLauncher();
  const { data: status } = useEngineStatus();
  const emu = status?.emulator;
  const data = useEmulatorData();
  const demoCourse = data.courses?.find((c) => c.course.demo) ?? data.courses?.[0];
  const demoTool = data.tools?.find((t) => t.demo);

  const launchDemo = () => launcher.run('demo', { label: 'Launch demo', messageType: 'LtiResourceLinkRequest', negative: null }, () => rpc('launch_demo', {}));

  return (
    <div className="stack">
      <section className="card demo-hero" data-testid="demo-card">
        <div className="demo-hero-icon" aria-hidden="true">
          <EmulatorIcon size={26} />
        </div>
        <div className="demo-hero-body">
          <h2 className="card-title">Launch the demo course</h2>
          <p className="card-desc">
            A complete LTI 1.3 launch with no LMS at all: the emulator, playing the platform, starts a signed resource link
            launch of its demo course as the demo instructor, into the inspector’s own tool side. The launch opens in a new{' '}
            {transportKind() === 'tauri' ? 'window' : 'tab'} and runs through login initiation, the OIDC authentication request, the signed
            id_token form_post and the tool’s landing page.
          </p>
          {demoCourse && (
            <p className="demo-facts small">
              <span className="muted">Course</span> <span>{demoCourse.course.title}</span>
              {demoTool && (
                <>
                  {' '}
                  <span className="muted">· tool</span> <span>{demoTool.name}</span>
                </>
              )}
              {demoCourse.resource_links[0] && (
                <>
                  {' '}
                  <span className="muted">· link</span> <span>{demoCourse.resource_links[0].title}</span>
                </>
              )}
            </p>
          )}
          <div className="demo-hero-actions">
            <button type="button" className="btn btn-primary btn-lg" onClick={launchDemo} disabled={launcher.busy !== null || emu?.running === false} data-testid="launch-demo">
              {launcher.busy ? 'Launching…' : 'Launch demo'}
            </button>
            <a className="btn" href={emulatorHref('launch', demoCourse?.course.id)}>
              More launch options…
            </a>
          </div>
          <LaunchOutcome last={launcher.last} error={launcher.error} testId="demo-outcome" />
        </div>
      </section>

      <ErrorBanner tone="info" title="Why the demo shows up twice in the Timeline">
        On first start the emulator registers a demo course against the inspector’s own tool side: the tool is registered
        in the emulator (client ID, login and launch URLs, JWKS URL) and the emulator is registered as a platform of the
        tool side (see <a href={hrefFor('platforms')}>Platforms</a>). Both are real HTTP servers on loopback, so the demo
        launch is a real flow on each side: the emulator’s (what the platform sent, and the tool’s requests to it) and the
        tool side’s (what the tool received, validated rule by rule). Both appear as flows in the{' '}
        <a href={hrefFor('timeline')}>Timeline</a>.
      </ErrorBanner>

      <SetupCard courses={data.courses} server={emu} />

      <Card title="Recent launches" description="Each launch is a flow of the emulator; the tool’s side of it is a flow of the tool side, linked on each row.">
        <LaunchLog />
        <p className="muted small">
          Launch as any member, with any message type and a negative test, from the <a href={emulatorHref('launch')}>Launch</a> view.
        </p>
      </Card>
    </div>
  );
}

function SetupCard({ courses, server }: { courses: CourseView[] | undefined; server: ServerStatus | undefined }) {
  const { data: setup, error, loading, reload } = useRpc('get_emulator_setup', {});
  useReloadOnStatusChange(reload);
  return (
    <Card
      title="Register a tool with this platform"
      description="What a tool under test needs to trust the emulator as its LMS. The client ID and deployment ID of each tool are on the Tools view."
      testId="emulator-setup"
      actions={
        server &&
        !server.error && (
          <span className="with-copy" data-testid="emulator-server">
            {server.running ? <Badge tone="green">listening</Badge> : <Badge>starting…</Badge>}
            <span className="mono small">{server.base_url ?? `port ${server.port}`}</span>
          </span>
        )
      }
    >
      {server?.error && <ErrorBanner error={server.error} title={`The emulator server is not running (port ${server.port})`} />}
      {error && <ErrorBanner error={error} title="Could not load the emulator setup" />}
      {loading && !setup && <Spinner />}
      {setup && (
        <div className="kv-rows">
          {!setup.running && <ErrorBanner tone="warning" title="The emulator server is not running: these URLs do not answer yet." />}
          {setupRows(setup).map((r) => (
            <SetupRow key={r.id} id={r.id} label={r.label} hint={r.hint} value={r.value} />
          ))}
          {courses?.map((c) => {
            const s = serviceUrls(setup.issuer, c.course.id);
            return (
              <div key={c.course.id} className="kv-row" data-testid="setup-services">
                <div className="kv-label">
                  <div>Services of {c.course.label || c.course.title}</div>
                  <div className="kv-hint">NRPS memberships and AGS line items; sent in each launch’s claims</div>
                </div>
                <div className="kv-stack">
                  <code className="kv-value mono">{s.memberships}</code>
                  <code className="kv-value mono">{s.lineitems}</code>
                </div>
                <span className="kv-stack">
                  <CopyButton value={s.memberships} title={`Copy the NRPS URL of ${c.course.title}`} label="NRPS" />
                  <CopyButton value={s.lineitems} title={`Copy the AGS line items URL of ${c.course.title}`} label="AGS" />
                </span>
              </div>
            );
          })}
        </div>
      )}
    </Card>
  );
}

function setupRows(s: EmulatorSetup): Array<{ id: string; label: string; hint: string; value: string | null | undefined }> {
  return [
    { id: 'issuer', label: 'Issuer (iss)', hint: 'the platform ID tools register', value: s.issuer },
    { id: 'auth', label: 'OIDC authentication endpoint', hint: 'where the tool redirects after login initiation', value: s.auth_endpoint },
    { id: 'token', label: 'Access token endpoint', hint: 'client_credentials with a signed JWT assertion (aud = this URL)', value: s.token_endpoint },
    { id: 'jwks', label: 'Platform JWKS URL', hint: 'the emulator’s public keys (id_token signatures)', value: s.jwks_url },
    { id: 'openid', label: 'OpenID configuration', hint: 'every endpoint in one document', value: s.openid_configuration },
    { id: 'kid', label: 'Key ID (kid)', hint: 'the kid header of every id_token the emulator signs', value: s.kid },
  ];
}

function SetupRow({ id, label, hint, value }: { id: string; label: string; hint: string; value: string | null | undefined }) {
  return (
    <div className="kv-row" data-testid={`emu-setup-${id}`}>
      <div className="kv-label">
        <div>{label}</div>
        <div className="kv-hint">{hint}</div>
      </div>
      <code className="kv-value mono">{value ?? 'unavailable'}</code>
      <CopyButton value={value ?? ''} disabled={!value} title={`Copy ${label}`} />
    </div>
  );
}

//! Setup: everything an LMS administrator pastes to register the inspector as an LTI 1.3 tool —
//! its URLs, its public key (JWK and PEM), and which LMS field takes which value.

import type { ToolSetup } from '../bindings';
import { CodeBlock } from '../shared/CodeBlock';
import { CopyButton } from '../shared/CopyButton';
import { ErrorBanner } from '../shared/ErrorBanner';
import { Card, PageHeader, Spinner } from '../shared/Page';
import { useReloadOnStatusChange, useRpc } from '../shared/useRpc';
import { LMS_GUIDES, VALUE_LABELS, type SetupValue } from './guidance';

function valueOf(setup: ToolSetup, v: SetupValue): string | null | undefined {
  switch (v) {
    case 'base':
      return setup.base_url;
    case 'login':
      return setup.login_url;
    case 'launch':
    case 'target':
      return setup.launch_url;
    case 'deep_link':
      return setup.deep_link_url;
    case 'jwks':
      return setup.jwks_url;
    case 'jwk':
      return setup.public_jwk_json;
    case 'pem':
      return setup.public_pem;
    case 'registration':
      return setup.registration_url;
    case 'lti11':
      return setup.lti11_launch_url;
  }
}

const URL_ROWS: Array<{ value: SetupValue; hint: string }> = [
  { value: 'login', hint: 'OIDC third-party login initiation (GET or POST)' },
  { value: 'launch', hint: 'redirect_uri: where the id_token is posted' },
  { value: 'target', hint: 'resource link launches land here' },
  { value: 'deep_link', hint: 'target of LtiDeepLinkingRequest' },
  { value: 'jwks', hint: "the tool's public key set" },
  { value: 'registration', hint: 'LTI Dynamic Registration: Moodle, Canvas, Brightspace register by this one URL' },
  { value: 'lti11', hint: 'LTI 1.1 tools: consumer key and secret go under Platforms' },
];

export function SetupPage() {
  const { data: setup, error, loading, reload } = useRpc('get_tool_setup', {});
  useReloadOnStatusChange(reload);

  return (
    <div className="page-scroll" data-testid="setup-page">
      <PageHeader
        title="Set up an LMS"
        subtitle="Register LTI Inspector as an LTI 1.3 tool: copy each value into the matching field of your LMS. Every request it then sends shows up in the Timeline."
      />
      {error && <ErrorBanner error={error} title="Could not load the tool setup" />}
      {loading && !setup && <Spinner />}
      {setup && (
        <div className="stack">
          {setup.problems.map((p, i) => (
            <ErrorBanner key={i} error={p} testId="setup-problem" />
          ))}

          <Card title="Tool URLs" description={setup.base_url ? `Tool side listening at ${setup.base_url}` : 'The tool side is not running.'}>
            <div className="kv-rows">
              {URL_ROWS.map((row) => {
                const v = valueOf(setup, row.value);
                return (
                  <div className="kv-row" key={row.value} data-testid={`setup-${row.value}`}>
                    <div className="kv-label">
                      <div>{VALUE_LABELS[row.value]}</div>
                      <div className="kv-hint">{row.hint}</div>
                    </div>
                    <code className="kv-value mono">{v ?? 'unavailable'}</code>
                    <CopyButton value={v ?? ''} disabled={!v} title={`Copy ${VALUE_LABELS[row.value]}`} />
                  </div>
                );
              })}
              <div className="kv-row" data-testid="setup-kid">
                <div className="kv-label">
                  <div>Key ID (kid)</div>
                  <div className="kv-hint">the kid header of every JWT the tool signs</div>
                </div>
                <code className="kv-value mono">{setup.kid ?? 'unavailable'}</code>
                <CopyButton value={setup.kid ?? ''} disabled={!setup.kid} title="Copy key ID" />
              </div>
            </div>
          </Card>

          <Card
            title="Public key"
            description="Give the LMS the tool's public key: the JWK (Canvas, Blackboard, Brightspace) or the PEM (Moodle “RSA key”). The private half never leaves the key store."
          >
            <div className="grid-2">
              {setup.public_jwk_json ? (
                <CodeBlock title="Public JWK" code={setup.public_jwk_json} copyLabel="public JWK" testId="setup-jwk" />
              ) : (
                <div className="muted">No public JWK: see the problems above.</div>
              )}
              {setup.public_pem ? (
                <CodeBlock title="Public key (PEM, SubjectPublicKeyInfo)" code={setup.public_pem} copyLabel="PEM" testId="setup-pem" wrap={false} />
              ) : (
                <div className="muted">No PEM: see the problems above.</div>
              )}
            </div>
          </Card>

          <ErrorBanner tone="info" title="localhost URLs work with a cloud LMS">
            LTI 1.3 launches are browser-mediated: the LMS sends your browser to the login URL, and your browser posts the
            id_token to the launch URL. So a tool on localhost works with Canvas, Moodle or Brightspace in the cloud as long
            as the browser doing the launch runs on this machine. Only the LMS fetching the JWKS URL by itself needs to
            reach this machine (to verify deep linking responses and service token requests) — paste the public JWK or PEM
            instead where the LMS allows it.
          </ErrorBanner>

          <Card title="Where each value goes">
            <div className="guides">
              {LMS_GUIDES.map((g) => (
                <div className="guide" key={g.lms}>
                  <div className="guide-head">
                    <span className="guide-lms">{g.lms}</span>
                    <span className="guide-path">{g.path}</span>
                  </div>
                  <table className="table table-compact">
                    <tbody>
                      {g.fields.map((f) => {
                        const values = f.value ? [f.value, ...(f.also ?? [])].map((v) => valueOf(setup, v)) : [];
                        const copy = values.every((v) => !!v) ? values.join('\n') : '';
                        return (
                          <tr key={f.field}>
                            <td className="guide-field">{f.field}</td>
                            <td>
                              {f.value ? <span className="guide-value">{VALUE_LABELS[f.value]}</span> : null}
                              {f.note ? <span className="guide-note">{f.value ? ` — ${f.note}` : f.note}</span> : null}
                            </td>
                            <td className="guide-copy">
                              {copy && <CopyButton value={copy} variant="ghost" title={`Copy the value for ${g.lms} “${f.field}”`} />}
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
              ))}
            </div>
          </Card>
        </div>
      )}
    </div>
  );
}

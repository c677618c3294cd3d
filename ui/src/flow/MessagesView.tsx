//! The messages of a flow (login initiation, authentication request, authentication response,
//! id_token), one tab each: the message's findings, then its parameters (parameter messages)
//! or the decoded JWT — header and payload beside the explained claims and the roles.

import { useState } from 'react';
import type { MessageView } from '../bindings';
import { ClaimsTable } from '../claims/ClaimsTable';
import { RoleBadges } from '../claims/RoleBadges';
import { Badge } from '../shared/Badge';
import { CodeBlock } from '../shared/CodeBlock';
import { CopyButton } from '../shared/CopyButton';
import { ErrorBanner } from '../shared/ErrorBanner';
import { formatDateTime } from '../shared/format';
import { FieldTable } from '../timeline/BodyView';
import { FindingsView } from './FindingsView';
import { Lti11Signature } from './Lti11Signature';
import { verdictLabel, verdictTone } from './summary';

const KIND_LABELS: Record<string, string> = {
  login: 'Login initiation',
  auth_request: 'Authentication request',
  auth_response: 'Authentication response',
  id_token: 'id_token',
  dl_response: 'Deep linking response',
  token_request: 'Access token request',
  lti11_launch: 'LTI 1.1 launch',
  lti11_outcome_request: 'Outcomes request',
};

/** A service call's message is named for what it was ("AGS score"), not its kind. */
export function messageLabel(kind: string, messageType?: string | null): string {
  if ((kind === 'ags_response' || kind === 'nrps_response') && messageType) return messageType;
  if (kind === 'lti11_outcome_response' && messageType) return `Outcomes: ${messageType}`;
  return KIND_LABELS[kind] ?? kind.replace(/_/g, ' ');
}

/** The tab a flow opens on: its id_token (or LTI 1.1 launch), else its last message. */
export function defaultMessageIndex(messages: readonly MessageView[]): number {
  const i = messages.findIndex((m) => m.message.kind === 'id_token' || m.message.kind === 'lti11_launch');
  return i >= 0 ? i : messages.length - 1;
}

export function MessagesView({ messages }: { messages: readonly MessageView[] }) {
  const [picked, setPicked] = useState<number | null>(null);
  if (messages.length === 0) {
    return <div className="muted pad">No message has been validated in this flow yet.</div>;
  }
  const index = picked !== null && picked < messages.length ? picked : defaultMessageIndex(messages);
  const current = messages[index];
  return (
    <div className="messages" data-testid="messages">
      <div className="tabs msg-tabs" role="tablist">
        {messages.map((m, i) => {
          const c = m.message.counts;
          return (
            <button
              key={m.id}
              type="button"
              role="tab"
              aria-selected={i === index}
              className={i === index ? 'active' : ''}
              onClick={() => setPicked(i)}
              data-testid={`msg-tab-${m.message.kind}`}
            >
              <span className={`dot verdict-dot v-${m.message.verdict}`} />
              {messageLabel(m.message.kind, m.message.message_type)}
              {c.errors > 0 && <span className="pill pill-red">{c.errors}</span>}
              {c.warnings > 0 && <span className="pill pill-amber">{c.warnings}</span>}
            </button>
          );
        })}
      </div>
      {current && <MessagePanel key={current.id} m={current} />}
    </div>
  );
}

function MessagePanel({ m }: { m: MessageView }) {
  const msg = m.message;
  const isJwt = msg.kind === 'id_token' || !!msg.raw;
  return (
    <div className="msg-panel" data-testid={`message-${msg.kind}`}>
      <div className="msg-meta">
        <Badge tone={verdictTone(msg.verdict)}>{verdictLabel(msg.verdict)}</Badge>
        {msg.message_type && <span className="mono">{msg.message_type}</span>}
        <span className="muted">
          {msg.counts.passed} passed · {msg.counts.failed} failed · {msg.counts.skipped} skipped
        </span>
        <span className="muted" title="Validation takes the time as an input; this is the time it ran as of.">
          validated as of {formatDateTime(msg.validated_at * 1000)}
        </span>
        {msg.raw && <CopyButton value={msg.raw} label="Copy JWT" title="Copy the compact JWT" variant="ghost" />}
      </div>

      <section className="msg-section">
        <h3 className="section-title">Findings</h3>
        <FindingsView findings={msg.report.findings} />
      </section>

      {msg.kind === 'lti11_launch' && <Lti11Signature findings={msg.report.findings} />}

      {msg.params && msg.params.length > 0 && !isJwt && (
        <section className="msg-section">
          <h3 className="section-title">Parameters ({msg.params.length})</h3>
          <FieldTable fields={msg.params} />
        </section>
      )}

      {isJwt && <DecodedJwt m={m} />}
    </div>
  );
}

function DecodedJwt({ m }: { m: MessageView }) {
  const d = m.decoded;
  const raw = m.message.raw ?? '';
  if (!d) {
    return (
      <section className="msg-section">
        <h3 className="section-title">Token</h3>
        <ErrorBanner tone="warning" title="The token could not be decoded">
          The findings above say what is wrong with it. Its raw text is below.
        </ErrorBanner>
        {raw && <CodeBlock title="Raw token" code={raw} copyLabel="token" maxHeight={240} />}
      </section>
    );
  }
  const header = JSON.stringify(d.header, null, 2);
  const payload = JSON.stringify(d.payload, null, 2);
  const roles = m.roles;
  return (
    <section className="msg-section">
      <h3 className="section-title">Decoded JWT</h3>
      <div className="jwt-grid">
        <div className="jwt-col">
          <CodeBlock title="Header" code={header} copyLabel="header JSON" testId="jwt-header" wrap={false} />
          <CodeBlock title="Signature (base64url)" code={d.raw_signature || '(empty)'} copyLabel="signature" maxHeight={110} />
        </div>
        <CodeBlock title="Payload" code={payload} copyLabel="payload JSON" maxHeight={380} testId="jwt-payload" wrap={false} />
      </div>
      {(roles.length > 0 || m.claims.some((c) => c.uri.endsWith('/claim/roles'))) && (
        <div className="roles-box">
          <div className="codeblock-title">Roles</div>
          <RoleBadges roles={roles} />
        </div>
      )}
      <h3 className="section-title claims-title">Claims explained</h3>
      <ClaimsTable claims={m.claims} />
    </section>
  );
}

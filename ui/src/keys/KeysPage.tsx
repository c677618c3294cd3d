//! Keys: the inspector's signing keys, public halves only. Private keys live in the OS keychain
//! (the entry name is shown) and never in the database.

import { useEngineStatus } from '../app/status';
import type { KeyInfo } from '../bindings';
import { Badge } from '../shared/Badge';
import { CodeBlock } from '../shared/CodeBlock';
import { CopyButton } from '../shared/CopyButton';
import { EmptyState } from '../shared/EmptyState';
import { ErrorBanner } from '../shared/ErrorBanner';
import { formatDateTime } from '../shared/format';
import { KeyIcon } from '../shared/icons';
import { Card, PageHeader, Spinner } from '../shared/Page';
import { useReloadOnStatusChange, useRpc } from '../shared/useRpc';

export function KeysPage() {
  const { data: keys, error, loading, reload } = useRpc('list_keys', {});
  useReloadOnStatusChange(reload);
  const { data: status } = useEngineStatus();
  const backend = status?.keystore.backend;

  return (
    <div className="page-scroll" data-testid="keys-page">
      <PageHeader
        title="Keys"
        subtitle="Signing keys of the tool side and the emulator. Only public material is shown here."
      />
      <div className="stack">
        <ErrorBanner tone="info" title="Where private keys live">
          Private keys are kept only in {backend ? <strong>{backend}</strong> : 'the OS keychain'}, under the entry
          names shown on each key. The database stores key ids and public JWKs only, and exports never contain private
          keys.
        </ErrorBanner>
        {error && <ErrorBanner error={error} title="Could not list keys" />}
        {loading && !keys && <Spinner />}
        {keys && keys.length === 0 && (
          <EmptyState title="No keys yet" icon={<KeyIcon size={22} />}>
            The tool's signing key is created on first use (opening the Setup page or the JWKS URL).
          </EmptyState>
        )}
        {keys?.map((k) => <KeyCard key={k.kid} k={k} />)}
      </div>
    </div>
  );
}

function KeyCard({ k }: { k: KeyInfo }) {
  const jwk = JSON.stringify(k.public_jwk, null, 2);
  return (
    <Card
      testId="key-card"
      title={
        <span className="key-title">
          <span className="mono">{k.kid}</span>
          <Badge tone="violet">{k.role}</Badge>
          {k.active ? <Badge tone="green">active</Badge> : <Badge>retired</Badge>}
        </span>
      }
      actions={<CopyButton value={k.kid} title="Copy kid" label="Copy kid" />}
    >
      <dl className="meta-grid">
        <dt>Created</dt>
        <dd>{formatDateTime(k.created_at)}</dd>
        <dt>Algorithm</dt>
        <dd className="mono">
          {k.public_jwk.kty}
          {k.public_jwk.alg ? ` · ${k.public_jwk.alg}` : ''}
          {k.public_jwk.use ? ` · use=${k.public_jwk.use}` : ''}
        </dd>
        <dt>Private key</dt>
        <dd>
          <span className="mono">{k.secret_ref}</span> <span className="muted">(key store entry, never in the database)</span>
        </dd>
      </dl>
      <div className="grid-2">
        <CodeBlock title="Public JWK" code={jwk} copyLabel="public JWK" />
        <CodeBlock title="Public key (PEM)" code={k.public_pem} copyLabel="PEM" wrap={false} />
      </div>
    </Card>
  );
}

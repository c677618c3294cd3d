//! The claims of a decoded id_token, each with its explanation from the dictionary: friendly
//! name, the value (strings as they are, objects and arrays pretty-printed, long values folded),
//! meaning, spec section link, vendor badge, and an "unknown claim" badge — unknown claims are
//! listed, never hidden. Object claims list their members with each member's meaning.
//! Every value is attacker-controlled and rendered as text.

import { useMemo, useState } from 'react';
import type { ExplainedClaim, ExplainedMember, JsonValue } from '../bindings';
import { Badge } from '../shared/Badge';
import { CopyButton } from '../shared/CopyButton';
import { ExternalLink } from '../shared/ExternalLink';
import { formatDateTime } from '../shared/format';
import { CloseIcon, SearchIcon } from '../shared/icons';
import { claimText, fold, shortClaimName, typeMismatch } from './fold';

export function ClaimsTable({ claims }: { claims: readonly ExplainedClaim[] }) {
  const [query, setQuery] = useState('');
  const unknown = claims.filter((c) => !c.known).length;
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    if (!q) return claims;
    return claims.filter((c) =>
      [c.uri, c.name, c.meaning, c.vendor, claimText(c.value).text, ...c.members.map((m) => m.name)].some((v) => (v ?? '').toLowerCase().includes(q)),
    );
  }, [claims, query]);

  return (
    <div className="claims" data-testid="claims-table">
      <div className="claims-bar">
        <span className="claims-count">
          {claims.length} claims{unknown > 0 ? ` · ${unknown} unknown` : ''}
        </span>
        <label className="filter filter-sm">
          <SearchIcon size={13} />
          <input type="search" placeholder="Filter claims" value={query} onChange={(e) => setQuery(e.target.value)} spellCheck={false} aria-label="Filter claims" />
          {query && (
            <button type="button" className="btn btn-icon btn-ghost" onClick={() => setQuery('')} aria-label="Clear filter">
              <CloseIcon size={12} />
            </button>
          )}
        </label>
      </div>
      {shown.length === 0 && <div className="muted small pad">No claim matches.</div>}
      <ul className="claim-list">
        {shown.map((c) => (
          <ClaimRow key={c.uri} claim={c} />
        ))}
      </ul>
    </div>
  );
}

function ClaimRow({ claim: c }: { claim: ExplainedClaim }) {
  const hasMembers = c.json_type === 'object' && c.members.length > 0;
  const [view, setView] = useState<'members' | 'json'>('members');
  const mismatch = typeMismatch(c.json_type, c.expected_type);
  const name = c.name ?? shortClaimName(c.uri);
  const when = timeHint(c.uri, c.value);
  return (
    <li className={`claim ${c.known ? '' : 'claim-unknown'}`} data-testid="claim-row" data-uri={c.uri}>
      <div className="claim-info">
        <div className="claim-head">
          <span className="claim-name">{name}</span>
          {c.vendor && <Badge tone="violet" title={`${c.vendor} extension claim`}>{c.vendor}</Badge>}
          {!c.known && (
            <Badge tone="amber" title="Not in the claims dictionary. Receivers must ignore claims they do not understand (LTI Core §4.3).">
              unknown claim
            </Badge>
          )}
          {mismatch && (
            <Badge tone="red" title={`The dictionary expects ${c.expected_type}`}>
              {c.json_type}, expected {c.expected_type}
            </Badge>
          )}
          {c.spec_section && (
            <span className="claim-spec">
              <ExternalLink href={c.spec_url} className="spec-link" testId="claim-spec-link">
                {c.spec_section}
              </ExternalLink>
            </span>
          )}
        </div>
        <div className="claim-uri mono" title={c.uri}>
          {c.uri}
        </div>
        {c.meaning && <div className="claim-meaning">{c.meaning}</div>}
      </div>
      <div className="claim-value-wrap">
        {hasMembers && (
          <span className="segmented segmented-sm claim-view">
            <button type="button" className={view === 'members' ? 'active' : ''} onClick={() => setView('members')}>
              Members
            </button>
            <button type="button" className={view === 'json' ? 'active' : ''} onClick={() => setView('json')}>
              JSON
            </button>
          </span>
        )}
        {hasMembers && view === 'members' ? <Members members={c.members} /> : <Value value={c.value} testId="claim-value" />}
        {when && <div className="claim-when muted small">{when}</div>}
      </div>
    </li>
  );
}

const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time']);

/** `exp`, `iat`… are Unix seconds: say when that is, and how far from now. */
function timeHint(uri: string, value: JsonValue): string | null {
  if (!TIME_CLAIMS.has(uri) || typeof value !== 'number' || !Number.isFinite(value)) return null;
  const ms = value * 1000;
  const delta = Math.round((ms - Date.now()) / 1000);
  const abs = Math.abs(delta);
  const span = abs < 90 ? `${abs} s` : abs < 5400 ? `${Math.round(abs / 60)} min` : abs < 172800 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86400)} days`;
  return `${formatDateTime(ms)} (${delta >= 0 ? `in ${span}` : `${span} ago`})`;
}

function Members({ members }: { members: readonly ExplainedMember[] }) {
  return (
    <table className="table kv-table members-table">
      <tbody>
        {members.map((m) => (
          <tr key={m.name}>
            <td className="mono kv-name">
              {m.name}
              {!m.known && (
                <>
                  {' '}
                  <Badge tone="amber">unknown</Badge>
                </>
              )}
            </td>
            <td>
              <Value value={m.value} testId="member-value" />
              {m.meaning && <div className="member-meaning">{m.meaning}</div>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A value as text, folded when long, with Show all and Copy. */
export function Value({ value, testId }: { value: JsonValue; testId?: string }) {
  const t = claimText(value);
  const [open, setOpen] = useState(false);
  const f = fold(t.text);
  const text = open ? t.text : f.shown;
  return (
    <div className="value">
      <pre className={`value-pre mono ${t.isEmptyString ? 'faint' : ''} ${t.isString ? 'value-string' : 'value-json'}`} data-testid={testId}>
        {text}
        {f.folded && !open && <span className="value-more">…</span>}
      </pre>
      {(f.folded || t.text.length > 40) && (
        <div className="value-actions">
          {f.folded && (
            <button type="button" className="linklike small" onClick={() => setOpen(!open)}>
              {open ? 'Fold' : `Show all (${f.hiddenLines > 0 ? `${f.hiddenLines} more lines` : `${f.hiddenChars.toLocaleString()} more characters`})`}
            </button>
          )}
          <CopyButton value={t.isEmptyString ? '' : t.text} variant="ghost" label="Copy" title="Copy value" />
        </div>
      )}
    </div>
  );
}

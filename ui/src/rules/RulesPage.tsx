//! Rules: the validation rule catalog (`list_rules`) — id, severity, title, spec section and
//! link, explanation — with a search box; and beside it the claims dictionary (`list_claims`),
//! `#/rules/claims`. Both are the engine's data, the same lists the docs show.

import { useDeferredValue, useMemo, useRef, useState } from 'react';
import { hrefFor, type Route } from '../app/router';
import type { ClaimInfo, RuleInfo, Severity } from '../bindings';
import { Badge, type Tone } from '../shared/Badge';
import { ErrorBanner } from '../shared/ErrorBanner';
import { ExternalLink } from '../shared/ExternalLink';
import { CloseIcon, SearchIcon } from '../shared/icons';
import { Kbd, PageHeader, Spinner } from '../shared/Page';
import { useListKeys } from '../shared/useListKeys';
import { useCompatEvidence } from '../compat/evidence';
import { useRpc } from '../shared/useRpc';
import { ruleGroup, searchClaims, searchRules } from './search';

const SEV_TONE: Record<Severity, Tone> = { error: 'red', warning: 'amber', info: 'blue' };

export function RulesPage({ route }: { route: Route }) {
  const tab = route.rest[0] === 'claims' ? 'claims' : 'rules';
  const [query, setQuery] = useState('');
  const filterRef = useRef<HTMLInputElement>(null);
  const deferred = useDeferredValue(query);
  useListKeys({ items: [], selectedIndex: -1, onSelect: () => undefined, filterRef });

  return (
    <div className="page-scroll rules-page" data-testid="rules-page">
      <PageHeader
        title={tab === 'rules' ? 'Validation rules' : 'Claims dictionary'}
        subtitle={
          tab === 'rules'
            ? 'Every check the inspector runs on a flow, with its stable id, severity and the spec section it comes from. Each finding in a flow names its rule.'
            : 'Every claim the inspector explains: LTI Core, Deep Linking, services, OIDC, the 1.1 migration claim and known vendor extensions. Claims not listed here are still shown in a flow, marked unknown.'
        }
      />
      <div className="toolbar toolbar-page">
        <div className="tabs tabs-inline" role="tablist">
          <a href={hrefFor('rules')} role="tab" aria-selected={tab === 'rules'} className={tab === 'rules' ? 'active' : ''} data-testid="tab-rules">
            Rules
          </a>
          <a href={hrefFor('rules', 'claims')} role="tab" aria-selected={tab === 'claims'} className={tab === 'claims' ? 'active' : ''} data-testid="tab-claims">
            Claims dictionary
          </a>
        </div>
        <label className="filter">
          <SearchIcon size={14} />
          <input
            ref={filterRef}
            type="search"
            placeholder={tab === 'rules' ? 'Search rules — e.g. nonce, canvas, severity:warning' : 'Search claims — e.g. context, vendor:canvas'}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            spellCheck={false}
            aria-label="Search"
            data-testid="rules-search"
          />
          {query ? (
            <button type="button" className="btn btn-icon btn-ghost" onClick={() => setQuery('')} aria-label="Clear search">
              <CloseIcon size={13} />
            </button>
          ) : (
            <Kbd>/</Kbd>
          )}
        </label>
      </div>
      {tab === 'rules' ? <RuleCatalog query={deferred} /> : <ClaimDictionary query={deferred} />}
    </div>
  );
}

function RuleCatalog({ query }: { query: string }) {
  const { data, error, loading } = useRpc('list_rules', {});
  const evidence = useCompatEvidence();
  const rows = useMemo(() => searchRules(data ?? [], query), [data, query]);
  if (error) return <ErrorBanner error={error} title="Could not list the rules" />;
  if (loading && !data) return <Spinner />;
  const groups: Array<[string, RuleInfo[]]> = [];
  for (const r of rows) {
    const g = ruleGroup(r.id);
    const last = groups[groups.length - 1];
    if (last && last[0] === g) last[1].push(r);
    else groups.push([g, [r]]);
  }
  return (
    <div className="catalog" data-testid="rule-catalog">
      <div className="count catalog-count">
        {rows.length === (data?.length ?? 0) ? `${rows.length} rules` : `${rows.length} of ${data?.length ?? 0} rules`}
      </div>
      {rows.length === 0 && <div className="muted pad">No rule matches.</div>}
      {groups.map(([g, list]) => (
        <section key={g} className="catalog-group">
          <h2 className="catalog-group-title">{g}</h2>
          <table className="table catalog-table">
            <tbody>
              {list.map((r) => (
                <tr key={r.id} data-testid="rule-row" id={`rule-${r.id}`}>
                  <td className="rule-id-cell">
                    <code className="rule-id">{r.id}</code>
                  </td>
                  <td className="sev-cell">
                    {evidence.get(r.id)?.lowered_to_warning ? (
                      <Badge tone={SEV_TONE.warning} title="A MUST of the spec that every measured tool library accepts: a warning by default, an error in strict mode">
                        warning*
                      </Badge>
                    ) : (
                      <Badge tone={SEV_TONE[r.severity] ?? 'neutral'}>{r.severity}</Badge>
                    )}
                  </td>
                  <td>
                    <div className="rule-title">{r.title}</div>
                    <div className="rule-expl">{r.explanation}</div>
                    {evidence.get(r.id) && (
                      <div className="rule-libs muted small" data-testid="rule-libraries">
                        Real tool libraries: {evidence.get(r.id)?.summary}
                      </div>
                    )}
                  </td>
                  <td className="spec-cell">
                    <ExternalLink href={r.spec_url} className="spec-link">
                      {r.spec_section}
                    </ExternalLink>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}

function ClaimDictionary({ query }: { query: string }) {
  const { data, error, loading } = useRpc('list_claims', {});
  const rows = useMemo(() => searchClaims(data ?? [], query), [data, query]);
  if (error) return <ErrorBanner error={error} title="Could not list the claims" />;
  if (loading && !data) return <Spinner />;
  return (
    <div className="catalog" data-testid="claim-dictionary">
      <div className="count catalog-count">
        {rows.length === (data?.length ?? 0) ? `${rows.length} claims` : `${rows.length} of ${data?.length ?? 0} claims`}
      </div>
      {rows.length === 0 && <div className="muted pad">No claim matches.</div>}
      <ul className="claim-list dict-list">
        {rows.map((c) => (
          <DictEntry key={c.uri} c={c} />
        ))}
      </ul>
    </div>
  );
}

function DictEntry({ c }: { c: ClaimInfo }) {
  return (
    <li className="claim" data-testid="dict-row">
      <div className="claim-head">
        <span className="claim-name">{c.name}</span>
        <Badge>{c.type}</Badge>
        {c.vendor && <Badge tone="violet">{c.vendor}</Badge>}
        <span className="claim-spec">
          {c.spec_section && (
            <ExternalLink href={c.spec_url} className="spec-link">
              {c.spec_section}
            </ExternalLink>
          )}
        </span>
      </div>
      <div className="claim-uri mono">{c.uri}</div>
      <div className="claim-meaning">{c.meaning}</div>
      {c.members.length > 0 && (
        <table className="table kv-table members-table">
          <tbody>
            {c.members.map((m) => (
              <tr key={m.name}>
                <td className="mono kv-name">
                  {m.name}
                  {m.required && (
                    <>
                      {' '}
                      <Badge tone="accent">required</Badge>
                    </>
                  )}
                </td>
                <td className="member-meaning">{m.meaning}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </li>
  );
}

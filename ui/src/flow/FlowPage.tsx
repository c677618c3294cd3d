//! One flow, `#/flows/<id>` (deep-linkable: the landing page links here): its header, the
//! sequence diagram with the selected step's raw HTTP below it, and its messages with findings
//! and explained claims; on a launch that granted services, the Services section (roster, gradebook).
//! Re-read whenever the engine reports the flow updated.
//! Keys: j/k move between steps, Esc closes the step, then goes back to the flows.

import { canRecheck, RecheckCard } from './RecheckCard';
import { Lti11OutcomesCard } from './Lti11OutcomesCard';
import { MigrationCard } from './MigrationCard';
import { CompareView } from './CompareView';
import { canCompose, DeepLinkCard, DlPreviewCard, previewUrl } from './DeepLinkCard';
import { canReplay, ReplayCard } from './ReplayCard';
import { useEffect, useMemo, useState } from 'react';
import { hrefFor, navigate, type Route } from '../app/router';
import type { ApiError, FlowDetail } from '../bindings';
import { Card, Spinner } from '../shared/Page';
import { EmptyState } from '../shared/EmptyState';
import { ErrorBanner } from '../shared/ErrorBanner';
import { TimelineIcon } from '../shared/icons';
import { useListKeys } from '../shared/useListKeys';
import { rpc, subscribe } from '../transport';
import { toApiError } from '../transport/errors';
import { ExchangeDetail } from '../timeline/ExchangeDetail';
import { FlowHeader } from './FlowHeader';
import { CauseCard } from './CauseCard';
import { failedSteps } from './cause';
import { MessagesView } from './MessagesView';
import { deriveSequence, type SeqStep } from './sequence';
import { SequenceDiagram } from './SequenceDiagram';
import { hasServices, ServicesCard } from '../services/ServicesCard';

export function FlowPage({ route }: { route: Route }) {
  const id = route.rest[0] ?? '';
  if (!id) {
    return (
      <EmptyState title="No flow chosen" icon={<TimelineIcon size={22} />}>
        Pick a flow in the <a href={hrefFor('timeline')}>Timeline</a>.
      </EmptyState>
    );
  }
  if (route.rest[1] === 'compare' && route.rest[2]) return <CompareView key={`${id}/${route.rest[2]}`} a={id} b={route.rest[2]} />;
  return <FlowView key={id} id={id} />;
}

function useFlowDetail(id: string) {
  const [detail, setDetail] = useState<FlowDetail | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    let live = true;
    let inFlight = false;
    let again = false;
    const load = () => {
      // One call at a time; an update during a call asks for one more.
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      rpc('get_flow', { id }).then(
        (d) => {
          if (live) {
            setDetail(d);
            setError(null);
          }
        },
        (e: unknown) => live && setError(toApiError(e)),
      ).finally(() => {
        inFlight = false;
        if (again && live) {
          again = false;
          load();
        }
      });
    };
    load();
    const unsubscribe = subscribe((b) => {
      if (b.lagged || b.flows.some((f) => f.id === id) || b.exchanges.some((e) => e.flow_id === id)) load();
    });
    return () => {
      live = false;
      unsubscribe();
    };
  }, [id]);
  return { detail, error };
}

function FlowView({ id }: { id: string }) {
  const { detail, error } = useFlowDetail(id);
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const seq = useMemo(() => (detail ? deriveSequence(detail.exchanges, detail.flow.side, detail.flow.started_at) : null), [detail]);
  const steps = seq?.steps ?? [];
  const selectedIndex = selectedKey === null ? -1 : steps.findIndex((s) => s.key === selectedKey);
  const selected: SeqStep | undefined = steps[selectedIndex];
  const failed = useMemo(() => (detail ? failedSteps(detail) : new Set<string>()), [detail]);
  const dlPreview = detail ? previewUrl(detail) : null;
  const showStep = (step: string) => {
    // The request half: the row of the request that carried the failing message.
    const match = steps.filter((s) => s.step === step);
    const s = match.find((x) => x.part === 'request') ?? match[0];
    if (!s) return;
    setSelectedKey(s.key);
    document.querySelector('[data-testid="sequence-card"]')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  };

  useListKeys({
    items: steps,
    selectedIndex,
    onSelect: (s) => setSelectedKey(s.key),
    onEscape: () => (selectedKey !== null ? setSelectedKey(null) : navigate('timeline')),
  });

  if (error && !detail) {
    return (
      <div className="page-scroll">
        <div className="stack">
          <a href={hrefFor('timeline')}>← Flows</a>
          <ErrorBanner error={error} title={error.code === 'not_found' ? 'No such flow' : 'Could not load this flow'}>
            {error.code === 'not_found' ? `The engine has no flow ${id}: it may come from another data folder, or it was deleted.` : null}
          </ErrorBanner>
        </div>
      </div>
    );
  }
  if (!detail || !seq) return <Spinner label="Loading the flow…" />;

  return (
    <div className="page-scroll flow-page" data-testid="flow-page">
      <div className="flow-stack">
        {error && <ErrorBanner error={error} title="Could not refresh this flow" />}
        <FlowHeader detail={detail} />
        <CauseCard detail={detail} onShowStep={showStep} />
        <Card
          title="Sequence"
          description="Every step of the launch as the inspector saw it. Select a step to see its raw HTTP (j/k move, Esc closes)."
          testId="sequence-card"
        >
          {seq.steps.length === 0 ? (
            <div className="muted">No exchange recorded in this flow yet.</div>
          ) : (
            <SequenceDiagram seq={seq} failedSteps={failed} selectedKey={selected?.key ?? null} onSelect={(s) => setSelectedKey(s.key === selectedKey ? null : s.key)} />
          )}
          {selected && (
            <div className="flow-exchange">
              <ExchangeDetail key={selected.key} id={selected.exchangeId} initialTab={selected.part} embedded onClose={() => setSelectedKey(null)} />
            </div>
          )}
        </Card>
        {dlPreview && <DlPreviewCard url={dlPreview} />}
        {canCompose(detail) && <DeepLinkCard key={`dl-${detail.flow.id}`} detail={detail} />}
        {hasServices(detail) && <ServicesCard detail={detail} />}
        <Lti11OutcomesCard key={`outcomes-${detail.flow.id}`} detail={detail} />
        <MigrationCard detail={detail} />
        {canRecheck(detail) && <RecheckCard key={detail.flow.id} detail={detail} />}
        {canReplay(detail) && <ReplayCard key={`replay-${detail.flow.id}`} detail={detail} />}
        <Card title="Messages" description="What each step carried, every check run on it, and the claims explained." testId="messages-card">
          <MessagesView messages={detail.messages} />
        </Card>
      </div>
    </div>
  );
}

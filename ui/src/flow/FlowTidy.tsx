//! A flow's own keeping: pin it (retention and "delete older than" keep it), a note (the
//! user's words: searchable, exported), and deleting it.

import { useEffect, useState } from 'react';
import { navigate } from '../app/router';
import type { ApiError, FlowSummary } from '../bindings';
import { ConfirmButton } from '../shared/ConfirmButton';
import { ErrorBanner } from '../shared/ErrorBanner';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';

export function FlowTidy({ flow }: { flow: FlowSummary }) {
  const [note, setNote] = useState(flow.note ?? '');
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => setNote(flow.note ?? ''), [flow.note]);

  const call = async (f: () => Promise<unknown>) => {
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(toApiError(e));
    }
  };

  return (
    <div className="flow-tidy" data-testid="flow-tidy">
      <div className="flow-tidy-row">
        <button
          type="button"
          className={`btn btn-sm ${flow.pinned ? 'active' : ''}`}
          aria-pressed={flow.pinned}
          onClick={() => void call(() => rpc('set_flow_pinned', { id: flow.id, pinned: !flow.pinned }))}
          data-testid="flow-pin"
          title="A pinned flow is kept by retention and by “delete older than”"
        >
          {flow.pinned ? 'Pinned' : 'Pin'}
        </button>
        {!editing && (
          <button type="button" className="btn btn-sm" onClick={() => setEditing(true)} data-testid="flow-note-edit">
            {flow.note ? 'Edit note' : 'Add a note'}
          </button>
        )}
        <ConfirmButton
          label="Delete…"
          question="Delete this flow and its exchanges?"
          testId="flow-delete"
          onConfirm={() =>
            call(async () => {
              await rpc('delete_flows', { ids: [flow.id] });
              navigate('timeline');
            })
          }
        />
      </div>
      {flow.note && !editing && (
        <p className="flow-note" data-testid="flow-note">
          {flow.note}
        </p>
      )}
      {editing && (
        <div className="flow-note-editor">
          <textarea rows={3} value={note} onChange={(e) => setNote(e.target.value)} placeholder="What you found, the ticket number, what to try next…" data-testid="flow-note-text" />
          <button
            type="button"
            className="btn btn-sm btn-primary"
            data-testid="flow-note-save"
            onClick={() =>
              void call(async () => {
                await rpc('set_flow_note', { id: flow.id, note });
                setEditing(false);
              })
            }
          >
            Save note
          </button>{' '}
          <button type="button" className="btn btn-sm" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </div>
      )}
      {error && <ErrorBanner error={error} title="Could not change this flow" />}
    </div>
  );
}

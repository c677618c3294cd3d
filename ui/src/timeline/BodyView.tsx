//! A recorded body, shown the way a person reads it: JSON pretty-printed, form posts as a
//! name/value table (with a Raw toggle), anything else as text. Always text, never HTML.

import { useState, type ReactNode } from 'react';
import type { Header } from '../bindings';
import { Badge } from '../shared/Badge';
import { CodeBlock } from '../shared/CodeBlock';
import { CopyButton } from '../shared/CopyButton';
import { formatBytes } from '../shared/format';
import { bodyKind, looksLikeJwt, parseForm, prettyJson, type FormField } from './body';

/** Bodies above this are cut for display (the copy buttons still copy everything). */
const DISPLAY_LIMIT = 256 * 1024;

export function BodyView({ headers, body, base64, truncated }: { headers: Header[]; body: string; base64?: string | null; truncated?: boolean }) {
  const kind = bodyKind(headers, body, base64);
  const [raw, setRaw] = useState(false);
  const [showAll, setShowAll] = useState(false);

  if (kind === 'empty') return <div className="muted small body-empty">No body</div>;

  const cut = !showAll && body.length > DISPLAY_LIMIT;
  const shown = cut ? body.slice(0, DISPLAY_LIMIT) : body;
  const toggle =
    kind === 'json' || kind === 'form' ? (
      <span className="segmented segmented-sm">
        <button type="button" className={!raw ? 'active' : ''} onClick={() => setRaw(false)}>
          {kind === 'json' ? 'Pretty' : 'Table'}
        </button>
        <button type="button" className={raw ? 'active' : ''} onClick={() => setRaw(true)} data-testid="body-raw">
          Raw
        </button>
      </span>
    ) : null;

  const notes = (
    <>
      {truncated && <div className="note warn">The body was over the recording limit; only its first bytes were kept.</div>}
      {base64 && (
        <div className="note">
          Not valid UTF-8: shown lossily as text. <CopyButton value={base64} variant="ghost" label="Copy exact bytes (base64)" />
        </div>
      )}
      {cut && (
        <div className="note">
          Showing the first {formatBytes(DISPLAY_LIMIT)} of {formatBytes(body.length)}.{' '}
          <button type="button" className="linklike" onClick={() => setShowAll(true)}>
            Show all
          </button>
        </div>
      )}
    </>
  );

  if (kind === 'form' && !raw) {
    return (
      <div className="body-view">
        {notes}
        <FieldTable fields={parseForm(body)} title="Form fields" actions={toggle} copyValue={body} />
      </div>
    );
  }
  const text = kind === 'json' && !raw ? (prettyJson(shown) ?? shown) : shown;
  return (
    <div className="body-view">
      {notes}
      <CodeBlock title={kind === 'json' ? 'JSON' : kind === 'form' ? 'Form body (raw)' : 'Text'} code={text} actions={toggle} maxHeight={480} testId="body-text" />
    </div>
  );
}

export function FieldTable({ fields, title, actions, copyValue }: { fields: FormField[]; title?: string; actions?: ReactNode; copyValue?: string }) {
  return (
    <div className="codeblock">
      {title !== undefined && (
        <div className="codeblock-bar">
          <span className="codeblock-title">{title}</span>
          <span className="codeblock-actions">
            {actions}
            {copyValue !== undefined && <CopyButton value={copyValue} variant="ghost" title="Copy raw" />}
          </span>
        </div>
      )}
      <table className="table kv-table" data-testid="field-table">
        <tbody>
          {fields.map((f, i) => (
            <tr key={i}>
              <td className="mono kv-name">{f.name}</td>
              <td className="mono kv-val">
                {looksLikeJwt(f.value) && (
                  <span className="jwt-badge">
                    <Badge tone="accent">JWT</Badge>
                  </span>
                )}
                {f.value}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

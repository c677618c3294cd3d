//! A button that asks before it acts: "Delete…" becomes the question with Delete / Keep.

import { useState } from 'react';

interface Props {
  label: string;
  question: string;
  onConfirm: () => void | Promise<unknown>;
  /** `<testId>` on the button, `<testId>-yes` on the confirmation. */
  testId: string;
}

export function ConfirmButton({ label, question, onConfirm, testId }: Props) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" className="btn btn-sm btn-ghost" onClick={() => setAsking(true)} data-testid={testId}>
        {label}
      </button>
    );
  return (
    <span className="flow-tidy-confirm">
      {question}{' '}
      <button
        type="button"
        className="btn btn-sm btn-danger"
        data-testid={`${testId}-yes`}
        onClick={() => void Promise.resolve(onConfirm()).finally(() => setAsking(false))}
      >
        Delete
      </button>{' '}
      <button type="button" className="btn btn-sm" onClick={() => setAsking(false)}>
        Keep
      </button>
    </span>
  );
}

//! Monospace block for wire data (JSON, PEM, raw bodies), always rendered as text.

import type { ReactNode } from 'react';
import { CopyButton } from './CopyButton';

interface Props {
  code: string;
  /** Shown in the block's header bar ("Public JWK", "JSON"…). */
  title?: ReactNode;
  copyLabel?: string;
  /** Limit the height and scroll (long bodies). */
  maxHeight?: number;
  testId?: string;
  wrap?: boolean;
  actions?: ReactNode;
}

export function CodeBlock({ code, title, copyLabel, maxHeight, testId, wrap = true, actions }: Props) {
  return (
    <div className="codeblock">
      <div className="codeblock-bar">
        <span className="codeblock-title">{title}</span>
        <span className="codeblock-actions">
          {actions}
          <CopyButton value={code} variant="ghost" title={copyLabel ? `Copy ${copyLabel}` : 'Copy'} />
        </span>
      </div>
      <pre className={`codeblock-pre ${wrap ? 'wrap' : ''}`} style={maxHeight ? { maxHeight } : undefined} data-testid={testId}>
        {code}
      </pre>
    </div>
  );
}

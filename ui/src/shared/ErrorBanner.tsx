//! A banner for an `ApiError` or a warning: the code's title, the code itself, the message.

import type { ReactNode } from 'react';
import type { ApiError } from '../bindings';
import { errorTitle } from '../transport/errors';
import { AlertIcon, InfoIcon } from './icons';

interface Props {
  error?: ApiError;
  /** Overrides the title derived from the code. */
  title?: ReactNode;
  tone?: 'error' | 'warning' | 'info';
  children?: ReactNode;
  testId?: string;
}

export function ErrorBanner({ error, title, tone = 'error', children, testId }: Props) {
  const heading = title ?? (error ? errorTitle(error.code) : undefined);
  return (
    <div className={`banner banner-${tone}`} role={tone === 'error' ? 'alert' : 'status'} data-testid={testId}>
      <span className="banner-icon">{tone === 'info' ? <InfoIcon size={16} /> : <AlertIcon size={16} />}</span>
      <div className="banner-body">
        {heading !== undefined && (
          <div className="banner-title">
            {heading}
            {error && <code className="banner-code">{error.code}</code>}
          </div>
        )}
        {error && <div className="banner-message">{error.message}</div>}
        {children && <div className="banner-message">{children}</div>}
      </div>
    </div>
  );
}

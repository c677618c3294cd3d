//! A labelled form field with help or error text (the markup and classes of the forms: `.field`,
//! `.field-label`, `.field-help`, `.field-error`). `as="div"` for fields holding several controls.

import type { ReactNode } from 'react';

export function Field({ label, help, error, required, wide, children, as = 'label' }: {
  label: ReactNode;
  help?: ReactNode;
  error?: string;
  required?: boolean;
  wide?: boolean;
  children: ReactNode;
  /** `div` for fields holding several controls (checkbox groups). */
  as?: 'label' | 'div';
}) {
  const Tag = as;
  return (
    <Tag className={`field ${wide ? 'field-wide' : ''} ${error ? 'has-error' : ''}`}>
      <span className="field-label">
        {label}
        {required && <span className="req"> *</span>}
      </span>
      {children}
      {error ? <span className="field-error">{error}</span> : help ? <span className="field-help">{help}</span> : null}
    </Tag>
  );
}

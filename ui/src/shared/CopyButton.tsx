//! A small button that copies a value and says so for a moment.

import { useEffect, useRef, useState } from 'react';
import { copyText } from './clipboard';
import { CheckIcon, CopyIcon } from './icons';

interface Props {
  value: string;
  /** Visible label; defaults to "Copy". */
  label?: string;
  /** What is copied, for screen readers and the tooltip ("Copy JWKS URL"). */
  title?: string;
  variant?: 'default' | 'ghost';
  disabled?: boolean;
}

export function CopyButton({ value, label = 'Copy', title, variant = 'default', disabled }: Props) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  const onClick = async () => {
    const ok = await copyText(value);
    setState(ok ? 'copied' : 'failed');
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setState('idle'), 1500);
  };

  return (
    <button
      type="button"
      className={`btn btn-sm ${variant === 'ghost' ? 'btn-ghost' : ''} copy-btn`}
      onClick={onClick}
      title={title ?? label}
      aria-label={title ?? label}
      disabled={disabled}
      data-state={state}
    >
      {state === 'copied' ? <CheckIcon size={13} /> : <CopyIcon size={13} />}
      <span>{state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}</span>
    </button>
  );
}

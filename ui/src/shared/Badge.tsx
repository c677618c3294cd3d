//! Small colored labels (side, verdict, status class, role).

import type { ReactNode } from 'react';

export type Tone = 'neutral' | 'accent' | 'green' | 'amber' | 'red' | 'blue' | 'violet' | 'teal';

export function Badge({ tone = 'neutral', children, title }: { tone?: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge tone-${tone}`} title={title}>
      {children}
    </span>
  );
}

/** The tone of a side badge: the capture endpoint, the emulator, or an import. */
export function sideTone(side: string): Tone {
  return side === 'tool' ? 'violet' : side === 'emulator' ? 'teal' : 'amber';
}

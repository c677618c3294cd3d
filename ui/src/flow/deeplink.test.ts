import { describe, expect, it } from 'vitest';
import type { FlowDetail } from '../bindings';
import { canCompose, parseItems, previewUrl } from './DeepLinkCard';

const detail = (side: string, messageType: string | null, summary: Record<string, string> = {}) =>
  ({ flow: { side, summary }, messages: [{ message: { message_type: messageType, raw: 'a.b.c' } }] }) as unknown as FlowDetail;

describe('deep linking card', () => {
  it('reads items as a list; an object alone is a list of one; anything else says why', () => {
    expect(parseItems('[{"type":"link"}]')).toEqual({ items: [{ type: 'link' }] });
    expect(parseItems('{"type":"html"}')).toEqual({ items: [{ type: 'html' }] });
    expect(parseItems('3')).toEqual({ problem: 'Items must be a JSON array of content items.' });
    expect('problem' in parseItems('[{"type": ')).toBe(true);
  });

  it('composes on a deep linking request the tool side received or imported, never on the emulator side', () => {
    expect(canCompose(detail('tool', 'LtiDeepLinkingRequest'))).toBe(true);
    expect(canCompose(detail('imported', 'LtiDeepLinkingRequest'))).toBe(true);
    expect(canCompose(detail('emulator', 'LtiDeepLinkingRequest'))).toBe(false);
    expect(canCompose(detail('tool', 'LtiResourceLinkRequest'))).toBe(false);
  });

  it('links a preview only to an http(s) URL', () => {
    expect(previewUrl(detail('emulator', null, { dl_preview: 'http://localhost:4472/courses/c/content' }))).toBe('http://localhost:4472/courses/c/content');
    expect(previewUrl(detail('emulator', null, { dl_preview: 'javascript:alert(1)' }))).toBeNull();
    expect(previewUrl(detail('emulator', null))).toBeNull();
  });
});

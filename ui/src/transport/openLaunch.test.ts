import { describe, expect, it } from 'vitest';
import { launchUrlProblem, openLaunch, type OpenLaunchDeps } from './openLaunch';

function deps(tauri: boolean, invokeResult: () => Promise<unknown> = () => Promise.resolve(null)) {
  const calls: { invoke: Array<[string, Record<string, unknown>]>; open: Array<[string, string, string]> } = { invoke: [], open: [] };
  const d: OpenLaunchDeps = {
    isTauri: () => tauri,
    invoke: (cmd, args) => {
      calls.invoke.push([cmd, args]);
      return invokeResult();
    },
    open: (url, target, features) => {
      calls.open.push([url, target, features]);
      return null;
    },
  };
  return { d, calls };
}

const URL_ = 'http://localhost:4472/launch/abc';

describe('openLaunch', () => {
  it('opens a desktop webview window through the Tauri command', async () => {
    const { d, calls } = deps(true);
    await expect(openLaunch(URL_, 'Launch demo', d)).resolves.toBe('window');
    expect(calls.invoke).toEqual([['open_launch_window', { url: URL_, title: 'Launch demo' }]]);
    expect(calls.open).toEqual([]);
  });

  it('opens a new tab without opener in a browser', async () => {
    const { d, calls } = deps(false);
    await expect(openLaunch(URL_, 'Launch demo', d)).resolves.toBe('tab');
    expect(calls.open).toEqual([[URL_, '_blank', 'noopener']]);
    expect(calls.invoke).toEqual([]);
  });

  it('turns a refused desktop command into an ApiError', async () => {
    const { d } = deps(true, () => Promise.reject({ code: 'bad_request', message: 'only loopback http(s) launch URLs open here' }));
    await expect(openLaunch('http://example.com/launch', 't', d)).rejects.toEqual({ code: 'bad_request', message: 'only loopback http(s) launch URLs open here' });
    const { d: d2 } = deps(true, () => Promise.reject(new Error('window failed')));
    await expect(openLaunch(URL_, 't', d2)).rejects.toEqual({ code: 'internal', message: 'window failed' });
  });

  it('never opens anything but http(s)', async () => {
    for (const tauri of [true, false]) {
      const { d, calls } = deps(tauri);
      await expect(openLaunch('javascript:alert(1)', 't', d)).rejects.toMatchObject({ code: 'bad_request' });
      await expect(openLaunch('not a url', 't', d)).rejects.toMatchObject({ code: 'bad_request' });
      expect(calls.invoke).toEqual([]);
      expect(calls.open).toEqual([]);
    }
    expect(launchUrlProblem('https://lms.example/launch')).toBeNull();
  });
});

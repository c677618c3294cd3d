//! Reading an LTI 1.1 launch's OAuth signature base string back into its parts (RFC 5849
//! §3.4.1): method, normalised URL, and the sorted `name=value` pairs, each decoded once.

export interface BaseStringParts {
  method: string;
  url: string;
  params: Array<{ name: string; value: string }>;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The parts of `METHOD&enc(url)&enc(params)`, or null when it is not one. */
export function splitBaseString(base: string): BaseStringParts | null {
  const [method, url, params, ...rest] = base.split('&');
  if (method === undefined || url === undefined || params === undefined || rest.length > 0) return null;
  const pairs = decode(params)
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const i = p.indexOf('=');
      const [name, value] = i < 0 ? [p, ''] : [p.slice(0, i), p.slice(i + 1)];
      return { name: decode(name), value: decode(value) };
    });
  return { method, url: decode(url), params: pairs };
}

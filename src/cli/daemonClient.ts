import type { Config } from '../config/schema.ts';
import { LoaderError } from '../errors.ts';
import { resolveHttpToken } from '../http/token.ts';

/** Talks to the running daemon's HTTP API, with the token from config or the token file. */
export async function daemonRequest(http: Config['http'], path: string, init: RequestInit = {}): Promise<Response> {
  const host = http.host === '0.0.0.0' || http.host === '::' ? '127.0.0.1' : http.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${http.port}${path}`;
  const token = resolveHttpToken(http, false);
  const headers = new Headers(init.headers);
  if (token) headers.set('x-api-key', token);
  try {
    return await fetch(url, { ...init, headers, signal: init.signal ?? AbortSignal.timeout(5_000) });
  } catch (error) {
    throw new LoaderError(
      'DAEMON_UNREACHABLE',
      `No daemon answers at ${url} (${(error as Error).cause ?? (error as Error).message}). Is it running?`,
      { cause: error },
    );
  }
}

export async function daemonJson<T>(http: Config['http'], path: string): Promise<T> {
  const response = await daemonRequest(http, path);
  const body = (await response.json()) as T & { error?: { code: string; message: string } };
  if (!response.ok && body.error) throw new LoaderError(body.error.code, body.error.message);
  return body;
}

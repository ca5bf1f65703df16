import type { Config } from '../config/schema.ts';
import { LoaderError } from '../errors.ts';
import { resolveHttpToken } from '../http/token.ts';

/** The daemon's answer: what the commands read of it. */
export interface DaemonResponse {
  status: number;
  ok: boolean;
  headers: Record<string, string | string[] | undefined>;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

export interface DaemonRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Default 5 s: a daemon that does not answer by then is reported as not answering. */
  timeoutMs?: number;
}

/**
 * Talks to the running daemon's HTTP API, with the token from config or the token file.
 * node:http, not fetch: the first fetch() of a process loads undici, which cost a short
 * command like `health` more than everything else it does. Taken with getBuiltinModule, not an
 * ESM import: building node:http's ESM facade reads its lazy WebSocket getter, which loads
 * undici all the same.
 */
const { request } = process.getBuiltinModule('node:http');

export async function daemonRequest(
  http: Config['http'],
  path: string,
  init: DaemonRequestInit = {},
): Promise<DaemonResponse> {
  const host = http.host === '0.0.0.0' || http.host === '::' ? '127.0.0.1' : http.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${http.port}${path}`;
  const token = resolveHttpToken(http, false);
  const headers: Record<string, string> = { ...init.headers };
  if (token) headers['x-api-key'] = token;
  if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
  try {
    return await new Promise<DaemonResponse>((resolve, reject) => {
      const req = request(url, { method: init.method ?? 'GET', headers, timeout: init.timeoutMs ?? 5_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          resolve({
            status,
            ok: status >= 200 && status < 300,
            headers: res.headers,
            text: async () => body,
            json: async () => JSON.parse(body) as unknown,
          });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${init.timeoutMs ?? 5_000} ms`)));
      req.on('error', reject);
      req.end(init.body);
    });
  } catch (error) {
    throw new LoaderError(
      'DAEMON_UNREACHABLE',
      `No daemon answers at ${url} (${(error as Error).message}). Is it running?`,
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

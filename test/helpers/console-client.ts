import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newToken, tokenHash } from '../../src/console/auth/api-tokens.js';
import { hashPassword } from '../../src/console/auth/password-hash.js';
import { assertLoopback } from './loopback-guard.js';

/** The console password of the tests, and its hash at a cost small enough for tests (scrypt N = 2^10). */
export const TEST_PASSWORD = 'a test password for the console';
let cheapHash: Promise<string> | undefined;
export function testPasswordHash(): Promise<string> {
  return (cheapHash ??= hashPassword(TEST_PASSWORD, { ln: 10, r: 8, p: 1 }));
}

/** A new API token with its admin.tokens entry (YAML flow mapping). */
export function testToken(name: string, role: 'read' | 'admin'): { token: string; yaml: string } {
  const token = newToken();
  return { token, yaml: `{ name: ${name}, role: ${role}, hash: "${tokenHash(token)}" }` };
}

/** A directory with allow.rpz (empty) and local.rpz (blocked.example), and a state directory beside them. */
export function consoleZones(local = 'blocked.example CNAME .\n*.blocked.example CNAME .\n'): { dir: string; allow: string; local: string; state: string } {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-console-'));
  const zone = (name: string, body: string): string => {
    const file = join(dir, name);
    writeFileSync(file, `$TTL 300\n@ SOA localhost. hostmaster.localhost. 1 3600 600 86400 60\n  NS localhost.\n${body}`);
    return file;
  };
  return { dir, allow: zone('allow.rpz', ''), local: zone('local.rpz', local), state: join(dir, 'state') };
}

/** What one API call got back. */
export interface ApiReply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: any;
}

/** A browser-like client of the console: keeps the session cookie and sends the CSRF token on changes, unless told not to. */
export class ConsoleClient {
  readonly base: string;
  cookie: string | null = null;
  csrf: string | null = null;

  readonly #https: boolean;

  /** `https`: the admin listener has a certificate (the tests' own, not checked). */
  constructor(hostPort: string, https = false) {
    assertLoopback(hostPort);
    this.#https = https;
    this.base = `${https ? 'https' : 'http'}://${hostPort}`;
  }

  /** Logs in and fetches the CSRF token; resolves with the login's reply. */
  async login(password = TEST_PASSWORD): Promise<ApiReply> {
    const reply = await this.call('POST', '/api/login', { body: { password } });
    const set = reply.headers.get('set-cookie');
    if (reply.status === 204 && set !== null) {
      this.cookie = set.split(';')[0]!;
      this.csrf = (await this.call('GET', '/api/session')).json.csrf;
    }
    return reply;
  }

  /** One request; `csrf: false` leaves the token out, `cookie: false` the cookie, `headers` adds or replaces headers (Host included). */
  async call(method: string, path: string, options: { body?: unknown; csrf?: boolean; cookie?: boolean; headers?: Record<string, string> } = {}): Promise<ApiReply> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(body.length) });
    if (options.cookie !== false && this.cookie !== null) headers.cookie = this.cookie;
    if (options.csrf !== false && this.csrf !== null && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    Object.assign(headers, options.headers);
    // node:http rather than fetch: fetch will not send a Host header of the caller's choosing.
    const { status, head, text } = await new Promise<{ status: number; head: Headers; text: string }>((resolve, reject) => {
      const request = (this.#https ? https : http).request(this.base + path, { method, headers, ...(this.#https && { rejectUnauthorized: false }) }, (response) => {
        let data = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
        response.on('end', () => {
          const head = new Headers();
          for (const [name, value] of Object.entries(response.headers)) for (const one of [value ?? []].flat()) head.append(name, one);
          resolve({ status: response.statusCode ?? 0, head, text: data });
        });
      });
      request.on('error', reject);
      request.end(body);
    });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status, headers: head, text, json };
  }
}

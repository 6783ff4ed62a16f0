/**
 * What a web page open in the developer's browser must not be able to do to the host. The host listens on
 * loopback, but a browser will still send requests there on behalf of any site: a cross-site form or a
 * no-cors `fetch` (`text/plain`, form encodings, or no body at all, with the page's `Origin`), and, through
 * DNS rebinding, same-origin requests under the attacker's host name. So:
 * - every request must name this host in `Host`: a loopback name or the address the host is bound to;
 * - a state-changing request to the host's own endpoints (the broker, the admin and the Durable APIs) must
 *   not come from a foreign `Origin`, and a body or `Content-Type` must be JSON, which a page cannot send
 *   cross-origin without a CORS preflight the host never grants.
 * The app's own routes are the app's business: it answers them as its contract says.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { Problem } from './problem';

/** The path prefixes the host serves itself (never the app's). */
export const hostPathPrefixes = ['/servicebus', '/admin', '/runtime/webhooks/durabletask', '/durabletask'] as const;

const stateChangingMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface HostIdentity {
  /** The address the server is bound to, e.g. 127.0.0.1. */
  address: string;
  port: number;
}

function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (name === '[::1]' || name === '::1') return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

/** Host name and port of an authority (`host`, `host:port`, `[v6]:port`), or undefined when malformed. */
function splitAuthority(authority: string): { hostname: string; port: number | undefined } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(authority.trim());
  if (!match) return undefined;
  return { hostname: match[1] as string, port: match[2] === undefined ? undefined : Number(match[2]) };
}

function namesThisHost(authority: string, self: HostIdentity): boolean {
  const parts = splitAuthority(authority);
  if (!parts) return false;
  if (isLoopbackName(parts.hostname)) return true;
  const bound = isIP(self.address) === 6 ? `[${self.address}]` : self.address;
  return parts.hostname.toLowerCase() === bound.toLowerCase() && (parts.port ?? 80) === self.port;
}

function isOwnOrigin(origin: string, self: HostIdentity): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:') return false;
  const port = url.port === '' ? 80 : Number(url.port);
  return port === self.port && namesThisHost(url.host, self);
}

export function isHostPath(pathname: string): boolean {
  const path = pathname.toLowerCase();
  return hostPathPrefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

function mediaTypeOf(req: IncomingMessage): string | undefined {
  const header = req.headers['content-type'];
  if (header === undefined) return undefined;
  return (header.split(';')[0] ?? '').trim().toLowerCase();
}

/** application/json, any `+json` suffix, and the Service Bus REST batch type (`…servicebus.json`). */
export function isJsonMediaType(mediaType: string): boolean {
  return /^application\/(?:json|[\w.+-]+\+json|vnd\.microsoft\.servicebus\.json)$/.test(mediaType);
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** The problem to answer instead of handling the request, or undefined when the request may go on. */
export function refuseHostileRequest(req: IncomingMessage, pathname: string, self: HostIdentity): Problem | undefined {
  const authority = req.headers.host;
  if (authority !== undefined && !namesThisHost(authority, self)) {
    return {
      status: 421,
      title: 'Misdirected Request',
      detail: 'This host answers only requests addressed to localhost or its own address; the Host header names another server.',
    };
  }
  const method = (req.method ?? 'GET').toUpperCase();
  if (!stateChangingMethods.has(method) || !isHostPath(pathname)) return undefined;
  const origin = req.headers.origin;
  if (origin !== undefined && !isOwnOrigin(origin, self)) {
    return { status: 403, title: 'Forbidden', detail: `The host's own endpoints do not take ${method} requests from web pages of another origin.` };
  }
  const mediaType = mediaTypeOf(req);
  if ((mediaType !== undefined || hasBody(req)) && !(mediaType !== undefined && isJsonMediaType(mediaType))) {
    return { status: 415, title: 'Unsupported Media Type', detail: `A ${method} to the host's own endpoints carries JSON (Content-Type: application/json) or no body.` };
  }
  return undefined;
}

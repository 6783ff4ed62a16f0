import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHost } from '../../src/local-host/host';
import { APP_DIR, startApp } from '../e2e/orders';
import type { SagaClient } from '../support/saga-client';
import { OpenApiChecker } from './openapi-checker';

/*
 * petstore.http is run as a user would run it, request by request, against the embedded host: every answer
 * must match the OpenAPI document, every documented operation must be in the file, and each request that
 * shows a compensation must end in the compensation its title names.
 */
interface HttpFileRequest {
  title: string;
  method: string;
  target: string;
  headers: Record<string, string>;
  body: string | undefined;
}

const FILE = path.join(APP_DIR, 'petstore.http');

function parseHttpFile(text: string): { variables: Record<string, string>; requests: HttpFileRequest[] } {
  const variables: Record<string, string> = {};
  const requests: HttpFileRequest[] = [];
  const [preamble = '', ...blocks] = text.split(/^###[ \t]*/m);
  for (const match of preamble.matchAll(/^@(\w+)\s*=\s*(.+)$/gm)) variables[match[1] as string] = (match[2] as string).trim();
  for (const block of blocks) {
    const [title = '', ...lines] = block.split('\n');
    const content = lines.filter((line) => !line.startsWith('#'));
    const start = content.findIndex((line) => line.trim() !== '');
    const [method = '', target = ''] = (content[start] ?? '').trim().split(/\s+/);
    const headers: Record<string, string> = {};
    let index = start + 1;
    for (; index < content.length && (content[index] as string).trim() !== ''; index += 1) {
      const line = content[index] as string;
      headers[line.slice(0, line.indexOf(':')).trim()] = line.slice(line.indexOf(':') + 1).trim();
    }
    const body = content.slice(index).join('\n').trim();
    requests.push({ title: title.trim(), method, target, headers, body: body === '' ? undefined : body });
  }
  return { variables, requests };
}

function substitute(text: string, variables: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    if (!(name in variables)) throw new Error(`petstore.http uses {{${name}}}, which it does not define`);
    return variables[name] as string;
  });
}

let host: RunningHost;
let client: SagaClient;
let api: OpenApiChecker;
const { variables, requests } = parseHttpFile(readFileSync(FILE, 'utf8'));

beforeAll(async () => {
  ({ host, client } = await startApp());
  api = new OpenApiChecker((await (await fetch(`${host.url}/api/openapi.json`)).json()) as Record<string, unknown>, host.url);
});

afterAll(async () => {
  await host?.stop();
});

describe('petstore.http', () => {
  it('defines the base URL, an order id and an Idempotency-Key, and uses them', () => {
    expect(Object.keys(variables).sort()).toEqual(['baseUrl', 'idempotencyKey', 'orderId']);
    const text = readFileSync(FILE, 'utf8');
    for (const name of Object.keys(variables)) expect(text).toContain(`{{${name}}}`);
  });

  it('runs request by request against the app, every answer as the OpenAPI document says', async () => {
    const vars: Record<string, string> = { ...variables, baseUrl: host.url };
    const compensations = new Map<string, string>();
    for (const request of requests) {
      const url = new URL(substitute(request.target, vars));
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, substitute(value, vars)]));
      const answer = await api.send(request.method, `${url.pathname}${url.search}`, { headers, ...(request.body ? { body: request.body } : {}) });
      expect(answer.status, `${request.title}: ${answer.text.slice(0, 300)}`).toBeLessThan(500);
      const placed = answer.body as { id?: string } | undefined;
      if (request.method === 'POST' && answer.status === 202 && placed?.id) {
        // The file asks the user to paste an order id; the run uses the first order it placed.
        if (vars.orderId === variables.orderId) vars.orderId = placed.id;
        compensations.set(request.title, placed.id);
      }
    }

    const expectations: Array<[RegExp, string[] | null]> = [
      [/^Place an order/, null],
      [/^simulateFailure inventory/, ['ReleaseInventory']],
      [/^simulateFailure payment:/, ['RefundPayment', 'ReleaseInventory']],
      [/^simulateFailure fulfillment/, ['CancelFulfillment', 'RefundPayment', 'ReleaseInventory']],
      [/^simulateFailure refund/, ['CancelFulfillment', 'RefundPayment', 'ReleaseInventory']],
      [/^simulateFailure payment through the choreography/, ['RefundPayment', 'ReleaseInventory']],
      [/^The declined test card/, ['RefundPayment', 'ReleaseInventory']],
      [/^A total above 10,000/, ['RefundPayment', 'ReleaseInventory']],
      [/^Shipping to AQ/, ['CancelFulfillment', 'RefundPayment', 'ReleaseInventory']],
      [/^An out-of-stock product/, ['ReleaseInventory']],
    ];
    for (const [title, expected] of expectations) {
      const entry = [...compensations].find(([name]) => title.test(name));
      expect(entry, `no accepted order for ${title}`).toBeDefined();
      const orderId = (entry as [string, string])[1];
      await client.finalOrder(orderId);
      const saga = await client.saga(orderId);
      expect(saga.compensation?.steps.map((step) => step.name) ?? null, `${title}`).toEqual(expected);
    }
  });

  it('covers every operation of the OpenAPI document', () => {
    const covered = new Set(
      requests.map((request) => {
        const pathname = new URL(substitute(request.target, { ...variables, baseUrl: 'http://localhost' })).pathname;
        return `${request.method} ${api.templateOf(pathname)}`;
      }),
    );
    const pages = ['/api/docs/{asset}', '/api/dashboard/{asset}'];
    const operations = Object.entries(api.paths)
      .filter(([template]) => !pages.includes(template))
      .flatMap(([template, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${template}`));
    for (const operation of operations) expect(covered, operation).toContain(operation);
  });
});

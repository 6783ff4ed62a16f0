import Ajv2020 from 'ajv/dist/2020';

/*
 * Checks real answers against the OpenAPI document: the documented operation for the request, a documented
 * status, the media type, every required response header and the body, each against the schema at its place
 * in the document. Records what was seen, so a test can require every documented answer to have been seen.
 */

type Json = Record<string, unknown>;

export interface CheckedAnswer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

const DOC_ID = 'openapi.json';

function pointer(...segments: string[]): string {
  return '#/' + segments.map((segment) => segment.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

export class OpenApiChecker {
  readonly #ajv: Ajv2020;
  readonly #seen = new Set<string>();

  constructor(
    readonly document: Json,
    readonly baseUrl: string,
  ) {
    // Not strict: the document carries OpenAPI's own members (paths, info) beside the schemas it holds.
    this.#ajv = new Ajv2020({ strict: false, allErrors: true });
    this.#ajv.addSchema(document, DOC_ID);
  }

  get paths(): Record<string, Record<string, Json>> {
    return this.document.paths as Record<string, Record<string, Json>>;
  }

  /** Every documented `METHOD path status` other than `default`, and the answers for undocumented paths and methods. */
  documentedAnswers(): string[] {
    const general = Object.keys((this.document.components as Json).responses as Json);
    return [...general, ...Object.entries(this.paths).flatMap(([template, operations]) =>
      Object.entries(operations).flatMap(([method, operation]) =>
        Object.keys(operation.responses as Json)
          .filter((status) => status !== 'default')
          .map((status) => `${method.toUpperCase()} ${template} ${status}`),
      ),
    )];
  }

  seenAnswers(): string[] {
    return [...this.#seen];
  }

  /** The documented path template a concrete path falls under, if any (the most literal one wins). */
  templateOf(path: string): string | undefined {
    const matches = Object.keys(this.paths).filter((template) => {
      const pattern = '^' + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+') + '$';
      return new RegExp(pattern).test(path);
    });
    return matches.sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))[0];
  }

  /** Sends the request and checks the answer against the document; returns it for the test's own assertions. */
  async send(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<CheckedAnswer> {
    const response = await fetch(`${this.baseUrl}${path}`, { method, ...init });
    const text = await response.text();
    const answer: CheckedAnswer = { status: response.status, headers: response.headers, text, body: undefined };
    const pathOnly = path.split('?')[0] as string;
    const template = this.templateOf(pathOnly);
    const operation = template ? this.paths[template]?.[method.toLowerCase()] : undefined;

    let responsePointer: string[];
    if (!template) {
      if (response.status !== 404) throw new Error(`${method} ${path} is not documented and answered ${response.status}, not 404`);
      responsePointer = ['components', 'responses', 'NotFound'];
      this.#seen.add('NotFound');
    } else if (!operation) {
      if (response.status !== 405) throw new Error(`${method} ${path} is not a documented method and answered ${response.status}, not 405`);
      responsePointer = ['components', 'responses', 'MethodNotAllowed'];
      this.#seen.add('MethodNotAllowed');
      const allow = (response.headers.get('allow') ?? '').split(',').map((m) => m.trim().toLowerCase()).sort();
      expectEqual(allow, Object.keys(this.paths[template] as Json).sort(), `Allow of ${method} ${path}`);
    } else {
      const responses = operation.responses as Json;
      const key = String(response.status);
      if (!(key in responses)) throw new Error(`${method} ${path} answered ${response.status}, which ${template} does not document: ${text.slice(0, 300)}`);
      responsePointer = ['paths', template, method.toLowerCase(), 'responses', key];
      this.#seen.add(`${method.toUpperCase()} ${template} ${key}`);
    }
    answer.body = this.#checkResponse(responsePointer, answer, `${method} ${path} → ${response.status}`);
    return answer;
  }

  #resolve(segments: string[]): Json {
    let node: unknown = this.document;
    for (const segment of segments) node = (node as Json)[segment];
    const ref = (node as Json).$ref;
    if (typeof ref === 'string') return this.#resolve(ref.replace(/^#\//, '').split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')));
    return node as Json;
  }

  #checkResponse(segments: string[], answer: CheckedAnswer, what: string): unknown {
    const documented = this.#resolve(segments);
    for (const [name, header] of Object.entries((documented.headers ?? {}) as Json)) {
      const headerSpec = (header as Json).$ref ? this.#resolve(((header as Json).$ref as string).slice(2).split('/')) : (header as Json);
      const value = answer.headers.get(name);
      if (value === null) {
        if (headerSpec.required) throw new Error(`${what}: the documented header ${name} is missing`);
        continue;
      }
      this.#validate(headerSpec.schema as Json, value, `${what}: header ${name}`);
    }
    const content = documented.content as Record<string, Json> | undefined;
    if (!content) return undefined;
    const mediaType = (answer.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (!(mediaType in content)) throw new Error(`${what}: content type "${mediaType}" is not one of ${Object.keys(content).join(', ')}`);
    const schemaAt = [...segments, 'content', mediaType, 'schema'];
    if (!(content[mediaType] as Json).schema) return undefined;
    const isJson = mediaType === 'application/json' || mediaType.endsWith('+json');
    const body: unknown = isJson ? JSON.parse(answer.text) : answer.text;
    this.#validateAt(schemaAt, body, `${what}: body`);
    return body;
  }

  #validateAt(segments: string[], value: unknown, what: string): void {
    const ref = `${DOC_ID}${pointer(...segments)}`;
    const validate = this.#ajv.getSchema(ref) ?? this.#ajv.compile({ $ref: ref });
    if (!validate(value)) throw new Error(`${what} does not match the document: ${this.#ajv.errorsText(validate.errors)}`);
  }

  #validate(schema: Json, value: unknown, what: string): void {
    const validate = this.#ajv.compile(schema);
    if (!validate(value)) throw new Error(`${what} does not match the document: ${this.#ajv.errorsText(validate.errors)}`);
  }
}

function expectEqual(actual: string[], expected: string[], what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`${what}: ${JSON.stringify(actual)}, documented ${JSON.stringify(expected)}`);
}

import { readFileSync } from 'node:fs';

/**
 * A small reader for the Bicep this repository writes, enough to check what the tests check: the top-level
 * declarations (param, var, resource, module, output) and the `key: value` entries of object literals.
 * It understands strings (with `\'` escapes and `${...}` inside), `//` and `/* *\/` comments, and nesting of
 * braces, brackets and parentheses. It does not evaluate expressions: values are kept as text.
 */

export type Declaration =
  | { kind: 'param'; name: string; type: string; defaultValue: string | undefined; text: string }
  | { kind: 'var'; name: string; value: string; text: string }
  | { kind: 'resource'; name: string; type: string; apiVersion: string; existing: boolean; condition: string | undefined; loop: string | undefined; body: string; text: string }
  | { kind: 'module'; name: string; path: string; condition: string | undefined; body: string; text: string }
  | { kind: 'output'; name: string; type: string; value: string; text: string }
  | { kind: 'targetScope'; value: string; text: string };

/** Replaces comments with spaces (offsets stay the same) and marks which characters are inside strings. */
function scan(source: string): { code: string; inString: boolean[] } {
  const out = source.split('');
  const inString: boolean[] = new Array<boolean>(source.length).fill(false);
  let i = 0;
  while (i < source.length) {
    const two = source.slice(i, i + 2);
    if (two === '//') {
      while (i < source.length && source[i] !== '\n') out[i++] = ' ';
    } else if (two === '/*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      for (; i < stop; i++) if (source[i] !== '\n') out[i] = ' ';
    } else if (source.startsWith("'''", i)) {
      const end = source.indexOf("'''", i + 3);
      const stop = end === -1 ? source.length : end + 3;
      for (; i < stop; i++) inString[i] = true;
    } else if (source[i] === "'") {
      inString[i++] = true;
      let interpolation = 0;
      while (i < source.length) {
        inString[i] = interpolation === 0;
        if (interpolation === 0 && source[i] === '\\') {
          inString[i + 1] = true;
          i += 2;
          continue;
        }
        if (interpolation === 0 && source.startsWith('${', i)) {
          // `${` and its `}` belong to the string; what is between them is code.
          inString[i + 1] = true;
          interpolation = 1;
          i += 2;
          continue;
        }
        if (interpolation > 0 && source[i] === '{') interpolation += 1;
        if (interpolation > 0 && source[i] === '}') {
          interpolation -= 1;
          if (interpolation === 0) inString[i] = true;
          i += 1;
          continue;
        }
        if (interpolation === 0 && source[i] === "'") {
          i += 1;
          break;
        }
        i += 1;
      }
    } else {
      i += 1;
    }
  }
  return { code: out.join(''), inString };
}

const OPENERS = new Set(['{', '[', '(']);
const CLOSERS = new Set(['}', ']', ')']);

/** Splits code into statements that start at nesting depth 0: each ends at a newline at depth 0. */
function statements(code: string, inString: boolean[], from = 0, to = code.length): { start: number; end: number }[] {
  const found: { start: number; end: number }[] = [];
  let depth = 0;
  let start = -1;
  for (let i = from; i < to; i++) {
    const c = code[i];
    if (!inString[i]) {
      if (OPENERS.has(c)) depth += 1;
      else if (CLOSERS.has(c)) depth -= 1;
    }
    if (start === -1 && !/\s/.test(c)) start = i;
    if (c === '\n' && depth === 0 && start !== -1) {
      found.push({ start, end: i });
      start = -1;
    }
  }
  if (start !== -1) found.push({ start, end: to });
  return found;
}

/** The index of the bracket that closes the one at `open`. */
function closing(code: string, inString: boolean[], open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (inString[i]) continue;
    if (OPENERS.has(code[i])) depth += 1;
    else if (CLOSERS.has(code[i])) {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  throw new Error(`Unbalanced bracket at offset ${open}`);
}

function firstBrace(code: string, inString: boolean[], from: number): number {
  for (let i = from; i < code.length; i++) if (code[i] === '{' && !inString[i]) return i;
  return -1;
}

// A condition is read to the last `)` before the body on the declaration's first line.
const RESOURCE = /^resource\s+(\w+)\s+'([^'@]+)@([^']+)'\s*(existing\s*)?=\s*(?:if\s*\(([^\n]*)\)\s*(?=[{[]))?(\[\s*for\s+[^:]+:)?/;
const MODULE = /^module\s+(\w+)\s+'([^']+)'\s*=\s*(?:if\s*\(([^\n]*)\)\s*(?=[{[]))?/;
const PARAM = /^param\s+(\w+)\s+(\w+(?:\[\])?)(?:\s*=\s*([\s\S]+))?$/;
const VAR = /^var\s+(\w+)\s*=\s*([\s\S]+)$/;
const OUTPUT = /^output\s+(\w+)\s+(\w+)\s*=\s*([\s\S]+)$/;

export function parseBicep(source: string): Declaration[] {
  const { code, inString } = scan(source);
  const declarations: Declaration[] = [];
  let decorators = '';
  for (const { start, end } of statements(code, inString)) {
    const own = code.slice(start, end).trim();
    if (own.startsWith('@')) {
      // A decorator: kept with the declaration that follows, in its `text`.
      decorators += `${own}\n`;
      continue;
    }
    const text = own;
    const withDecorators = decorators + own;
    decorators = '';
    let match: RegExpExecArray | null;
    if ((match = RESOURCE.exec(text))) {
      const brace = firstBrace(code, inString, start + match[0].length);
      declarations.push({
        kind: 'resource',
        name: match[1],
        type: match[2],
        apiVersion: match[3],
        existing: Boolean(match[4]),
        condition: match[5]?.trim(),
        loop: match[6]?.replace(/^\[\s*for\s+/, '').replace(/:$/, '').trim(),
        body: code.slice(brace, closing(code, inString, brace) + 1),
        text,
      });
    } else if ((match = MODULE.exec(text))) {
      const brace = firstBrace(code, inString, start + match[0].length);
      declarations.push({ kind: 'module', name: match[1], path: match[2], condition: match[3]?.trim(), body: code.slice(brace, closing(code, inString, brace) + 1), text });
    } else if ((match = PARAM.exec(text))) {
      declarations.push({ kind: 'param', name: match[1], type: match[2], defaultValue: match[3]?.trim(), text: withDecorators });
    } else if ((match = VAR.exec(text))) {
      declarations.push({ kind: 'var', name: match[1], value: match[2].trim(), text });
    } else if ((match = OUTPUT.exec(text))) {
      declarations.push({ kind: 'output', name: match[1], type: match[2], value: match[3].trim(), text });
    } else if (text.startsWith('targetScope')) {
      declarations.push({ kind: 'targetScope', value: text.replace(/^targetScope\s*=\s*/, '').trim(), text });
    } else {
      throw new Error(`Unrecognised Bicep statement: ${text.slice(0, 80)}`);
    }
  }
  return declarations;
}

/**
 * The entries of an object literal `{ ... }` (given with its braces), keys unquoted, values as text.
 * Later duplicates would overwrite earlier ones, which Bicep itself rejects.
 */
export function objectEntries(objectText: string): Map<string, string> {
  const trimmed = objectText.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) throw new Error(`Not an object literal: ${trimmed.slice(0, 60)}`);
  const { code, inString } = scan(trimmed);
  const entries = new Map<string, string>();
  for (const { start, end } of statements(code, inString, 1, code.length - 1)) {
    const text = code.slice(start, end).trim();
    const match = /^('(?:[^'\\]|\\.)*'|[A-Za-z_][\w-]*)\s*:\s*([\s\S]*)$/.exec(text);
    if (!match) throw new Error(`Not a "key: value" entry: ${text.slice(0, 60)}`);
    entries.set(match[1].replace(/^'|'$/g, ''), match[2].trim());
  }
  return entries;
}

/** The elements of an array literal `[ ... ]`, one per line as Bicep writes them. */
export function arrayElements(arrayText: string): string[] {
  const trimmed = arrayText.trim();
  if (!trimmed.startsWith('[') || !trimmed.endsWith(']')) throw new Error(`Not an array literal: ${trimmed.slice(0, 60)}`);
  const { code, inString } = scan(trimmed);
  return statements(code, inString, 1, code.length - 1).map(({ start, end }) => code.slice(start, end).trim());
}

/** Follows `a.b.c` through nested object literals; undefined when a step is missing or not a literal. */
export function lookup(objectText: string, dottedPath: string): string | undefined {
  let current: string | undefined = objectText;
  for (const key of dottedPath.split('.')) {
    if (current === undefined || !current.trim().startsWith('{')) return undefined;
    current = objectEntries(current).get(key);
  }
  return current;
}

/** A string literal's content, or undefined when the text is not one plain string. */
export function stringLiteral(text: string | undefined): string | undefined {
  const match = /^'((?:[^'\\$]|\\.|\$(?!\{))*)'$/.exec(text?.trim() ?? '');
  return match ? match[1].replace(/\\(.)/g, '$1') : undefined;
}

export class BicepModule {
  readonly declarations: Declaration[];

  constructor(readonly file: string) {
    this.declarations = parseBicep(readFileSync(file, 'utf8'));
  }

  private find<K extends Declaration['kind']>(kind: K, name: string): Extract<Declaration, { kind: K }> {
    const found = this.declarations.find((d) => d.kind === kind && 'name' in d && d.name === name);
    if (!found) throw new Error(`${this.file} has no ${kind} named ${name}`);
    return found as Extract<Declaration, { kind: K }>;
  }

  all<K extends Declaration['kind']>(kind: K): Extract<Declaration, { kind: K }>[] {
    return this.declarations.filter((d): d is Extract<Declaration, { kind: K }> => d.kind === kind);
  }

  param(name: string) {
    return this.find('param', name);
  }
  variable(name: string) {
    return this.find('var', name);
  }
  resource(name: string) {
    return this.find('resource', name);
  }
  module(name: string) {
    return this.find('module', name);
  }
  output(name: string) {
    return this.find('output', name);
  }
  resourcesOfType(type: string) {
    return this.all('resource').filter((resource) => resource.type.toLowerCase() === type.toLowerCase());
  }
}

/** The identifiers an expression refers to (outside its strings), e.g. `cosmos.outputs.endpoint` → ['cosmos', ...]. */
export function references(expression: string): string[] {
  const { code, inString } = scan(expression);
  const masked = code
    .split('')
    .map((c, i) => (inString[i] ? ' ' : c))
    .join('');
  return [...masked.matchAll(/(?<![.\w])([A-Za-z_]\w*)/g)].map((m) => m[1]);
}

/**
 * ASP.NET-style route templates as the Functions host accepts them: `orders/{id}`, `{id:int}`, `{name?}`,
 * `{*rest}`, `files/{name}.{ext}`. Literal segments match case-insensitively; a trailing slash is ignored.
 */

interface ParamPart {
  kind: 'param';
  name: string;
  optional: boolean;
  catchAll: boolean;
  defaultValue?: string;
  constraints: string[];
}
type Part = { kind: 'literal'; text: string } | ParamPart;

export interface CompiledRoute {
  template: string;
  regex: RegExp;
  params: ParamPart[];
  /** Lower sorts first: more specific routes win, as in ASP.NET routing. */
  precedence: number[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Splits on `sep` outside parentheses, so `regex(a:b)` stays one constraint. */
function splitOutsideParens(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === sep && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

function parseParam(body: string, template: string): ParamPart {
  let text = body.trim();
  let catchAll = false;
  if (text.startsWith('*')) {
    catchAll = true;
    text = text.replace(/^\*+/, '');
  }
  let defaultValue: string | undefined;
  const eq = text.indexOf('=');
  if (eq >= 0 && !text.slice(0, eq).includes('(')) {
    defaultValue = text.slice(eq + 1);
    text = text.slice(0, eq);
  }
  let optional = false;
  if (text.endsWith('?')) {
    optional = true;
    text = text.slice(0, -1);
  }
  const [name, ...constraints] = splitOutsideParens(text, ':');
  if (!name) throw new Error(`Route "${template}" has a parameter without a name.`);
  const param: ParamPart = { kind: 'param', name, optional: optional || catchAll || defaultValue !== undefined, catchAll, constraints };
  if (defaultValue !== undefined) param.defaultValue = defaultValue;
  return param;
}

function parseSegment(segment: string, template: string): Part[] {
  const parts: Part[] = [];
  let i = 0;
  while (i < segment.length) {
    const open = segment.indexOf('{', i);
    if (open < 0) {
      parts.push({ kind: 'literal', text: segment.slice(i) });
      break;
    }
    if (open > i) parts.push({ kind: 'literal', text: segment.slice(i, open) });
    const close = segment.indexOf('}', open);
    if (close < 0) throw new Error(`Route "${template}" has an unclosed "{".`);
    parts.push(parseParam(segment.slice(open + 1, close), template));
    i = close + 1;
  }
  return parts;
}

function segmentRank(parts: Part[]): number {
  if (parts.length === 1 && parts[0]?.kind === 'literal') return 1;
  const params = parts.filter((p): p is ParamPart => p.kind === 'param');
  if (params.some((p) => p.catchAll)) return 5;
  if (parts.length > 1) return 2;
  const param = params[0] as ParamPart;
  if (param.optional) return 4;
  return param.constraints.length > 0 ? 2 : 3;
}

export function compileRoute(template: string): CompiledRoute {
  const segments = template.replace(/^\/+|\/+$/g, '').split('/').filter((s) => s !== '');
  const params: ParamPart[] = [];
  const precedence: number[] = [];
  let source = '^';
  segments.forEach((segment, index) => {
    const parts = parseSegment(segment, template);
    precedence.push(segmentRank(parts));
    const isLast = index === segments.length - 1;
    const only = parts.length === 1 ? parts[0] : undefined;
    if (only?.kind === 'param' && only.optional) {
      if (!isLast) throw new Error(`Route "${template}": only the last segment may be optional or catch-all.`);
      params.push(only);
      source += only.catchAll ? '(?:/(.*))?' : '(?:/([^/]+))?';
      return;
    }
    source += '/';
    for (const part of parts) {
      if (part.kind === 'literal') source += escapeRegExp(part.text);
      else {
        if (part.catchAll) throw new Error(`Route "${template}": a catch-all parameter must be a whole last segment.`);
        params.push(part);
        source += part.optional ? '([^/]*?)' : '([^/]+?)';
      }
    }
  });
  if (segments.length === 0) source += '/?';
  source += '/?$';
  return { template, regex: new RegExp(source, 'i'), params, precedence };
}

const guid = /^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[)}]?$/i;

function numberArgs(args: string): number[] {
  return args.split(',').map((a) => Number(a.trim()));
}

/** True when `value` satisfies one ASP.NET route constraint; unknown constraints accept everything. */
export function satisfiesConstraint(value: string, constraint: string): boolean {
  const match = /^(\w+)(?:\((.*)\))?$/s.exec(constraint.trim());
  if (!match) return true;
  const name = (match[1] as string).toLowerCase();
  const args = match[2] ?? '';
  switch (name) {
    case 'int': {
      if (!/^[-+]?\d+$/.test(value)) return false;
      const n = Number(value);
      return n >= -2147483648 && n <= 2147483647;
    }
    case 'long':
      return /^[-+]?\d+$/.test(value) && BigInt(value) >= -(2n ** 63n) && BigInt(value) < 2n ** 63n;
    case 'bool':
      return /^(true|false)$/i.test(value);
    case 'guid':
      return guid.test(value);
    case 'alpha':
      return /^[a-z]+$/i.test(value);
    case 'double':
    case 'float':
    case 'decimal':
      return value.trim() !== '' && Number.isFinite(Number(value));
    case 'datetime':
      return !Number.isNaN(Date.parse(value));
    case 'minlength':
      return value.length >= (numberArgs(args)[0] ?? 0);
    case 'maxlength':
      return value.length <= (numberArgs(args)[0] ?? Infinity);
    case 'length': {
      const [a, b] = numberArgs(args);
      return b === undefined ? value.length === a : value.length >= (a ?? 0) && value.length <= b;
    }
    case 'min':
      return Number(value) >= (numberArgs(args)[0] ?? -Infinity);
    case 'max':
      return Number(value) <= (numberArgs(args)[0] ?? Infinity);
    case 'range': {
      const [a, b] = numberArgs(args);
      const n = Number(value);
      return n >= (a ?? -Infinity) && n <= (b ?? Infinity);
    }
    case 'regex':
      try {
        return new RegExp(args, 'i').test(value);
      } catch {
        return true;
      }
    default:
      return true;
  }
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Route values for `pathname`, or undefined when the route does not match it. */
export function matchRoute(route: CompiledRoute, pathname: string): Record<string, string> | undefined {
  const match = route.regex.exec(pathname);
  if (!match) return undefined;
  const values: Record<string, string> = {};
  for (let i = 0; i < route.params.length; i++) {
    const param = route.params[i] as ParamPart;
    const raw = match[i + 1];
    if (raw === undefined || raw === '') {
      if (!param.optional) return undefined;
      if (param.defaultValue !== undefined) values[param.name] = param.defaultValue;
      continue;
    }
    const value = param.catchAll ? raw.split('/').map(decode).join('/') : decode(raw);
    if (!param.constraints.every((c) => satisfiesConstraint(value, c))) return undefined;
    values[param.name] = value;
  }
  return values;
}

export function comparePrecedence(a: CompiledRoute, b: CompiledRoute): number {
  const length = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < length; i++) {
    const diff = (a.precedence[i] ?? 0) - (b.precedence[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

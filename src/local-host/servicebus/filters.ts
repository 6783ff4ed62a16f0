/**
 * Subscription rules. Correlation filters are exact; SQL filters are understood in their common simple form
 * (`a = 'x' AND b <> 2`, `1=1`); anything richer is reported once and matches every message.
 */
import type { CorrelationFilterConfig, RuleConfig } from './config';
import type { BrokerMessage } from './message';

function sameValue(expected: unknown, actual: unknown): boolean {
  if (actual === undefined) return false;
  return expected === actual || String(expected) === String(actual);
}

export function matchesCorrelation(filter: CorrelationFilterConfig, message: BrokerMessage): boolean {
  const system: Array<[unknown, unknown]> = [
    [filter.contentType, message.contentType],
    [filter.correlationId, message.correlationId],
    [filter.label, message.subject],
    [filter.messageId, message.messageId],
    [filter.replyTo, message.replyTo],
    [filter.replyToSessionId, message.replyToSessionId],
    [filter.sessionId, message.sessionId],
    [filter.to, message.to],
  ];
  for (const [expected, actual] of system) {
    if (expected !== undefined && !sameValue(expected, actual)) return false;
  }
  for (const [name, expected] of Object.entries(filter.properties ?? {})) {
    if (!sameValue(expected, message.applicationProperties[name])) return false;
  }
  return true;
}

type Clause = { lhs: string; op: '=' | '<>'; value: string | number | boolean };

const systemProperties: Record<string, keyof BrokerMessage> = {
  label: 'subject',
  subject: 'subject',
  messageid: 'messageId',
  correlationid: 'correlationId',
  contenttype: 'contentType',
  replyto: 'replyTo',
  replytosessionid: 'replyToSessionId',
  sessionid: 'sessionId',
  to: 'to',
};

/** Parses `lhs op literal [AND …]`; undefined when the expression uses anything else. */
export function parseSimpleSql(expression: string): Clause[] | 'true' | 'false' | undefined {
  const trimmed = expression.trim();
  if (/^1\s*=\s*1$/.test(trimmed)) return 'true';
  if (/^1\s*=\s*0$/.test(trimmed)) return 'false';
  const clauses: Clause[] = [];
  for (const part of trimmed.split(/\s+AND\s+/i)) {
    const m = /^\s*((?:sys\.|user\.)?\[?[\w.-]+\]?)\s*(=|<>|!=)\s*('(?:[^']|'')*'|-?\d+(?:\.\d+)?|TRUE|FALSE)\s*$/i.exec(part);
    if (!m) return undefined;
    const literal = m[3] as string;
    const value = literal.startsWith("'")
      ? literal.slice(1, -1).replace(/''/g, "'")
      : /^(TRUE|FALSE)$/i.test(literal)
        ? literal.toUpperCase() === 'TRUE'
        : Number(literal);
    clauses.push({ lhs: m[1] as string, op: m[2] === '=' ? '=' : '<>', value });
  }
  return clauses;
}

function lookup(lhs: string, message: BrokerMessage): unknown {
  const sys = /^sys\.(.+)$/i.exec(lhs);
  if (sys) {
    const key = systemProperties[(sys[1] as string).toLowerCase()];
    return key ? message[key] : undefined;
  }
  const name = lhs.replace(/^user\./i, '').replace(/^\[|\]$/g, '');
  return message.applicationProperties[name];
}

export class RuleMatcher {
  readonly #warned = new Set<string>();

  constructor(private readonly warn: (message: string) => void) {}

  /** A subscription without rules receives everything; otherwise any matching rule lets a message in. */
  matches(rules: RuleConfig[], message: BrokerMessage, subscriptionPath: string): boolean {
    if (rules.length === 0) return true;
    return rules.some((rule) => this.#matchRule(rule, message, subscriptionPath));
  }

  #matchRule(rule: RuleConfig, message: BrokerMessage, path: string): boolean {
    if (rule.actionSqlExpression) this.#warnOnce(`${path}/${rule.name}/action`, `rule "${rule.name}" on ${path}: SQL rule actions are not supported and are ignored`);
    if (rule.filterType === 'Correlation') return matchesCorrelation(rule.correlation ?? {}, message);
    const parsed = parseSimpleSql(rule.sqlExpression ?? '1=1');
    if (parsed === 'true') return true;
    if (parsed === 'false') return false;
    if (!parsed) {
      this.#warnOnce(`${path}/${rule.name}`, `rule "${rule.name}" on ${path}: SQL filter "${rule.sqlExpression}" is not supported; it matches every message`);
      return true;
    }
    return parsed.every((c) => (c.op === '=') === sameValue(c.value, lookup(c.lhs, message)));
  }

  #warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.warn(message);
  }
}

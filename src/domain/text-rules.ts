/**
 * What a client may put in the text an order keeps and every listing shows again. Ids become Cosmos DB
 * document ids and URL path segments, so they follow the document-id rules; free text (names, the address,
 * the customer id) must be well-formed Unicode without control or bidi-override characters, because a lone
 * surrogate makes the stored JSON unreadable to strict parsers (jq), a NUL or an escape sequence forges log
 * lines and terminal output, and a bidi override makes text display as something else.
 */

// C0 and C1 controls, DEL, and the bidi embeddings, overrides, isolates and marks.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_TEXT = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Lone surrogates: text that cannot be written as UTF-8. */
function isWellFormed(value: string): boolean {
  return !/\p{Surrogate}/u.test(value);
}

/** The reason `value` is not acceptable free text, or undefined when it is. */
export function textProblem(value: string): string | undefined {
  if (!isWellFormed(value)) return 'must be well-formed Unicode (it contains a lone surrogate)';
  if (FORBIDDEN_IN_TEXT.test(value)) return 'must not contain control characters or bidirectional overrides';
  return undefined;
}

/** Characters Cosmos DB refuses in a document id; `.` and `..` alone would be read as path segments. */
const FORBIDDEN_IN_ID = /[/\\?#]/;

/** The reason `value` cannot be a document id, or undefined when it can. */
export function documentIdProblem(value: string): string | undefined {
  if (FORBIDDEN_IN_ID.test(value)) return 'must not contain "/", "\\", "?" or "#"';
  if (value === '.' || value === '..') return 'must not be "." or ".."';
  return textProblem(value);
}

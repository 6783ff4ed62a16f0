/**
 * How deeply a JSON text nests, measured without parsing it. `JSON.stringify` recurses, so a body nested
 * thousands of levels deep overflows the stack whenever the host shows it again; the broker and the Durable
 * API refuse such bodies, and the broker shows any it already holds as text.
 */

/** Deeper than any message a real app sends, far below what overflows the stack. */
export const maxJsonDepth = 64;

/** The deepest nesting of arrays and objects in `text` (0 for a scalar), counted outside strings. */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
      continue;
    }
    if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return deepest;
}

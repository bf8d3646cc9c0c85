import { XML_SNIPPETS } from '../../server/src/features/snippets';

export interface Snippet {
  readonly prefix: string | readonly string[];
  readonly description?: string;
  readonly body: string | readonly string[];
}

/** The domain XML snippets the language server offers (server/src/features/snippets.ts). */
export function loadSnippets(): Record<string, Snippet> {
  return { ...XML_SNIPPETS };
}

export function bodyText(s: Snippet): string {
  return Array.isArray(s.body) ? s.body.join('\n') : (s.body as string);
}

/**
 * Expands a VS Code snippet body as if every placeholder were accepted as is:
 * `${1:default}` → default (nested placeholders expanded), `${1|a,b|}` → a,
 * `$1` / `${1}` / `$0` → nothing, `\$` `\}` `\\` → the character. Variables
 * (`$TM_FILENAME`) are not supported: a snippet of ours must not use them.
 */
export function expand(body: string): string {
  let out = '';
  let i = 0;
  const readUntilClose = (): string => {
    // From i (after `${n:`), the default text up to the matching `}`.
    let depth = 0;
    let s = '';
    for (; i < body.length; i++) {
      const c = body[i]!;
      if (c === '\\' && i + 1 < body.length) {
        s += c + body[++i];
        continue;
      }
      if (c === '$' && body[i + 1] === '{') depth++;
      if (c === '}') {
        if (depth === 0) {
          i++;
          return expand(s);
        }
        depth--;
      }
      s += c;
    }
    throw new Error(`unclosed placeholder in ${JSON.stringify(body)}`);
  };
  while (i < body.length) {
    const c = body[i]!;
    if (c === '\\' && i + 1 < body.length && '$}\\'.includes(body[i + 1]!)) {
      out += body[i + 1];
      i += 2;
      continue;
    }
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    let m = /^\$(\d+)/.exec(body.slice(i));
    if (m) {
      i += m[0].length;
      continue;
    }
    m = /^\$\{(\d+)\}/.exec(body.slice(i));
    if (m) {
      i += m[0].length;
      continue;
    }
    m = /^\$\{(\d+)\|((?:[^|\\]|\\.)*)\|\}/.exec(body.slice(i));
    if (m) {
      out += m[2]!.split(/(?<!\\),/)[0]!.replace(/\\(.)/g, '$1');
      i += m[0].length;
      continue;
    }
    m = /^\$\{(\d+):/.exec(body.slice(i));
    if (m) {
      i += m[0].length;
      out += readUntilClose();
      continue;
    }
    throw new Error(`unsupported snippet syntax at ${JSON.stringify(body.slice(i, i + 20))}`);
  }
  return out;
}

/** The choices of `${n|a,b|}` placeholders, in order. */
export function choices(body: string): string[][] {
  return [...body.matchAll(/\$\{\d+\|((?:[^|\\]|\\.)*)\|\}/g)].map((m) => m[1]!.split(/(?<!\\),/).map((c) => c.replace(/\\(.)/g, '$1')));
}

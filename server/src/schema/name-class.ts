/**
 * RELAX NG name classes (spec §3, "Name classes") after simplification: a
 * name, any name or any name in a namespace (each possibly with an
 * exception), or a choice of two.
 */

export interface QName {
  /** The namespace URI; '' for no namespace (libvirt's own elements and attributes). */
  readonly ns: string;
  readonly local: string;
}

export type NameClass =
  | { readonly k: 'name'; readonly ns: string; readonly local: string }
  | { readonly k: 'anyName'; readonly except?: NameClass }
  | { readonly k: 'nsName'; readonly ns: string; readonly except?: NameClass }
  | { readonly k: 'choice'; readonly a: NameClass; readonly b: NameClass };

export function contains(nc: NameClass, q: QName): boolean {
  switch (nc.k) {
    case 'name':
      return nc.ns === q.ns && nc.local === q.local;
    case 'anyName':
      return nc.except === undefined || !contains(nc.except, q);
    case 'nsName':
      return nc.ns === q.ns && (nc.except === undefined || !contains(nc.except, q));
    case 'choice':
      return contains(nc.a, q) || contains(nc.b, q);
  }
}

/** The plain names a name class lists (a `choice` of names gives each; wildcards give none). */
export function listedNames(nc: NameClass, out: QName[] = []): QName[] {
  if (nc.k === 'name') out.push({ ns: nc.ns, local: nc.local });
  else if (nc.k === 'choice') {
    listedNames(nc.a, out);
    listedNames(nc.b, out);
  }
  return out;
}

/** True when the class matches names other than the ones it lists (`anyName`, `nsName`). */
export function hasWildcard(nc: NameClass): boolean {
  if (nc.k === 'choice') return hasWildcard(nc.a) || hasWildcard(nc.b);
  return nc.k !== 'name';
}

/** A key that identifies a name class structurally (for interning patterns). */
export function nameClassKey(nc: NameClass): string {
  switch (nc.k) {
    case 'name':
      return `{${nc.ns}}${nc.local}`;
    case 'anyName':
      return nc.except ? `*-(${nameClassKey(nc.except)})` : '*';
    case 'nsName':
      return nc.except ? `{${nc.ns}}*-(${nameClassKey(nc.except)})` : `{${nc.ns}}*`;
    case 'choice':
      return `(${nameClassKey(nc.a)}|${nameClassKey(nc.b)})`;
  }
}

/** How a qualified name is shown to users: the local name, with `{ns}` only for another namespace. */
export function showQName(q: QName, prefixes?: ReadonlyMap<string, string>): string {
  if (q.ns === '') return q.local;
  const prefix = prefixes?.get(q.ns);
  return prefix !== undefined ? `${prefix}:${q.local}` : `{${q.ns}}${q.local}`;
}

/**
 * The kinds of file sevlint lints, in one place: what each is called, the
 * file names it is usually found under, the rule id prefixes of its rules.
 * Detection is by content (linter.ts `detectKind`); names matter only where
 * content cannot be read (a file too large to lint) and for fixtures.
 */
export type DocumentKind = 'domain-xml' | 'kata-toml';

export interface FileType {
  readonly kind: DocumentKind;
  /** For messages and docs. */
  readonly label: string;
  /** Usual file name endings, longest first (`.toml.in` before `.toml`). */
  readonly extensions: readonly string[];
  /** Every rule id of this kind starts with one of these. */
  readonly rulePrefixes: readonly string[];
}

export const FILE_TYPES: Readonly<Record<DocumentKind, FileType>> = {
  'domain-xml': { kind: 'domain-xml', label: 'libvirt domain XML', extensions: ['.xml'], rulePrefixes: ['sev-', 'snp-', 'xml-', 'libvirt-'] },
  'kata-toml': { kind: 'kata-toml', label: 'Kata Containers configuration', extensions: ['.toml.in', '.toml'], rulePrefixes: ['kata-', 'toml-'] },
};

/** The kind whose usual name `name` has (`configuration.toml.in` → kata-toml), if any. */
export function kindByName(name: string): DocumentKind | undefined {
  const lower = name.toLowerCase();
  return Object.values(FILE_TYPES).find((t) => t.extensions.some((e) => lower.endsWith(e)))?.kind;
}

/** One entry of the editor's document selector (VS Code's `DocumentFilter`: a language id or a glob). */
export type EditorFilter = { readonly language: string } | { readonly pattern: string };

/**
 * The documents the editor sends to the language server; the server then
 * decides by content (`detectKind`), so a wide net costs only a look at the
 * text. Every `.toml` and `.toml.in` whatever its name and language (plain
 * text when no TOML extension is installed): a Kata configuration copied to
 * `snp-node1.toml` is one too. XML by language id (Red Hat XML and VS Code
 * both give `.xml` the `xml` id).
 */
export const EDITOR_DOCUMENT_SELECTOR: readonly EditorFilter[] = [
  { language: 'xml' },
  { language: 'toml' },
  { pattern: '**/*.toml' },
  { pattern: '**/*.toml.in' },
];

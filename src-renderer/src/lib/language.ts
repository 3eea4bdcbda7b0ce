// Which syntax a file's text is in, from its name and its first line (a shebang). Only the
// languages the inspector colours; anything else is plain text.

export type Language =
  | 'json'
  | 'yaml'
  | 'bash'
  | 'docker'
  | 'ini'
  | 'toml'
  | 'javascript'
  | 'typescript'
  | 'python'
  | 'markup'
  | 'css'
  | 'markdown'
  | 'nginx';

/** How the inspector names each language. */
export const LANGUAGE_NAMES: Record<Language, string> = {
  json: 'JSON',
  yaml: 'YAML',
  bash: 'Shell',
  docker: 'Dockerfile',
  ini: 'INI / conf',
  toml: 'TOML',
  javascript: 'JavaScript',
  typescript: 'TypeScript',
  python: 'Python',
  markup: 'XML / HTML',
  css: 'CSS',
  markdown: 'Markdown',
  nginx: 'nginx',
};

const BY_EXTENSION: Record<string, Language> = {
  json: 'json',
  jsonc: 'json',
  json5: 'json',
  webmanifest: 'json',
  lock: 'json',
  yaml: 'yaml',
  yml: 'yaml',
  sh: 'bash',
  bash: 'bash',
  zsh: 'bash',
  ksh: 'bash',
  ash: 'bash',
  dockerfile: 'docker',
  containerfile: 'docker',
  ini: 'ini',
  conf: 'ini',
  cfg: 'ini',
  cnf: 'ini',
  properties: 'ini',
  env: 'ini',
  service: 'ini',
  desktop: 'ini',
  toml: 'toml',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'typescript',
  py: 'python',
  pyi: 'python',
  xml: 'markup',
  html: 'markup',
  htm: 'markup',
  xhtml: 'markup',
  svg: 'markup',
  plist: 'markup',
  xsd: 'markup',
  xsl: 'markup',
  pom: 'markup',
  css: 'css',
  md: 'markdown',
  markdown: 'markdown',
};

const BY_NAME: Record<string, Language> = {
  dockerfile: 'docker',
  containerfile: 'docker',
  '.bashrc': 'bash',
  '.bash_profile': 'bash',
  '.bash_logout': 'bash',
  '.profile': 'bash',
  '.zshrc': 'bash',
  profile: 'bash',
  bashrc: 'bash',
  '.env': 'ini',
  '.npmrc': 'ini',
  '.gitconfig': 'ini',
  '.editorconfig': 'ini',
  'os-release': 'ini',
  'lsb-release': 'ini',
  'nginx.conf': 'nginx',
  'package-lock.json': 'json',
  pipfile: 'toml',
  'pyproject.toml': 'toml',
  'cargo.lock': 'toml',
  readme: 'markdown',
};

const SHEBANGS: [RegExp, Language][] = [
  [/^#!.*\b(?:ba|da|z|k|a)?sh\b/, 'bash'],
  [/^#!.*\bpython[\d.]*\b/, 'python'],
  [/^#!.*\bnode\b/, 'javascript'],
];

/** The language of the file at `path` whose text starts with `head`, or null for plain text. */
export function detectLanguage(path: string, head = ''): Language | null {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const byName = BY_NAME[name];
  if (byName) return byName;
  if (name.startsWith('dockerfile.') || name.endsWith('.dockerfile')) return 'docker';
  if (name.startsWith('containerfile.')) return 'docker';
  const dot = name.lastIndexOf('.');
  if (dot > 0 || (dot === 0 && name.length > 1 && !BY_NAME[name])) {
    const byExtension = BY_EXTENSION[name.slice(dot + 1)];
    if (byExtension) return byExtension;
  }
  const firstLine = head.slice(0, head.indexOf('\n') >>> 0).trimEnd();
  for (const [pattern, language] of SHEBANGS) if (pattern.test(firstLine)) return language;
  // Files under /etc without an extension are usually `key = value` or shell-like; leave them.
  const trimmed = head.trimStart();
  if (dot < 0 && (trimmed.startsWith('<?xml') || /^<!doctype html/i.test(trimmed))) return 'markup';
  return null;
}

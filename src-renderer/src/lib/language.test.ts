import { describe, expect, it } from 'vitest';
import { detectLanguage } from './language';

describe('detectLanguage', () => {
  it('knows the common file names and extensions of images', () => {
    expect(detectLanguage('/app/package.json')).toBe('json');
    expect(detectLanguage('/etc/compose.YML')).toBe('yaml');
    expect(detectLanguage('/usr/local/bin/entry.sh')).toBe('bash');
    expect(detectLanguage('/src/Dockerfile')).toBe('docker');
    expect(detectLanguage('/src/Dockerfile.prod')).toBe('docker');
    expect(detectLanguage('/src/api.dockerfile')).toBe('docker');
    expect(detectLanguage('/app/config/app.conf')).toBe('ini');
    expect(detectLanguage('/etc/os-release')).toBe('ini');
    expect(detectLanguage('/etc/nginx/nginx.conf')).toBe('nginx');
    expect(detectLanguage('/app/server.js')).toBe('javascript');
    expect(detectLanguage('/app/src/main.ts')).toBe('typescript');
    expect(detectLanguage('/usr/lib/python3/site.py')).toBe('python');
    expect(detectLanguage('/app/public/index.html')).toBe('markup');
    expect(detectLanguage('/app/public/logo.svg')).toBe('markup');
    expect(detectLanguage('/root/.bashrc')).toBe('bash');
    expect(detectLanguage('/app/README.md')).toBe('markdown');
  });

  it('reads a shebang when the name says nothing', () => {
    expect(detectLanguage('/opt/tool/bin/tool', '#!/bin/sh\necho tool\n')).toBe('bash');
    expect(detectLanguage('/usr/bin/pip', '#!/usr/bin/python3.12\nimport sys')).toBe('python');
    expect(detectLanguage('/usr/bin/npx', '#!/usr/bin/env node\n')).toBe('javascript');
    expect(detectLanguage('/etc/catalog', '<?xml version="1.0"?>\n<catalog/>')).toBe('markup');
  });

  it('leaves other files as plain text', () => {
    expect(detectLanguage('/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n')).toBeNull();
    expect(detectLanguage('/srv/LONG.txt', 'this RUN line is long')).toBeNull();
    expect(detectLanguage('/srv/notes', '#!not a shebang we know')).toBeNull();
  });
});

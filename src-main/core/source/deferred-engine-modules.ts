// dockerode loads BuildKit's gRPC session (gRPC, protobufjs) and docker-modem loads ssh2 as soon
// as they are required: about 190 ms of every engine open, for image builds Strata never makes
// and ssh:// hosts few use. Both modules export one function, so each is stood in for by a
// function that loads the real module on its first call. Where a package's layout differs from
// what is expected, nothing is deferred and everything loads as before.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type DockerClass from 'dockerode';

const requireHere = createRequire(import.meta.url);

function defer(request: string, fromDir: string): void {
  let path: string;
  try {
    path = requireHere.resolve(request, { paths: [fromDir] });
  } catch {
    return;
  }
  if (requireHere.cache[path]) return;
  let real: ((...args: unknown[]) => unknown) | null = null;
  const standIn = function (this: unknown, ...args: unknown[]): unknown {
    if (!real) {
      delete requireHere.cache[path];
      real = requireHere(path) as (...args: unknown[]) => unknown;
    }
    return real.apply(this, args);
  };
  requireHere.cache[path] = {
    id: path,
    filename: path,
    loaded: true,
    exports: standIn,
  } as NodeJS.Module;
}

let loaded: typeof DockerClass | null = null;

/** dockerode, with its session and docker-modem's ssh module deferred (required here, in order). */
export function loadDockerode(): typeof DockerClass {
  if (loaded) return loaded;
  const dir = dirname(requireHere.resolve('dockerode'));
  defer('./session.js', dir);
  defer('docker-modem/lib/ssh.js', dir);
  loaded = requireHere('dockerode') as typeof DockerClass;
  return loaded;
}

/**
 * Starts and stops moto server (the local AWS for S3, CloudFront, ECR, CloudFormation, Logs, ...) from the
 * project-local venv `.venv`, installed by `scripts/setup.sh`. Listens on 127.0.0.1 only, on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** A running moto server. */
export interface MotoServer {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  /** Clears every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** Stops the server and waits for the process to exit. */
  stop(): Promise<void>;
}

/** The project root (two levels above src/local). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Path of the venv's python; throws with the setup command when it is missing. */
export function venvPython(root = projectRoot): string {
  const python = path.join(root, '.venv', 'bin', 'python');
  if (!existsSync(python)) {
    throw new Error(`The local AWS needs the project venv (${python}); run \`bash scripts/setup.sh\` first.`);
  }
  return python;
}

/**
 * Starts moto server and resolves once it answers.
 * @param timeoutMs how long to wait for the port line (milliseconds). Default 30000.
 * @throws Error when the venv is missing or the server does not start in time.
 */
export async function startMoto(timeoutMs = 30000): Promise<MotoServer> {
  const python = venvPython();
  const script = path.join(projectRoot, 'src', 'local', 'moto_launcher.py');
  const child: ChildProcess = spawn(python, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`moto server did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /MOTO_PORT=(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto server exited with code ${code}: ${stderr}`));
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  child.unref();
  (child.stdout as unknown as { unref?: () => void })?.unref?.();
  (child.stderr as unknown as { unref?: () => void })?.unref?.();
  (child.stdin as unknown as { unref?: () => void })?.unref?.();
  return {
    endpoint,
    port,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.stdin?.end();
      });
    }
  };
}

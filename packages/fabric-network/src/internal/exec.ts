import { execFile } from 'node:child_process';
import { FabricNetworkError } from '../errors.js';

/** Output of a finished command. */
export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Options of {@link runCommand}. */
export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Shown in the error: what the command was for. */
  purpose?: string;
  /** Receives each line the command writes to stderr as it writes it (a long build's progress). */
  onStderrLine?: (line: string) => void;
}

/** Keeps the last lines of a command's output for error details. */
export function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Runs a command to completion. A non-zero exit becomes a COMMAND_FAILED error that
 * carries the command line and the tail of its output.
 */
export function runCommand(file: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      [...args],
      {
        env: options.env ?? process.env,
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ stdout, stderr });
          return;
        }
        const command = [file, ...args].join(' ');
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(
            new FabricNetworkError(
              'BINARY_MISSING',
              `${file} was not found; run 'ledgerkit fabric up' to build the Fabric binaries`,
              { command },
              error,
            ),
          );
          return;
        }
        reject(
          new FabricNetworkError(
            'COMMAND_FAILED',
            `${options.purpose ?? 'a command'} failed: ${tail(stderr || stdout || error.message, 1)}`,
            { command, exitCode: error.code, output: tail(`${stdout}\n${stderr}`) },
            error,
          ),
        );
      },
    );
    const onLine = options.onStderrLine;
    if (onLine) {
      let pending = '';
      child.stderr?.on('data', (chunk: string | Buffer) => {
        const lines = (pending + chunk.toString()).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) onLine(line.trimEnd());
      });
      child.stderr?.on('end', () => {
        if (pending.trim()) onLine(pending.trimEnd());
      });
    }
  });
}

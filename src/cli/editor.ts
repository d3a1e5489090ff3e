import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { EditorFailedError } from '../machines/errors.js';

/** The editor the user asked for: $VISUAL, else $EDITOR, else vi (may carry arguments: "code --wait"). */
export function editorCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.VISUAL || env.EDITOR || 'vi';
}

/**
 * Opens `text` in the editor as FILE-NAME (in a private temporary directory) and returns the saved
 * text. The editor gets the terminal; with `quietStdout` its output goes to stderr instead, so
 * stdout keeps only the command's JSON.
 */
export function editText(text: string, fileName: string, opts: { quietStdout?: boolean } = {}): string {
  const editor = editorCommand();
  const dir = mkdtempSync(join(tmpdir(), 'phyllo-edit-'));
  const file = join(dir, fileName);
  try {
    writeFileSync(file, text, { mode: 0o600 });
    // Through the shell, as git and virsh do, so EDITOR may hold arguments.
    const r = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'sh', file], {
      stdio: ['inherit', opts.quietStdout ? 2 : 'inherit', 'inherit'],
    });
    if (r.error) throw new EditorFailedError(editor, `could not be started (${r.error.message})`);
    if (r.status !== 0)
      throw new EditorFailedError(
        editor,
        r.signal ? `was killed (${r.signal})` : `exited with status ${r.status}`,
      );
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Asks a yes/no question on the terminal (stderr); no is the default, and the answer when the input ends. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } catch {
    return false; // the input ended (Ctrl-D): no
  } finally {
    rl.close();
  }
}

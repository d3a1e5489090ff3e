/** The kernel command line as parameters; `-` and `_` are the same in parameter names. */
export interface KernelCmdline {
  raw: string;
  params: Record<string, string | true>;
}

export function normalizeParam(name: string): string {
  return name.replace(/-/g, '_');
}

/** Parses /proc/cmdline; everything after a lone `--` belongs to init and is ignored. */
export function parseCmdline(text: string): KernelCmdline {
  const raw = text.trim();
  const params: Record<string, string | true> = {};
  for (const token of raw.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []) {
    if (token === '--') break;
    const eq = token.indexOf('=');
    if (eq < 0) params[normalizeParam(token)] = true;
    else params[normalizeParam(token.slice(0, eq))] = token.slice(eq + 1).replace(/"/g, '');
  }
  return { raw, params };
}

export function cmdlineValue(cmdline: KernelCmdline, name: string): string | true | undefined {
  return cmdline.params[normalizeParam(name)];
}

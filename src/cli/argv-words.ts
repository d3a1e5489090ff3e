/**
 * The words of a command line that are neither options nor option values, with their indexes:
 * `--connect URI vm create web --os linux` → vm, create, web. `valueOptions` holds the options that
 * take a value (`--connect`, `-c`); such an option takes the next word unless that word starts with `-`
 * (the parser then reports the missing value) or it was given as `--name=value` / `-cVALUE`. After `--`
 * every word is a word. Kept apart from the parser so the starter (src/cli/start.ts) can key its code
 * cache on the command words without loading the command table.
 */
export function argvWords(
  argv: readonly string[],
  valueOptions: ReadonlySet<string>,
): { index: number; word: string }[] {
  const words: { index: number; word: string }[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      for (let j = i + 1; j < argv.length; j++) words.push({ index: j, word: argv[j] as string });
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      const next = argv[i + 1];
      if (!a.includes('=') && valueOptions.has(a) && next !== undefined && !next.startsWith('-')) i++;
      continue;
    }
    words.push({ index: i, word: a });
  }
  return words;
}

/**
 * The names of an OVA's files: VirtualBox and ovftool put them side by side at the top of the tar,
 * named after the appliance (`Windows 11 x64-disk1.vmdk`: spaces and all). Anything else is refused:
 * a directory part, `..`, an absolute path, a backslash, control characters.
 */

const MAX = 255;

/** Why `name` is not an OVA file name, or undefined when it is one. */
export function ovaNameProblem(name: string): string | undefined {
  if (name === '') return 'the name is empty';
  if (name.length > MAX) return `the name is longer than ${MAX} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the name has a control character';
  if (name.startsWith('/')) return 'the name is an absolute path';
  if (name.includes('\\')) return 'the name contains a backslash';
  if (name.split('/').includes('..')) return 'the name has a ".." segment';
  if (name.includes('/')) return "the name has a directory part (an OVA's files lie side by side)";
  if (name === '.') return 'the name is "."';
  return undefined;
}

/** Which command-line argument is a project to open (file association on Windows and Linux). */

/** The last argument ending in `.phiproj`, if any. */
export function projectFromArgv(argv: readonly string[]): string | undefined {
  return [...argv].reverse().find((arg) => arg.toLowerCase().endsWith('.phiproj') && !arg.startsWith('-'));
}

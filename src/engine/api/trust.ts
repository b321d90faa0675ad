/**
 * The words every front end (UI, CLI) uses for custom code that this computer
 * has not trusted: one sentence, made in one place.
 */

/** "This project has custom code that is not trusted on this computer: ..." */
export function untrustedCodeMessage(names: readonly string[]): string {
  const list = names.map((n) => `"${n}"`).join(', ');
  return `This project has custom code that is not trusted on this computer: ${list}. Review it and trust it to run.`;
}

/** Matches that sentence (front ends find untrusted-code issues by it). */
export const UNTRUSTED_CODE = /custom code that is not trusted on this computer/;

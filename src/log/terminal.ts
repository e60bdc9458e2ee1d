/**
 * Text from the systems we sync (names, emails, error messages) reaches the operator's terminal
 * through the pretty log, status, history, plan and review output. A name may hold ESC sequences
 * that move the cursor, rewrite the title or hide lines; these helpers keep such bytes out.
 */

/** C0 controls, DEL and the C1 range (which some terminals read as escape sequences). */
function isControl(code: number): boolean {
  return code < 0x20 || code === 0x7f || (code >= 0x80 && code <= 0x9f);
}

export function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) return true;
  return false;
}

/**
 * Replaces every control character but newline (and tab, when `keepTab`) with a visible escape
 * (`\x1b`), so that what was there stays readable and nothing reaches the terminal as a command.
 * ANSI sequences lose their ESC and print as plain text.
 */
export function stripControl(text: string, { keepNewline = true, keepTab = true } = {}): string {
  if (!hasControl(text)) return text;
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (!isControl(code) || (keepNewline && ch === '\n') || (keepTab && ch === '\t')) out += ch;
    else out += `\\x${code.toString(16).padStart(2, '0')}`;
  }
  return out;
}

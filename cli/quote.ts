// Shell quoting for the commands the CLI prints (follow-ups, `aws` commands): a word that needs no quotes
// stays as it is, anything else goes in single quotes, so a printed command can be pasted into a shell.

export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

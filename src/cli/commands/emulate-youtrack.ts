export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('tandem: this command is not built yet\n');
  return 1;
}

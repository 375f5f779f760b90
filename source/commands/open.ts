// Placeholder until its part lands; replaced by the owner of 'open'.
export async function run(_argv: string[]): Promise<number> {
	process.stderr.write('deploycockpit: open is not implemented yet\n');
	return 1;
}
